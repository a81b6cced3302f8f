#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "load_helpers.hpp"
#include "ticketwatch/config/loader.hpp"

namespace ticketwatch::config {
namespace {

using test::error_at;
using test::errors_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(ConfigError, FormatsAsFileLineColumnKeyMessage) {
  EXPECT_EQ((ConfigError{"f.toml", 2, 12, "jobs.sla-monitor.interval", "bad"}).to_string(),
            "f.toml:2:12: jobs.sla-monitor.interval: bad");
  EXPECT_EQ((ConfigError{"f.toml", 1, 5, "", "bad syntax"}).to_string(), "f.toml:1:5: bad syntax");
  EXPECT_EQ((ConfigError{"f.toml", 0, 0, "", "cannot read"}).to_string(), "f.toml: cannot read");
}

TEST(LoadString, ReportsSyntaxErrorsAtTomlsPosition) {
  const auto doubled = errors_of("[daemon]\nlog_level = = \"info\"\n");
  ASSERT_THAT(doubled, SizeIs(1));
  EXPECT_EQ(doubled[0].line, 2);
  EXPECT_EQ(doubled[0].column, 13);
  EXPECT_EQ(doubled[0].key, "");
  EXPECT_THAT(doubled[0].message, HasSubstr("could not determine value type"));

  const auto missing_equals = errors_of("[daemon]\nlog_level \"info\"\n");
  ASSERT_THAT(missing_equals, SizeIs(1));
  EXPECT_EQ(missing_equals[0].line, 2);
  EXPECT_EQ(missing_equals[0].column, 11);
  EXPECT_THAT(missing_equals[0].message, HasSubstr("expected '='"));

  const auto twice = errors_of("[daemon]\nlog_level = \"info\"\nlog_level = \"debug\"\n");
  ASSERT_THAT(twice, SizeIs(1));
  EXPECT_EQ(twice[0].line, 3);
  EXPECT_THAT(twice[0].message, HasSubstr("redefine"));
}

TEST(LoadString, NamesExpectedAndActualTypeOfAMistypedValue) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nmax_attempts = \"3\"\n"),
              ElementsAre(error_at(2, 16, "jobs.sla-monitor.max_attempts",
                                   "expected an integer, got string \"3\"")));
  EXPECT_THAT(errors_of("[jobs.escalation-monitor]\nenabled = \"yes\"\n"),
              ElementsAre(error_at(2, 11, "jobs.escalation-monitor.enabled",
                                   "expected a boolean (true or false), got string \"yes\"")));
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nbatch_size = 10.5\n"),
              ElementsAre(error_at(2, 14, "jobs.sla-monitor.batch_size",
                                   "expected an integer, got float 10.5")));
  EXPECT_THAT(errors_of("[helpdesk]\nclosed_statuses = \"closed\"\n"),
              ElementsAre(error_at(2, 19, "helpdesk.closed_statuses",
                                   "expected an array of strings, got string \"closed\"")));
  EXPECT_THAT(errors_of("[helpdesk]\npriorities = [\"low\", 2]\n"),
              ElementsAre(error_at(2, 22, "helpdesk.priorities",
                                   "item 2: expected a string, got integer 2")));
  EXPECT_THAT(errors_of("[database]\ndsn = 5432\n"),
              ElementsAre(error_at(2, 7, "database.dsn", "expected a string, got integer 5432")));
}

TEST(LoadString, RejectsAValueWhereATableBelongs) {
  EXPECT_THAT(errors_of("daemon = \"x\"\n"),
              ElementsAre(error_at(1, 10, "daemon", "expected a table, got string \"x\"")));
  const auto array_of_tables = errors_of("[[jobs]]\nenabled = true\n");
  ASSERT_THAT(array_of_tables, SizeIs(1));
  EXPECT_EQ(array_of_tables[0].key, "jobs");
  EXPECT_EQ(array_of_tables[0].message, "expected a table, got an array");
  EXPECT_EQ(array_of_tables[0].line, 1);
}

