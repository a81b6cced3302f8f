#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ticketwatch/control/control_server.hpp"
#include "ticketwatch/control/daemon_api.hpp"

namespace ticketwatch::control::detail {

class ControlSession;

// The open connections, shared by the listener and its sessions so either may go first.
struct SessionRegistry {
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, std::weak_ptr<ControlSession>> sessions;
};

// One client connection. Requests are handled one at a time, in order: the next line is read
// only once the previous reply is written, so replies can never interleave.
class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;

  ControlSession(Socket socket, DaemonApi& api, const ControlServerOptions& options,
                 std::shared_ptr<SessionRegistry> registry);

  void start();
  // Idempotent; callbacks still in flight (a trigger's result) find the session closed.
  void close();

 private:
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t bytes);
  void handle_line(std::string_view line);
  void handle_stats(const std::string& job);
  void handle_trigger(const std::string& job);
  void handle_reload();
  void on_trigger_done(const scheduler::RunResult& result);
  void on_reload_done(const ReloadOutcome& outcome);

  void send_reply(const nlohmann::json& reply, bool close_after = false);
  void on_write(boost::system::error_code ec, std::size_t bytes);

  // While a trigger or reload is pending nothing is read, so a peer that hangs up is noticed by
  // waiting for readability instead.
  void do_watch_peer();
  void on_watch_peer(boost::system::error_code ec);

  void arm_deadline();
  void on_deadline(boost::system::error_code ec);

  void fail(boost::system::error_code ec, std::string_view what);

  Socket socket_;
  DaemonApi& api_;
  ControlServerOptions options_;
  std::shared_ptr<SessionRegistry> registry_;
  std::uint64_t id_ = 0;
  boost::asio::steady_timer deadline_;
  boost::asio::streambuf input_;
  std::string output_;
  bool close_after_write_ = false;
  bool awaiting_result_ = false;
  bool closed_ = false;
};

}  // namespace ticketwatch::control::detail
