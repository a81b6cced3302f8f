// ticketwatchd: wires the parts together; all behaviour lives in the libraries.
#include <exception>
#include <iostream>
#include <variant>

#include "ticketwatch/daemon/cli.hpp"
#include "ticketwatch/daemon/commands.hpp"

int main(int argc, char** argv) {
  using namespace ticketwatch::daemon;
  const auto parsed = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (const auto* exit = std::get_if<Exit>(&parsed)) {
    (exit->code == 0 ? std::cout : std::cerr) << exit->text;
    return exit->code;
  }
  try {
    return execute(std::get<Invocation>(parsed));
  } catch (const std::exception& e) {
    // Only startup can get here (a run's errors end at the run boundary); say it plainly.
    std::cerr << "ticketwatchd: " << e.what() << '\n';
    return 1;
  }
}
