#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <set>
#include <string>

#include "ticketwatch/daemon/logging.hpp"

namespace ticketwatch::daemon {

// Sends each record to journald with PRIORITY mapped from the spdlog level and, for loggers that
// belong to a job, a JOB= field so `journalctl -u ticketwatch JOB=sla-monitor` finds a job's lines.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  JournalSink(JournalWriter writer, std::set<std::string> job_names)
      : writer_(std::move(writer)), job_names_(std::move(job_names)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  JournalWriter writer_;
  std::set<std::string> job_names_;
};

}  // namespace ticketwatch::daemon
