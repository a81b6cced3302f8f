#pragma once

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <stop_token>
#include <thread>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::scheduler::test_support {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Deadlines are generous on purpose: tests assert order and counts, never tight timings.
inline constexpr std::chrono::milliseconds kDeadline{10s};

// Runs the io_context on the test thread until `done()` holds or `deadline` passes; returns
// whether it holds. The work guard keeps run_for from returning early (and spinning) while the
// only pending work is a body on a worker thread.
template <typename Predicate>
bool run_until(boost::asio::io_context& io, Predicate done,
               std::chrono::milliseconds deadline = kDeadline) {
  const auto guard = boost::asio::make_work_guard(io);
  const auto until = Clock::now() + deadline;
  while (!done()) {
    if (Clock::now() >= until) {
      return false;
    }
    io.restart();
    io.run_for(2ms);
  }
  return true;
}

// Runs the io_context on the test thread for `duration`.
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  const auto guard = boost::asio::make_work_guard(io);
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    io.restart();
    io.run_for(std::min<Clock::duration>(until - Clock::now(), 5ms));
  }
}

// A schedule that never ticks during a test and does not retry; tests change what they prove.
inline JobSettings quiet_settings() {
  JobSettings settings;
  settings.interval = 1h;
  settings.run_on_start = false;
  settings.max_attempts = 1;
  settings.retry_backoff = 1ms;
  settings.retry_backoff_max = 1ms;
  settings.timeout = 30s;
  return settings;
}

// Lets a body on a worker wait until the test releases it (or it is asked to stop).
class Gate {
 public:
  void open() { open_ = true; }
  // True when opened; false when stopped or when a broken test never opens it.
  bool wait(const std::stop_token& stop, std::chrono::milliseconds limit = kDeadline) const {
    const auto until = Clock::now() + limit;
    while (!open_) {
      if (stop.stop_requested() || Clock::now() >= until) {
        return false;
      }
      std::this_thread::sleep_for(1ms);
    }
    return true;
  }

 private:
  std::atomic<bool> open_{false};
};

// Counts bodies entered and the most that ever ran at once.
class ConcurrencyProbe {
 public:
  class Scope {
   public:
    explicit Scope(ConcurrencyProbe& probe) : probe_(probe) {
      const int now = ++probe_.current_;
      int seen = probe_.max_.load();
      while (now > seen && !probe_.max_.compare_exchange_weak(seen, now)) {
      }
      ++probe_.entered_;
    }
    ~Scope() { --probe_.current_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ConcurrencyProbe& probe_;
  };

  int entered() const { return entered_; }
  int max_concurrent() const { return max_; }
  int current() const { return current_; }

 private:
  std::atomic<int> current_{0};
  std::atomic<int> max_{0};
  std::atomic<int> entered_{0};
};

// Sleeps up to `duration`, returning early when stop is requested.
inline void sleep_unless_stopped(const std::stop_token& stop, std::chrono::milliseconds duration) {
  const auto until = Clock::now() + duration;
  while (!stop.stop_requested() && Clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
}

}  // namespace ticketwatch::scheduler::test_support
