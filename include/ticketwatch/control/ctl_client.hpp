#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "ticketwatch/control/protocol.hpp"

namespace ticketwatch::control {

// Why a request got no reply; each maps to one plain sentence for the operator.
enum class CtlFailure {
  not_running,        // no socket file, or nobody listening on it
  permission_denied,  // not in the ticketwatch group
  timed_out,
  no_reply,  // connection closed without an answer
  bad_reply,
  other,
};

class CtlError : public std::runtime_error {
 public:
  CtlError(CtlFailure failure, const std::string& message)
      : std::runtime_error(message), failure_(failure) {}
  CtlFailure failure() const { return failure_; }

 private:
  CtlFailure failure_;
};

// Sends one request and waits (at most `timeout` in all) for its one-line reply. Blocking: this
// is the command-line client. Throws CtlError with an operator-facing one-line message.
nlohmann::json send_request(const std::string& socket_path, const Request& request,
                            std::chrono::milliseconds timeout);

}  // namespace ticketwatch::control
