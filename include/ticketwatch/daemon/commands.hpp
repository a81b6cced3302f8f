#pragma once

#include "ticketwatch/daemon/cli.hpp"

namespace ticketwatch::daemon {

// Carries out one invocation of ticketwatchd and returns the process exit code:
// 0 success, 1 failure (bad config, database error, failed run, invalid rules).
int execute(const Invocation& invocation);

}  // namespace ticketwatch::daemon
