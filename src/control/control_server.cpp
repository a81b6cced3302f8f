#include "ticketwatch/control/control_server.hpp"

#include "control_listener.hpp"

namespace ticketwatch::control {

ControlServer::ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path,
                             DaemonApi& api, ControlServerOptions options)
    : listener_(
          std::make_shared<detail::ControlListener>(io, std::move(socket_path), api, options)) {}

ControlServer::~ControlServer() {
  listener_->stop();
}

void ControlServer::start() {
  listener_->start();
}

void ControlServer::stop() {
  listener_->stop();
}

const std::filesystem::path& ControlServer::socket_path() const {
  return listener_->path();
}

std::size_t ControlServer::connection_count() const {
  return listener_->connection_count();
}

}  // namespace ticketwatch::control
