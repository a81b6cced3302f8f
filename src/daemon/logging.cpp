#include "ticketwatch/daemon/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "journal_sink.hpp"

namespace ticketwatch::daemon {

JournalWriter sd_journal_writer() {
  return [](const std::vector<std::string>& fields) {
    std::vector<iovec> iov;
    iov.reserve(fields.size());
    for (const auto& f : fields) {
      // sd_journal_sendv takes non-const iovecs but does not modify them.
      iov.push_back(iovec{const_cast<char*>(f.data()), f.size()});
    }
    const int rc = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    if (rc < 0) {
      // Last resort: the journal is gone; stderr is still captured by systemd.
      std::fprintf(stderr, "ticketwatchd: journal write failed (%d)\n", rc);
    }
  };
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  using L = spdlog::level::level_enum;
  if (name == "trace") return L::trace;
  if (name == "debug") return L::debug;
  if (name == "info") return L::info;
  if (name == "warning" || name == "warn") return L::warn;
  if (name == "error") return L::err;
  if (name == "critical") return L::critical;
  if (name == "off") return L::off;
  return std::nullopt;
}

int journal_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
      return 2;
    case spdlog::level::err:
      return 3;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::info:
      return 6;
    default:
      return 7;
  }
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

void setup_logging(const LoggingOptions& options) {
  spdlog::sink_ptr sink;
  if (options.to_journal) {
    std::set<std::string> jobs(options.job_names.begin(), options.job_names.end());
    sink = std::make_shared<JournalSink>(
        options.journal_writer ? options.journal_writer : sd_journal_writer(), std::move(jobs));
  } else {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    // Job loggers print their name, so a person can follow one job in a mixed stream.
    console->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
    sink = console;
  }
  spdlog::drop_all();
  auto main_logger = std::make_shared<spdlog::logger>("ticketwatchd", sink);
  main_logger->set_level(options.level);
  main_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(main_logger);
  for (const auto& job : options.job_names) {
    auto logger = std::make_shared<spdlog::logger>(job, sink);
    logger->set_level(options.level);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
  }
}

void set_log_level(spdlog::level::level_enum level) {
  spdlog::set_level(level);
}

std::shared_ptr<spdlog::logger> job_logger(const std::string& job) {
  auto logger = spdlog::get(job);
  return logger ? logger : spdlog::default_logger();
}

}  // namespace ticketwatch::daemon
