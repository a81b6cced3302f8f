#include "ticketwatch/db/migrations.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>

#include "test_database.hpp"

namespace ticketwatch::db {
namespace {

using testing::TestDatabase;

// The tables and columns DESIGN.md "Database contract" requires, schema-qualified.
const std::map<std::string, std::set<std::string>>& required_columns() {
  static const std::map<std::string, std::set<std::string>> kColumns{
      {"public.users", {"id", "name", "email", "active"}},
      {"public.teams", {"id", "name", "leader_id"}},
      {"public.tickets",
       {"id", "title", "status", "priority", "creator_id", "assignee_id", "team_id", "created_at",
        "updated_at", "status_changed_at", "first_response_at", "sla_started_at", "sla_due_at",
        "customer_rating"}},
      {"public.ticket_followers", {"ticket_id", "user_id"}},
      {"public.escalation_rules",
       {"id", "name", "active", "position", "condition_type", "condition", "actions", "created_at",
        "updated_at"}},
      {"public.notifications",
       {"id", "user_id", "ticket_id", "kind", "title", "body", "data", "created_at", "read_at"}},
      {"public.ticket_history", {"id", "ticket_id", "actor_id", "action", "details", "created_at"}},
      {"ticketwatch.schema_migrations", {"version", "name", "applied_at"}},
      {"ticketwatch.job_runs",
       {"id", "job", "instance", "trigger", "started_at", "finished_at", "status", "attempts",
        "error", "summary"}},
  };
  return kColumns;
}

std::set<std::string> columns_of(pqxx::connection& conn, const std::string& table) {
  pqxx::nontransaction tx{conn};
  std::set<std::string> columns;
  for (const auto& row : tx.exec_params("select column_name from information_schema.columns "
                                        "where table_schema || '.' || table_name = $1",
                                        table)) {
    columns.insert(row[0].as<std::string>());
  }
  return columns;
}

int recorded_versions(TestDatabase& database) {
  return database.scalar<int>("select count(*) from ticketwatch.schema_migrations");
}

TEST(Migrate, OnAnEmptyDatabaseCreatesEveryTableOfTheDesignWithItsColumns) {
  TestDatabase database;
  auto conn = database.connect();
  const auto report = migrate(*conn);
  EXPECT_EQ(report.from_version, 0);
  EXPECT_EQ(report.to_version, latest_schema_version());
  EXPECT_EQ(static_cast<int>(report.applied.size()), static_cast<int>(migrations().size()));

  for (const auto& [table, required] : required_columns()) {
    const auto actual = columns_of(*conn, table);
    for (const auto& column : required) {
      EXPECT_TRUE(actual.contains(column)) << table << " lacks column " << column;
    }
  }
  EXPECT_EQ(current_schema_version(*conn), latest_schema_version());
}

// With peer authentication the role is the service user, ticketwatch, and the default search_path
// "$user", public resolves to our own schema once migrate has created it. The application's tables
// must still go to public (found by the system test in a Debian 12 VM, docs/install.md's setup).
TEST(Migrate, ARoleNamedTicketwatchStillGetsTheHelpdeskTablesInPublic) {
  TestDatabase database;
  // Roles are cluster-wide and only this test uses this one: created once per cluster.
  testing::exec(*database.connect(),
                "do $$ begin if not exists (select 1 from pg_roles where rolname = 'ticketwatch') "
                "then create role ticketwatch login superuser; end if; end $$");
  pqxx::connection conn(database.dsn() + " user=ticketwatch");
  ASSERT_EQ(testing::scalar<std::string>(conn, "select current_user"), "ticketwatch");

  migrate(conn);
  for (const auto& [table, columns] : required_columns()) {
    EXPECT_EQ(columns_of(conn, table), columns) << table;
  }
  EXPECT_EQ(
      testing::scalar<long>(conn,
                            "select count(*) from information_schema.tables "
                            "where table_schema = 'ticketwatch' and table_name in "
                            "('users', 'teams', 'tickets', 'notifications', 'ticket_history')"),
      0);
  // The jobs' unqualified names reach the helpdesk tables on the same default search_path.
  EXPECT_EQ(testing::scalar<long>(conn, "select count(*) from tickets"), 0);
}

TEST(Migrate, RecordsEachAppliedVersionWithItsName) {
  TestDatabase database;
  auto conn = database.connect();
  migrate(*conn);
  pqxx::nontransaction tx{*conn};
  const auto rows = tx.exec("select version, name from ticketwatch.schema_migrations order by 1");
  ASSERT_EQ(rows.size(), migrations().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0].as<int>(), migrations()[i].version);
    EXPECT_EQ(rows[i][1].as<std::string>(), migrations()[i].name);
  }
}

