#pragma once

#include <nlohmann/json.hpp>

#include "ticketwatch/jobs/job_environment.hpp"

namespace ticketwatch::jobs {

inline constexpr const char* kSlaMonitorJob = "sla-monitor";

// One pass of the sla-monitor (DESIGN.md "sla-monitor semantics"). Returns the summary:
//   tickets_checked        open tickets evaluated this pass (only those whose level can have
//                          changed: new, changed, or whose next_check_at came)
//   levels                 {low, medium, high, breached} of the tickets checked; "high" counts
//                          breached tickets too (high risk *and* breached, DESIGN.md)
//   notifications_created  rows inserted into notifications
//   notifications          {sla_medium, sla_high, sla_breached}: the same by kind
//   history_written        ticket_history rows (one per level change)
//   states_removed         state rows dropped for tickets that closed or lost their due date
//   at_risk                {medium, high, breached} over all open tickets (ticketwatch.sla_state),
//                          for gauges; "high" again includes breached
//   settings_changed       thresholds or closed statuses differ from the previous pass's, so every
//                          open ticket was evaluated again
//   batches, duration_ms
// Throws on failure (also when env.stop is requested, at a batch boundary); each committed batch
// stays committed and the next pass carries on where it stopped. Every committed batch that
// created notifications sends NOTIFY ticketwatch_notifications, payload
// {"source": "sla-monitor", "notifications": n}.
nlohmann::json run_sla_monitor(const JobEnvironment& env);

}  // namespace ticketwatch::jobs
