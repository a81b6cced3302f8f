#include "http_session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "ticketwatch/control/prometheus_text.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::control::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

namespace {

constexpr std::size_t kMaxDrainBytes = 256 * 1024;
constexpr auto kDrainTimeout = std::chrono::seconds(2);

HttpSession::Response make_response(http::status status, unsigned version, std::string body,
                                    std::string_view content_type) {
  HttpSession::Response response{status, version};
  response.set(http::field::server, std::string("ticketwatchd/") + kVersion);
  response.set(http::field::content_type, std::string(content_type));
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpSession::Response text_response(http::status status, unsigned version, std::string body) {
  return make_response(status, version, std::move(body), "text/plain; charset=utf-8");
}

std::string_view path_of(beast::string_view target) {
  std::string_view path(target.data(), target.size());
  return path.substr(0, path.find('?'));
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, DaemonApi& api, const Metrics& metrics,
                         const HttpServerOptions& options, std::shared_ptr<HttpRegistry> registry)
    : stream_(std::move(socket)),
      api_(api),
      metrics_(metrics),
      options_(options),
      registry_(std::move(registry)),
      buffer_(options_.max_header_bytes + options_.max_body_bytes) {}

void HttpSession::start() {
  id_ = registry_->next_id++;
  registry_->sessions.emplace(id_, weak_from_this());
  do_read();
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  registry_->sessions.erase(id_);
}

// Reads one whole request within the timeout: headers and body together, so a client trickling
// bytes cannot hold the connection longer than that.
void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser_->body_limit(options_.max_body_bytes);
  stream_.expires_after(options_.read_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t bytes) { self->on_read(ec, bytes); });
}

void HttpSession::on_read(error_code ec, std::size_t /*bytes*/) {
  if (closed_) return;
  const unsigned version = 11;
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return do_write(text_response(http::status::request_header_fields_too_large, version,
                                  "request header too large\n"),
                    true);
  }
  if (ec == http::error::body_limit) {
    return do_write(
        text_response(http::status::payload_too_large, version, "request body too large\n"), true);
  }
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
  // Any other parse error (garbage, bad method, bad target): the request is unusable.
  if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return do_write(text_response(http::status::bad_request, version, "bad request\n"), true);
  }
  if (ec) return fail(ec, "read");

  const auto& request = parser_->get();
  Response response;
  // Nothing may throw past a handler on the daemon's only io thread.
  try {
    response = handle(request);
  } catch (const std::exception& e) {
    spdlog::error("http {} failed: {}",
                  std::string_view(request.target().data(), request.target().size()), e.what());
    response =
        text_response(http::status::internal_server_error, request.version(), "internal error\n");
  }
  response.keep_alive(request.keep_alive());
  do_write(std::move(response), !request.keep_alive());
}

HttpSession::Response HttpSession::handle(const Request& request) {
  const unsigned version = request.version();
  auto path = path_of(request.target());
  if (path != "/metrics" && path != "/healthz") {
    return text_response(http::status::not_found, version, "not found; try /metrics or /healthz\n");
  }
  const bool head = request.method() == http::verb::head;
  if (request.method() != http::verb::get && !head) {
    auto response = text_response(http::status::method_not_allowed, version, "only GET and HEAD\n");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }

  Response response;
  if (path == "/metrics") {
    response =
        make_response(http::status::ok, version, metrics_.render(api_), prometheus::kContentType);
  } else {
    bool scheduler = api_.scheduler_running();
    bool database = api_.database_up();
    nlohmann::json body{{"status", scheduler && database ? "ok" : "unavailable"},
                        {"scheduler", scheduler ? "running" : "stopped"},
                        {"database", database ? "up" : "down"},
                        {"version", kVersion}};
    if (!scheduler || !database) {
      body["reason"] = !scheduler ? (database ? "scheduler is not running"
                                              : "scheduler is not running; database is down")
                                  : "database is down";
    }
    response =
        make_response(scheduler && database ? http::status::ok : http::status::service_unavailable,
                      version, body.dump() + "\n", "application/json");
  }
  if (head) {
    // Same headers as GET, Content-Length included, without the body.
    auto length = response.body().size();
    response.body().clear();
    response.content_length(length);
  }
  return response;
}

void HttpSession::do_write(Response response, bool close_after) {
  close_after_write_ = close_after;
  if (close_after) response.keep_alive(false);
  response_ = std::move(response);
  stream_.expires_after(options_.read_timeout);
  http::async_write(
      stream_, *response_,
      [self = shared_from_this()](error_code ec, std::size_t bytes) { self->on_write(ec, bytes); });
}

void HttpSession::on_write(error_code ec, std::size_t /*bytes*/) {
  if (closed_) return;
  if (ec) return fail(ec, "write");
  response_.reset();
  if (close_after_write_) return do_drain();
  do_read();
}

void HttpSession::do_drain() {
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kDrainTimeout);
  buffer_.consume(buffer_.size());
  stream_.async_read_some(
      buffer_.prepare(std::min<std::size_t>(4096, buffer_.max_size())),
      [self = shared_from_this()](error_code ec, std::size_t bytes) { self->on_drain(ec, bytes); });
}

void HttpSession::on_drain(error_code ec, std::size_t bytes) {
  if (closed_) return;
  drained_bytes_ += bytes;
  if (ec || drained_bytes_ > kMaxDrainBytes) return close();
  stream_.async_read_some(
      buffer_.prepare(std::min<std::size_t>(4096, buffer_.max_size())),
      [self = shared_from_this()](error_code ec2, std::size_t n) { self->on_drain(ec2, n); });
}

// Every connection-level failure ends here: it ends that connection, never the daemon.
void HttpSession::fail(error_code ec, std::string_view what) {
  if (ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
      ec != asio::error::broken_pipe && ec != beast::error::timeout) {
    spdlog::debug("http client {}: {}", what, ec.message());
  }
  close();
}

}  // namespace ticketwatch::control::detail