TEST(Migrate, RunTwiceAppliesNothingTheSecondTime) {
  TestDatabase database;
  auto conn = database.connect();
  migrate(*conn);
  const auto second = migrate(*conn);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(second.from_version, latest_schema_version());
  EXPECT_EQ(second.to_version, latest_schema_version());
  EXPECT_EQ(recorded_versions(database), static_cast<int>(migrations().size()));
}

TEST(Migrate, ConcurrentCallersSerialiseAndEachVersionIsAppliedOnce) {
  TestDatabase database;
  // The first migration holds the lock long enough for the second caller to arrive and wait.
  const Migration slow[] = {
      {1, "0001_slow", "select pg_sleep(0.5); create table counted (id integer);"},
      {2, "0002_more", "insert into counted values (1);"},
  };
  auto run = [&database, &slow] {
    auto conn = database.connect();
    return migrate(*conn, slow);
  };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  const auto a = first.get();
  const auto b = second.get();

  EXPECT_EQ(a.applied.size() + b.applied.size(), 2u);
  EXPECT_TRUE(a.applied.empty() || b.applied.empty()) << "both callers applied migrations";
  EXPECT_EQ(recorded_versions(database), 2);
  EXPECT_EQ(database.scalar<int>("select count(*) from counted"), 1);
}

