#include <cctype>

#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {
namespace {

constexpr std::string_view kMask = "***";

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}
// Where a DSN quoted inside a message ends.
bool ends_token(char c) {
  return is_space(c) || c == '"';
}

// "postgresql://user:secret@host": the length of the prefix to keep ("postgresql://user:") and
// the position just after the secret ('@'), or {0, 0} when text does not start with such a URI.
// Like libpq, the user info ends at the first '@' before any '/'.
std::pair<std::size_t, std::size_t> uri_password(std::string_view text) {
  std::size_t start = 0;
  if (starts_with_ci(text, "postgresql://")) {
    start = 13;
  } else if (starts_with_ci(text, "postgres://")) {
    start = 11;
  } else {
    return {0, 0};
  }
  std::size_t colon = std::string_view::npos;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/' || ends_token(c)) return {0, 0};
    if (c == ':' && colon == std::string_view::npos) colon = i;
    if (c == '@')
      return colon == std::string_view::npos ? std::pair<std::size_t, std::size_t>{0, 0}
                                             : std::pair{colon + 1, i};
  }
  return {0, 0};
}

// "password = 'it''s'" or "?password=x&": position just after the value, or 0 when text does not
// start with a password parameter. `in_uri` selects URI query syntax (value ends at '&').
std::size_t password_value_end(std::string_view text, bool in_uri, std::size_t& value_start) {
  if (!starts_with_ci(text, "password")) return 0;
  std::size_t i = 8;
  if (!in_uri) {
    while (i < text.size() && is_space(text[i])) ++i;
  }
  if (i >= text.size() || text[i] != '=') return 0;
  ++i;
  if (in_uri) {
    value_start = i;
    while (i < text.size() && text[i] != '&' && text[i] != '#' && !ends_token(text[i])) ++i;
    return i;
  }
  while (i < text.size() && is_space(text[i])) ++i;
  value_start = i;
  if (i < text.size() && text[i] == '\'') {
    // libpq quoting: backslash escapes the next character; an unterminated quote runs to the end.
    for (++i; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '\'') {
        return i + 1;
      }
    }
    return text.size();
  }
  while (i < text.size() && !is_space(text[i])) ++i;
  return i;
}

}  // namespace

std::string redact_dsn(std::string_view dsn) {
  std::string out;
  out.reserve(dsn.size());
  std::size_t i = 0;
  while (i < dsn.size()) {
    const std::string_view rest = dsn.substr(i);
    const bool at_word_start = i == 0 || !is_word_char(dsn[i - 1]);
    if (at_word_start) {
      if (auto [keep, resume] = uri_password(rest); resume != 0) {
        out.append(rest.substr(0, keep)).append(kMask);
        i += resume;
        continue;
      }
      const bool in_uri = i > 0 && (dsn[i - 1] == '?' || dsn[i - 1] == '&');
      std::size_t value_start = 0;
      if (const std::size_t end = password_value_end(rest, in_uri, value_start); end != 0) {
        out.append(rest.substr(0, value_start)).append(kMask);
        i += end;
        continue;
      }
    }
    out += dsn[i++];
  }
  return out;
}

std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMask.size())) {
    text.replace(pos, secret.size(), kMask);
  }
  return text;
}

}  // namespace ticketwatch::db
