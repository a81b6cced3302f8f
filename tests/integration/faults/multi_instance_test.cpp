// Several real ticketwatchd processes on one database: the advisory lock makes one of them run
// each job at a time; the others record a skipped run. Nothing is sent twice, nothing is lost.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "faults_fixture.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;

struct Instance {
  explicit Instance(const std::string& dsn) {
    DaemonConfigOptions o;
    o.dsn = dsn;
    o.sla_interval = "1s";
    o.escalation_interval = "1s";
    o.run_on_start = true;
    daemon = std::make_unique<RunningDaemon>(dir, daemon_config(o, dir));
  }
  std::string socket() const { return (dir / "control.sock").string(); }
  TempDir dir;
  std::unique_ptr<RunningDaemon> daemon;
};

void run_instances_for_rounds(int instances, int rounds) {
  TestDatabase db;
  db.migrate();
  auto conn = db.connect();
  seed_people(*conn);
  seed_rules(*conn);
  add_tickets_at_every_level(*conn, 3);

  std::vector<std::unique_ptr<Instance>> running;
  std::vector<std::string> sockets;
  for (int i = 0; i < instances; ++i) {
    running.push_back(std::make_unique<Instance>(db.dsn()));
    sockets.push_back(running.back()->socket());
  }
  for (auto& in : running) {
    ASSERT_GE(in->daemon->notify.wait_for("db up", 20s), 0) << in->daemon->process->stderr_text();
  }

  int skipped_triggers = 0;
  for (int round = 0; round < rounds; ++round) {
    add_tickets_at_every_level(*conn, 2);
    // Every other round the test holds the tickets table, so the instance that wins the
    // advisory lock is still inside its run when the others' triggers arrive.
    std::unique_ptr<pqxx::connection> locker;
    std::unique_ptr<pqxx::work> lock_tx;
    if (round % 2 == 0) {
      locker = db.connect();
      lock_tx = std::make_unique<pqxx::work>(*locker);
      lock_tx->exec("lock table tickets in access exclusive mode");
    }
    std::thread release;
    if (lock_tx) {
      release = std::thread([&] {
        std::this_thread::sleep_for(1500ms);
        lock_tx->commit();
      });
    }
    for (const auto* job : {"sla-monitor", "escalation-monitor"}) {
      for (int code : trigger_all(sockets, job)) {
        EXPECT_TRUE(code == 0 || code == 1) << code;
        if (code == 1) ++skipped_triggers;
      }
    }
    if (release.joinable()) release.join();
  }
  // A last quiet round on one instance makes sure all tickets added have been handled.
  for (const auto* job : {"sla-monitor", "escalation-monitor"}) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      if (trigger_all({sockets[0]}, job)[0] == 0) break;
      std::this_thread::sleep_for(200ms);
    }
  }
  for (auto& in : running) in->daemon->process->signal(SIGTERM);
  for (auto& in : running) {
    EXPECT_EQ(in->daemon->process->wait(20s), 0) << in->daemon->process->stderr_text();
  }

  expect_all_work_done_exactly_once(*conn, 3 + 2 * rounds);
  EXPECT_GT(skipped_triggers, 0);
  EXPECT_GE(db.scalar<long long>("select count(distinct instance) from ticketwatch.job_runs "
                                 "where status = 'succeeded'"),
            2);
  EXPECT_GE(db.scalar<long long>("select count(*) from ticketwatch.job_runs "
                                 "where status = 'skipped'"),
            1);
  // Skipped is not failed: nothing failed, and no run is left "running". With 1 s intervals a
  // scheduled run may be in flight when the test stops the daemons; it is cut short and says so.
  const char* const kUnexpected =
      "from ticketwatch.job_runs where status = 'running' or (status = 'failed' and "
      "error not like 'interrupted by shutdown: %')";
  EXPECT_EQ(db.scalar<long long>(std::string("select count(*) ") + kUnexpected), 0)
      << db.scalar<std::string>(
             std::string("select coalesce(string_agg(instance || ' ' || job || ' ' || status || "
                         "' ' || coalesce(error, ''), E'\\n'), '') ") +
             kUnexpected);
}

TEST(MultiInstance, TwoDaemonsOnOneDatabaseSendEveryNotificationAndEscalationExactlyOnce) {
  run_instances_for_rounds(2, 6);
}

TEST(MultiInstance, ThreeDaemonsOnOneDatabaseSendEveryNotificationAndEscalationExactlyOnce) {
  run_instances_for_rounds(3, 6);
}

}  // namespace
}  // namespace ticketwatch::testing
