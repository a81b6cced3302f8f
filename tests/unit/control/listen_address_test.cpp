#include <gtest/gtest.h>

#include "ticketwatch/control/http_server.hpp"

namespace ticketwatch::control {
namespace {

TEST(ListenAddress, SplitsHostAndPortIncludingBracketedIpv6) {
  EXPECT_EQ(split_listen_address("127.0.0.1:9464"),
            (std::pair<std::string, std::string>{"127.0.0.1", "9464"}));
  EXPECT_EQ(split_listen_address("[::1]:9464"),
            (std::pair<std::string, std::string>{"::1", "9464"}));
  EXPECT_EQ(split_listen_address("localhost:0"),
            (std::pair<std::string, std::string>{"localhost", "0"}));
  for (const char* bad : {"", ":9464", "host:", "host:x", "[::1]9464", "[::1", "a:b:c"}) {
    EXPECT_THROW(split_listen_address(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace ticketwatch::control
