#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::bench {

// One measured job pass.
struct Measurement {
  std::chrono::milliseconds wall{0};
  nlohmann::json summary;       // what the job returned
  long long rss_start_kib = 0;  // the measuring process's RSS before the job connected
  long long peak_rss_kib = 0;   // its ru_maxrss after the pass
  long long statements = 0;     // pg_stat_statements calls in the database, nested included
  long long round_trips = 0;    // the same, top-level only
  double server_ms = 0;         // execution time of those top-level statements
  double client_cpu_ms = 0;     // user + system CPU of the process running the pass
  double load_average = 0;      // 1-minute load average when the pass started
};

// Which job a measurement runs, with the daemon's own code.
enum class Job { sla, escalation };

// Runs one pass of `job` against `database` in a child process of its own (fork), so its peak
// RSS is the job's alone and nothing is left over from earlier passes: the daemon's worker runs
// the same code on the same kind of connection. `admin_dsn` reads pg_stat_statements from
// another database, so the counting itself is never counted.
Measurement measure(Job job, const std::string& admin_dsn, const std::string& database_dsn,
                    const std::string& database, const config::Config& config);

double load_average();

}  // namespace ticketwatch::bench
