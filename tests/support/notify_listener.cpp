#include "notify_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <system_error>

namespace ticketwatch::testing {

NotifyListener::NotifyListener(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.string().size() >= sizeof(addr.sun_path)) throw std::runtime_error("path too long");
  std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind " + path_.string());
  }
  if (::pipe2(wake_, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe");
  thread_ = std::thread([this] { receive_loop(); });
}

NotifyListener::~NotifyListener() {
  const char c = 'x';
  if (::write(wake_[1], &c, 1) != 1) {
    // The pipe cannot be full (one byte ever written); nothing else can go wrong here.
  }
  thread_.join();
  ::close(fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void NotifyListener::receive_loop() {
  char buffer[4096];
  while (true) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n > 0) {
      std::lock_guard lock(mutex_);
      messages_.emplace_back(buffer, static_cast<std::size_t>(n));
    }
  }
}

std::vector<std::string> NotifyListener::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

int NotifyListener::wait_for(const std::string& needle, std::chrono::milliseconds timeout,
                             std::size_t skip) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = skip; i < messages_.size(); ++i) {
        if (messages_[i].find(needle) != std::string::npos) return static_cast<int>(i);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return -1;
}

std::size_t NotifyListener::count(const std::string& needle) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& m : messages_) n += m.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace ticketwatch::testing
