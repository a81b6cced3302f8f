#pragma once

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "ticketwatch/config/loader.hpp"
#include "ticketwatch/config/schema.hpp"
#include "ticketwatch/control/daemon_api.hpp"
#include "ticketwatch/scheduler/scheduler.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::testing {

// control::DaemonApi over a real Scheduler, the way the daemon implements it: stats and triggers
// go to the scheduler, reload loads a real config file with the real loader and applies the job
// intervals. Jobs are added by the test with real bodies. io_context thread only.
class SchedulerApi : public control::DaemonApi {
 public:
  SchedulerApi(boost::asio::io_context& io, std::filesystem::path config_path)
      : scheduler_(io, 4),
        config_path_(std::move(config_path)),
        started_at_(std::chrono::system_clock::now()) {}

  scheduler::Scheduler& scheduler() { return scheduler_; }
  // Reported by database_up(); the test flips it to see /healthz and the metric follow.
  std::atomic<bool> db_up{true};

  nlohmann::json status() override {
    auto jobs = nlohmann::json::array();
    for (const auto& s : scheduler_.all_stats()) jobs.push_back(scheduler::to_json(s));
    return {{"version", kVersion},
            {"instance", fmt::format("test:{}", ::getpid())},
            {"started_at", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                                       std::chrono::floor<std::chrono::seconds>(started_at_))},
            {"database", db_up ? "up" : "down"},
            {"scheduler", scheduler_running() ? "running" : "stopping"},
            {"jobs", std::move(jobs)}};
  }
  std::vector<scheduler::JobStats> job_stats() override { return scheduler_.all_stats(); }
  bool database_up() override { return db_up; }
  bool scheduler_running() override { return scheduler_.started() && !scheduler_.stopping(); }
  bool trigger(const std::string& job,
               std::function<void(const scheduler::RunResult&)> on_done) override {
    return scheduler_.trigger(job, std::move(on_done));
  }
  void reload(std::function<void(const control::ReloadOutcome&)> on_done) override {
    control::ReloadOutcome outcome;
    auto loaded = config::load_file(config_path_);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors()) outcome.errors.push_back(e.to_string());
      return on_done(outcome);
    }
    const auto& c = loaded.config();
    outcome.restart_required = config::keys_needing_restart(running_config_, c);
    running_config_ = c;
    ++reloads_applied;
    for (const auto& name : scheduler_.job_names()) {
      auto settings = current_settings(name);
      if (name == "sla-monitor") settings.interval = c.sla_monitor.schedule.interval;
      if (name == "escalation-monitor") settings.interval = c.escalation_monitor.schedule.interval;
      scheduler_.update_settings(name, settings);
    }
    on_done(outcome);
  }

  int reloads_applied = 0;
  config::Config running_config_;  // what the last applied reload loaded (defaults before)

  void add_job(const std::string& name, scheduler::JobSettings settings, scheduler::JobBody body) {
    settings_[name] = settings;
    scheduler_.add_job(name, settings, std::move(body));
  }

 private:
  scheduler::JobSettings current_settings(const std::string& name) { return settings_.at(name); }

  scheduler::Scheduler scheduler_;
  std::filesystem::path config_path_;
  std::chrono::system_clock::time_point started_at_;
  std::map<std::string, scheduler::JobSettings> settings_;
};

}  // namespace ticketwatch::testing
