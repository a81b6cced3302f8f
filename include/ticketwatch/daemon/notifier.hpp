#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ticketwatch::daemon {

// The service manager's notification protocol (sd_notify). Without NOTIFY_SOCKET every call is a
// no-op, so the daemon runs the same in a terminal.
class Notifier {
 public:
  void ready() { send("READY=1"); }
  void reloading();  // RELOADING=1 with MONOTONIC_USEC, as systemd ≥ 253 expects
  void stopping() { send("STOPPING=1"); }
  void watchdog() { send("WATCHDOG=1"); }
  void status(std::string_view line);

  // The interval at which WATCHDOG=1 must be sent (half of WatchdogSec), if the watchdog is on.
  static std::optional<std::chrono::microseconds> watchdog_ping_interval();

 private:
  void send(const std::string& state);
};

}  // namespace ticketwatch::daemon
