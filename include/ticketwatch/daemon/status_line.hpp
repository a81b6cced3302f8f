#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ticketwatch/scheduler/job.hpp"

namespace ticketwatch::daemon {

// "2m ago", "45s ago", "3h ago", "2d ago".
std::string format_age(std::chrono::system_clock::duration age);

// The one line `systemctl status` shows, e.g.
// "sla-monitor ok 2m ago (12 notified) · escalation-monitor failed 9m ago · db up".
std::string format_status_line(const std::vector<scheduler::JobStats>& jobs,
                               std::string_view database_state,
                               std::chrono::system_clock::time_point now);

}  // namespace ticketwatch::daemon
