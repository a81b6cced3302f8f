#include "job_logger.hpp"

#include <spdlog/spdlog.h>

namespace ticketwatch::scheduler {

std::shared_ptr<spdlog::logger> job_logger(const std::string& job) {
  if (auto named = spdlog::get(job)) {
    return named;
  }
  return spdlog::default_logger();
}

}  // namespace ticketwatch::scheduler
