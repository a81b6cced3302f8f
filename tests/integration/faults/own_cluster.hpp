#pragma once

// A PostgreSQL cluster of one test's own, for tests that stop the server: the shared cluster of the
// ctest fixture `pg` must keep serving the tests running beside them. Durable (fsync and
// synchronous_commit on): `pg_ctl stop -m immediate` then loses nothing a client was told had
// committed, so whatever is missing afterwards is the code under test's fault.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>

#include "daemon_process.hpp"

namespace ticketwatch::testing {

class OwnCluster {
 public:
  OwnCluster() {
    // mkdtemp made it 0700; the server runs as another user when the test runs as root.
    ::chmod(dir_.path().c_str(), 0755);
    run("start", {{"TW_PG_DURABLE", "1"}});
  }
  ~OwnCluster() {
    try {
      run("stop");
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;

  std::string socket_dir() const { return (dir_ / "pg" / "socket").string(); }
  std::string dsn() const {
    return "host=" + socket_dir() + " dbname=postgres user=postgres connect_timeout=2";
  }
  std::unique_ptr<pqxx::connection> connect() const {
    return std::make_unique<pqxx::connection>(dsn());
  }
  bool accepting() const {
    try {
      pqxx::connection probe(dsn());
      return probe.is_open();
    } catch (const pqxx::broken_connection&) {
      return false;
    }
  }

  // pg_ctl stop -m immediate: every backend dies at once, nothing is shut down cleanly.
  void crash() { run("crash"); }
  // Starts the same data again (crash recovery first); returns once it accepts connections.
  void resume() { run("resume"); }

 private:
  void run(const std::string& command, const std::map<std::string, std::string>& env = {}) {
    const auto r = run_program(std::string(TW_SOURCE_DIR) + "/tests/support/pg_cluster",
                               {command, (dir_ / "pg").string()}, env, std::chrono::seconds(120));
    if (r.exit_code != 0) {
      throw std::runtime_error("pg_cluster " + command + " failed (" + std::to_string(r.exit_code) +
                               "): " + r.out + r.err);
    }
  }

  TempDir dir_;
};

}  // namespace ticketwatch::testing
