#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

// What the control socket's and the HTTP listener's accept loops share.
namespace ticketwatch::control::detail {

// After a failed accept (EMFILE and friends) a listener stays and tries again after this pause,
// so that running out of descriptors does not spin the io_context thread.
inline constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(200);

// A listener that cannot start throws; the daemon reports the message and exits.
[[noreturn]] inline void refuse(std::string message) {
  throw std::runtime_error(std::move(message));
}

}  // namespace ticketwatch::control::detail
