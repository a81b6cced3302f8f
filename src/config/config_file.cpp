#include "config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ticketwatch::config::detail {
namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string system_error(int error) {
  return std::strerror(error);
}

}  // namespace

std::variant<FileText, std::string> read_config_file(const std::filesystem::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return system_error(errno);

  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return system_error(errno);
  // read() on a directory fails with EISDIR anyway; a FIFO or device would block or never end.
  if (S_ISDIR(info.st_mode)) return system_error(EISDIR);
  if (!S_ISREG(info.st_mode)) return std::string("not a regular file");
  if (static_cast<std::size_t>(info.st_size) > kMaxConfigBytes) {
    return "file is larger than " + std::to_string(kMaxConfigBytes) + " bytes";
  }

  FileText file;
  file.mode = info.st_mode & 07777;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error(errno);
    if (n == 0) break;
    file.text.append(buffer, static_cast<std::size_t>(n));
    if (file.text.size() > kMaxConfigBytes) {
      return "file is larger than " + std::to_string(kMaxConfigBytes) + " bytes";
    }
  }
  return file;
}

}  // namespace ticketwatch::config::detail
