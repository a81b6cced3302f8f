#include "test_database.hpp"

#include <gtest/gtest.h>

#include <future>
#include <optional>

namespace ticketwatch::testing {
namespace {

bool database_exists(const std::string& name) {
  TestDatabase observer;
  return observer.scalar<bool>("select exists (select from pg_database where datname = $1)", name);
}

TEST(TestDatabase, TwoDatabasesCreatedInParallelAreIsolatedAndDroppedAfterwards) {
  auto make = [](int value) {
    auto database = std::make_unique<TestDatabase>();
    database->exec("create table marker (value integer)");
    database->exec("insert into marker values (" + std::to_string(value) + ")");
    return database;
  };
  auto first_future = std::async(std::launch::async, make, 1);
  auto second_future = std::async(std::launch::async, make, 2);
  auto first = first_future.get();
  auto second = second_future.get();

  EXPECT_NE(first->name(), second->name());
  EXPECT_EQ(first->scalar<int>("select sum(value) from marker"), 1);
  EXPECT_EQ(second->scalar<int>("select sum(value) from marker"), 2);

  const std::string first_name = first->name();
  EXPECT_TRUE(database_exists(first_name));
  first.reset();
  EXPECT_FALSE(database_exists(first_name));
}

TEST(TestDatabase, DropsTheDatabaseEvenWithConnectionsLeftOpen) {
  std::optional<TestDatabase> database{std::in_place};
  const std::string name = database->name();
  auto left_open = database->connect();
  database.reset();
  EXPECT_FALSE(database_exists(name));
}

TEST(TestDatabase, StatementCountCountsOnlyTheCodeUnderTest) {
  TestDatabase database;
  EXPECT_EQ(database.statement_count(), 0);

  // The helper's own statements are not counted.
  database.exec("create table t (id integer)");
  EXPECT_EQ(database.scalar<long>("select count(*) from t"), 0);
  EXPECT_EQ(database.statement_count(), 0);

  auto conn = database.connect();
  for (int i = 0; i < 5; ++i) {
    scalar<long>(*conn, "select count(*) from t where id = $1", i);
  }
  const long long after_five = database.statement_count();
  EXPECT_EQ(after_five, 5);
  EXPECT_EQ(database.round_trip_count(), 5);
  // Reading the counter is not a statement of this database.
  EXPECT_EQ(database.statement_count(), after_five);
}

TEST(TestDatabase, StatementCountIncludesNestedStatementsButRoundTripsDoNot) {
  TestDatabase database;
  database.exec(
      "create function twice() returns integer language plpgsql as "
      "$$ begin perform 1; perform 2; return 3; end $$");
  auto conn = database.connect();
  scalar<int>(*conn, "select twice()");
  EXPECT_EQ(database.round_trip_count(), 1);
  EXPECT_EQ(database.statement_count(), 3);
}

TEST(TestDatabase, MigrateAppliesTheEmbeddedSchema) {
  TestDatabase database;
  database.migrate();
  EXPECT_EQ(database.scalar<bool>("select to_regclass('public.tickets') is not null"), true);
}

}  // namespace
}  // namespace ticketwatch::testing
