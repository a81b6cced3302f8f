#include "ticketwatch/daemon/status_line.hpp"

#include <fmt/format.h>

namespace ticketwatch::daemon {

std::string format_age(std::chrono::system_clock::duration age) {
  using namespace std::chrono;
  const auto s = std::max<long long>(duration_cast<seconds>(age).count(), 0);
  if (s < 60) return fmt::format("{}s ago", s);
  if (s < 3600) return fmt::format("{}m ago", s / 60);
  if (s < 86400) return fmt::format("{}h ago", s / 3600);
  return fmt::format("{}d ago", s / 86400);
}

namespace {

std::string describe_job(const scheduler::JobStats& job,
                         std::chrono::system_clock::time_point now) {
  if (!job.enabled) return job.job + " disabled";
  if (job.running) return job.job + " running";
  if (!job.last_status || !job.last_run) return job.job + " waiting";
  std::string line = fmt::format("{} {} {}", job.job,
                                 job.last_status == scheduler::RunStatus::succeeded
                                     ? "ok"
                                     : std::string(to_string(*job.last_status)),
                                 format_age(now - *job.last_run));
  // A job's headline number: what it changed, so an operator sees it is doing real work.
  const auto& summary = job.last_summary;
  if (summary.is_object()) {
    if (auto it = summary.find("notifications_created");
        it != summary.end() && it->is_number_integer()) {
      line += fmt::format(" ({} notified)", it->get<long long>());
    }
  }
  return line;
}

}  // namespace

std::string format_status_line(const std::vector<scheduler::JobStats>& jobs,
                               std::string_view database_state,
                               std::chrono::system_clock::time_point now) {
  std::string line;
  for (const auto& job : jobs) {
    line += describe_job(job, now);
    line += " · ";
  }
  line += fmt::format("db {}", database_state);
  return line;
}

}  // namespace ticketwatch::daemon
