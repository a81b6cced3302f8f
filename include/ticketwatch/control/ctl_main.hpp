#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ticketwatch::control {

// The whole of ticketwatchctl: parses `args` (without the program name), talks to the daemon,
// prints to `out` / `err`, and returns the exit status (see ctl_options.hpp).
int run_ctl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ticketwatch::control
