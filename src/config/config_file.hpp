#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <variant>

namespace ticketwatch::config::detail {

struct FileText {
  std::string text;
  mode_t mode = 0;  // permission bits, for the "password readable by others" warning
};

// The whole file, or why it could not be read ("No such file or directory", "Is a directory",
// "Permission denied", ...). Files over kMaxConfigBytes are refused: a config is a few KiB, and
// a daemon should not read a mistyped path to a disk image into memory.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
std::variant<FileText, std::string> read_config_file(const std::filesystem::path& path);

}  // namespace ticketwatch::config::detail
