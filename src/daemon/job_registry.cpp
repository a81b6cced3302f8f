#include "ticketwatch/daemon/job_registry.hpp"

#include "ticketwatch/jobs/escalation_monitor.hpp"
#include "ticketwatch/jobs/sla_monitor.hpp"

namespace ticketwatch::daemon {

const std::vector<JobDefinition>& builtin_jobs() {
  static const std::vector<JobDefinition> kJobs{
      {jobs::kSlaMonitorJob, jobs::run_sla_monitor,
       [](const config::Config& c) -> const config::JobSchedule& {
         return c.sla_monitor.schedule;
       }},
      {jobs::kEscalationMonitorJob, jobs::run_escalation_monitor,
       [](const config::Config& c) -> const config::JobSchedule& {
         return c.escalation_monitor.schedule;
       }},
  };
  return kJobs;
}

const JobDefinition* find_job(const std::string& name) {
  for (const auto& job : builtin_jobs()) {
    if (job.name == name) return &job;
  }
  return nullptr;
}

std::vector<std::string> builtin_job_names() {
  std::vector<std::string> names;
  for (const auto& job : builtin_jobs()) names.push_back(job.name);
  return names;
}

scheduler::JobSettings to_job_settings(const config::JobSchedule& schedule) {
  scheduler::JobSettings s;
  s.enabled = schedule.enabled;
  s.interval = schedule.interval;
  s.run_on_start = schedule.run_on_start;
  s.max_attempts = schedule.max_attempts;
  s.retry_backoff = schedule.retry_backoff;
  s.retry_backoff_max = schedule.retry_backoff_max;
  s.timeout = schedule.timeout;
  return s;
}

}  // namespace ticketwatch::daemon
