#include "dsn.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace ticketwatch::config::detail {
namespace {

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// "password" as a whole keyword (after a start, a space, '?' or '&'), then '=', then a value
// that is not empty.
bool has_password_keyword(std::string_view text) {
  const std::string lower = lowered(text);
  constexpr std::string_view kKeyword = "password";
  for (std::size_t at = lower.find(kKeyword); at != std::string::npos;
       at = lower.find(kKeyword, at + 1)) {
    const bool starts_word =
        at == 0 || is_space(lower[at - 1]) || lower[at - 1] == '?' || lower[at - 1] == '&';
    if (!starts_word) continue;
    std::size_t i = at + kKeyword.size();
    while (i < lower.size() && is_space(lower[i])) ++i;
    if (i >= lower.size() || lower[i] != '=') continue;
    ++i;
    while (i < lower.size() && is_space(lower[i])) ++i;
    const std::string_view value = std::string_view(lower).substr(i);
    if (!value.empty() && value.front() != '&' && !value.starts_with("''")) return true;
  }
  return false;
}

}  // namespace

bool dsn_has_password(std::string_view dsn) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (!lowered(dsn.substr(0, scheme.size())).starts_with(scheme)) continue;
    const std::string_view rest = dsn.substr(scheme.size());
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const std::size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos && colon + 1 < userinfo.size()) return true;
    }
    const std::size_t query = rest.find('?');
    return query != std::string_view::npos && has_password_keyword(rest.substr(query + 1));
  }
  return has_password_keyword(dsn);
}

}  // namespace ticketwatch::config::detail
