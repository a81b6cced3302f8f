#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <memory>

#include "control_session.hpp"
#include "ticketwatch/control/control_server.hpp"

namespace ticketwatch::control::detail {

// Accepts control clients; owned by ControlServer, kept alive by its pending handlers.
class ControlListener : public std::enable_shared_from_this<ControlListener> {
 public:
  ControlListener(boost::asio::io_context& io, std::filesystem::path path, DaemonApi& api,
                  ControlServerOptions options);

  void start();
  void stop();
  const std::filesystem::path& path() const { return path_; }
  std::size_t connection_count() const { return registry_->sessions.size(); }

 private:
  // Checks the parent directory and deals with whatever already sits at the path.
  void prepare_path();
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::local::stream_protocol::socket socket);
  void reject(boost::asio::local::stream_protocol::socket& socket);
  void unlink_own_socket();

  boost::asio::io_context& io_;
  std::filesystem::path path_;
  DaemonApi& api_;
  ControlServerOptions options_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  // Backs off after accept failures such as EMFILE instead of spinning.
  boost::asio::steady_timer accept_retry_;
  std::shared_ptr<SessionRegistry> registry_;
  // Identity of the socket file we created, so stop() never unlinks a successor's socket.
  dev_t socket_dev_ = 0;
  ino_t socket_ino_ = 0;
  bool listening_ = false;
};

}  // namespace ticketwatch::control::detail
