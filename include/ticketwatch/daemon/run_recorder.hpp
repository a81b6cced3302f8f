#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "ticketwatch/daemon/config_holder.hpp"
#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::daemon {

// Writes every finished run into ticketwatch.job_runs and prunes rows past history.retention.
// The writes happen on the side worker with a connection of their own; a failed write (database
// away) is logged once per outage and never turns a run into a failure.
class RunRecorder {
 public:
  RunRecorder(boost::asio::io_context& io, boost::asio::thread_pool& workers,
              const ConfigHolder& config, std::string instance);
  RunRecorder(const RunRecorder&) = delete;
  RunRecorder& operator=(const RunRecorder&) = delete;

  // io_context thread: queues the write.
  void record(const scheduler::RunResult& result);
  // Prunes now and then every few hours.
  void start_pruning();
  void stop();

 private:
  struct Writer;
  void arm_prune(std::chrono::milliseconds delay);

  boost::asio::thread_pool& workers_;
  const ConfigHolder& config_;
  boost::asio::steady_timer prune_timer_;
  std::shared_ptr<Writer> writer_;
};

}  // namespace ticketwatch::daemon
