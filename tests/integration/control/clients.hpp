#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

// Plain POSIX clients with deadlines, so a test can misbehave on purpose (half-open, trickling,
// oversized) and notice exactly when the server hangs up.
namespace ticketwatch::testing {

using namespace std::chrono_literals;

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Socket() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Sends everything (blocking); false when the peer is gone.
  bool send_all(const std::string& data) const {
    std::size_t sent = 0;
    while (sent < data.size()) {
      auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads what arrives before the deadline. nullopt on timeout with nothing read; "" at EOF.
  std::optional<std::string> read_some(std::chrono::milliseconds timeout) const {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready == 0) return std::nullopt;
    char buffer[65536];
    auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return std::string{};
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  // True when the server closes the connection within `timeout` (reading and dropping data).
  bool closed_within(std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto data = read_some(std::max(left, 1ms));
      if (!data) return false;
      if (data->empty()) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
};

inline Socket connect_unix(const std::string& path) {
  Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("connect " + path + ": " + std::strerror(errno));
  }
  return s;
}

inline Socket connect_tcp(unsigned short port) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("connect 127.0.0.1:" + std::to_string(port) + ": " +
                             std::strerror(errno));
  }
  return s;
}

// A control-socket conversation: one request line out, one reply line back.
class LineClient {
 public:
  explicit LineClient(const std::string& path) : socket_(connect_unix(path)) {}

  bool send(const std::string& text) { return socket_.send_all(text); }

  // The next line without its '\n'; nullopt on timeout or when the server closed first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        auto line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      auto data = socket_.read_some(left);
      if (!data || data->empty()) return std::nullopt;
      buffer_ += *data;
    }
  }

  std::optional<std::string> request(const std::string& line,
                                     std::chrono::milliseconds timeout = 10s) {
    if (!send(line + "\n")) return std::nullopt;
    return read_line(timeout);
  }

  Socket& socket() { return socket_; }

 private:
  Socket socket_;
  std::string buffer_;
};

struct HttpResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  std::string header(const std::string& name) const {
    auto lower = [](std::string s) {
      for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    auto h = lower(head);
    auto pos = h.find("\r\n" + lower(name) + ":");
    if (pos == std::string::npos) return {};
    auto start = pos + name.size() + 3;
    auto end = head.find("\r\n", start);
    auto value = head.substr(start, end - start);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }
};

// Reads one HTTP response (Content-Length framed) from `socket`; `head_request` skips the body.
inline std::optional<HttpResponse> read_http_response(const Socket& socket, std::string& buffer,
                                                      bool head_request = false,
                                                      std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto fill = [&]() -> bool {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    auto data = socket.read_some(left);
    if (!data || data->empty()) return false;
    buffer += *data;
    return true;
  };
  std::size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  HttpResponse response;
  response.head = buffer.substr(0, end);
  buffer.erase(0, end + 4);
  if (response.head.size() < 12) return std::nullopt;
  response.status = std::stoi(response.head.substr(9, 3));
  std::size_t length = 0;
  if (auto cl = response.header("Content-Length"); !cl.empty()) length = std::stoul(cl);
  if (head_request) length = 0;
  while (buffer.size() < length) {
    if (!fill()) return std::nullopt;
  }
  response.body = buffer.substr(0, length);
  buffer.erase(0, length);
  return response;
}

// One request on a fresh connection.
inline std::optional<HttpResponse> http_request(unsigned short port, const std::string& method,
                                                const std::string& target,
                                                std::chrono::milliseconds timeout = 10s) {
  auto socket = connect_tcp(port);
  if (!socket.send_all(method + " " + target +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
    return std::nullopt;
  }
  std::string buffer;
  return read_http_response(socket, buffer, method == "HEAD", timeout);
}

}  // namespace ticketwatch::testing
