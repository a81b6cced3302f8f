#pragma once

#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include "daemon_process.hpp"
#include "io_thread.hpp"
#include "scheduler_api.hpp"
#include "ticketwatch/control/control_server.hpp"
#include "ticketwatch/control/http_server.hpp"
#include "ticketwatch/control/metrics.hpp"

namespace ticketwatch::testing {

struct HarnessOptions {
  control::ControlServerOptions control;
  control::HttpServerOptions http;
  bool with_http = true;
  std::chrono::milliseconds slow_job_time{400};
  // Extra jobs (e.g. ones backed by a TestDatabase), added before the scheduler starts.
  std::function<void(SchedulerApi&)> add_jobs;
};

// The servers as the daemon wires them, on a real io_context thread, over a real Scheduler with
// four small real jobs:
//   quick    sleeps 20 ms and returns {"runs": <how many times it ran>}
//   failing  throws on each of its 2 attempts
//   locked   is always skipped, as when another instance holds its lock
//   slow     works for slow_job_time (or until asked to stop)
class ControlHarness {
 public:
  explicit ControlHarness(HarnessOptions options = {}) : options_(std::move(options)) {
    socket_path_ = (dir_ / "control.sock").string();
    config_path_ = dir_ / "ticketwatch.toml";
    write_file(config_path_, "");
    io_.run([this] {
      api_ = std::make_unique<SchedulerApi>(io_.io(), config_path_);
      add_default_jobs();
      if (options_.add_jobs) options_.add_jobs(*api_);
      api_->scheduler().on_run_finished(
          [this](const scheduler::RunResult& r) { metrics_.record(r); });
      api_->scheduler().start();
      control_ =
          std::make_unique<control::ControlServer>(io_.io(), socket_path_, *api_, options_.control);
      control_->start();
      if (options_.with_http) {
        http_ = std::make_unique<control::HttpServer>(io_.io(), "127.0.0.1:0", *api_, metrics_,
                                                      options_.http);
        http_->start();
        http_port_ = http_->local_endpoint().port();
      }
    });
  }

  ~ControlHarness() {
    io_.run([this] {
      control_.reset();
      http_.reset();
    });
    std::promise<void> stopped;
    io_.run([&] { api_->scheduler().stop(std::chrono::seconds(5), [&] { stopped.set_value(); }); });
    stopped.get_future().wait();
    io_.run([this] { api_.reset(); });
  }

  const std::string& socket_path() const { return socket_path_; }
  const std::filesystem::path& config_path() const { return config_path_; }
  unsigned short http_port() const { return http_port_; }
  const TempDir& dir() const { return dir_; }
  IoThread& io() { return io_; }
  SchedulerApi& api() { return *api_; }
  control::ControlServer& control() { return *control_; }
  control::HttpServer& http() { return *http_; }
  int quick_runs() const { return quick_runs_; }

  std::size_t control_connections() {
    return io_.run([this] { return control_->connection_count(); });
  }
  std::size_t http_connections() {
    return io_.run([this] { return http_->connection_count(); });
  }
  scheduler::JobStats stats(const std::string& job) {
    return io_.run([&] { return *api_->scheduler().stats(job); });
  }

 private:
  void add_default_jobs() {
    scheduler::JobSettings hourly;
    hourly.interval = std::chrono::hours(1);
    hourly.timeout = std::chrono::seconds(30);
    api_->add_job("quick", hourly, [this](const scheduler::AttemptContext&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return nlohmann::json{{"runs", ++quick_runs_}};
    });
    auto failing = hourly;
    failing.max_attempts = 2;
    failing.retry_backoff = std::chrono::milliseconds(10);
    api_->add_job("failing", failing, [](const scheduler::AttemptContext& ctx) -> nlohmann::json {
      throw std::runtime_error(fmt::format("boom on attempt {}", ctx.attempt));
    });
    api_->add_job("locked", hourly, [](const scheduler::AttemptContext&) -> nlohmann::json {
      throw scheduler::RunSkipped("another instance holds the job's lock");
    });
    auto slow_time = options_.slow_job_time;
    api_->add_job("slow", hourly, [slow_time](const scheduler::AttemptContext& ctx) {
      auto start = std::chrono::steady_clock::now();
      while (!ctx.stop.stop_requested() && std::chrono::steady_clock::now() - start < slow_time) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return nlohmann::json{{"slept_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - start)
                                             .count()}};
    });
  }

  HarnessOptions options_;
  TempDir dir_;
  std::string socket_path_;
  std::filesystem::path config_path_;
  IoThread io_;
  std::atomic<int> quick_runs_{0};
  std::unique_ptr<SchedulerApi> api_;
  control::Metrics metrics_;
  std::unique_ptr<control::ControlServer> control_;
  std::unique_ptr<control::HttpServer> http_;
  unsigned short http_port_ = 0;
};

}  // namespace ticketwatch::testing
