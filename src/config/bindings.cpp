#include "bindings.hpp"

namespace ticketwatch::config::detail {
namespace {

constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug",    "info", "warning",
                                                     "error", "critical", "off"};
// sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t kMaxSocketPath = 107;

using F = Field;
using C = Config;

constexpr std::array<Binding, kKeySchema.size()> kBindings{{
    {"daemon.log_level", [](F& f, C& c) { f.read_choice(c.daemon.log_level, kLogLevels); }},
    {"daemon.shutdown_timeout", [](F& f, C& c) { f.read_duration(c.daemon.shutdown_timeout); }},
    {"daemon.instance_name", [](F& f, C& c) { f.read_printable(c.daemon.instance_name); }},

    {"database.dsn", [](F& f, C& c) { f.read_non_empty(c.database.dsn); }},
    {"database.password_file",
     [](F& f, C& c) { f.read_absolute_path(c.database.password_file, true, 0); }},
    {"database.connect_timeout", [](F& f, C& c) { f.read_duration(c.database.connect_timeout); }},
    {"database.reconnect_backoff_min",
     [](F& f, C& c) { f.read_duration(c.database.reconnect_backoff_min); }},
    {"database.reconnect_backoff_max",
     [](F& f, C& c) { f.read_duration(c.database.reconnect_backoff_max); }},

    {"helpdesk.closed_statuses", [](F& f, C& c) { f.read_names(c.helpdesk.closed_statuses, 1); }},
    {"helpdesk.priorities", [](F& f, C& c) { f.read_names(c.helpdesk.priorities, 2); }},

    {"control.socket",
     [](F& f, C& c) { f.read_absolute_path(c.control.socket, false, kMaxSocketPath); }},

    {"metrics.listen", [](F& f, C& c) { f.read_listen_address(c.metrics.listen); }},

    {"history.retention", [](F& f, C& c) { f.read_duration(c.history.retention); }},

    {"jobs.sla-monitor.enabled", [](F& f, C& c) { f.read(c.sla_monitor.schedule.enabled); }},
    {"jobs.sla-monitor.interval",
     [](F& f, C& c) { f.read_duration(c.sla_monitor.schedule.interval); }},
    {"jobs.sla-monitor.run_on_start",
     [](F& f, C& c) { f.read(c.sla_monitor.schedule.run_on_start); }},
    {"jobs.sla-monitor.max_attempts",
     [](F& f, C& c) { f.read_integer(c.sla_monitor.schedule.max_attempts, 1, 100); }},
    {"jobs.sla-monitor.retry_backoff",
     [](F& f, C& c) { f.read_duration(c.sla_monitor.schedule.retry_backoff); }},
    {"jobs.sla-monitor.retry_backoff_max",
     [](F& f, C& c) { f.read_duration(c.sla_monitor.schedule.retry_backoff_max); }},
    {"jobs.sla-monitor.timeout",
     [](F& f, C& c) { f.read_duration(c.sla_monitor.schedule.timeout); }},
    {"jobs.sla-monitor.batch_size",
     [](F& f, C& c) { f.read_integer(c.sla_monitor.schedule.batch_size, 1, 100000); }},
    {"jobs.sla-monitor.medium_threshold",
     [](F& f, C& c) { f.read_fraction(c.sla_monitor.medium_threshold); }},
    {"jobs.sla-monitor.high_threshold",
     [](F& f, C& c) { f.read_fraction(c.sla_monitor.high_threshold); }},

    {"jobs.sla-monitor.recipients.medium",
     [](F& f, C& c) { f.read_roles(c.sla_monitor.medium_recipients); }},
    {"jobs.sla-monitor.recipients.high",
     [](F& f, C& c) { f.read_roles(c.sla_monitor.high_recipients); }},
    {"jobs.sla-monitor.recipients.breached",
     [](F& f, C& c) { f.read_roles(c.sla_monitor.breached_recipients); }},

    {"jobs.escalation-monitor.enabled",
     [](F& f, C& c) { f.read(c.escalation_monitor.schedule.enabled); }},
    {"jobs.escalation-monitor.interval",
     [](F& f, C& c) { f.read_duration(c.escalation_monitor.schedule.interval); }},
    {"jobs.escalation-monitor.run_on_start",
     [](F& f, C& c) { f.read(c.escalation_monitor.schedule.run_on_start); }},
    {"jobs.escalation-monitor.max_attempts",
     [](F& f, C& c) { f.read_integer(c.escalation_monitor.schedule.max_attempts, 1, 100); }},
    {"jobs.escalation-monitor.retry_backoff",
     [](F& f, C& c) { f.read_duration(c.escalation_monitor.schedule.retry_backoff); }},
    {"jobs.escalation-monitor.retry_backoff_max",
     [](F& f, C& c) { f.read_duration(c.escalation_monitor.schedule.retry_backoff_max); }},
    {"jobs.escalation-monitor.timeout",
     [](F& f, C& c) { f.read_duration(c.escalation_monitor.schedule.timeout); }},
    {"jobs.escalation-monitor.batch_size",
     [](F& f, C& c) { f.read_integer(c.escalation_monitor.schedule.batch_size, 1, 100000); }},
}};

// The schema (what docs promise) and the bindings (what the loader reads) must name the same
// keys in the same order; a key added to one only fails the build here.
consteval bool bindings_match_schema() {
  for (std::size_t i = 0; i < kKeySchema.size(); ++i) {
    if (kKeySchema[i].key != kBindings[i].key) return false;
  }
  return true;
}
static_assert(bindings_match_schema(), "kBindings must follow kKeySchema key by key");

}  // namespace

const std::array<Binding, kKeySchema.size()>& key_bindings() {
  return kBindings;
}

}  // namespace ticketwatch::config::detail
