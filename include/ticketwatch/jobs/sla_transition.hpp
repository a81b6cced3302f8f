#pragma once

#include <optional>

#include "ticketwatch/jobs/sla_evaluation.hpp"

namespace ticketwatch::jobs {

// What ticketwatch.sla_state remembered about a ticket before this pass.
struct SlaMemory {
  std::optional<SlaLevel> level_seen;  // nullopt: never evaluated
  // Highest level notified for due_seen; low means none (low is never notified).
  SlaLevel level_notified = SlaLevel::low;
  std::optional<SlaInstant> due_seen;  // nullopt: never evaluated
};

// What this pass does for one open ticket, given its current level.
struct SlaTransition {
  // The value to remember as level_notified (together with the current due date).
  SlaLevel level_notified = SlaLevel::low;
  // Notify the recipients of this level: set when the level rose above everything notified for
  // this due date. Only the current level, never the ones skipped on the way up.
  std::optional<SlaLevel> notify;
  // Write a history row from memory.level_seen (null on first sight) to the current level.
  bool record_history = false;
};

// The rules of DESIGN.md "sla-monitor semantics":
// - a changed (or first seen) due date starts over: nothing counts as notified for it;
// - a rise above the highest notified level notifies that level once; a fall notifies nobody;
// - any change of level is recorded, falls included. A ticket seen for the first time is taken
//   to have been low before (every window starts with all of it left), so first sight at low
//   records nothing and first sight at high records {from: null, to: high}.
SlaTransition decide_sla_transition(const SlaMemory& memory, SlaInstant due, SlaLevel level);

}  // namespace ticketwatch::jobs