TEST(Migrate, AFailingMigrationRollsBackEverythingAndNamesTheMigration) {
  TestDatabase database;
  const Migration list[] = {
      {1, "0001_fine", "create table first_table (id integer);"},
      {2, "0002_broken", "create table second_table (id integer); select 1 / 0;"},
  };
  auto conn = database.connect();
  try {
    migrate(*conn, list);
    FAIL() << "a failing migration was reported as applied";
  } catch (const MigrationFailed& error) {
    EXPECT_NE(std::string(error.what()).find("0002_broken"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("division by zero"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(database.scalar<bool>("select to_regclass('first_table') is not null"));
  EXPECT_FALSE(database.scalar<bool>("select to_regclass('second_table') is not null"));
  EXPECT_FALSE(database.scalar<bool>("select to_regnamespace('ticketwatch') is not null"));
  EXPECT_EQ(current_schema_version(*conn), 0);
}

TEST(Migrate, AFailureAfterEarlierRunsKeepsTheDatabaseAtItsPreviousVersion) {
  TestDatabase database;
  const Migration first[] = {{1, "0001_a", "create table a (id integer);"}};
  const Migration later[] = {
      {1, "0001_a", "create table a (id integer);"},
      {2, "0002_b", "create table b (id integer);"},
      {3, "0003_broken", "alter table no_such_table add column x integer;"},
  };
  auto conn = database.connect();
  migrate(*conn, first);
  EXPECT_THROW(migrate(*conn, later), MigrationFailed);
  EXPECT_EQ(current_schema_version(*conn), 1);
  EXPECT_FALSE(database.scalar<bool>("select to_regclass('b') is not null"));
  // The connection is usable again after the rolled-back transaction.
  EXPECT_EQ(current_schema_version(*conn), 1);
}

TEST(Migrate, AppliesAMissingLowerVersionMergedAfterAHigherOne) {
  TestDatabase database;
  const Migration without_two[] = {{1, "0001_a", "create table a (id integer);"},
                                   {3, "0003_c", "create table c (id integer);"}};
  const Migration with_two[] = {{1, "0001_a", "create table a (id integer);"},
                                {2, "0002_b", "create table b (id integer);"},
                                {3, "0003_c", "create table c (id integer);"}};
  auto conn = database.connect();
  migrate(*conn, without_two);
  const auto report = migrate(*conn, with_two);
  EXPECT_EQ(report.applied, std::vector<int>{2});
  EXPECT_TRUE(database.scalar<bool>("select to_regclass('b') is not null"));
}

TEST(Migrate, RefusesADatabaseNewerThanTheBinary) {
  TestDatabase database;
  auto conn = database.connect();
  migrate(*conn);
  database.exec("insert into ticketwatch.schema_migrations (version, name) values (" +
                std::to_string(latest_schema_version() + 1) + ", 'from_the_future')");
  EXPECT_THROW(migrate(*conn), SchemaAhead);
}

TEST(Migrate, RejectsAListOutOfVersionOrder) {
  TestDatabase database;
  const Migration list[] = {{2, "0002_b", "select 1;"}, {1, "0001_a", "select 1;"}};
  auto conn = database.connect();
  EXPECT_THROW(migrate(*conn, list), std::logic_error);
}

TEST(EmbeddedMigrations, StartAtTheInitialSchemaAndAreInVersionOrder) {
  ASSERT_FALSE(migrations().empty());
  EXPECT_EQ(migrations().front().version, 1);
  EXPECT_EQ(migrations().front().name, "0001_initial");
  EXPECT_NE(migrations().front().sql.find("create table if not exists tickets"),
            std::string_view::npos);
  for (std::size_t i = 1; i < migrations().size(); ++i) {
    EXPECT_LT(migrations()[i - 1].version, migrations()[i].version);
  }
  EXPECT_EQ(latest_schema_version(), migrations().back().version);
}

TEST(CurrentSchemaVersion, IsZeroForADatabaseNeverMigrated) {
  TestDatabase database;
  auto conn = database.connect();
  EXPECT_EQ(current_schema_version(*conn), 0);
}

TEST(RequireCurrentSchema, ThrowsWithTheFixCommandWhenTheDatabaseIsBehind) {
  TestDatabase database;
  auto conn = database.connect();
  try {
    require_current_schema(*conn, "/etc/ticketwatch/ticketwatch.toml");
    FAIL() << "an unmigrated database was accepted";
  } catch (const SchemaBehind& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("at version 0"), std::string::npos) << what;
    EXPECT_NE(what.find("needs version " + std::to_string(latest_schema_version())),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("ticketwatchd migrate --config /etc/ticketwatch/ticketwatch.toml"),
              std::string::npos)
        << what;
  }
}

TEST(RequireCurrentSchema, ThrowsWhenTheDatabaseIsAheadOfTheBinary) {
  TestDatabase database;
  auto conn = database.connect();
  migrate(*conn);
  database.exec("insert into ticketwatch.schema_migrations (version, name) values (" +
                std::to_string(latest_schema_version() + 1) + ", 'from_the_future')");
  try {
    require_current_schema(*conn);
    FAIL() << "a newer database was accepted";
  } catch (const SchemaAhead& error) {
    EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
  }
  // Both directions can be handled as one.
  EXPECT_THROW(require_current_schema(*conn), SchemaMismatch);
}

TEST(RequireCurrentSchema, AcceptsAMigratedDatabase) {
  TestDatabase database;
  auto conn = database.connect();
  migrate(*conn);
  EXPECT_NO_THROW(require_current_schema(*conn));
}

}  // namespace
}  // namespace ticketwatch::db
