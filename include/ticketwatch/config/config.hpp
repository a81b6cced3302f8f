#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ticketwatch::config {

// Who receives an SLA notification for a level.
enum class Role { creator, assignee, team_leader, followers };

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
};

struct EscalationMonitorConfig {
  JobSchedule schedule;  // interval default 30m
};

struct DaemonConfig {
  std::string log_level = "info";  // trace, debug, info, warning, error, critical, off
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(30)};
  std::string instance_name;  // empty: hostname:pid
};

struct DatabaseConfig {
  std::string dsn = "postgresql:///helpdesk";
  std::string password_file;  // empty: none
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds reconnect_backoff_min{std::chrono::seconds(1)};
  std::chrono::milliseconds reconnect_backoff_max{std::chrono::seconds(60)};
};

struct HelpdeskConfig {
  std::vector<std::string> closed_statuses{"resolved", "closed"};
  std::vector<std::string> priorities{"low", "medium", "high", "urgent"};  // lowest first
};

struct ControlConfig {
  std::string socket = "/run/ticketwatch/control.sock";
};

struct MetricsConfig {
  std::string listen = "127.0.0.1:9464";  // empty disables HTTP
};

struct HistoryConfig {
  std::chrono::milliseconds retention{std::chrono::hours(24 * 30)};
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
};

}  // namespace ticketwatch::config
