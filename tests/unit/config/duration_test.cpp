#include "ticketwatch/config/duration.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace ticketwatch::config {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("90s"), milliseconds(90s));
  EXPECT_EQ(parse_duration("15m"), milliseconds(15min));
  EXPECT_EQ(parse_duration("1h"), milliseconds(1h));
  EXPECT_EQ(parse_duration("30d"), milliseconds(24h * 30));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(ParseDuration, RejectsAnythingButOneWholeNumberAndOneUnit) {
  for (const char* text : {"", "15", "m", "1.5h", "15 m", " 15m", "15m ", "-5m", "+5m", "1h30m",
                           "15min", "15M", "15sec", "0x10s", "15mss", "1e3ms"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseDuration, RejectsValuesThatOverflowMilliseconds) {
  const auto max_ms = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(parse_duration(std::to_string(max_ms) + "ms"), milliseconds(max_ms));
  EXPECT_EQ(parse_duration(std::to_string(max_ms) + "0ms"), std::nullopt);
  EXPECT_EQ(parse_duration(std::to_string(max_ms / 1000 + 1) + "s"), std::nullopt);
  // int64 milliseconds end inside day 106751991168.
  EXPECT_EQ(parse_duration("106751991167d"), milliseconds(106751991167LL * 86400000));
  EXPECT_EQ(parse_duration("106751991168d"), std::nullopt);
}

TEST(FormatDuration, PicksTheLargestUnitThatIsExact) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(15min), "15m");
  EXPECT_EQ(format_duration(90min), "90m");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(24h * 30), "30d");
  EXPECT_EQ(format_duration(25h), "25h");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  // Values of every magnitude, including ones that only some units divide.
  std::vector<milliseconds> values{
      milliseconds(1),           milliseconds(999),
      milliseconds(1000),        milliseconds(61000),
      milliseconds(3600000 + 1), milliseconds(std::numeric_limits<std::int64_t>::max())};
  for (std::int64_t ms = 1; ms < 400LL * 86400000; ms = ms * 7 + 3) values.emplace_back(ms);
  for (std::int64_t ms = 1000; ms < 400LL * 86400000; ms *= 60) values.emplace_back(ms);
  for (const milliseconds value : values) {
    const std::string text = format_duration(value);
    EXPECT_EQ(parse_duration(text), value) << text;
  }
}

}  // namespace
}  // namespace ticketwatch::config
