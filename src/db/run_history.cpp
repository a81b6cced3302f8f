#include "ticketwatch/db/run_history.hpp"

#include <algorithm>

namespace ticketwatch::db {

namespace {

using Clock = std::chrono::system_clock;

// Timestamps travel as integer microseconds since the epoch: exact both ways, no text parsing.
constexpr const char* kInsertRun = R"sql(
insert into ticketwatch.job_runs
  (job, instance, trigger, status, started_at, finished_at, attempts, error, summary)
values
  ($1, $2, $3, $4,
   timestamptz 'epoch' + $5::bigint * interval '1 microsecond',
   timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
   $7, nullif($8, ''), $9::jsonb)
)sql";

// Range scan on job_runs_started_idx (started_at); "now" is the database's clock.
constexpr const char* kPruneRuns = R"sql(
delete from ticketwatch.job_runs
where started_at < now() - $1::bigint * interval '1 millisecond'
)sql";

// job_runs_job_started_idx (job, started_at desc) yields the newest rows in order, no sort.
constexpr const char* kRecentRuns = R"sql(
select id, job, instance, trigger, status,
       (extract(epoch from started_at) * 1000000)::bigint,
       (extract(epoch from finished_at) * 1000000)::bigint,
       attempts, coalesce(error, ''), summary::text
from ticketwatch.job_runs
where job = $1
order by started_at desc
limit $2
)sql";

// Local spellings (they match the table's check constraints) keep tw_db free of a link
// dependency on tw_scheduler.
const char* trigger_name(scheduler::Trigger trigger) {
  switch (trigger) {
    case scheduler::Trigger::schedule:
      return "schedule";
    case scheduler::Trigger::start:
      return "start";
    case scheduler::Trigger::manual:
      return "manual";
  }
  return "schedule";
}

const char* status_name(scheduler::RunStatus status) {
  switch (status) {
    case scheduler::RunStatus::succeeded:
      return "succeeded";
    case scheduler::RunStatus::failed:
      return "failed";
    case scheduler::RunStatus::skipped:
      return "skipped";
  }
  return "failed";
}

std::int64_t micros(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_micros(std::int64_t us) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(us)));
}

// PostgreSQL text holds neither NUL nor invalid UTF-8 (the database encoding), and jsonb rejects
// \u0000: an odd byte in a job's error text must not lose the whole row. Invalid sequences become
// U+FFFD, by way of the JSON library's replacing serializer.
std::string clean_text(std::string text) {
  std::replace(text.begin(), text.end(), '\0', '?');
  auto quoted = nlohmann::json(std::move(text))
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

std::string summary_text(const nlohmann::json& summary) {
  const auto& object = summary.is_object() ? summary : nlohmann::json::object();
  auto text = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (auto pos = text.find("\\u0000"); pos != std::string::npos; pos = text.find("\\u0000", pos)) {
    text.replace(pos, 6, "\\ufffd");
  }
  return text;
}

}  // namespace

void RunHistory::record(pqxx::connection& conn, const scheduler::RunResult& result,
                        std::string_view instance) {
  pqxx::nontransaction tx{conn};
  tx.exec_params(kInsertRun, clean_text(result.job), clean_text(std::string(instance)),
                 trigger_name(result.trigger), status_name(result.status),
                 micros(result.started_at), micros(result.finished_at), result.attempts,
                 clean_text(result.error), summary_text(result.summary));
}

std::uint64_t RunHistory::prune(pqxx::connection& conn, std::chrono::milliseconds retention) {
  pqxx::nontransaction tx{conn};
  auto result = tx.exec_params(kPruneRuns, static_cast<std::int64_t>(retention.count()));
  return static_cast<std::uint64_t>(result.affected_rows());
}

std::vector<RunRecord> RunHistory::recent(pqxx::connection& conn, std::string_view job, int limit) {
  pqxx::nontransaction tx{conn};
  auto rows = tx.exec_params(kRecentRuns, std::string(job), std::max(limit, 0));
  std::vector<RunRecord> records;
  records.reserve(rows.size());
  for (const auto& row : rows) {
    RunRecord record;
    record.id = row[0].as<std::int64_t>();
    record.job = row[1].as<std::string>();
    record.instance = row[2].as<std::string>();
    record.trigger = row[3].as<std::string>();
    record.status = row[4].as<std::string>();
    record.started_at = from_micros(row[5].as<std::int64_t>());
    if (!row[6].is_null()) record.finished_at = from_micros(row[6].as<std::int64_t>());
    record.attempts = row[7].as<int>();
    record.error = row[8].as<std::string>();
    record.summary = nlohmann::json::parse(row[9].as<std::string>());
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace ticketwatch::db
