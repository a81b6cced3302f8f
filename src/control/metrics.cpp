#include "ticketwatch/control/metrics.hpp"

#include <set>

#include "ticketwatch/control/prometheus_text.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::control {

namespace {

using scheduler::RunStatus;

constexpr std::array<RunStatus, 3> kStatuses{RunStatus::succeeded, RunStatus::failed,
                                             RunStatus::skipped};

std::size_t index_of(RunStatus status) {
  switch (status) {
    case RunStatus::succeeded:
      return 0;
    case RunStatus::failed:
      return 1;
    case RunStatus::skipped:
      return 2;
  }
  return 1;
}

std::string_view name_of(RunStatus status) {
  switch (status) {
    case RunStatus::succeeded:
      return "succeeded";
    case RunStatus::failed:
      return "failed";
    case RunStatus::skipped:
      return "skipped";
  }
  return "failed";
}

// A count in a summary: a non-negative integer, anything else is not a count.
std::optional<std::uint64_t> count_of(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

const nlohmann::json* object_member(const nlohmann::json& summary, const char* key) {
  if (!summary.is_object()) return nullptr;
  auto it = summary.find(key);
  if (it == summary.end() || !it->is_object()) return nullptr;
  return &*it;
}

// Adds each {label: count} of `object` to `totals`, admitting new labels only up to the cap.
void add_counts(const nlohmann::json& object, std::map<std::string, std::uint64_t>& totals) {
  for (const auto& [label, value] : object.items()) {
    auto count = count_of(value);
    if (!count) continue;
    auto it = totals.find(label);
    if (it == totals.end()) {
      if (totals.size() >= Metrics::kMaxLabelValues) continue;
      it = totals.emplace(label, 0).first;
    }
    it->second += *count;
  }
}

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

void Metrics::record(const scheduler::RunResult& result) {
  auto& job = jobs_[result.job];
  ++job.runs[index_of(result.status)];
  // A skipped run did no work; its near-zero time would only flatten the histogram.
  if (result.status != RunStatus::skipped) {
    double seconds = std::chrono::duration<double>(result.duration).count();
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
      if (seconds <= kDurationBuckets[i]) {
        ++job.buckets[i];
        break;
      }
    }
    ++job.duration_count;
    job.duration_sum_seconds += seconds;
  }
  if (result.status == RunStatus::succeeded) {
    job.last_success_seconds = seconds_since_epoch(result.finished_at);
  }

  if (result.job == kSlaMonitor) {
    record_sla_summary(result.summary, result.status == RunStatus::succeeded);
  } else if (result.job == kEscalationMonitor) {
    record_escalation_summary(result.summary);
  }
}

void Metrics::record_sla_summary(const nlohmann::json& summary, bool succeeded) {
  // The gauge describes the latest complete pass; a failed pass says nothing about it.
  if (const auto* at_risk = succeeded ? object_member(summary, "at_risk") : nullptr) {
    std::map<std::string, double> levels;
    for (const auto& [level, value] : at_risk->items()) {
      auto count = count_of(value);
      if (count && levels.size() < kMaxLabelValues) levels[level] = static_cast<double>(*count);
    }
    at_risk_ = std::move(levels);
  }
  if (const auto* notifications = object_member(summary, "notifications")) {
    add_counts(*notifications, notifications_);
  }
}

void Metrics::record_escalation_summary(const nlohmann::json& summary) {
  if (!summary.is_object()) return;
  if (auto it = summary.find("notifications_created"); it != summary.end()) {
    add_counts(nlohmann::json{{"escalation", *it}}, notifications_);
  }
  if (const auto* executions = object_member(summary, "executions_by_name")) {
    add_counts(*executions, escalations_);
  }
}

std::string Metrics::render(DaemonApi& api) const {
  auto stats = api.job_stats();
  std::set<std::string> job_names;
  for (const auto& s : stats) job_names.insert(s.job);
  for (const auto& [name, series] : jobs_) job_names.insert(name);
  const JobSeries empty;
  auto series_of = [&](const std::string& name) -> const JobSeries& {
    auto it = jobs_.find(name);
    return it == jobs_.end() ? empty : it->second;
  };

  prometheus::Writer w;
  w.family("ticketwatch_build_info", "gauge", "ticketwatchd build; the value is always 1.");
  w.sample("ticketwatch_build_info", {{"version", kVersion}}, 1ULL);

  w.family("ticketwatch_database_up", "gauge",
           "1 when the database answers and its schema is current, else 0.");
  w.sample("ticketwatch_database_up", {}, api.database_up() ? 1ULL : 0ULL);

  w.family("ticketwatch_job_runs_total", "counter",
           "Finished job runs since the daemon started, by result.");
  for (const auto& name : job_names) {
    const auto& series = series_of(name);
    for (auto status : kStatuses) {
      w.sample("ticketwatch_job_runs_total", {{"job", name}, {"result", name_of(status)}},
               static_cast<unsigned long long>(series.runs[index_of(status)]));
    }
  }

  w.family("ticketwatch_job_duration_seconds", "histogram",
           "Wall time of finished runs, retries included; skipped runs excluded.");
  for (const auto& name : job_names) {
    const auto& series = series_of(name);
    unsigned long long cumulative = 0;
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
      cumulative += series.buckets[i];
      auto le = prometheus::format_value(kDurationBuckets[i]);
      w.sample("ticketwatch_job_duration_seconds_bucket", {{"job", name}, {"le", le}}, cumulative);
    }
    w.sample("ticketwatch_job_duration_seconds_bucket", {{"job", name}, {"le", "+Inf"}},
             static_cast<unsigned long long>(series.duration_count));
    w.sample("ticketwatch_job_duration_seconds_sum", {{"job", name}}, series.duration_sum_seconds);
    w.sample("ticketwatch_job_duration_seconds_count", {{"job", name}},
             static_cast<unsigned long long>(series.duration_count));
  }

  w.family("ticketwatch_job_last_success_timestamp_seconds", "gauge",
           "Unix time at which the job last finished successfully (absent until it has).");
  for (const auto& name : job_names) {
    if (auto t = series_of(name).last_success_seconds) {
      w.sample("ticketwatch_job_last_success_timestamp_seconds", {{"job", name}}, *t);
    }
  }

  w.family("ticketwatch_job_running", "gauge", "1 while a run of the job is in progress.");
  for (const auto& s : stats) {
    w.sample("ticketwatch_job_running", {{"job", s.job}}, s.running ? 1ULL : 0ULL);
  }

  w.family("ticketwatch_tickets_at_risk", "gauge",
           "Open tickets per SLA risk level, as of the last successful sla-monitor run.");
  for (const auto& [level, count] : at_risk_) {
    w.sample("ticketwatch_tickets_at_risk", {{"level", level}}, count);
  }

  w.family("ticketwatch_notifications_created_total", "counter",
           "Notifications created by the jobs since the daemon started, by kind.");
  for (const auto& [kind, count] : notifications_) {
    w.sample("ticketwatch_notifications_created_total", {{"kind", kind}},
             static_cast<unsigned long long>(count));
  }

  w.family("ticketwatch_escalations_total", "counter",
           "Escalation rule executions since the daemon started, by rule name.");
  for (const auto& [rule, count] : escalations_) {
    w.sample("ticketwatch_escalations_total", {{"rule", rule}},
             static_cast<unsigned long long>(count));
  }
  return w.take();
}

}  // namespace ticketwatch::control
