#include "control_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <variant>

namespace ticketwatch::control::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::vector<std::string> job_names(DaemonApi& api) {
  std::vector<std::string> names;
  for (const auto& stats : api.job_stats()) names.push_back(stats.job);
  return names;
}

}  // namespace

ControlSession::ControlSession(Socket socket, DaemonApi& api, const ControlServerOptions& options,
                               std::shared_ptr<SessionRegistry> registry)
    : socket_(std::move(socket)),
      api_(api),
      options_(options),
      registry_(std::move(registry)),
      deadline_(socket_.get_executor()),
      // One byte more than the longest line, for its '\n'.
      input_(options_.max_line_bytes + 1) {}

void ControlSession::start() {
  id_ = registry_->next_id++;
  registry_->sessions.emplace(id_, weak_from_this());
  // The peer check peeks synchronously; it must never wait.
  error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) return fail(ec, "set non-blocking");
  do_read();
}

void ControlSession::close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  deadline_.cancel();
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  registry_->sessions.erase(id_);
}

// Waits for the next complete line; the deadline closes clients that go quiet.
void ControlSession::do_read() {
  arm_deadline();
  asio::async_read_until(
      socket_, input_, '\n',
      [self = shared_from_this()](error_code ec, std::size_t bytes) { self->on_read(ec, bytes); });
}

void ControlSession::on_read(error_code ec, std::size_t bytes) {
  if (closed_) return;
  if (ec == asio::error::not_found) {
    // The buffer filled up without a newline: answer once, then hang up (the rest of the line
    // cannot be skipped safely).
    return send_reply(error_reply(fmt::format("request line longer than {} bytes; closing",
                                              options_.max_line_bytes)),
                      /*close_after=*/true);
  }
  if (ec) return fail(ec, "read");

  std::string line(asio::buffers_begin(input_.data()),
                   asio::buffers_begin(input_.data()) + static_cast<std::ptrdiff_t>(bytes - 1));
  input_.consume(bytes);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos) return do_read();
  // Nothing may throw past a handler on the daemon's only io thread: a failure inside the daemon
  // while answering becomes this client's error reply.
  try {
    handle_line(line);
  } catch (const std::exception& e) {
    spdlog::error("control request failed: {}", e.what());
    awaiting_result_ = false;
    send_reply(error_reply(fmt::format("internal error: {}", e.what())));
  }
}

void ControlSession::handle_line(std::string_view line) {
  auto parsed = parse_request(line);
  if (auto* error = std::get_if<RequestError>(&parsed))
    return send_reply(error_reply(error->message));
  const auto& request = std::get<Request>(parsed);
  switch (request.command) {
    case Command::status: {
      auto reply = api_.status();
      reply["ok"] = true;
      return send_reply(reply);
    }
    case Command::stats:
      return handle_stats(request.job);
    case Command::trigger:
      return handle_trigger(request.job);
    case Command::reload:
      return handle_reload();
  }
}

void ControlSession::handle_stats(const std::string& job) {
  auto jobs = nlohmann::json::array();
  std::vector<std::string> known;
  for (const auto& stats : api_.job_stats()) {
    known.push_back(stats.job);
    if (job.empty() || stats.job == job) jobs.push_back(scheduler::to_json(stats));
  }
  if (!job.empty() && jobs.empty()) return send_reply(error_reply(unknown_job_message(job, known)));
  send_reply({{"ok", true}, {"jobs", std::move(jobs)}});
}

// The reply waits for the run; the callback holds only a weak_ptr, so a client that leaves
// meanwhile costs nothing but a dropped result.
void ControlSession::handle_trigger(const std::string& job) {
  awaiting_result_ = true;
  deadline_.cancel();
  do_watch_peer();
  std::weak_ptr<ControlSession> weak = weak_from_this();
  bool known = api_.trigger(job, [weak](const scheduler::RunResult& result) {
    if (auto self = weak.lock()) self->on_trigger_done(result);
  });
  if (!known) {
    awaiting_result_ = false;
    send_reply(error_reply(unknown_job_message(job, job_names(api_))));
  }
}

void ControlSession::on_trigger_done(const scheduler::RunResult& result) {
  if (closed_ || !awaiting_result_) return;
  awaiting_result_ = false;
  send_reply({{"ok", true}, {"result", scheduler::to_json(result)}});
}

void ControlSession::handle_reload() {
  awaiting_result_ = true;
  deadline_.cancel();
  do_watch_peer();
  std::weak_ptr<ControlSession> weak = weak_from_this();
  api_.reload([weak](const ReloadOutcome& outcome) {
    if (auto self = weak.lock()) self->on_reload_done(outcome);
  });
}

void ControlSession::on_reload_done(const ReloadOutcome& outcome) {
  if (closed_ || !awaiting_result_) return;
  awaiting_result_ = false;
  if (outcome.errors.empty()) {
    return send_reply({{"ok", true}, {"restart_required", outcome.restart_required}});
  }
  send_reply({{"ok", false},
              {"error", "configuration refused; the running configuration is unchanged"},
              {"errors", outcome.errors}});
}

void ControlSession::send_reply(const nlohmann::json& reply, bool close_after) {
  output_ = to_line(reply);
  close_after_write_ = close_after;
  // A client that does not read its replies is as stuck as one that does not write.
  arm_deadline();
  asio::async_write(
      socket_, asio::buffer(output_),
      [self = shared_from_this()](error_code ec, std::size_t bytes) { self->on_write(ec, bytes); });
}

void ControlSession::on_write(error_code ec, std::size_t /*bytes*/) {
  if (closed_) return;
  if (ec) return fail(ec, "write");
  if (close_after_write_) return close();
  do_read();
}

void ControlSession::do_watch_peer() {
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](error_code ec) { self->on_watch_peer(ec); });
}

void ControlSession::on_watch_peer(error_code ec) {
  if (closed_ || !awaiting_result_ || ec == asio::error::operation_aborted) return;
  if (ec) return fail(ec, "wait");
  char byte = 0;
  socket_.receive(asio::buffer(&byte, 1), Socket::message_peek, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return do_watch_peer();
  if (ec == asio::error::eof) {
    spdlog::debug("control client left before its reply was ready");
    return close();
  }
  if (ec) return fail(ec, "peek");
  // The client pipelined another request: it is read after the pending reply, and a hang-up is
  // noticed then (re-waiting now would spin on the unread byte).
}

void ControlSession::arm_deadline() {
  deadline_.expires_after(options_.idle_timeout);
  deadline_.async_wait([self = shared_from_this()](error_code ec) { self->on_deadline(ec); });
}

void ControlSession::on_deadline(error_code ec) {
  // A pending trigger or reload is the server's time, not the client's.
  if (closed_ || awaiting_result_ || ec == asio::error::operation_aborted) return;
  // A wait that completed just before being re-armed is stale.
  if (deadline_.expiry() > asio::steady_timer::clock_type::now()) return;
  spdlog::debug("closing control client idle for {} ms", options_.idle_timeout.count());
  close();
}

// Every client-side failure ends here: it ends that client, never the daemon.
void ControlSession::fail(error_code ec, std::string_view what) {
  if (ec != asio::error::eof && ec != asio::error::operation_aborted &&
      ec != asio::error::connection_reset && ec != asio::error::broken_pipe) {
    spdlog::debug("control client {}: {}", what, ec.message());
  }
  close();
}

}  // namespace ticketwatch::control::detail
