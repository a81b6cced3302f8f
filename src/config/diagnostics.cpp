#include "diagnostics.hpp"

#include <algorithm>

namespace ticketwatch::config::detail {
namespace {

std::vector<ConfigError> sorted(std::vector<ConfigError> list) {
  std::stable_sort(list.begin(), list.end(), [](const ConfigError& a, const ConfigError& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return list;
}

}  // namespace

ConfigError Diagnostics::make(const toml::source_position& at, std::string_view key,
                              std::string message) const {
  return ConfigError{file_, static_cast<int>(at.line), static_cast<int>(at.column),
                     std::string(key), std::move(message)};
}

void Diagnostics::error(const toml::source_position& at, std::string_view key,
                        std::string message) {
  errors_.push_back(make(at, key, std::move(message)));
  failed_keys_.emplace(key);
}

void Diagnostics::warning(const toml::source_position& at, std::string_view key,
                          std::string message) {
  warnings_.push_back(make(at, key, std::move(message)));
}

bool Diagnostics::failed(std::string_view key) const {
  return failed_keys_.contains(key);
}

std::vector<ConfigError> Diagnostics::take_errors() {
  return sorted(std::move(errors_));
}
std::vector<ConfigError> Diagnostics::take_warnings() {
  return sorted(std::move(warnings_));
}

}  // namespace ticketwatch::config::detail