TEST(LoadString, RejectsAnUnknownKeyAndSuggestsTheCloseOne) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nintervall = \"15m\"\n"),
              ElementsAre(error_at(2, 1, "jobs.sla-monitor.intervall",
                                   "unknown key \"intervall\" (did you mean \"interval\"?)")));
  EXPECT_THAT(errors_of("[jobs.escalation-monitor]\nretry_backof_max = \"1m\"\n"),
              ElementsAre(error_at(
                  2, 1, "jobs.escalation-monitor.retry_backof_max",
                  "unknown key \"retry_backof_max\" (did you mean \"retry_backoff_max\"?)")));
}

TEST(LoadString, PointsAtTheMisspelledPartOfADottedKey) {
  EXPECT_THAT(errors_of("jobs.sla-monitor.intervall = \"1m\"\n"),
              ElementsAre(error_at(1, 18, "jobs.sla-monitor.intervall",
                                   "unknown key \"intervall\" (did you mean \"interval\"?)")));
}

TEST(LoadString, SuggestsNothingForAnUnknownKeyWithNoCloseName) {
  EXPECT_THAT(errors_of("[daemon]\ncolour = \"blue\"\n"),
              ElementsAre(error_at(2, 1, "daemon.colour", "unknown key \"colour\"")));
}

TEST(LoadString, SuggestsTheTableWhereAMisplacedKeyBelongs) {
  EXPECT_THAT(errors_of("[daemon]\ndsn = \"postgresql:///x\"\n"),
              ElementsAre(error_at(2, 1, "daemon.dsn",
                                   "unknown key \"dsn\" (did you mean \"database.dsn\"?)")));
  EXPECT_THAT(
      errors_of("log_level = \"debug\"\n"),
      ElementsAre(error_at(1, 1, "log_level",
                           "unknown key \"log_level\" (did you mean \"daemon.log_level\"?)")));
}

TEST(LoadString, RejectsAQuotedKeyThatLooksLikeAPath) {
  EXPECT_THAT(errors_of("\"daemon.log_level\" = \"info\"\n"),
              ElementsAre(error_at(1, 1, "daemon.log_level",
                                   "unknown key \"daemon.log_level\" (a quoted name is not split "
                                   "at dots)")));
}

TEST(LoadString, RejectsAnUnknownTableAndSuggestsTheCloseOne) {
  EXPECT_THAT(errors_of("[jobs.sla_monitor]\nenabled = true\n"),
              ElementsAre(error_at(1, 7, "jobs.sla_monitor",
                                   "unknown table \"jobs.sla_monitor\" (did you mean "
                                   "\"jobs.sla-monitor\"?)")));
  EXPECT_THAT(errors_of("[smtp]\nhost = \"mail\"\n"),
              ElementsAre(error_at(1, 2, "smtp", "unknown table \"smtp\"")));
  EXPECT_THAT(errors_of("[jobs.cleanup]\n"),
              ElementsAre(error_at(1, 7, "jobs.cleanup", "unknown table \"jobs.cleanup\"")));
  EXPECT_THAT(errors_of("[sla-monitor]\nenabled = false\n"),
              ElementsAre(error_at(1, 2, "sla-monitor",
                                   "unknown table \"sla-monitor\" (did you mean "
                                   "\"jobs.sla-monitor\"?)")));
}

TEST(LoadString, SuggestsTheCloseValueOfAnUnknownLogLevel) {
  EXPECT_THAT(errors_of("[daemon]\nlog_level = \"warn\"\n"),
              ElementsAre(error_at(2, 13, "daemon.log_level",
                                   "unknown value \"warn\" (did you mean \"warning\"?); expected "
                                   "one of trace, debug, info, warning, error, critical, off")));
}

struct BadDuration {
  const char* value;
  const char* says;
};

