#include "ticketwatch/jobs/sla_monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sla_queries.hpp"
#include "ticketwatch/jobs/sla_batch.hpp"

namespace ticketwatch::jobs {
namespace {

constexpr auto kDump = nlohmann::json::error_handler_t::replace;

// Ticket titles are application data: invalid UTF-8 is replaced, never a reason to fail a run.
std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, kDump);
}

struct RunTotals {
  std::int64_t checked = 0;
  std::int64_t removed = 0;
  std::array<std::int64_t, 4> levels{};
  std::int64_t history = 0;
  std::map<std::string, std::int64_t> notifications{
      {"sla_medium", 0}, {"sla_high", 0}, {"sla_breached", 0}};
  std::int64_t notifications_total = 0;
  std::int64_t batches = 0;
};

// Where the next batch starts: after the last (next_check_at, ticket_id) of the previous one.
struct Keyset {
  bool first = true;
  std::int64_t after_us = 0;
  std::int64_t after_id = 0;
};

std::optional<SlaLevel> level_field(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return sla_level_from_number(field.as<int>());
}

SlaCandidate read_candidate(const pqxx::row& row) {
  SlaCandidate c;
  c.ticket_id = row["ticket_id"].as<std::int64_t>();
  c.generation = row["generation"].as<std::int64_t>();
  c.memory.level_seen = level_field(row["level_seen"]);
  c.memory.level_notified = level_field(row["level_notified"]).value_or(SlaLevel::low);
  if (!row["due_seen_us"].is_null()) {
    c.memory.due_seen = from_epoch_us(row["due_seen_us"].as<std::int64_t>());
  }
  if (!row["due_us"].is_null()) {
    c.ticket = SlaCandidate::Ticket{row["title"].as<std::string>(),
                                    from_epoch_us(row["start_us"].as<std::int64_t>()),
                                    from_epoch_us(row["due_us"].as<std::int64_t>())};
  }
  return c;
}

// One batch: read the next candidates, evaluate them, write everything with one statement. Two
// round trips and no explicit transaction: the write is atomic by itself, and what it must not
// overwrite (a ticket changed after the read) the generation check protects, as it did when the
// read shared the write's read-committed transaction. Returns how many candidates it read.
std::size_t run_batch(const JobEnvironment& env, std::int64_t now_us, Keyset& keyset,
                      const std::string& closed_statuses, const SlaThresholds& thresholds,
                      const SlaRecipientRoles& roles, RunTotals& totals) {
  const int batch_size = env.config.sla_monitor.schedule.batch_size;
  pqxx::nontransaction tx(env.conn, "sla-monitor batch");
  // Before the first batch there is no keyset: null, which the query reads as '-infinity'.
  const auto after_us = keyset.first ? std::string() : std::to_string(keyset.after_us);
  const auto after_id = keyset.first ? std::string() : std::to_string(keyset.after_id);
  const auto rows =
      tx.exec_params(sla_sql::kSelectCandidates, now_us, keyset.first ? nullptr : after_us.c_str(),
                     keyset.first ? nullptr : after_id.c_str(), batch_size, closed_statuses);
  std::vector<SlaCandidate> candidates;
  candidates.reserve(rows.size());
  for (const auto& row : rows) candidates.push_back(read_candidate(row));

  const AlwaysOpenCalendar calendar;
  const auto plan = plan_sla_batch(candidates, from_epoch_us(now_us), thresholds, calendar, roles);

  std::int64_t history = 0;
  std::int64_t created = 0;
  std::map<std::string, std::int64_t> created_by_kind;
  if (!plan.removals.empty() || !plan.state_updates.empty()) {
    const auto written =
        tx.exec_params1(sla_sql::kWriteBatch, dump(plan.removals), dump(plan.state_updates), now_us,
                        dump(plan.history), dump(plan.notifications), std::string(kSlaMonitorJob));
    // Rows actually written: a ticket deleted since the batch read it is skipped.
    history = written["history"].as<std::int64_t>();
    const auto by_kind = nlohmann::json::parse(written["created"].as<std::string>());
    for (const auto& [kind, n] : by_kind.items()) {
      created_by_kind[kind] += n.get<std::int64_t>();
      created += n.get<std::int64_t>();
    }
  }

  // Counted only once committed, so the summary never claims what a failed batch rolled back.
  totals.checked += plan.checked;
  totals.removed += static_cast<std::int64_t>(plan.removals.size());
  for (std::size_t i = 0; i < totals.levels.size(); ++i) totals.levels[i] += plan.levels[i];
  totals.history += history;
  for (const auto& [kind, n] : created_by_kind) totals.notifications[kind] += n;
  totals.notifications_total += created;
  ++totals.batches;
  if (!rows.empty()) {
    const auto& last = rows.back();
    keyset = Keyset{false, last["key_us"].as<std::int64_t>(), last["ticket_id"].as<std::int64_t>()};
  }
  return rows.size();
}

