#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

// How ticketwatchctl shows replies to people. Pure functions of the reply and "now", so the
// output is tested without a daemon. Missing or mistyped fields show as "-", never throw.
namespace ticketwatch::control {

using SystemTime = std::chrono::system_clock::time_point;

// "2024-03-01T12:00:00Z" or "2024-03-01T12:00:00.250Z" (what the daemon sends); nullopt otherwise.
std::optional<SystemTime> parse_utc(std::string_view text);

// A coarse span: "12s", "2m", "1h5m", "3d4h" (seconds below a minute, then two units at most).
std::string format_span(std::chrono::system_clock::duration span);
// "2m ago", "in 13m", "now" (within a second), "-" without a time.
std::string format_relative(std::optional<SystemTime> time, SystemTime now);
// Run durations: "340ms", "1.2s", "2m5s".
std::string format_millis(double milliseconds);

// The job table: JOB STATE LAST RUN LAST RESULT NEXT RUN RUNS FAILURES AVG DURATION, then one
// line per job whose last run failed, with its error.
std::string format_jobs_table(const nlohmann::json& jobs, SystemTime now);
// A header (version, instance, database, scheduler, uptime), a blank line, the job table.
std::string format_status(const nlohmann::json& status, SystemTime now);
// One line ("sla-monitor succeeded in 1.2s (manual, 1 attempt)"), plus the summary's counts or
// the error.
std::string format_run_result(const nlohmann::json& result);
// "configuration reloaded", plus the changed keys that only a restart applies.
std::string format_reload(const nlohmann::json& reply);

}  // namespace ticketwatch::control
