// ticketwatchctl: talks to a running ticketwatchd over its control socket; the logic lives in
// tw_control (ctl_*.cpp) where it is tested.
#include <exception>
#include <iostream>

#include "ticketwatch/control/ctl_main.hpp"

int main(int argc, char** argv) {
  try {
    return ticketwatch::control::run_ctl(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                         std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "ticketwatchctl: " << e.what() << '\n';
    return 1;
  }
}
