#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::config {

inline constexpr const char* kDefaultConfigPath = "/etc/ticketwatch/ticketwatch.toml";

// One problem found in a config file. Parsing failure is normal input, so it travels as a value.
struct ConfigError {
  std::string file;
  int line = 0;     // 1-based; 0 when the problem has no position (missing file)
  int column = 0;   // 1-based
  std::string key;  // dotted path, e.g. "jobs.sla-monitor.interval"; empty for syntax errors
  std::string message;

  // "file:line:column: key: message"; the position is left out when line is 0 and the key when
  // it is empty ("file: message" for a missing file).
  std::string to_string() const;

  bool operator==(const ConfigError&) const = default;
};

// Either a valid Config or every error found (not only the first), plus warnings: findings that
// do not stop the config from being used but that an operator should fix (a password in a file
// others can read). Errors and warnings are ordered by position in the file.
class LoadResult {
 public:
  explicit LoadResult(Config config, std::vector<ConfigError> warnings = {})
      : value_(std::move(config)), warnings_(std::move(warnings)) {}
  explicit LoadResult(std::vector<ConfigError> errors, std::vector<ConfigError> warnings = {})
      : value_(std::move(errors)), warnings_(std::move(warnings)) {}

  bool ok() const { return std::holds_alternative<Config>(value_); }
  const Config& config() const { return std::get<Config>(value_); }
  Config& config() { return std::get<Config>(value_); }
  const std::vector<ConfigError>& errors() const {
    return std::get<std::vector<ConfigError>>(value_);
  }
  const std::vector<ConfigError>& warnings() const { return warnings_; }

 private:
  std::variant<Config, std::vector<ConfigError>> value_;
  std::vector<ConfigError> warnings_;
};

// Reads and validates the file. Unreadable or missing files are errors at line 0 naming the
// file and the system's reason. Config::source_path is set to `path`.
LoadResult load_file(const std::filesystem::path& path);
// `source_name` is used in error positions and as Config::source_path. No file, so no checks of
// file permissions.
LoadResult load_string(std::string_view toml_text, std::string_view source_name);

}  // namespace ticketwatch::config
