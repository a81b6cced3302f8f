#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticketwatch::config {

// A [metrics] listen value split for a socket API: "127.0.0.1:9464" -> {"127.0.0.1", 9464},
// "[::1]:9464" -> {"::1", 9464}, "localhost:9464" -> {"localhost", 9464}.
struct ListenAddress {
  std::string host;  // IPv4 literal, IPv6 literal (without brackets) or host name
  std::uint16_t port = 0;
  bool operator==(const ListenAddress&) const = default;
};

// nullopt for anything else, including "" (which the config uses to disable the listener):
// missing or out-of-range port (1..65535), empty host, an unbracketed IPv6 address, malformed
// IP literals or host names.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace ticketwatch::config
