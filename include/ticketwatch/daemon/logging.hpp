#pragma once

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticketwatch::daemon {

// Fields of one journal entry ("MESSAGE=...", "PRIORITY=4", "JOB=sla-monitor", ...). The seam
// lets tests read exactly what would reach sd_journal_sendv.
using JournalWriter = std::function<void(const std::vector<std::string>& fields)>;

// The writer that really sends to journald.
JournalWriter sd_journal_writer();

// "info" -> spdlog::level::info; also accepts "warning". nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// journald priority for an spdlog level (err -> 3, warn -> 4, info -> 6, debug/trace -> 7).
int journal_priority(spdlog::level::level_enum level);

// True when stderr is connected to the journal (JOURNAL_STREAM names stderr's device:inode).
bool stderr_is_journal();

struct LoggingOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  bool to_journal = false;
  JournalWriter journal_writer;        // empty: sd_journal_writer()
  std::vector<std::string> job_names;  // each gets its own logger, whose name becomes JOB=
};

// Installs the default logger ("ticketwatchd") and one logger per job, all sharing one sink:
// journald (native protocol, with JOB= on job loggers) or human-readable stderr.
void setup_logging(const LoggingOptions& options);

// Changes the level of every registered logger (reload).
void set_log_level(spdlog::level::level_enum level);

// The logger of a job, or the default logger when none is registered.
std::shared_ptr<spdlog::logger> job_logger(const std::string& job);

}  // namespace ticketwatch::daemon
