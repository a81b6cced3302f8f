#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "ticketwatch/control/daemon_api.hpp"
#include "ticketwatch/control/protocol.hpp"

namespace ticketwatch::control {

struct ControlServerOptions {
  // A client that sends no complete line (or does not take its reply) for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(10)};
  std::size_t max_line_bytes = kMaxLineBytes;
  std::size_t max_connections = 256;
};

namespace detail {
class ControlListener;
}

// The control socket (line-delimited JSON over AF_UNIX, see protocol.hpp).
//
// Wiring (daemon, on the io_context thread, before or after io.run() starts):
//   control::ControlServer server(io, config.control.socket, api);
//   server.start();   // throws std::runtime_error with an operator-facing message; see below
//   ...
//   server.stop();    // on shutdown; also done by the destructor
// `api` must outlive the server. Everything runs on `io`'s one thread: requests call `api` there,
// and the server never blocks (trigger and reload replies are sent from their callbacks).
//
// start() refuses, naming the path, when: the parent directory is missing (systemd's
// RuntimeDirectory= creates it), another process answers on the socket ("another ticketwatchd is
// listening on PATH"), or the path is something other than a socket. A stale socket file left by a
// crash is replaced. The socket is chmod 0660 (group ticketwatch may talk to it) and removed on
// stop, unless someone else's socket has replaced it meanwhile.
class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, DaemonApi& api,
                ControlServerOptions options = {});
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void start();
  // Stops accepting, closes every client (pending trigger replies are dropped), unlinks the
  // socket. Idempotent.
  void stop();

  const std::filesystem::path& socket_path() const;
  std::size_t connection_count() const;

 private:
  // Handlers hold the listener by shared_ptr, so none can outlive what it points to.
  std::shared_ptr<detail::ControlListener> listener_;
};

}  // namespace ticketwatch::control
