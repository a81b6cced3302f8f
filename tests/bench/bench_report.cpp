#include "bench_report.hpp"

#include <fmt/format.h>

namespace ticketwatch::bench {
namespace {

// The count that says how much a step had to do: tickets evaluated or executions made.
long long work_of(const nlohmann::json& step) {
  const auto& summary = step["summary"];
  if (summary.contains("tickets_checked")) {
    return summary["tickets_checked"].get<long long>();
  }
  long long executions = 0;
  if (summary.contains("executions")) {
    for (const auto& [rule, n] : summary["executions"].items()) {
      executions += n.get<long long>();
    }
  }
  return executions;
}

}  // namespace

void print_table(std::ostream& out, const nlohmann::json& report) {
  out << fmt::format("{:>9} {:<26} {:>10} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6}\n",
                     "tickets", "step", "ms", "server ms", "client ms", "work", "notif", "stmts",
                     "trips", "RSS MiB", "load");
  for (const auto& size : report["sizes"]) {
    out << fmt::format("{:>9} {:<26} {:>10} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6.2f}\n",
                       size["tickets"].get<long long>(),
                       size.value("existing", false) ? "existing database"
                       : size.value("cloned", false) ? "clone data (not a job)"
                                                     : "generate (not a job)",
                       size["generate_ms"].get<long long>(), "-", "-", "-", "-", "-", "-", "-",
                       size["generate_load"].get<double>());
    for (const auto& step : size["steps"]) {
      const auto& summary = step["summary"];
      out << fmt::format(
          "{:>9} {:<26} {:>10} {:>9.0f} {:>9.0f} {:>9} {:>8} {:>8} {:>8} {:>8.1f} "
          "{:>6.2f}\n",
          size["tickets"].get<long long>(), step["step"].get<std::string>(),
          step["wall_ms"].get<long long>(), step["server_ms"].get<double>(),
          step["client_cpu_ms"].get<double>(), work_of(step),
          summary.value("notifications_created", 0LL), step["statements"].get<long long>(),
          step["round_trips"].get<long long>(), step["peak_rss_kib"].get<long long>() / 1024.0,
          step["load_average"].get<double>());
    }
  }
  out << "server ms: execution time of the pass's top-level statements (pg_stat_statements); "
         "client ms: CPU of the process running the pass; work: tickets evaluated (sla) or "
         "executions (escalation); stmts: SQL statements incl. nested; trips: top-level "
         "statements; RSS: peak of the process running the pass\n";
}

}  // namespace ticketwatch::bench
