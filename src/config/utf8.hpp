#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ticketwatch::config::detail {

struct Utf8Problem {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters, of the first bad byte
  std::string message;
};

// The first byte sequence that is not well-formed UTF-8 (overlong forms, surrogates and code
// points above U+10FFFF included). Checked before TOML parsing so the position is exact and the
// message names the byte.
std::optional<Utf8Problem> find_invalid_utf8(std::string_view text);

}  // namespace ticketwatch::config::detail
