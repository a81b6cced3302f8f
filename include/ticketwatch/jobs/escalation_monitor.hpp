#pragma once

#include <nlohmann/json.hpp>

#include "ticketwatch/jobs/job_environment.hpp"

namespace ticketwatch::jobs {

inline constexpr const char* kEscalationMonitorJob = "escalation-monitor";

// One pass of the escalation-monitor (DESIGN.md "escalation-monitor semantics"). Returns the
// summary: {rules_evaluated, rules_invalid, executions: {rule_id: n}, notifications_created,
// tickets_changed, duration_ms}. Throws on failure.
nlohmann::json run_escalation_monitor(const JobEnvironment& env);

}  // namespace ticketwatch::jobs