// What the stored levels and check times depend on besides the tickets: when it changes, every
// open ticket is evaluated again (0002_sla_state.sql, sla_settings). The calendar joins it when
// there is more than one.
std::string settings_fingerprint(const SlaThresholds& thresholds,
                                 const config::HelpdeskConfig& helpdesk) {
  auto closed = helpdesk.closed_statuses;
  std::sort(closed.begin(), closed.end());
  closed.erase(std::unique(closed.begin(), closed.end()), closed.end());
  return dump({{"medium", thresholds.medium},
               {"high", thresholds.high},
               {"closed_statuses", closed},
               {"calendar", "24x7"}});
}

nlohmann::json count_at_risk(pqxx::connection& conn) {
  // One statement, no transaction around it: a read-only transaction would add three.
  pqxx::nontransaction tx(conn, "sla-monitor at risk");
  std::array<std::int64_t, 4> counts{};
  for (const auto& row : tx.exec(sla_sql::kCountAtRisk)) {
    if (const auto level = sla_level_from_number(row[0].as<int>())) {
      counts[static_cast<std::size_t>(*level)] = row[1].as<std::int64_t>();
    }
  }
  const auto breached = counts[static_cast<std::size_t>(SlaLevel::breached)];
  return {{"medium", counts[static_cast<std::size_t>(SlaLevel::medium)]},
          {"high", counts[static_cast<std::size_t>(SlaLevel::high)] + breached},
          {"breached", breached}};
}

}  // namespace

nlohmann::json run_sla_monitor(const JobEnvironment& env) {
  const auto started = std::chrono::steady_clock::now();
  const auto& sla = env.config.sla_monitor;
  const SlaThresholds thresholds{.medium = sla.medium_threshold, .high = sla.high_threshold};
  if (!valid(thresholds)) {
    throw std::invalid_argument(fmt::format(
        "{}: thresholds must satisfy 0 < high_threshold < medium_threshold < 1 (got {} and {})",
        kSlaMonitorJob, thresholds.high, thresholds.medium));
  }
  if (sla.schedule.batch_size < 1) {
    throw std::invalid_argument(fmt::format("{}: batch_size must be at least 1 (got {})",
                                            kSlaMonitorJob, sla.schedule.batch_size));
  }
  const auto roles = recipient_roles(sla);
  const auto closed_statuses = dump(nlohmann::json(env.config.helpdesk.closed_statuses));

  // Each a single statement, so no transaction around them.
  bool settings_changed = false;
  std::int64_t now_us = 0;
  {
    pqxx::nontransaction tx(env.conn, "sla-monitor settings");
    const auto fingerprint = settings_fingerprint(thresholds, env.config.helpdesk);
    // Read first: the statement that records and marks is planned around a scan of all tickets
    // (never run when nothing changed, but at a million tickets its planning, and the JIT
    // compilation the estimate triggers, cost ~50 ms a pass).
    if (tx.exec_params1(sla_sql::kSettingsChanged, fingerprint)[0].as<bool>()) {
      settings_changed =
          tx.exec_params1(sla_sql::kApplySettings, fingerprint, closed_statuses)[0].as<bool>();
    }
    now_us = tx.exec1(sla_sql::kNow)[0].as<std::int64_t>();
  }

  RunTotals totals;
  Keyset keyset;
  for (;;) {
    if (env.stop.stop_requested()) {
      throw std::runtime_error(fmt::format(
          "{} stopped after {} batches ({} tickets checked; timeout or shutdown): committed "
          "batches stay committed, the next run carries on",
          kSlaMonitorJob, totals.batches, totals.checked));
    }
    const auto read = run_batch(env, now_us, keyset, closed_statuses, thresholds, roles, totals);
    if (read < static_cast<std::size_t>(sla.schedule.batch_size)) break;
  }
  const auto at_risk = count_at_risk(env.conn);

  const auto level_count = [&](SlaLevel level) {
    return totals.levels[static_cast<std::size_t>(level)];
  };
  const auto breached = level_count(SlaLevel::breached);
  const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count();
  nlohmann::json summary = {
      {"tickets_checked", totals.checked},
      // "high" counts breached tickets too: they are high risk *and* breached (DESIGN.md).
      {"levels",
       {{"low", level_count(SlaLevel::low)},
        {"medium", level_count(SlaLevel::medium)},
        {"high", level_count(SlaLevel::high) + breached},
        {"breached", breached}}},
      {"notifications_created", totals.notifications_total},
      {"notifications", totals.notifications},
      {"history_written", totals.history},
      {"states_removed", totals.removed},
      {"settings_changed", settings_changed},
      {"at_risk", at_risk},
      {"batches", totals.batches},
      {"duration_ms", duration_ms}};
  env.log.info(
      "{}: checked {} tickets in {} batches (medium {}, high {}, breached {}), {} notifications, "
      "{} history rows, {} states removed; at risk now: medium {}, high {}, breached {}; {} ms{}",
      kSlaMonitorJob, totals.checked, totals.batches, level_count(SlaLevel::medium),
      level_count(SlaLevel::high) + breached, breached, totals.notifications_total, totals.history,
      totals.removed, at_risk["medium"].get<std::int64_t>(), at_risk["high"].get<std::int64_t>(),
      at_risk["breached"].get<std::int64_t>(), duration_ms,
      settings_changed
          ? "; first pass with these thresholds and closed statuses: all open tickets re-evaluated"
          : "");
  return summary;
}

}  // namespace ticketwatch::jobs
