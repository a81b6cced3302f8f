#include "ticketwatch/daemon/run_recorder.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <mutex>

#include "ticketwatch/db/connection.hpp"
#include "ticketwatch/db/run_history.hpp"

namespace ticketwatch::daemon {
namespace {
constexpr std::chrono::hours kPruneInterval{6};
}  // namespace

// Lives on the worker side; shared so a queued write never outlives it.
struct RunRecorder::Writer {
  std::mutex mutex;
  std::string instance;
  std::optional<config::DatabaseConfig> applied;
  std::unique_ptr<db::Session> session;
  bool failing = false;  // log the first failure of an outage, not every one

  pqxx::connection& connection(const config::Config& config) {
    if (!session || !applied || !(*applied == config.database)) {
      auto settings = db::settings_from(config.database);
      settings.application_name = "ticketwatchd history";
      session = std::make_unique<db::Session>(std::move(settings));
      applied = config.database;
    }
    return session->connection();
  }

  template <typename Fn>
  void with_connection(const config::Config& config, std::string_view what, Fn&& fn) {
    std::lock_guard lock(mutex);
    try {
      fn(connection(config));
      if (failing) spdlog::info("run history writes work again");
      failing = false;
    } catch (const std::exception& e) {
      if (session) session->reset();
      if (!failing) spdlog::warn("cannot {} in ticketwatch.job_runs: {}", what, e.what());
      failing = true;
    }
  }
};

RunRecorder::RunRecorder(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                         const ConfigHolder& config, std::string instance)
    : workers_(workers), config_(config), prune_timer_(io), writer_(std::make_shared<Writer>()) {
  writer_->instance = std::move(instance);
}

void RunRecorder::record(const scheduler::RunResult& result) {
  boost::asio::post(workers_, [writer = writer_, config = config_.get(), result]() {
    writer->with_connection(*config, "record a run", [&](pqxx::connection& conn) {
      db::RunHistory::record(conn, result, writer->instance);
    });
  });
}

void RunRecorder::start_pruning() {
  arm_prune(std::chrono::seconds(5));
}

void RunRecorder::stop() {
  prune_timer_.cancel();
}

void RunRecorder::arm_prune(std::chrono::milliseconds delay) {
  prune_timer_.expires_after(delay);
  prune_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    boost::asio::post(workers_, [writer = writer_, config = config_.get()]() {
      writer->with_connection(*config, "prune old runs", [&](pqxx::connection& conn) {
        const auto removed = db::RunHistory::prune(conn, config->history.retention);
        if (removed > 0) spdlog::info("pruned {} run(s) older than the retention", removed);
      });
    });
    arm_prune(kPruneInterval);
  });
}

}  // namespace ticketwatch::daemon
