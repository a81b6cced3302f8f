#include "ticketwatch/control/ctl_client.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ticketwatch/config/duration.hpp"

namespace ticketwatch::control {

namespace {

using Clock = std::chrono::steady_clock;

// Replies carry job summaries; anything this large is not a reply.
constexpr std::size_t kMaxReplyBytes = 16 * 1024 * 1024;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string not_running_message(const std::string& path) {
  return fmt::format(
      "cannot reach ticketwatchd at {} (not running?). Start it with: systemctl start ticketwatch",
      path);
}

[[noreturn]] void connect_failed(int err, const std::string& path) {
  switch (err) {
    case ENOENT:
    case ECONNREFUSED:
      throw CtlError(CtlFailure::not_running, not_running_message(path));
    case EACCES:
    case EPERM:
      throw CtlError(CtlFailure::permission_denied,
                     fmt::format("permission denied on {}: run ticketwatchctl as a member of the "
                                 "ticketwatch group or as root",
                                 path));
    case EAGAIN:
      throw CtlError(CtlFailure::other,
                     fmt::format("ticketwatchd at {} is too busy to accept; try again", path));
    case ENOTDIR:
      throw CtlError(CtlFailure::not_running,
                     fmt::format("cannot reach ticketwatchd at {}: part of that path is not a "
                                 "directory",
                                 path));
    default:
      throw CtlError(CtlFailure::other,
                     fmt::format("cannot reach ticketwatchd at {}: {}", path, std::strerror(err)));
  }
}

[[noreturn]] void timed_out(const std::string& path, std::chrono::milliseconds timeout) {
  throw CtlError(CtlFailure::timed_out,
                 fmt::format("ticketwatchd at {} did not answer within {} (see --timeout)", path,
                             config::format_duration(timeout)));
}

// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // the following call reports the error
  }
}

}  // namespace

nlohmann::json send_request(const std::string& socket_path, const Request& request,
                            std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(address.sun_path)) {
    throw CtlError(CtlFailure::other,
                   fmt::format("socket path {} is too long ({} bytes, max {})", socket_path,
                               socket_path.size(), sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    throw CtlError(CtlFailure::other,
                   fmt::format("cannot create a socket: {}", std::strerror(errno)));
  }
  // A Unix stream connect completes or fails at once; EAGAIN means the backlog is full.
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    connect_failed(errno, socket_path);
  }

  const auto line = to_line(to_json(request));
  std::size_t sent = 0;
  while (sent < line.size()) {
    if (!wait_for(fd.get(), POLLOUT, deadline)) timed_out(socket_path, timeout);
    auto n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) {
      throw CtlError(
          CtlFailure::no_reply,
          fmt::format("ticketwatchd at {} closed the connection (is it stopping?)", socket_path));
    }
    sent += static_cast<std::size_t>(n);
  }

  std::string reply;
  char chunk[8192];
  for (;;) {
    auto newline = reply.find('\n');
    if (newline != std::string::npos) {
      reply.resize(newline);
      break;
    }
    if (!wait_for(fd.get(), POLLIN, deadline)) timed_out(socket_path, timeout);
    auto n = ::recv(fd.get(), chunk, sizeof(chunk), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      throw CtlError(CtlFailure::no_reply,
                     fmt::format("ticketwatchd at {} closed the connection without answering (is "
                                 "it stopping?)",
                                 socket_path));
    }
    reply.append(chunk, static_cast<std::size_t>(n));
    if (reply.size() > kMaxReplyBytes) {
      throw CtlError(CtlFailure::bad_reply, fmt::format("reply from {} is too large", socket_path));
    }
  }

  auto parsed = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("ok") ||
      !parsed["ok"].is_boolean()) {
    throw CtlError(
        CtlFailure::bad_reply,
        fmt::format("unexpected reply from {}; is that a ticketwatchd socket?", socket_path));
  }
  return parsed;
}

}  // namespace ticketwatch::control
