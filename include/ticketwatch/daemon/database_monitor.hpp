#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <string>

#include "ticketwatch/daemon/config_holder.hpp"
#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::daemon {

enum class DbState { unknown, up, down, schema_behind, schema_ahead };
std::string_view to_string(DbState state);

// Knows whether the database answers and whether its schema is current. Probes run on a worker
// (connecting blocks); results come back to the io_context, which alone owns the state. While
// the database is down it probes with capped exponential backoff; while up, at a slow pace.
class DatabaseMonitor {
 public:
  using ChangeCallback = std::function<void(DbState state, const std::string& detail)>;

  DatabaseMonitor(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                  const ConfigHolder& config, std::string config_path, ChangeCallback on_change);
  DatabaseMonitor(const DatabaseMonitor&) = delete;
  DatabaseMonitor& operator=(const DatabaseMonitor&) = delete;

  void start();
  void stop();
  // Probe soon (after a job failed, after a reload changed the DSN).
  void check_now();

  DbState state() const { return state_; }
  const std::string& detail() const { return detail_; }

 private:
  struct Probe;
  void probe();
  void on_probe(DbState state, std::string detail);
  void arm(std::chrono::milliseconds delay);

  boost::asio::io_context& io_;
  boost::asio::thread_pool& workers_;
  const ConfigHolder& config_;
  std::string config_path_;
  ChangeCallback on_change_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<Probe> probe_;  // the worker-side connection, shared so it outlives a stop
  DbState state_ = DbState::unknown;
  std::string detail_;
  std::unique_ptr<db::Backoff> backoff_;
  bool probing_ = false;
  bool stopped_ = false;
};

}  // namespace ticketwatch::daemon
