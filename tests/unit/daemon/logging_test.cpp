#include "ticketwatch/daemon/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace ticketwatch::daemon {
namespace {

using Entry = std::vector<std::string>;

bool has_field(const Entry& e, const std::string& field) {
  return std::find(e.begin(), e.end(), field) != e.end();
}

struct Captured {
  std::vector<Entry> entries;
};

std::shared_ptr<Captured> journal_logging(spdlog::level::level_enum level) {
  auto captured = std::make_shared<Captured>();
  LoggingOptions options;
  options.level = level;
  options.to_journal = true;
  options.journal_writer = [captured](const Entry& fields) { captured->entries.push_back(fields); };
  options.job_names = {"sla-monitor", "escalation-monitor"};
  setup_logging(options);
  return captured;
}

TEST(JournalLogging, JobLinesCarryTheJobFieldAndTheJobNameInTheText) {
  auto captured = journal_logging(spdlog::level::info);
  job_logger("sla-monitor")->info("checked {} tickets", 3);
  ASSERT_EQ(captured->entries.size(), 1u);
  const auto& e = captured->entries[0];
  EXPECT_TRUE(has_field(e, "JOB=sla-monitor"));
  EXPECT_TRUE(has_field(e, "MESSAGE=sla-monitor: checked 3 tickets"));
  EXPECT_TRUE(has_field(e, "PRIORITY=6"));
  EXPECT_TRUE(has_field(e, "SYSLOG_IDENTIFIER=ticketwatchd"));
}

TEST(JournalLogging, JobLinesThatAlreadyNameTheJobAreNotPrefixedTwice) {
  auto captured = journal_logging(spdlog::level::info);
  job_logger("sla-monitor")->info("sla-monitor: schedule run succeeded");
  ASSERT_EQ(captured->entries.size(), 1u);
  EXPECT_TRUE(has_field(captured->entries[0], "MESSAGE=sla-monitor: schedule run succeeded"));
  EXPECT_TRUE(has_field(captured->entries[0], "JOB=sla-monitor"));
}

TEST(JournalLogging, DaemonLinesHaveNoJobField) {
  auto captured = journal_logging(spdlog::level::info);
  spdlog::info("database is up");
  ASSERT_EQ(captured->entries.size(), 1u);
  for (const auto& field : captured->entries[0]) EXPECT_NE(field.rfind("JOB=", 0), 0u) << field;
}

TEST(JournalLogging, PrioritiesMapSoThatWarningFilterShowsOnlyWhatNeedsAttention) {
  auto captured = journal_logging(spdlog::level::trace);
  spdlog::debug("d");
  spdlog::info("i");
  spdlog::warn("w");
  spdlog::error("e");
  spdlog::critical("c");
  ASSERT_EQ(captured->entries.size(), 5u);
  EXPECT_TRUE(has_field(captured->entries[0], "PRIORITY=7"));
  EXPECT_TRUE(has_field(captured->entries[1], "PRIORITY=6"));
  EXPECT_TRUE(has_field(captured->entries[2], "PRIORITY=4"));
  EXPECT_TRUE(has_field(captured->entries[3], "PRIORITY=3"));
  EXPECT_TRUE(has_field(captured->entries[4], "PRIORITY=2"));
}

TEST(JournalLogging, LevelChangesApplyToJobLoggersToo) {
  auto captured = journal_logging(spdlog::level::info);
  job_logger("escalation-monitor")->debug("hidden");
  EXPECT_TRUE(captured->entries.empty());
  set_log_level(spdlog::level::debug);
  job_logger("escalation-monitor")->debug("shown");
  ASSERT_EQ(captured->entries.size(), 1u);
  EXPECT_TRUE(has_field(captured->entries[0], "JOB=escalation-monitor"));
}

TEST(LogLevel, ParsesConfigNamesAndRejectsOthers) {
  EXPECT_EQ(parse_log_level("warning"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
  EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
  EXPECT_FALSE(parse_log_level("loud").has_value());
}

TEST(JournalDetection, RequiresJournalStreamToNameStderr) {
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", "1:2", 1);  // not stderr's device:inode
  EXPECT_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
}

}  // namespace
}  // namespace ticketwatch::daemon
