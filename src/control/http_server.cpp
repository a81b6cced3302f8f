#include "ticketwatch/control/http_server.hpp"

#include <charconv>
#include <stdexcept>

#include "http_listener.hpp"

namespace ticketwatch::control {

std::pair<std::string, std::string> split_listen_address(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      throw std::invalid_argument("expected \"[ipv6-address]:port\"");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("expected \"host:port\"");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      throw std::invalid_argument("an IPv6 address needs brackets: \"[::1]:9464\"");
    }
  }
  if (host.empty()) throw std::invalid_argument("missing host (use 0.0.0.0 for every address)");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    throw std::invalid_argument("port must be a number from 0 to 65535");
  }
  return {host, port};
}

HttpServer::HttpServer(boost::asio::io_context& io, std::string listen, DaemonApi& api,
                       const Metrics& metrics, HttpServerOptions options)
    : listener_(
          std::make_shared<detail::HttpListener>(io, std::move(listen), api, metrics, options)) {}

HttpServer::~HttpServer() {
  listener_->stop();
}

void HttpServer::start() {
  listener_->start();
}

void HttpServer::stop() {
  listener_->stop();
}

boost::asio::ip::tcp::endpoint HttpServer::local_endpoint() const {
  return listener_->local_endpoint();
}

std::size_t HttpServer::connection_count() const {
  return listener_->connection_count();
}

}  // namespace ticketwatch::control
