#include "ticketwatch/daemon/database_monitor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "ticketwatch/db/migrations.hpp"

namespace ticketwatch::daemon {
namespace {
// While the database answers, a slow heartbeat keeps /healthz and STATUS honest.
constexpr std::chrono::seconds kHealthyProbeInterval{15};
}  // namespace

std::string_view to_string(DbState state) {
  switch (state) {
    case DbState::unknown:
      return "unknown";
    case DbState::up:
      return "up";
    case DbState::down:
      return "down";
    case DbState::schema_behind:
      return "schema behind";
    case DbState::schema_ahead:
      return "schema newer than this binary";
  }
  return "unknown";
}

struct DatabaseMonitor::Probe {
  std::mutex mutex;
  std::optional<config::DatabaseConfig> applied;
  std::unique_ptr<db::Session> session;
};

DatabaseMonitor::DatabaseMonitor(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                                 const ConfigHolder& config, std::string config_path,
                                 ChangeCallback on_change)
    : io_(io),
      workers_(workers),
      config_(config),
      config_path_(std::move(config_path)),
      on_change_(std::move(on_change)),
      timer_(io),
      probe_(std::make_shared<Probe>()) {}

void DatabaseMonitor::start() {
  stopped_ = false;
  probe();
}

void DatabaseMonitor::stop() {
  stopped_ = true;
  timer_.cancel();
}

void DatabaseMonitor::check_now() {
  if (stopped_ || probing_) return;
  timer_.cancel();
  probe();
}

void DatabaseMonitor::arm(std::chrono::milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;  // cancelled: a check_now or stop took over
    probe();
  });
}

void DatabaseMonitor::probe() {
  probing_ = true;
  auto config = config_.get();
  boost::asio::post(workers_, [this, probe = probe_, config, path = config_path_, &io = io_]() {
    DbState state = DbState::up;
    std::string detail;
    try {
      std::lock_guard lock(probe->mutex);
      const auto& database = config->database;
      if (!probe->session || !probe->applied || !(*probe->applied == database)) {
        auto settings = db::settings_from(database);
        settings.application_name = "ticketwatchd health";
        probe->session = std::make_unique<db::Session>(std::move(settings));
        probe->applied = database;
      }
      try {
        db::require_current_schema(probe->session->connection(), path);
      } catch (const db::SchemaBehind& e) {
        state = DbState::schema_behind;
        detail = e.what();
      } catch (const db::SchemaAhead& e) {
        state = DbState::schema_ahead;
        detail = e.what();
      }
    } catch (const std::exception& e) {
      if (probe->session) probe->session->reset();
      state = DbState::down;
      detail = e.what();
    }
    boost::asio::post(io, [this, state, detail = std::move(detail)]() mutable {
      on_probe(state, std::move(detail));
    });
  });
}

void DatabaseMonitor::on_probe(DbState state, std::string detail) {
  probing_ = false;
  if (stopped_) return;
  const auto config = config_.get();
  if (!backoff_) {
    backoff_ = std::make_unique<db::Backoff>(config->database.reconnect_backoff_min,
                                             config->database.reconnect_backoff_max);
  }
  const bool changed = state != state_;
  state_ = state;
  detail_ = detail;
  if (changed) on_change_(state_, detail_);
  if (state != DbState::up) {
    // Down or on the wrong schema: look again soon, so work resumes by itself once it is fixed.
    arm(backoff_->next());
  } else {
    backoff_->reset();
    arm(kHealthyProbeInterval);
  }
}

}  // namespace ticketwatch::daemon
