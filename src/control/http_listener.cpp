#include "http_listener.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

#include "listener_common.hpp"

namespace ticketwatch::control::detail {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

HttpListener::HttpListener(asio::io_context& io, std::string listen, DaemonApi& api,
                           const Metrics& metrics, HttpServerOptions options)
    : io_(io),
      listen_(std::move(listen)),
      api_(api),
      metrics_(metrics),
      options_(options),
      acceptor_(io),
      accept_retry_(io),
      registry_(std::make_shared<HttpRegistry>()) {}

void HttpListener::start() {
  if (listening_) return;
  std::pair<std::string, std::string> host_port;
  try {
    host_port = split_listen_address(listen_);
  } catch (const std::invalid_argument& e) {
    refuse(fmt::format("[metrics] listen \"{}\": {}", listen_, e.what()));
  }
  // Runs once at startup, before the loop serves anyone; a name resolves via the local resolver.
  tcp::resolver resolver(io_);
  error_code ec;
  auto endpoints = resolver.resolve(host_port.first, host_port.second,
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    refuse(fmt::format("[metrics] listen \"{}\": cannot resolve: {}", listen_,
                       ec ? ec.message() : "no address"));
  }
  auto endpoint = endpoints.begin()->endpoint();

  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    refuse(fmt::format("cannot listen for HTTP on {}: {}", listen_, ec.message()));
  }
  listening_ = true;
  auto bound = acceptor_.local_endpoint(ec);
  spdlog::debug("serving /metrics and /healthz on http://{}{}:{}",
                bound.address().is_v6() ? "[" : "", bound.address().to_string(), bound.port());
  do_accept();
}

void HttpListener::stop() {
  if (!listening_) return;
  listening_ = false;
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  auto sessions = registry_->sessions;
  for (auto& [id, weak] : sessions) {
    if (auto session = weak.lock()) session->close();
  }
}

tcp::endpoint HttpListener::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpListener::do_accept() {
  acceptor_.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void HttpListener::on_accept(error_code ec, tcp::socket socket) {
  if (!listening_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    spdlog::warn("http accept failed: {}", ec.message());
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([self = shared_from_this()](error_code wait_ec) {
      if (!wait_ec && self->listening_) self->do_accept();
    });
    return;
  }
  if (registry_->sessions.size() >= options_.max_connections) {
    reject(socket);
  } else {
    std::make_shared<HttpSession>(std::move(socket), api_, metrics_, options_, registry_)->start();
  }
  do_accept();
}

// Over the connection cap: a 503 written without waiting (it fits in the empty socket buffer).
void HttpListener::reject(tcp::socket& socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n"
      "Retry-After: 1\r\n\r\n";
  error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
  spdlog::warn("http: refused a client over the limit of {} connections", options_.max_connections);
  socket.close(ec);
}

}  // namespace ticketwatch::control::detail
