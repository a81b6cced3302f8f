#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/job_environment.hpp"
#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::daemon {

using JobFunction = std::function<nlohmann::json(const jobs::JobEnvironment&)>;

// A job the daemon knows: its body and where its schedule lives in the config.
struct JobDefinition {
  std::string name;
  JobFunction run;
  std::function<const config::JobSchedule&(const config::Config&)> schedule;
};

// sla-monitor and escalation-monitor, in that order.
const std::vector<JobDefinition>& builtin_jobs();
const JobDefinition* find_job(const std::string& name);
std::vector<std::string> builtin_job_names();

scheduler::JobSettings to_job_settings(const config::JobSchedule& schedule);

}  // namespace ticketwatch::daemon
