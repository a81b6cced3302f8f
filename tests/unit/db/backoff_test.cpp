#include <gtest/gtest.h>

#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesFromTheMinimumUpToTheCap) {
  Backoff backoff(milliseconds(100), milliseconds(1000));
  EXPECT_EQ(backoff.next(), milliseconds(100));
  EXPECT_EQ(backoff.next(), milliseconds(200));
  EXPECT_EQ(backoff.next(), milliseconds(400));
  EXPECT_EQ(backoff.next(), milliseconds(800));
  EXPECT_EQ(backoff.next(), milliseconds(1000));
  EXPECT_EQ(backoff.next(), milliseconds(1000));
}

TEST(Backoff, StaysAtTheCapHoweverLongTheOutageLasts) {
  Backoff backoff(milliseconds(1), std::chrono::hours(1));
  milliseconds last{};
  for (int i = 0; i < 10'000; ++i) last = backoff.next();
  EXPECT_EQ(last, std::chrono::hours(1));
}

TEST(Backoff, StartsOverAfterReset) {
  Backoff backoff(milliseconds(50), milliseconds(400));
  backoff.next();
  backoff.next();
  backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next(), milliseconds(50));
  EXPECT_EQ(backoff.next(), milliseconds(100));
}

TEST(Backoff, UsesTheCapWhenTheMinimumExceedsIt) {
  Backoff backoff(milliseconds(500), milliseconds(300));
  EXPECT_EQ(backoff.next(), milliseconds(300));
  EXPECT_EQ(backoff.next(), milliseconds(300));
}

}  // namespace
}  // namespace ticketwatch::db
