#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "ticketwatch/control/http_server.hpp"

namespace ticketwatch::control::detail {

class HttpSession;

// The open connections, shared by the listener and its sessions so either may go first.
struct HttpRegistry {
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, std::weak_ptr<HttpSession>> sessions;
};

// One HTTP connection: read a request, answer, repeat while the client keeps it alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  HttpSession(boost::asio::ip::tcp::socket socket, DaemonApi& api, const Metrics& metrics,
              const HttpServerOptions& options, std::shared_ptr<HttpRegistry> registry);

  void start();
  void close();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  Response handle(const Request& request);
  void do_write(Response response, bool close_after);
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  // After an error reply: stop sending, then swallow what the client still sends for a moment, so
  // closing does not reset the connection before it has read the reply.
  void do_drain();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);
  void fail(boost::beast::error_code ec, std::string_view what);

  boost::beast::tcp_stream stream_;
  DaemonApi& api_;
  const Metrics& metrics_;
  HttpServerOptions options_;
  std::shared_ptr<HttpRegistry> registry_;
  std::uint64_t id_ = 0;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  // The response being written must live until the write completes.
  std::optional<Response> response_;
  std::size_t drained_bytes_ = 0;
  bool close_after_write_ = false;
  bool closed_ = false;
};

}  // namespace ticketwatch::control::detail
