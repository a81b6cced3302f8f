#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ticketwatch/control/daemon_api.hpp"
#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::control {

// Prometheus metrics fed by finished runs, rendered on scrape.
//
// Wiring (daemon, io_context thread):
//   control::Metrics metrics;                       // outlives the HttpServer that renders it
//   scheduler.on_run_finished([&](const scheduler::RunResult& r) { metrics.record(r); });
//   control::HttpServer http(io, config.metrics.listen, api, metrics);
// Not thread-safe: record() and render() run on the io_context thread, like the scheduler's
// observers and the HTTP sessions.
//
// Families: ticketwatch_job_runs_total{job,result}, ticketwatch_job_duration_seconds{job}
// (histogram, skipped runs excluded), ticketwatch_job_last_success_timestamp_seconds{job},
// ticketwatch_job_running{job}, ticketwatch_tickets_at_risk{level},
// ticketwatch_notifications_created_total{kind}, ticketwatch_escalations_total{rule},
// ticketwatch_database_up, ticketwatch_build_info{version}.
// Summaries are read defensively: a missing key or a value of the wrong type is ignored.
class Metrics {
 public:
  static constexpr std::array<double, 13> kDurationBuckets{0.01, 0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                           5,    10,   30,  60,   120, 300};
  // Bounds each summary-derived family, whatever a summary contains.
  static constexpr std::size_t kMaxLabelValues = 1000;
  static constexpr const char* kSlaMonitor = "sla-monitor";
  static constexpr const char* kEscalationMonitor = "escalation-monitor";

  void record(const scheduler::RunResult& result);
  // The exposition text (format 0.0.4). Asks `api` for running jobs and the database state.
  std::string render(DaemonApi& api) const;

 private:
  struct JobSeries {
    std::array<std::uint64_t, 3> runs{};                           // by RunStatus
    std::array<std::uint64_t, kDurationBuckets.size()> buckets{};  // not cumulative
    std::uint64_t duration_count = 0;
    double duration_sum_seconds = 0;
    std::optional<double> last_success_seconds;
  };

  void record_sla_summary(const nlohmann::json& summary, bool succeeded);
  void record_escalation_summary(const nlohmann::json& summary);

  std::map<std::string, JobSeries> jobs_;
  std::map<std::string, double> at_risk_;
  std::map<std::string, std::uint64_t> notifications_;
  std::map<std::string, std::uint64_t> escalations_;
};

}  // namespace ticketwatch::control
