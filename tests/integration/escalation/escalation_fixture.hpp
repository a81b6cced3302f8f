#pragma once

// Shared set-up for the escalation-monitor integration tests: a fresh migrated database per
// test with the demo's people (users 1-8, user 8 inactive; team 1 led by user 1, team 2 by
// user 2), helpers to add tickets and rules, and readers for what a run wrote.

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <stop_token>
#include <string>
#include <vector>

#include "test_database.hpp"
#include "ticketwatch/config/config.hpp"

namespace ticketwatch::testing {

// The instant the job sees as "now" in tests that freeze the database clock.
inline constexpr const char* kFrozenNow = "2030-01-01 12:00:00+00";
// The actions of most rules in these tests.
inline constexpr const char* kNotifyAssignee = R"([{"type": "notify", "to": ["assignee"]}])";

// A ticket relative to the reference instant (kFrozenNow when frozen, else the real now()).
// Minutes are "ago" (positive: in the past); sla_due_in is "from now" (negative: overdue).
struct TicketSpec {
  std::string status = "open";
  std::string priority = "medium";
  std::optional<std::int64_t> creator = 3;
  std::optional<std::int64_t> assignee = 4;
  std::optional<std::int64_t> team = 1;
  double created_minutes_ago = 600;
  double status_minutes_ago = 600;
  bool responded = true;
  std::optional<double> sla_due_in = std::nullopt;
  std::optional<int> rating = std::nullopt;
};

class EscalationTest : public ::testing::Test {
 protected:
  EscalationTest();
  ~EscalationTest() override;

  // The job's connection sees `now()` = kFrozenNow (a function earlier on its search_path;
  // column defaults keep the real clock). Tickets added afterwards are placed around it.
  void freeze_clock();

  std::int64_t add_ticket(const TicketSpec& spec);
  std::int64_t add_rule(const std::string& name, const std::string& condition_type,
                        const std::string& condition, const std::string& actions, int position = 0,
                        bool active = true);

  // One run of the job on the test's connection, as the daemon would call it.
  nlohmann::json run();
  nlohmann::json run_on(pqxx::connection& conn);

  // Reads through the harness's helper connection (not counted by statement_count()).
  std::vector<nlohmann::json> history(std::int64_t ticket);  // escalation_executed details
  std::vector<std::int64_t> notified(std::int64_t ticket);   // user ids, sorted
  nlohmann::json notifications(std::int64_t ticket);         // rows as objects
  nlohmann::json ticket(std::int64_t id);                    // the row as an object
  long long count(const std::string& sql);
  std::string log_text() const { return log_stream_.str(); }

  // A new connection for the job (same clock as the test's).
  std::unique_ptr<pqxx::connection> job_connection();

  TestDatabase db_;
  config::Config config_;
  std::unique_ptr<pqxx::connection> conn_;
  std::stop_source stop_;

 private:
  std::string reference_now();

  bool frozen_ = false;
  std::ostringstream log_stream_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace ticketwatch::testing
