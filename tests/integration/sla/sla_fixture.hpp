#pragma once

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stop_token>
#include <string>
#include <vector>

#include "test_database.hpp"
#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/job_environment.hpp"
#include "ticketwatch/jobs/sla_monitor.hpp"

namespace ticketwatch::jobs::sla_test {

using namespace std::chrono_literals;

// People every test can use. Ids are explicit so expectations can name them.
inline constexpr long long kAlice = 1;  // creator
inline constexpr long long kBob = 2;    // assignee
inline constexpr long long kCarol = 3;  // leader of team 1
inline constexpr long long kDave = 4;   // follower
inline constexpr long long kErin = 5;   // follower, inactive
inline constexpr long long kTeamWithLeader = 1;
inline constexpr long long kTeamWithoutLeader = 2;

inline constexpr double kHour = 3600.0;

// A ticket with times relative to the database clock at insert time, in seconds.
struct TicketSpec {
  std::string title = "Printer on fire";
  double start_in = -10 * kHour;              // created_at = now() + start_in
  std::optional<double> due_in = 90 * kHour;  // sla_due_at = now() + due_in; nullopt: no SLA
  std::string status = "open";
  long long creator = kAlice;
  long long assignee = kBob;         // 0: none
  long long team = kTeamWithLeader;  // 0: none
  std::vector<long long> followers{kDave, kErin};
};

// A migrated database of its own with a few people, the job's connection and config, and
// helpers to make tickets and read what the job wrote.
class SlaSandbox {
 public:
  SlaSandbox() {
    db_.migrate();
    db_.exec(R"sql(
      insert into users (id, name, email, active) values
        (1, 'Alice', 'alice@example.com', true),
        (2, 'Bob', 'bob@example.com', true),
        (3, 'Carol', 'carol@example.com', true),
        (4, 'Dave', 'dave@example.com', true),
        (5, 'Erin', 'erin@example.com', false);
      insert into teams (id, name, leader_id) values (1, 'Support', 3), (2, 'Nobody leads', null);
    )sql");
    conn_ = db_.connect();
    logger_ = std::make_shared<spdlog::logger>(
        "sla-monitor", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
  }

  // One pass, as the daemon runs it: the job's own connection and the config in force.
  nlohmann::json run() {
    const JobEnvironment env{*conn_, config_, stop_.get_token(), *logger_};
    return run_sla_monitor(env);
  }

  long long add_ticket(const TicketSpec& spec) {
    const auto id = db_.scalar<long long>(
        "insert into tickets (title, status, creator_id, assignee_id, team_id, created_at, "
        "                     sla_due_at) "
        "values ($1, $2, $3, nullif($4, 0), nullif($5, 0), now() + make_interval(secs => $6), "
        "        case when $7 then now() + make_interval(secs => $8) end) "
        "returning id",
        spec.title, spec.status, spec.creator, spec.assignee, spec.team, spec.start_in,
        spec.due_in.has_value(), spec.due_in.value_or(0.0));
    for (const auto follower : spec.followers) {
      db_.scalar<std::string>(
          "insert into ticket_followers (ticket_id, user_id) values ($1, $2) returning 'ok'", id,
          follower);
    }
    return id;
  }

  // Level as stored by the last pass: "none" when the ticket has no state row or was never
  // evaluated.
  std::string level_seen(long long ticket) {
    return db_.scalar<std::string>(
        "select coalesce((select (array['low','medium','high','breached'])[level_seen + 1] "
        "                   from ticketwatch.sla_state where ticket_id = $1), 'none')",
        ticket);
  }

  long long count(const std::string& sql) { return db_.scalar<long long>(sql); }

  long long notifications(long long ticket, const std::string& kind) {
    return db_.scalar<long long>(
        "select count(*) from notifications where ticket_id = $1 and kind = $2", ticket, kind);
  }

  // Sorted recipients of a ticket's notifications of one kind.
  std::string recipients(long long ticket, const std::string& kind) {
    return db_.scalar<std::string>(
        "select coalesce(string_agg(user_id::text, ',' order by user_id), '') "
        "from notifications where ticket_id = $1 and kind = $2",
        ticket, kind);
  }

  // The ticket's SLA history as "from>to" steps, oldest first ("null>high,high>low").
  std::string history(long long ticket) {
    return db_.scalar<std::string>(
        "select coalesce(string_agg(coalesce(details->>'from', 'null') || '>' || "
        "                           (details->>'to'), ',' order by id), '') "
        "from ticket_history where ticket_id = $1 and action = 'sla_status_changed'",
        ticket);
  }

  // Statements of the job's role, top level only (round-trips), per pg_stat_statements.
  long long toplevel_statements() {
    return db_.scalar<long long>(
        "select coalesce(sum(calls), 0)::bigint from pg_stat_statements "
        "where dbid = (select oid from pg_database where datname = current_database()) "
        "  and userid = 'postgres'::regrole and toplevel");
  }

  // Statements of both kinds per run, see TestDatabase::statement_count().
  struct Measured {
    // TestDatabase::statement_count(): the job role's statements, nested ones included. The
    // per-row foreign-key checks of the inserted rows run as the tables' owner (the helper role
    // that migrated) and are not in it.
    long long all;
    long long toplevel;  // round-trips from the job
    nlohmann::json summary;
  };
  Measured measured_run() {
    const auto all_before = db_.statement_count();
    const auto top_before = toplevel_statements();
    auto summary = run();
    return {db_.statement_count() - all_before, toplevel_statements() - top_before, summary};
  }

  testing::TestDatabase db_;
  std::unique_ptr<pqxx::connection> conn_;
  config::Config config_;
  std::stop_source stop_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
};

class SlaMonitorTest : public ::testing::Test, public SlaSandbox {};

}  // namespace ticketwatch::jobs::sla_test