TEST(LoadString, RejectsEveryMalformedDurationAndSaysWhy) {
  const BadDuration cases[] = {
      {"\"15\"", "the unit is missing"},
      {"\"1.5h\"", "fractions are not allowed; use a smaller unit"},
      {"\"15 m\"", "it contains spaces"},
      {"\"-5m\"", "durations cannot be negative"},
      {"\"+5m\"", "it does not start with a number"},
      {"\"15min\"", "unknown unit \"min\""},
      {"\"1h30m\"", "it combines several units"},
      {"\"\"", "it is empty"},
      {"\"0s\"", "must be greater than 0"},
      {"\"0ms\"", "must be greater than 0"},
      {"\"3651d\"", "duration \"3651d\" is too large (at most 3650d)"},
      {"\"99999999999999999999d\"", "is too large (at most 3650d)"},
      {"15", "expected a duration string with a unit such as \"90s\" or \"15m\", got integer 15"},
      {"1.5", "expected a duration string"},
  };
  for (const BadDuration& bad : cases) {
    const auto errors = errors_of(std::string("[jobs.sla-monitor]\ninterval = ") + bad.value);
    ASSERT_THAT(errors, SizeIs(1)) << bad.value;
    EXPECT_EQ(errors[0].line, 2) << bad.value;
    EXPECT_EQ(errors[0].column, 12) << bad.value;
    EXPECT_EQ(errors[0].key, "jobs.sla-monitor.interval") << bad.value;
    EXPECT_THAT(errors[0].message, HasSubstr(bad.says)) << bad.value;
  }
  EXPECT_THAT(errors_of("[history]\nretention = \"15\"\n"),
              ElementsAre(error_at(2, 13, "history.retention",
                                   "invalid duration \"15\": the unit is missing; write a whole "
                                   "number and a unit (ms, s, m, h, d), e.g. \"90s\" or \"15m\"")));
}

TEST(LoadString, AcceptsTheLongestAllowedDuration) {
  EXPECT_EQ(test::config_of("[history]\nretention = \"3650d\"\n").history.retention,
            std::chrono::hours(24 * 3650));
}

TEST(LoadString, RejectsNumbersOutsideTheirRange) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nmax_attempts = 0\n"),
              ElementsAre(error_at(2, 16, "jobs.sla-monitor.max_attempts",
                                   "must be between 1 and 100, got 0")));
  EXPECT_THAT(errors_of("[jobs.escalation-monitor]\nmax_attempts = 101\n"),
              ElementsAre(error_at(2, 16, "jobs.escalation-monitor.max_attempts",
                                   "must be between 1 and 100, got 101")));
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nbatch_size = 100001\n"),
              ElementsAre(error_at(2, 14, "jobs.sla-monitor.batch_size",
                                   "must be between 1 and 100000, got 100001")));
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nbatch_size = -1\n"),
              ElementsAre(error_at(2, 14, "jobs.sla-monitor.batch_size",
                                   "must be between 1 and 100000, got -1")));
  for (const char* threshold : {"0", "0.0", "1", "1.0", "1.5", "-0.1", "nan", "inf"}) {
    const auto errors = errors_of(std::string("[jobs.sla-monitor]\nhigh_threshold = ") + threshold);
    ASSERT_THAT(errors, SizeIs(1)) << threshold;
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_EQ(errors[0].column, 18);
    EXPECT_EQ(errors[0].key, "jobs.sla-monitor.high_threshold");
    EXPECT_THAT(errors[0].message, HasSubstr("must be greater than 0 and less than 1, got"));
  }
}

