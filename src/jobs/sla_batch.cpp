#include "ticketwatch/jobs/sla_batch.hpp"

#include <algorithm>

#include "ticketwatch/jobs/sla_text.hpp"

namespace ticketwatch::jobs {

namespace {

const std::vector<config::Role>& roles_for(const SlaRecipientRoles& roles, SlaLevel level) {
  switch (level) {
    case SlaLevel::medium:
      return roles.medium;
    case SlaLevel::high:
      return roles.high;
    default:
      return roles.breached;
  }
}

bool has_role(const std::vector<config::Role>& roles, config::Role role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::int64_t whole_seconds(std::chrono::microseconds d) {
  return std::chrono::floor<std::chrono::seconds>(d).count();
}

nlohmann::json level_or_null(const std::optional<SlaLevel>& level) {
  return level ? nlohmann::json(std::string(to_string(*level))) : nlohmann::json(nullptr);
}

}  // namespace

SlaRecipientRoles recipient_roles(const config::SlaMonitorConfig& config) {
  return {config.medium_recipients, config.high_recipients, config.breached_recipients};
}

std::int64_t to_epoch_us(SlaInstant instant) {
  return instant.time_since_epoch().count();
}

SlaInstant from_epoch_us(std::int64_t us) {
  return SlaInstant{std::chrono::microseconds{us}};
}

SlaBatchPlan plan_sla_batch(std::span<const SlaCandidate> candidates, SlaInstant now,
                            const SlaThresholds& thresholds, const SlaCalendar& calendar,
                            const SlaRecipientRoles& roles) {
  SlaBatchPlan plan;
  for (const auto& candidate : candidates) {
    if (!candidate.ticket) {
      plan.removals.push_back(
          {{"ticket_id", candidate.ticket_id}, {"generation", candidate.generation}});
      continue;
    }
    const auto& ticket = *candidate.ticket;
    const auto evaluation = evaluate_sla(ticket.start, ticket.due, now, thresholds, calendar);
    const auto transition = decide_sla_transition(candidate.memory, ticket.due, evaluation.level);
    const auto seconds_left = whole_seconds(evaluation.time_left);
    const auto due_iso = format_utc_iso(ticket.due);

    ++plan.checked;
    ++plan.levels[static_cast<std::size_t>(evaluation.level)];
    plan.state_updates.push_back(
        {{"ticket_id", candidate.ticket_id},
         {"generation", candidate.generation},
         {"due_us", to_epoch_us(ticket.due)},
         {"level_seen", static_cast<int>(evaluation.level)},
         {"level_notified", static_cast<int>(transition.level_notified)},
         {"next_us", evaluation.next_change_at
                         ? nlohmann::json(to_epoch_us(*evaluation.next_change_at))
                         : nlohmann::json(nullptr)}});
    if (transition.record_history) {
      plan.history.push_back({{"ticket_id", candidate.ticket_id},
                              {"details",
                               {{"from", level_or_null(candidate.memory.level_seen)},
                                {"to", to_string(evaluation.level)},
                                {"due_at", due_iso},
                                {"seconds_left", seconds_left}}}});
    }
    if (transition.notify) {
      const auto level = *transition.notify;
      const auto text = sla_notification_text(candidate.ticket_id, ticket.title, level, ticket.due,
                                              evaluation.time_left);
      const auto& level_roles = roles_for(roles, level);
      plan.notifications.push_back(
          {{"ticket_id", candidate.ticket_id},
           {"kind", sla_notification_kind(level)},
           {"title", text.title},
           {"body", text.body},
           {"data",
            {{"ticket_id", candidate.ticket_id},
             {"level", to_string(level)},
             {"due_at", due_iso},
             {"seconds_left", seconds_left}}},
           {"creator", has_role(level_roles, config::Role::creator)},
           {"assignee", has_role(level_roles, config::Role::assignee)},
           {"team_leader", has_role(level_roles, config::Role::team_leader)},
           {"followers", has_role(level_roles, config::Role::followers)}});
    }
  }
  return plan;
}

}  // namespace ticketwatch::jobs
