#include "ticketwatch/jobs/sla_transition.hpp"

namespace ticketwatch::jobs {

SlaTransition decide_sla_transition(const SlaMemory& memory, SlaInstant due, SlaLevel level) {
  SlaTransition transition;
  const bool same_due = memory.due_seen && *memory.due_seen == due;
  transition.level_notified = same_due ? memory.level_notified : SlaLevel::low;
  if (level > transition.level_notified) {
    transition.notify = level;
    transition.level_notified = level;
  }
  transition.record_history = level != memory.level_seen.value_or(SlaLevel::low);
  return transition;
}

}  // namespace ticketwatch::jobs