TEST(LoadString, RequiresTheHighThresholdBelowTheMediumOne) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nmedium_threshold = 0.1\nhigh_threshold = 0.2\n"),
              ElementsAre(error_at(3, 18, "jobs.sla-monitor.high_threshold",
                                   "must be less than jobs.sla-monitor.medium_threshold (0.1), "
                                   "got 0.2")));
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nhigh_threshold = 0.2\nmedium_threshold = 0.2\n"),
              ElementsAre(error_at(3, 20, "jobs.sla-monitor.medium_threshold",
                                   "must be greater than jobs.sla-monitor.high_threshold (0.2), "
                                   "got 0.2")));
  // Against the built-in high threshold (0.1), which the file does not mention.
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nmedium_threshold = 0.05\n"),
              ElementsAre(error_at(2, 20, "jobs.sla-monitor.medium_threshold",
                                   "must be greater than jobs.sla-monitor.high_threshold (0.1), "
                                   "got 0.05")));
}

TEST(LoadString, DoesNotReportAnInvalidValueAgainAsOutOfOrder) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor]\nhigh_threshold = 2\nmedium_threshold = 0.05\n"),
              ElementsAre(error_at(2, 18, "jobs.sla-monitor.high_threshold",
                                   "must be greater than 0 and less than 1, got 2")));
}

TEST(LoadString, RequiresBackoffMaximaNotBelowTheirMinima) {
  EXPECT_THAT(
      errors_of("[jobs.escalation-monitor]\nretry_backoff = \"10m\"\nretry_backoff_max = \"1m\"\n"),
      ElementsAre(
          error_at(3, 21, "jobs.escalation-monitor.retry_backoff_max",
                   "must be at least jobs.escalation-monitor.retry_backoff (10m), got 1m")));
  EXPECT_THAT(errors_of("[database]\nreconnect_backoff_min = \"2m\"\n"),
              ElementsAre(error_at(2, 25, "database.reconnect_backoff_min",
                                   "must be at most database.reconnect_backoff_max (1m), got 2m")));
  const Config equal = test::config_of("[jobs.sla-monitor]\nretry_backoff = \"5m\"\n");
  EXPECT_EQ(equal.sla_monitor.schedule.retry_backoff, equal.sla_monitor.schedule.retry_backoff_max);
}

TEST(LoadString, RejectsAnUnknownRoleAndSuggestsTheCloseOne) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor.recipients]\nhigh = [\"creator\", \"asignee\"]\n"),
              ElementsAre(error_at(2, 20, "jobs.sla-monitor.recipients.high",
                                   "item 2: unknown role \"asignee\" (did you mean \"assignee\"?); "
                                   "roles are creator, assignee, team_leader, followers")));
  EXPECT_THAT(errors_of("[jobs.sla-monitor.recipients]\nmedium = [\"team-leader\"]\n"),
              ElementsAre(error_at(2, 11, "jobs.sla-monitor.recipients.medium",
                                   "item 1: unknown role \"team-leader\" (did you mean "
                                   "\"team_leader\"?); roles are creator, assignee, team_leader, "
                                   "followers")));
}

TEST(LoadString, RejectsARoleListedTwice) {
  EXPECT_THAT(errors_of("[jobs.sla-monitor.recipients]\nbreached = [\"creator\", \"followers\", "
                        "\"creator\"]\n"),
              ElementsAre(error_at(2, 37, "jobs.sla-monitor.recipients.breached",
                                   "item 3: role \"creator\" is listed twice")));
}

TEST(LoadString, AcceptsAnEmptyRecipientListToNotifyNobody) {
  const Config config = test::config_of("[jobs.sla-monitor.recipients]\nmedium = []\n");
  EXPECT_TRUE(config.sla_monitor.medium_recipients.empty());
  EXPECT_EQ(config.sla_monitor.high_recipients, Config{}.sla_monitor.high_recipients);
}

