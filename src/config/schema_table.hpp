#pragma once

// The one list of accepted keys. Private: the loader binds each entry to a reader at compile
// time (see loader.cpp), and key_schema() hands the same array to docs and man pages.

#include <array>

#include "ticketwatch/config/schema.hpp"

namespace ticketwatch::config::detail {

inline constexpr std::array kKeySchema{
    // [daemon]
    KeyInfo{"daemon.log_level", "string", "\"info\"", kAppliedOnReload,
            "Least severe messages logged: trace, debug, info, warning, error, critical or off."},
    KeyInfo{"daemon.shutdown_timeout", "duration", "\"30s\"", kAppliedOnReload,
            "On SIGTERM/SIGINT, how long to wait for a run in flight, asked to stop at its next "
            "batch boundary, before exiting anyway."},
    KeyInfo{"daemon.instance_name", "string", "\"\"", kRestartRequired,
            "Names this instance in job_runs, logs and status. Empty: hostname:pid."},

    // [database]
    KeyInfo{"database.dsn", "string", "\"postgresql:///helpdesk\"", kAppliedOnReload,
            "libpq connection string or URI of the helpdesk database. Must not be empty. "
            "Prefer password_file to a password in here. On reload, jobs reconnect."},
    KeyInfo{"database.password_file", "string", "\"\"", kAppliedOnReload,
            "Absolute path of a file holding the database password. Empty: none, unless "
            "systemd provides the credential db-password."},
    KeyInfo{"database.connect_timeout", "duration", "\"5s\"", kAppliedOnReload,
            "How long one connection attempt may take."},
    KeyInfo{"database.reconnect_backoff_min", "duration", "\"1s\"", kAppliedOnReload,
            "First wait after the database became unreachable; doubles on each failure."},
    KeyInfo{"database.reconnect_backoff_max", "duration", "\"60s\"", kAppliedOnReload,
            "Longest wait between reconnection attempts. At least reconnect_backoff_min."},

    // [helpdesk]
    KeyInfo{"helpdesk.closed_statuses", "array of strings", "[\"resolved\", \"closed\"]",
            kAppliedOnReload,
            "Ticket statuses that count as closed; every other status is open. At least one, "
            "no duplicates."},
    KeyInfo{"helpdesk.priorities", "array of strings",
            "[\"low\", \"medium\", \"high\", \"urgent\"]", kAppliedOnReload,
            "Ticket priorities, lowest first. At least two, no duplicates."},

    // [control]
    KeyInfo{"control.socket", "string", "\"/run/ticketwatch/control.sock\"", kRestartRequired,
            "Absolute path of the Unix socket ticketwatchctl talks to."},

    // [metrics]
    KeyInfo{"metrics.listen", "string", "\"127.0.0.1:9464\"", kRestartRequired,
            "Address of the HTTP listener for /metrics and /healthz: \"host:port\" or "
            "\"[ipv6]:port\". Empty: no HTTP listener."},

    // [history]
    KeyInfo{"history.retention", "duration", "\"30d\"", kAppliedOnReload,
            "How long rows in ticketwatch.job_runs are kept."},

    // [jobs.sla-monitor]
    KeyInfo{"jobs.sla-monitor.enabled", "boolean", "true", kAppliedOnReload,
            "Whether the SLA monitor runs on its schedule (manual triggers still work)."},
    KeyInfo{"jobs.sla-monitor.interval", "duration", "\"15m\"", kAppliedOnReload,
            "Time between scheduled runs (fixed rate; a tick missed while a run is still going "
            "is skipped)."},
    KeyInfo{"jobs.sla-monitor.run_on_start", "boolean", "true", kAppliedOnReload,
            "Run once as soon as the daemon starts instead of waiting one interval."},
    KeyInfo{"jobs.sla-monitor.max_attempts", "integer", "3", kAppliedOnReload,
            "Attempts per run before it counts as failed, 1..100."},
    KeyInfo{"jobs.sla-monitor.retry_backoff", "duration", "\"10s\"", kAppliedOnReload,
            "Wait before the second attempt; doubles for each further attempt."},
    KeyInfo{"jobs.sla-monitor.retry_backoff_max", "duration", "\"5m\"", kAppliedOnReload,
            "Longest wait between attempts. At least retry_backoff."},
    KeyInfo{"jobs.sla-monitor.timeout", "duration", "\"5m\"", kAppliedOnReload,
            "Longest time one attempt may take; then its statement is cancelled."},
    KeyInfo{"jobs.sla-monitor.batch_size", "integer", "1000", kAppliedOnReload,
            "Tickets handled per transaction, 1..100000."},
    KeyInfo{"jobs.sla-monitor.medium_threshold", "float", "0.25", kAppliedOnReload,
            "Risk is medium when less than this fraction of the SLA time is left. "
            "0 < high_threshold < medium_threshold < 1."},
    KeyInfo{"jobs.sla-monitor.high_threshold", "float", "0.1", kAppliedOnReload,
            "Risk is high when less than this fraction of the SLA time is left."},

    // [jobs.sla-monitor.recipients]
    KeyInfo{"jobs.sla-monitor.recipients.medium", "array of roles",
            "[\"creator\", \"assignee\", \"team_leader\", \"followers\"]", kAppliedOnReload,
            "Who is notified when a ticket reaches medium risk. Roles: creator, assignee, "
            "team_leader, followers; each at most once. Empty: nobody."},
    KeyInfo{"jobs.sla-monitor.recipients.high", "array of roles",
            "[\"creator\", \"assignee\", \"team_leader\", \"followers\"]", kAppliedOnReload,
            "Who is notified when a ticket reaches high risk."},
    KeyInfo{"jobs.sla-monitor.recipients.breached", "array of roles",
            "[\"creator\", \"assignee\", \"team_leader\", \"followers\"]", kAppliedOnReload,
            "Who is notified when a ticket's SLA is breached."},

    // [jobs.escalation-monitor]
    KeyInfo{"jobs.escalation-monitor.enabled", "boolean", "true", kAppliedOnReload,
            "Whether the escalation monitor runs on its schedule (manual triggers still work)."},
    KeyInfo{"jobs.escalation-monitor.interval", "duration", "\"30m\"", kAppliedOnReload,
            "Time between scheduled runs."},
    KeyInfo{"jobs.escalation-monitor.run_on_start", "boolean", "true", kAppliedOnReload,
            "Run once as soon as the daemon starts."},
    KeyInfo{"jobs.escalation-monitor.max_attempts", "integer", "3", kAppliedOnReload,
            "Attempts per run before it counts as failed, 1..100."},
    KeyInfo{"jobs.escalation-monitor.retry_backoff", "duration", "\"10s\"", kAppliedOnReload,
            "Wait before the second attempt; doubles for each further attempt."},
    KeyInfo{"jobs.escalation-monitor.retry_backoff_max", "duration", "\"5m\"", kAppliedOnReload,
            "Longest wait between attempts. At least retry_backoff."},
    KeyInfo{"jobs.escalation-monitor.timeout", "duration", "\"5m\"", kAppliedOnReload,
            "Longest time one attempt may take; then its statement is cancelled."},
    KeyInfo{"jobs.escalation-monitor.batch_size", "integer", "1000", kAppliedOnReload,
            "Tickets handled per transaction, 1..100000."},
};

}  // namespace ticketwatch::config::detail
