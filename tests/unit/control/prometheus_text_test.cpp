#include "ticketwatch/control/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "exposition_parser.hpp"

namespace ticketwatch::control::prometheus {
namespace {

TEST(PrometheusText, EscapesBackslashQuoteAndNewlineInLabelValues) {
  EXPECT_EQ(escape_label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escape_label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escape_label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(escape_label_value("plain é"), "plain é");
}

TEST(PrometheusText, EscapesBackslashAndNewlineButNotQuotesInHelp) {
  EXPECT_EQ(escape_help("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
}

TEST(PrometheusText, FormatsValuesTheWayScrapersParseThem) {
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(300), "300");
  EXPECT_EQ(format_value(INFINITY), "+Inf");
  EXPECT_EQ(format_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
  EXPECT_DOUBLE_EQ(std::stod(format_value(1733342400.123)), 1733342400.123);
}

TEST(PrometheusText, WriterOutputSurvivesTheStrictParserWithHostileLabelValues) {
  Writer w;
  w.family("x_total", "counter", "Help with \\ and\nnewline.");
  const std::string hostile = "r\"u\\l\ne}{,=";
  w.sample("x_total", {{"rule", hostile}}, 3ULL);
  w.sample("x_total", {{"rule", "plain"}}, 0ULL);
  auto parsed = testing::parse_exposition(w.text());
  EXPECT_EQ(parsed.family("x_total").type, "counter");
  EXPECT_EQ(parsed.value("x_total", {{"rule", hostile}}), 3);
  EXPECT_EQ(parsed.value("x_total", {{"rule", "plain"}}), 0);
}

TEST(ExpositionParser, RejectsWhatAScraperWouldReject) {
  // The parser used by the metrics tests must be able to fail.
  EXPECT_THROW(testing::parse_exposition("a 1"), std::runtime_error);               // no newline
  EXPECT_THROW(testing::parse_exposition("a{b=\"c} 1\n"), std::runtime_error);      // unterminated
  EXPECT_THROW(testing::parse_exposition("a{b=\"\\x\"} 1\n"), std::runtime_error);  // bad escape
  EXPECT_THROW(testing::parse_exposition("a 1\na 2\n"), std::runtime_error);        // duplicate
  EXPECT_THROW(testing::parse_exposition("a 1\nb 1\na{x=\"1\"} 1\n"), std::runtime_error);
  EXPECT_THROW(testing::parse_exposition("# TYPE a counter\na -1\n"), std::runtime_error);
  EXPECT_THROW(testing::parse_exposition("a one\n"), std::runtime_error);
  EXPECT_THROW(testing::parse_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                                         "h_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n"),
               std::runtime_error);  // not cumulative
  EXPECT_THROW(testing::parse_exposition("# TYPE a gauge\n# TYPE a gauge\n"), std::runtime_error);
  EXPECT_NO_THROW(
      testing::parse_exposition("# HELP a ok\n# TYPE a gauge\na{l=\"\\\\\\\"\\n\"} 1\n"));
}

}  // namespace
}  // namespace ticketwatch::control::prometheus
