#include "ticketwatch/config/schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "load_helpers.hpp"

namespace ticketwatch::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string toml_setting(const KeyInfo& info, std::string_view value) {
  const std::size_t dot = info.key.rfind('.');
  return "[" + std::string(info.key.substr(0, dot)) + "]\n" +
         std::string(info.key.substr(dot + 1)) + " = " + std::string(value) + "\n";
}

TEST(KeySchema, EveryDocumentedDefaultLoadsAsTheBuiltInDefault) {
  Config defaults;
  defaults.source_path = test::kSource;
  for (const KeyInfo& info : key_schema()) {
    EXPECT_EQ(test::config_of(toml_setting(info, info.default_value)), defaults) << info.key;
  }
}

TEST(KeySchema, EveryKeyIsAcceptedByTheLoaderUnderItsDottedName) {
  // A value of the wrong type must draw a type error for that very key, never "unknown key".
  for (const KeyInfo& info : key_schema()) {
    const auto errors = test::errors_of(toml_setting(info, "{ wrong = 1 }"));
    ASSERT_EQ(errors.size(), 1u) << info.key;
    EXPECT_EQ(errors[0].key, info.key);
    EXPECT_THAT(errors[0].message, ::testing::StartsWith("expected ")) << info.key;
  }
}

TEST(KeySchema, DescribesEveryKeyOnceWithTypeDefaultAndReloadBehaviour) {
  std::set<std::string_view> seen;
  for (const KeyInfo& info : key_schema()) {
    EXPECT_TRUE(seen.insert(info.key).second) << "listed twice: " << info.key;
    EXPECT_FALSE(info.type.empty()) << info.key;
    EXPECT_FALSE(info.default_value.empty()) << info.key;
    EXPECT_FALSE(info.description.empty()) << info.key;
    EXPECT_TRUE(info.reload == kAppliedOnReload || info.reload == kRestartRequired) << info.key;
    EXPECT_EQ(find_key(info.key), &info);
  }
  EXPECT_EQ(find_key("jobs.sla-monitor.intervall"), nullptr);
  EXPECT_EQ(seen.size(), 34u);
}

TEST(KeySchema, OnlyTheListenersNeedARestart) {
  std::vector<std::string_view> restart;
  for (const KeyInfo& info : key_schema()) {
    if (info.reload == kRestartRequired) restart.push_back(info.key);
  }
  EXPECT_THAT(restart, ElementsAre("daemon.instance_name", "control.socket", "metrics.listen"));
}

TEST(KeysNeedingRestart, NamesChangedListenersAndInstanceNameAndNothingElse) {
  const Config running;
  Config loaded;
  loaded.sla_monitor.schedule.interval = std::chrono::minutes(1);
  loaded.database.dsn = "postgresql://db/other";
  loaded.daemon.log_level = "debug";
  EXPECT_THAT(keys_needing_restart(running, loaded), IsEmpty());
  loaded.metrics.listen = "";
  EXPECT_THAT(keys_needing_restart(running, loaded), ElementsAre("metrics.listen"));
  loaded.control.socket = "/run/other.sock";
  EXPECT_THAT(keys_needing_restart(running, loaded),
              ElementsAre("control.socket", "metrics.listen"));
  loaded.daemon.instance_name = "tw-b";
  EXPECT_THAT(keys_needing_restart(running, loaded),
              ElementsAre("daemon.instance_name", "control.socket", "metrics.listen"));
}

TEST(LoadString, ReadsEveryKeyIntoItsOwnField) {
  using namespace std::chrono_literals;
  const Config loaded = test::config_of(R"(
[daemon]
log_level = "debug"
shutdown_timeout = "45s"
instance_name = "tw-a"

[database]
dsn = "host=db dbname=helpdesk user=tw"
password_file = "/etc/ticketwatch/db.pass"
connect_timeout = "3s"
reconnect_backoff_min = "2s"
reconnect_backoff_max = "2m"

[helpdesk]
closed_statuses = ["done", "cancelled", "merged"]
priorities = ["p4", "p3", "p2", "p1", "p0"]

[control]
socket = "/run/tw/ctl.sock"

[metrics]
listen = "[::1]:9100"

[history]
retention = "90d"

[jobs.sla-monitor]
enabled = false
interval = "5m"
run_on_start = false
max_attempts = 5
retry_backoff = "2s"
retry_backoff_max = "1m"
timeout = "90s"
batch_size = 250
medium_threshold = 0.3
high_threshold = 0.05

[jobs.sla-monitor.recipients]
medium = ["assignee"]
high = ["assignee", "team_leader"]
breached = ["followers", "creator"]

[jobs.escalation-monitor]
enabled = false
interval = "10m"
run_on_start = false
max_attempts = 7
retry_backoff = "3s"
retry_backoff_max = "2m"
timeout = "100s"
batch_size = 750
)");
  Config expected;
  expected.source_path = test::kSource;
  expected.daemon = {"debug", 45s, "tw-a"};
  expected.database = {"host=db dbname=helpdesk user=tw", "/etc/ticketwatch/db.pass", 3s, 2s, 2min};
  expected.helpdesk = {{"done", "cancelled", "merged"}, {"p4", "p3", "p2", "p1", "p0"}};
  expected.control.socket = "/run/tw/ctl.sock";
  expected.metrics.listen = "[::1]:9100";
  expected.history.retention = 24h * 90;
  expected.sla_monitor.schedule = {false, 5min, false, 5, 2s, 1min, 90s, 250};
  expected.sla_monitor.medium_threshold = 0.3;
  expected.sla_monitor.high_threshold = 0.05;
  expected.sla_monitor.medium_recipients = {Role::assignee};
  expected.sla_monitor.high_recipients = {Role::assignee, Role::team_leader};
  expected.sla_monitor.breached_recipients = {Role::followers, Role::creator};
  expected.escalation_monitor.schedule = {false, 10min, false, 7, 3s, 2min, 100s, 750};
  EXPECT_EQ(loaded, expected);
}

}  // namespace
}  // namespace ticketwatch::config
