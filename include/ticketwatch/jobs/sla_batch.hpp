#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ticketwatch/config/config.hpp"
#include "ticketwatch/jobs/sla_evaluation.hpp"
#include "ticketwatch/jobs/sla_transition.hpp"

namespace ticketwatch::jobs {

// One row of ticketwatch.sla_state whose next_check_at has come, with its ticket.
struct SlaCandidate {
  struct Ticket {
    std::string title;
    SlaInstant start;  // coalesce(sla_started_at, created_at)
    SlaInstant due;
  };
  std::int64_t ticket_id = 0;
  std::int64_t generation = 0;  // as read; guards the write-back (0002_sla_state.sql)
  SlaMemory memory;
  // nullopt: the ticket is closed, has no due date or was deleted; its state row goes.
  std::optional<Ticket> ticket;
};

// Who is told at each level (config [jobs.sla-monitor] *_recipients).
struct SlaRecipientRoles {
  std::vector<config::Role> medium;
  std::vector<config::Role> high;
  std::vector<config::Role> breached;
};
SlaRecipientRoles recipient_roles(const config::SlaMonitorConfig& config);

// Everything one batch writes, as the JSON arrays its statements take (sla_queries.hpp), so the
// whole batch is a fixed number of statements.
struct SlaBatchPlan {
  nlohmann::json state_updates = nlohmann::json::array();
  nlohmann::json removals = nlohmann::json::array();
  nlohmann::json history = nlohmann::json::array();
  nlohmann::json notifications = nlohmann::json::array();  // one per ticket; recipients in SQL
  std::int64_t checked = 0;                                // tickets evaluated
  std::array<std::int64_t, 4> levels{};                    // checked tickets per SlaLevel
};

// Evaluates each candidate at `now` and decides its writes (DESIGN.md "sla-monitor semantics").
SlaBatchPlan plan_sla_batch(std::span<const SlaCandidate> candidates, SlaInstant now,
                            const SlaThresholds& thresholds, const SlaCalendar& calendar,
                            const SlaRecipientRoles& roles);

// Microseconds since the Unix epoch: how instants cross the wire (sla_queries.hpp).
std::int64_t to_epoch_us(SlaInstant instant);
SlaInstant from_epoch_us(std::int64_t us);

}  // namespace ticketwatch::jobs
