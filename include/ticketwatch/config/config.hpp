#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticketwatch::config {

// Who receives an SLA notification for a level.
enum class Role { creator, assignee, team_leader, followers };

// The spelling used in config files and logs: "creator", "assignee", "team_leader", "followers".
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view name);

// Settings the scheduler needs for any job.
struct JobSchedule {
  bool enabled = true;
  std::chrono::milliseconds interval{std::chrono::minutes(15)};
  bool run_on_start = true;
  int max_attempts = 3;
  std::chrono::milliseconds retry_backoff{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_backoff_max{std::chrono::minutes(5)};
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  int batch_size = 1000;

  bool operator==(const JobSchedule&) const = default;
};

struct SlaMonitorConfig {
  JobSchedule schedule;  // interval default 15m
  double medium_threshold = 0.25;
  double high_threshold = 0.10;
  // Recipients per level name ("medium", "high", "breached").
  std::vector<Role> medium_recipients{Role::creator, Role::assignee, Role::team_leader,
                                      Role::followers};
  std::vector<Role> high_recipients{Role::creator, Role::assignee, Role::team_leader,
                                    Role::followers};
  std::vector<Role> breached_recipients{Role::creator, Role::assignee, Role::team_leader,
                                        Role::followers};

  bool operator==(const SlaMonitorConfig&) const = default;
};

struct EscalationMonitorConfig {
  JobSchedule schedule{.interval = std::chrono::minutes(30)};

  bool operator==(const EscalationMonitorConfig&) const = default;
};

struct DaemonConfig {
  std::string log_level = "info";  // trace, debug, info, warning, error, critical, off
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(30)};
  std::string instance_name;  // empty: hostname:pid

  bool operator==(const DaemonConfig&) const = default;
};

struct DatabaseConfig {
  std::string dsn = "postgresql:///helpdesk";
  std::string password_file;  // empty: none
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds reconnect_backoff_min{std::chrono::seconds(1)};
  std::chrono::milliseconds reconnect_backoff_max{std::chrono::seconds(60)};

  bool operator==(const DatabaseConfig&) const = default;
};

struct HelpdeskConfig {
  std::vector<std::string> closed_statuses{"resolved", "closed"};
  std::vector<std::string> priorities{"low", "medium", "high", "urgent"};  // lowest first

  bool operator==(const HelpdeskConfig&) const = default;
};

struct ControlConfig {
  std::string socket = "/run/ticketwatch/control.sock";

  bool operator==(const ControlConfig&) const = default;
};

struct MetricsConfig {
  std::string listen = "127.0.0.1:9464";  // empty disables HTTP; see listen_address.hpp

  bool operator==(const MetricsConfig&) const = default;
};

struct HistoryConfig {
  std::chrono::milliseconds retention{std::chrono::hours(24 * 30)};

  bool operator==(const HistoryConfig&) const = default;
};

struct Config {
  std::string source_path;  // the file it was loaded from (empty for built-in defaults)
  DaemonConfig daemon;
  DatabaseConfig database;
  HelpdeskConfig helpdesk;
  ControlConfig control;
  MetricsConfig metrics;
  HistoryConfig history;
  SlaMonitorConfig sla_monitor;
  EscalationMonitorConfig escalation_monitor;

  bool operator==(const Config&) const = default;
};

}  // namespace ticketwatch::config
