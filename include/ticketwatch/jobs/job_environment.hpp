#pragma once

#include <pqxx/pqxx>
#include <spdlog/logger.h>
#include <stop_token>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::jobs {

// What a job run gets from the daemon: its own connection (the caller holds the job's advisory
// lock and has checked the schema), the config in force when the run started, a stop request
// (timeout or shutdown: give up at the next batch boundary) and the job's logger.
struct JobEnvironment {
  pqxx::connection& conn;
  const config::Config& config;
  std::stop_token stop;
  spdlog::logger& log;
};

}  // namespace ticketwatch::jobs
