#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string_view>
#include <vector>

#include "ticketwatch/config/loader.hpp"

namespace ticketwatch::config {

// gtest prints errors the way an operator sees them.
inline void PrintTo(const ConfigError& error, std::ostream* out) {
  *out << error.to_string();
}

namespace test {

inline constexpr std::string_view kSource = "test.toml";

// Every error of a file that must not load (and a test failure if it loads).
inline std::vector<ConfigError> errors_of(std::string_view text) {
  const LoadResult result = load_string(text, kSource);
  EXPECT_FALSE(result.ok()) << "loaded without errors:\n" << text;
  return result.ok() ? std::vector<ConfigError>{} : result.errors();
}

inline ConfigError error_at(int line, int column, std::string key, std::string message) {
  return ConfigError{std::string(kSource), line, column, std::move(key), std::move(message)};
}

// A file that must load; the config it produced.
inline Config config_of(std::string_view text) {
  LoadResult result = load_string(text, kSource);
  if (!result.ok()) {
    for (const ConfigError& error : result.errors()) ADD_FAILURE() << error.to_string();
    return Config{};
  }
  return result.config();
}

}  // namespace test
}  // namespace ticketwatch::config
