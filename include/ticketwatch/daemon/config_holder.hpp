#pragma once

#include <memory>
#include <mutex>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::daemon {

// The config in force, shared between the io_context thread (which replaces it on reload) and the
// workers (which take a snapshot when a run starts, so one run sees one config).
class ConfigHolder {
 public:
  explicit ConfigHolder(config::Config config)
      : current_(std::make_shared<const config::Config>(std::move(config))) {}

  std::shared_ptr<const config::Config> get() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void set(config::Config config) {
    auto next = std::make_shared<const config::Config>(std::move(config));
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const config::Config> current_;
};

}  // namespace ticketwatch::daemon
