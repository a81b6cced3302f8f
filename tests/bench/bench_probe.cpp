#include "bench_probe.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <stop_token>
#include <system_error>

#include "ticketwatch/jobs/escalation_monitor.hpp"
#include "ticketwatch/jobs/job_environment.hpp"
#include "ticketwatch/jobs/sla_monitor.hpp"

namespace ticketwatch::bench {
namespace {

long long current_rss_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long long kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(4096, '\n');
  }
  throw std::runtime_error("VmRSS missing from /proc/self/status");
}

// Statement counters of one database, as TestDatabase reads them (tests/support), and the time
// the server spent executing its top-level statements (planning too if track_planning is on).
struct StatementCounts {
  long long calls = 0;
  long long top_level = 0;
  double server_ms = 0;
};

StatementCounts statement_counts(pqxx::connection& admin, const std::string& database) {
  pqxx::nontransaction tx{admin};
  const auto row = tx.exec_params1(
      "select coalesce(sum(s.calls), 0)::bigint, "
      "       coalesce(sum(s.calls) filter (where s.toplevel), 0)::bigint, "
      "       coalesce(sum(s.total_plan_time + s.total_exec_time) filter (where s.toplevel), 0) "
      "from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1",
      database);
  return {row[0].as<long long>(), row[1].as<long long>(), row[2].as<double>()};
}

double cpu_ms(const rusage& usage) {
  const auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// The child: one pass, its result as JSON on `fd`.
[[noreturn]] void run_child(int fd, Job job, const std::string& dsn, const config::Config& config) {
  nlohmann::json out;
  int code = 0;
  try {
    out["rss_start_kib"] = current_rss_kib();
    pqxx::connection conn{dsn};
    auto logger =
        std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
    std::stop_source stop;
    const jobs::JobEnvironment env{conn, config, stop.get_token(), *logger};
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    const auto start = std::chrono::steady_clock::now();
    out["summary"] =
        job == Job::sla ? jobs::run_sla_monitor(env) : jobs::run_escalation_monitor(env);
    out["wall_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    out["peak_rss_kib"] = usage.ru_maxrss;
    out["client_cpu_ms"] = cpu_ms(usage) - cpu_ms(before);
  } catch (const std::exception& e) {
    out = {{"error", e.what()}};
    code = 1;
  }
  const auto text = out.dump();
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      _exit(2);
    }
    written += static_cast<std::size_t>(n);
  }
  _exit(code);
}

}  // namespace

double load_average() {
  std::ifstream loadavg{"/proc/loadavg"};
  double one_minute = 0;
  if (!(loadavg >> one_minute)) {
    throw std::runtime_error("cannot read /proc/loadavg");
  }
  return one_minute;
}

Measurement measure(Job job, const std::string& admin_dsn, const std::string& database_dsn,
                    const std::string& database, const config::Config& config) {
  pqxx::connection admin{admin_dsn};
  Measurement m;
  m.load_average = load_average();
  const auto before = statement_counts(admin, database);

  int fds[2];
  if (::pipe(fds) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe");
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::system_error(errno, std::generic_category(), "fork");
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_child(fds[1], job, database_dsn, config);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (;;) {
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "waitpid");
    }
  }
  const auto out = text.empty() ? nlohmann::json{} : nlohmann::json::parse(text);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("measured pass failed: " + (out.contains("error")
                                                             ? out["error"].get<std::string>()
                                                             : std::string("child died")));
  }
  const auto after = statement_counts(admin, database);
  m.wall = std::chrono::milliseconds(out["wall_ms"].get<long long>());
  m.summary = out["summary"];
  m.rss_start_kib = out["rss_start_kib"].get<long long>();
  m.peak_rss_kib = out["peak_rss_kib"].get<long long>();
  m.client_cpu_ms = out["client_cpu_ms"].get<double>();
  m.statements = after.calls - before.calls;
  m.round_trips = after.top_level - before.top_level;
  m.server_ms = after.server_ms - before.server_ms;
  return m;
}

}  // namespace ticketwatch::bench
