#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::scheduler {

// How one attempt of a body ended, classified by what it threw (like libpqxx's error types):
// the retry decision is made from the kind, on the io_context thread.
struct AttemptOutcome {
  enum class Kind { succeeded, failed, permanent_failure, skipped };
  Kind kind = Kind::failed;
  nlohmann::json summary = nlohmann::json::object();
  std::string error;  // the reason when skipped
};

// Runs the body once on the calling (worker) thread. Never throws: every exception becomes an
// outcome, so nothing escapes into the worker pool.
AttemptOutcome run_attempt(const JobBody& body, const AttemptContext& context) noexcept;

}  // namespace ticketwatch::scheduler
