#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <fstream>
#include <sstream>

#include "test_database.hpp"
#include "ticketwatch/jobs/escalation_monitor.hpp"
#include "ticketwatch/jobs/rule_validation.hpp"

namespace ticketwatch::testing {
namespace {

using ::testing::ElementsAre;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The demo's rules (scripts/demo.d/30_escalation_rules.sql) on the demo's people and tickets:
// every rule is valid except the one that is malformed on purpose, a run reports exactly that
// one, and each valid active rule has something to do.
TEST(EscalationDemo, DemoRulesAreValidExceptTheOneMalformedOnPurposeAndEachFires) {
  TestDatabase db;
  db.migrate();
  for (const char* file : {"10_people.sql", "20_sla_tickets.sql", "30_escalation_rules.sql"}) {
    db.exec(read_file(std::string(TW_SOURCE_DIR) + "/scripts/demo.d/" + file));
  }
  auto conn = db.connect();
  const config::Config config;

  EXPECT_THAT(jobs::validate_rules(*conn, config),
              ElementsAre("rule 6 \"demo: malformed on purpose\": condition.overdue_minutes: "
                          "expected a non-negative integer, got \"ten\"",
                          "rule 6 \"demo: malformed on purpose\": actions[0].type: unknown action "
                          "type \"notfy\" (did you mean \"notify\"?)"));

  spdlog::logger log("escalation-monitor", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::stop_source stop;
  const auto summary = jobs::run_escalation_monitor({*conn, config, stop.get_token(), log});
  EXPECT_EQ(summary["rules_evaluated"], 5);
  EXPECT_EQ(summary["rules_invalid"], 1);
  EXPECT_EQ(summary["invalid_rules"][0]["id"], 6);
  for (const auto& [rule, executions] : summary["executions"].items()) {
    EXPECT_GT(executions.get<int>(), 0) << "demo rule " << rule << " matched no demo ticket";
  }
}

}  // namespace
}  // namespace ticketwatch::testing
