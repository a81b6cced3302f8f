#pragma once

#include <nlohmann/json.hpp>

#include "ticketwatch/jobs/job_environment.hpp"

namespace ticketwatch::jobs {

inline constexpr const char* kSlaMonitorJob = "sla-monitor";

// One pass of the sla-monitor (DESIGN.md "sla-monitor semantics"). Returns the summary:
// {tickets_checked, levels: {low, medium, high, breached}, notifications_created,
//  history_written, duration_ms}. Throws on failure; each committed batch stays committed.
nlohmann::json run_sla_monitor(const JobEnvironment& env);

}  // namespace ticketwatch::jobs