TEST(LoadString, RejectsEmptyClosedStatuses) {
  EXPECT_THAT(
      errors_of("[helpdesk]\nclosed_statuses = []\n"),
      ElementsAre(error_at(2, 19, "helpdesk.closed_statuses", "must list at least 1 name, got 0")));
  EXPECT_THAT(
      errors_of("[helpdesk]\nclosed_statuses = [\"\"]\n"),
      ElementsAre(error_at(2, 20, "helpdesk.closed_statuses", "item 1: must not be empty")));
  EXPECT_THAT(errors_of("[helpdesk]\nclosed_statuses = [\"closed\", \"resolved\", \"closed\"]\n"),
              ElementsAre(error_at(2, 42, "helpdesk.closed_statuses",
                                   "item 3: \"closed\" is listed twice (first as item 1)")));
}

TEST(LoadString, RequiresAtLeastTwoDistinctPriorities) {
  EXPECT_THAT(
      errors_of("[helpdesk]\npriorities = [\"urgent\"]\n"),
      ElementsAre(error_at(2, 14, "helpdesk.priorities", "must list at least 2 names, got 1")));
  EXPECT_THAT(errors_of("[helpdesk]\npriorities = [\"low\", \"low \"]\n"),
              ElementsAre(error_at(2, 22, "helpdesk.priorities",
                                   "item 2: \"low \" has leading or trailing spaces or a NUL "
                                   "character")));
  EXPECT_EQ(test::config_of("[helpdesk]\npriorities = [\"p4\", \"p3\", \"p2\", \"p1\"]\n")
                .helpdesk.priorities,
            (std::vector<std::string>{"p4", "p3", "p2", "p1"}));
}

TEST(LoadString, RejectsMalformedListenAddresses) {
  const std::string expected = "; expected \"host:port\", \"[ipv6]:port\", or \"\" to disable";
  EXPECT_THAT(
      errors_of("[metrics]\nlisten = \"9464\"\n"),
      ElementsAre(error_at(2, 10, "metrics.listen",
                           "invalid listen address \"9464\": the port is missing" + expected)));
  EXPECT_THAT(errors_of("[metrics]\nlisten = \"localhost:70000\"\n"),
              ElementsAre(error_at(2, 10, "metrics.listen",
                                   "invalid listen address \"localhost:70000\": the port must be "
                                   "between 1 and 65535" +
                                       expected)));
  EXPECT_THAT(errors_of("[metrics]\nlisten = \"::1:9464\"\n"),
              ElementsAre(error_at(2, 10, "metrics.listen",
                                   "invalid listen address \"::1:9464\": an IPv6 address needs "
                                   "brackets, as in \"[::1]:9464\"" +
                                       expected)));
  EXPECT_THAT(errors_of("[metrics]\nlisten = \"300.1.1.1:9464\"\n"),
              ElementsAre(error_at(2, 10, "metrics.listen",
                                   "invalid listen address \"300.1.1.1:9464\": the host is not a "
                                   "valid IP address or host name" +
                                       expected)));
}

TEST(LoadString, AcceptsAnEmptyListenAddressToDisableHttp) {
  EXPECT_EQ(test::config_of("[metrics]\nlisten = \"\"\n").metrics.listen, "");
  EXPECT_EQ(test::config_of("[metrics]\nlisten = \"[::]:9100\"\n").metrics.listen, "[::]:9100");
}

TEST(LoadString, RequiresAnAbsoluteSocketPathThatFitsSunPath) {
  EXPECT_THAT(errors_of("[control]\nsocket = \"run/tw.sock\"\n"),
              ElementsAre(error_at(2, 10, "control.socket",
                                   "must be an absolute path, got \"run/tw.sock\"")));
  EXPECT_THAT(errors_of("[control]\nsocket = \"\"\n"),
              ElementsAre(error_at(2, 10, "control.socket", "must not be empty")));
  const std::string long_path = "/" + std::string(120, 'x');
  EXPECT_THAT(errors_of("[control]\nsocket = \"" + long_path + "\"\n"),
              ElementsAre(error_at(2, 10, "control.socket", "is 121 bytes long; at most 107 fit")));
}

