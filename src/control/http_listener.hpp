#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "http_session.hpp"
#include "ticketwatch/control/http_server.hpp"

namespace ticketwatch::control::detail {

// Accepts HTTP clients; owned by HttpServer, kept alive by its pending handlers.
class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  HttpListener(boost::asio::io_context& io, std::string listen, DaemonApi& api,
               const Metrics& metrics, HttpServerOptions options);

  void start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::size_t connection_count() const { return registry_->sessions.size(); }

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void reject(boost::asio::ip::tcp::socket& socket);

  boost::asio::io_context& io_;
  std::string listen_;
  DaemonApi& api_;
  const Metrics& metrics_;
  HttpServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Backs off after accept failures such as EMFILE instead of spinning.
  boost::asio::steady_timer accept_retry_;
  std::shared_ptr<HttpRegistry> registry_;
  bool listening_ = false;
};

}  // namespace ticketwatch::control::detail
