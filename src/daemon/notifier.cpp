#include "ticketwatch/daemon/notifier.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstring>

namespace ticketwatch::daemon {

void Notifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                    static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec));
}

void Notifier::status(std::string_view line) {
  // STATUS is one line: systemctl status shows it verbatim.
  std::string clean(line);
  for (char& c : clean) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  send("STATUS=" + clean);
}

std::optional<std::chrono::microseconds> Notifier::watchdog_ping_interval() {
  uint64_t usec = 0;
  // Not unsetting the environment: a reload or re-exec must still see it.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return std::chrono::microseconds(usec / 2);
  }
  return std::nullopt;
}

void Notifier::send(const std::string& state) {
  const int rc = sd_notify(0, state.c_str());
  if (rc < 0) {
    spdlog::warn("sd_notify failed: {}", std::strerror(-rc));
  }
}

}  // namespace ticketwatch::daemon
