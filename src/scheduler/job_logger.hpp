#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace ticketwatch::scheduler {

// The logger registered under the job's name (the daemon registers one per job so journald gets
// JOB=), else the default logger. Looked up on every use: the daemon may register it after the
// job was added, and replace it on reload.
std::shared_ptr<spdlog::logger> job_logger(const std::string& job);

}  // namespace ticketwatch::scheduler
