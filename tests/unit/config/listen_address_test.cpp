#include "ticketwatch/config/listen_address.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::config {
namespace {

TEST(ListenAddress, SplitsHostAndPort) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:9464"), (ListenAddress{"127.0.0.1", 9464}));
  EXPECT_EQ(parse_listen_address("0.0.0.0:1"), (ListenAddress{"0.0.0.0", 1}));
  EXPECT_EQ(parse_listen_address("localhost:65535"), (ListenAddress{"localhost", 65535}));
  EXPECT_EQ(parse_listen_address("metrics.example-1.org:80"),
            (ListenAddress{"metrics.example-1.org", 80}));
}

TEST(ListenAddress, TakesIpv6OnlyInBrackets) {
  EXPECT_EQ(parse_listen_address("[::1]:9464"), (ListenAddress{"::1", 9464}));
  EXPECT_EQ(parse_listen_address("[::]:9464"), (ListenAddress{"::", 9464}));
  EXPECT_EQ(parse_listen_address("::1:9464"), std::nullopt);
  EXPECT_EQ(parse_listen_address("[::1]9464"), std::nullopt);
  EXPECT_EQ(parse_listen_address("[::1:9464"), std::nullopt);
  EXPECT_EQ(parse_listen_address("[127.0.0.1]:9464"), std::nullopt);
  EXPECT_EQ(parse_listen_address("[fe80::zz]:9464"), std::nullopt);
}

TEST(ListenAddress, RejectsMissingOrOutOfRangePorts) {
  for (const char* text :
       {"", "9464", "localhost", "localhost:", "localhost:0", "localhost:65536", "localhost:100000",
        "localhost:-1", "localhost:94a", "[::1]:", "[::1]:0"}) {
    EXPECT_EQ(parse_listen_address(text), std::nullopt) << text;
  }
}

TEST(ListenAddress, RejectsMalformedHosts) {
  for (const char* text : {":9464", "300.1.1.1:9464", "1.2.3:9464", "bad_host:9464",
                           "-bad.example:9464", "a..b:9464", "host name:9464", "example.org.:80"}) {
    EXPECT_EQ(parse_listen_address(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace ticketwatch::config
