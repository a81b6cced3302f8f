#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "ticketwatch/control/daemon_api.hpp"
#include "ticketwatch/control/metrics.hpp"

namespace ticketwatch::control {

struct HttpServerOptions {
  // Time allowed to send one whole request (headers and body), and to take one response.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};
  std::size_t max_header_bytes = 8 * 1024;  // 431 beyond
  std::size_t max_body_bytes = 8 * 1024;    // 413 beyond
  std::size_t max_connections = 256;
};

namespace detail {
class HttpListener;
}

// Read-only HTTP: GET/HEAD /metrics (Prometheus text) and /healthz (200 when the scheduler runs
// and the database is up, 503 with the reason otherwise). Other paths 404, other methods 405.
//
// Wiring (daemon, io_context thread; skip it entirely when config.metrics.listen is ""):
//   control::HttpServer http(io, config.metrics.listen, api, metrics);
//   http.start();   // throws std::runtime_error naming the address (bad syntax, bind failure)
//   ...
//   http.stop();    // also done by the destructor
// `listen` is "host:port" or "[v6addr]:port"; port 0 binds a free port (see local_endpoint()).
// `api` and `metrics` must outlive the server. Never blocks the io_context; slow or oversized
// requests are cut off.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, std::string listen, DaemonApi& api,
             const Metrics& metrics, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting and closes every connection. Idempotent.
  void stop();
  // The bound address; meaningful after start().
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::size_t connection_count() const;

 private:
  // Handlers hold the listener by shared_ptr, so none can outlive what it points to.
  std::shared_ptr<detail::HttpListener> listener_;
};

// Splits "host:port" / "[v6]:port"; throws std::invalid_argument with the reason.
std::pair<std::string, std::string> split_listen_address(const std::string& listen);

}  // namespace ticketwatch::control