TEST(LoadString, RequiresAnAbsolutePasswordFileWhenOneIsGiven) {
  EXPECT_THAT(errors_of("[database]\npassword_file = \"db.pass\"\n"),
              ElementsAre(error_at(2, 17, "database.password_file",
                                   "must be an absolute path, got \"db.pass\"")));
  EXPECT_EQ(test::config_of("[database]\npassword_file = \"\"\n").database.password_file, "");
}

TEST(LoadString, RejectsAnEmptyDsn) {
  EXPECT_THAT(errors_of("[database]\ndsn = \"\"\n"),
              ElementsAre(error_at(2, 7, "database.dsn", "must not be empty")));
}

TEST(LoadString, RejectsStringsThatWouldBeTruncatedOrBreakLogLines) {
  EXPECT_THAT(errors_of("[database]\ndsn = \"host=a\\u0000b\"\n"),
              ElementsAre(error_at(2, 7, "database.dsn", "must not contain a NUL character")));
  EXPECT_THAT(
      errors_of("[daemon]\ninstance_name = \"a\\nb\"\n"),
      ElementsAre(error_at(2, 17, "daemon.instance_name", "must not contain control characters")));
}

TEST(LoadString, ReportsInvalidUtf8AtTheExactCharacter) {
  EXPECT_THAT(errors_of("[daemon]\ninstance_name = \"caf\xC3\x28\"\n"),
              ElementsAre(error_at(2, 21, "",
                                   "invalid UTF-8: malformed sequence starting with byte 0xC3")));
  // Columns count characters: the two-byte "é" is one column.
  EXPECT_THAT(
      errors_of("# caf\xC3\xA9 \xFF\n"),
      ElementsAre(error_at(1, 8, "", "invalid UTF-8: malformed sequence starting with byte 0xFF")));
  for (const char* bad :
       {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xE2\x82"}) {
    const auto errors = errors_of(std::string("a = 1\n# ") + bad + "\n");
    ASSERT_THAT(errors, SizeIs(1));
    EXPECT_EQ(errors[0].line, 2);
    EXPECT_EQ(errors[0].column, 3);
  }
}

TEST(LoadString, TreatsAnEmptyFileAsAllDefaults) {
  for (const char* text : {"", "\n\n", "# nothing set\n   \n"}) {
    Config expected;
    expected.source_path = test::kSource;
    EXPECT_EQ(test::config_of(text), expected);
  }
}

TEST(LoadString, ReportsEveryErrorTogetherInFileOrder) {
  const auto errors = errors_of(
      "[jobs.sla-monitor]\n"             // 1
      "intervall = \"15m\"\n"            // 2
      "max_attempts = 0\n"               // 3
      "[daemon]\n"                       // 4
      "log_level = \"loud\"\n"           // 5
      "[database]\n"                     // 6
      "dsn = \"\"\n"                     // 7
      "[jobs.sla-monitor.recipients]\n"  // 8
      "high = [\"boss\"]\n");            // 9
  ASSERT_THAT(errors, SizeIs(5));
  EXPECT_EQ(errors[0], error_at(2, 1, "jobs.sla-monitor.intervall",
                                "unknown key \"intervall\" (did you mean \"interval\"?)"));
  EXPECT_EQ(errors[1],
            error_at(3, 16, "jobs.sla-monitor.max_attempts", "must be between 1 and 100, got 0"));
  EXPECT_EQ(errors[2].key, "daemon.log_level");
  EXPECT_EQ(errors[2].line, 5);
  EXPECT_EQ(errors[2].column, 13);
  EXPECT_EQ(errors[3], error_at(7, 7, "database.dsn", "must not be empty"));
  EXPECT_EQ(errors[4].key, "jobs.sla-monitor.recipients.high");
  EXPECT_EQ(errors[4].line, 9);
  EXPECT_EQ(errors[4].column, 9);
}

}  // namespace
}  // namespace ticketwatch::config
