#pragma once

// Shared by the outage tests: a daemon configuration with an HTTP listener and short backoffs, a
// real HTTP GET, and a look at what the daemon's job connections are doing on the server.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "faults_fixture.hpp"
#include "loopback_port.hpp"

namespace ticketwatch::testing {

// The database's reconnection backoff in these tests unless a test sets its own: 250 ms doubling
// up to 1 s.
inline constexpr std::chrono::milliseconds kReconnectBackoffMax{1000};

struct OutageDaemonOptions {
  std::string dsn;
  unsigned short http_port = 0;
  std::string reconnect_backoff_min = "250ms";
  std::string reconnect_backoff_max = fmt::format("{}ms", kReconnectBackoffMax.count());
  std::string interval = "1h";
  int batch_size = 1000;
  int max_attempts = 3;
  std::string retry_backoff = "100ms";
  std::string retry_backoff_max = "1s";
};

inline std::string outage_config(const OutageDaemonOptions& o, const TempDir& dir) {
  std::string jobs;
  for (const auto* job : {"sla-monitor", "escalation-monitor"}) {
    jobs +=
        fmt::format(R"(
[jobs.{job}]
interval = "{interval}"
run_on_start = true
timeout = "60s"
max_attempts = {attempts}
retry_backoff = "{backoff}"
retry_backoff_max = "{backoff_max}"
batch_size = {batch}
)",
                    fmt::arg("job", job), fmt::arg("interval", o.interval),
                    fmt::arg("attempts", o.max_attempts), fmt::arg("backoff", o.retry_backoff),
                    fmt::arg("backoff_max", o.retry_backoff_max), fmt::arg("batch", o.batch_size));
  }
  return fmt::format(R"([daemon]
instance_name = "outage-test"
shutdown_timeout = "5s"

[database]
dsn = "{dsn}"
connect_timeout = "2s"
reconnect_backoff_min = "{backoff_min}"
reconnect_backoff_max = "{backoff_max}"

[control]
socket = "{socket}"

[metrics]
listen = "127.0.0.1:{port}"
{jobs})",
                     fmt::arg("dsn", o.dsn), fmt::arg("backoff_min", o.reconnect_backoff_min),
                     fmt::arg("backoff_max", o.reconnect_backoff_max),
                     fmt::arg("socket", (dir / "control.sock").string()),
                     fmt::arg("port", o.http_port), fmt::arg("jobs", jobs));
}

struct HttpReply {
  int status = 0;
  std::string body;
};

// A real GET with curl; status 0 when no HTTP answer came.
inline HttpReply http_get(unsigned short port, const std::string& path) {
  const auto r =
      run_program("/usr/bin/curl", {"-s", "-S", "--max-time", "10", "-w", "\n%{http_code}",
                                    fmt::format("http://127.0.0.1:{}{}", port, path)});
  HttpReply reply;
  const auto cut = r.out.rfind('\n');
  if (r.exit_code != 0 || cut == std::string::npos) return reply;
  reply.body = r.out.substr(0, cut);
  reply.status = std::stoi(r.out.substr(cut + 1));
  return reply;
}

}  // namespace ticketwatch::testing
