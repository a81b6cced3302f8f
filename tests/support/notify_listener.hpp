#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ticketwatch::testing {

// A real AF_UNIX datagram socket to hand to a daemon as NOTIFY_SOCKET: collects every
// sd_notify message it receives, on a thread of its own.
class NotifyListener {
 public:
  explicit NotifyListener(std::filesystem::path path);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Every datagram so far, in arrival order.
  std::vector<std::string> messages() const;
  // Waits until a datagram containing `needle` arrived after the first `skip` messages; returns
  // its index, or -1 on timeout.
  int wait_for(const std::string& needle, std::chrono::milliseconds timeout,
               std::size_t skip = 0) const;
  // How many datagrams contain `needle`.
  std::size_t count(const std::string& needle) const;

 private:
  void receive_loop();

  std::filesystem::path path_;
  int fd_ = -1;
  int wake_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::thread thread_;
};

}  // namespace ticketwatch::testing
