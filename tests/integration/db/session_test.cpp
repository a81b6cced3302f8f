#include <gtest/gtest.h>

#include "test_database.hpp"
#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {
namespace {

using testing::scalar;
using testing::TestDatabase;

ConnectionSettings settings_for(const TestDatabase& database) {
  ConnectionSettings settings;
  settings.dsn = database.dsn();
  return settings;
}

// The socket directory percent-encoded for a URI host.
std::string uri_host(const std::string& path) {
  std::string encoded;
  for (char c : path) {
    if (c == '/') {
      encoded += "%2F";
    } else {
      encoded += c;
    }
  }
  return encoded;
}

TEST(Session, ConnectsLazilyOnFirstUse) {
  ConnectionSettings settings;
  settings.dsn = "host=/nonexistent/socket/dir dbname=x";
  Session session(settings);  // does not throw: nothing connects yet
  EXPECT_FALSE(session.connected());
  EXPECT_THROW(session.connection(), pqxx::broken_connection);
  EXPECT_FALSE(session.connected());
}

TEST(Session, ConnectsWithAKeywordDsnAndNamesItselfToTheServer) {
  TestDatabase database;
  Session session(settings_for(database));
  EXPECT_EQ(scalar<std::string>(session.connection(), "select current_database()"),
            database.name());
  EXPECT_EQ(scalar<std::string>(session.connection(), "show application_name"), "ticketwatchd");
  EXPECT_TRUE(session.connected());
}

TEST(Session, ConnectsWithAUriDsn) {
  TestDatabase database;
  ConnectionSettings settings;
  settings.dsn = "postgresql://postgres@" + uri_host(testing::cluster_host()) + "/" +
                 database.name() + "?application_name=from_uri";
  Session session(settings);
  EXPECT_EQ(scalar<std::string>(session.connection(), "select current_database()"),
            database.name());
  EXPECT_EQ(scalar<std::string>(session.connection(), "show application_name"), "from_uri");
}

// A backend that dies while the connection is idle (restart, failover, terminated) left its
// goodbye on the socket: the next use notices it without a round trip and connects afresh, so the
// caller never sees the break.
TEST(Session, ReplacesAConnectionWhoseBackendDiedWhileIdle) {
  TestDatabase database;
  Session session(settings_for(database));
  const int first_pid = session.connection().backendpid();
  EXPECT_TRUE(database.scalar<bool>("select pg_terminate_backend($1, 10000)", first_pid));

  EXPECT_EQ(scalar<int>(session.connection(), "select 1"), 1);
  EXPECT_NE(session.connection().backendpid(), first_pid);
}

// A break during a statement is reported to the caller, who decides whether to retry; the next
// use connects afresh.
TEST(Session, ReportsABreakDuringAStatementAndReconnectsOnTheNextUse) {
  TestDatabase database;
  Session session(settings_for(database));
  const int first_pid = session.connection().backendpid();

  EXPECT_THROW(scalar<bool>(session.connection(), "select pg_terminate_backend(pg_backend_pid())"),
               pqxx::broken_connection);
  EXPECT_FALSE(session.connected());
  EXPECT_EQ(scalar<int>(session.connection(), "select 1"), 1);
  EXPECT_NE(session.connection().backendpid(), first_pid);
}

TEST(Session, BadDsnThrowsBrokenConnectionWithoutTheDsnPassword) {
  ConnectionSettings settings;
  // libpq quotes a malformed URI in its message; the password must not reach the caller.
  settings.dsn = "postgresql://postgres:secret123@[::1/helpdesk";
  Session session(settings);
  try {
    session.connection();
    FAIL() << "connected with a malformed DSN";
  } catch (const pqxx::broken_connection& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.find("secret123"), std::string::npos) << what;
    EXPECT_NE(what.find("***"), std::string::npos) << what;
  }
}

TEST(Session, UnreachableServerErrorNamesNeitherPassword) {
  ConnectionSettings settings;
  settings.dsn = "host=/nonexistent/socket/dir dbname=x password=secret123";
  settings.password = "hunter2";
  Session session(settings);
  try {
    session.connection();
    FAIL() << "connected to a socket that does not exist";
  } catch (const pqxx::broken_connection& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.find("secret123"), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    EXPECT_NE(what.find("/nonexistent/socket/dir"), std::string::npos) << what;
  }
}

TEST(Session, ResetDropsTheConnectionAndTheNextUseReconnects) {
  TestDatabase database;
  Session session(settings_for(database));
  const int first_pid = session.connection().backendpid();
  session.reset();
  EXPECT_FALSE(session.connected());
  EXPECT_NE(session.connection().backendpid(), first_pid);
}

TEST(Session, UpdateSettingsWithANewDsnMovesToTheNewDatabase) {
  TestDatabase first;
  TestDatabase second;
  Session session(settings_for(first));
  session.connection();
  session.update_settings(settings_for(second));
  EXPECT_FALSE(session.connected());
  EXPECT_EQ(scalar<std::string>(session.connection(), "select current_database()"), second.name());
}

TEST(Session, UpdateSettingsWithTheSameSettingsKeepsTheConnection) {
  TestDatabase database;
  Session session(settings_for(database));
  const int pid = session.connection().backendpid();
  session.update_settings(settings_for(database));
  EXPECT_TRUE(session.connected());
  EXPECT_EQ(session.connection().backendpid(), pid);
}

}  // namespace
}  // namespace ticketwatch::db
