#include "test_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <stdexcept>

#include "ticketwatch/db/migrations.hpp"

namespace ticketwatch::testing {
namespace {

// An advisory lock key of the test harness itself (bytes "twtstext"), serialising the one-time
// cluster setup below.
constexpr long long kSetupLockKey = 0x7477747374657874;

// The role of the helper connection. pg_stat_statements keys its counters by role, so the
// statements a test runs through exec()/scalar()/migrate() are not counted against the code
// under test, which connects as `postgres`.
constexpr std::string_view kHelperRole = "tw_test_helper";

// Keyword/value quoting: single quotes around the value, backslash before ' and \.
std::string quote_value(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

// Unique across processes (pid) and within one (random bits), so parallel ctest runs and
// several databases in one test never collide.
std::string unique_database_name() {
  std::random_device random;
  std::uniform_int_distribution<unsigned long long> bits;
  std::ostringstream name;
  name << "tw_" << ::getpid() << '_' << std::hex << bits(random);
  return name.str();
}

}  // namespace

std::string cluster_host() {
  const char* host = std::getenv("TW_TEST_PG_HOST");
  if (host == nullptr || *host == '\0') {
    throw std::runtime_error(
        "TW_TEST_PG_HOST is not set: integration tests need the throwaway PostgreSQL cluster. Run "
        "them through ctest (the `pg` fixture starts it), or start one with "
        "`tests/support/pg_cluster start DIR` and export TW_TEST_PG_HOST=DIR/socket");
  }
  return host;
}

std::string cluster_dsn(std::string_view database) {
  return "host=" + quote_value(cluster_host()) + " dbname=" + quote_value(database) +
         " user=postgres";
}

void exec(pqxx::connection& conn, std::string_view sql) {
  pqxx::nontransaction tx{conn};
  tx.exec(std::string(sql));
}

TestDatabase::TestDatabase() : name_(unique_database_name()) {
  auto& conn = admin();
  {
    // Once per cluster; the lock makes concurrent first tests wait instead of colliding.
    pqxx::work tx{conn};
    tx.exec_params("select pg_advisory_xact_lock($1)", kSetupLockKey);
    tx.exec0("create extension if not exists pg_stat_statements");
    if (tx.exec_params("select 1 from pg_roles where rolname = $1", std::string(kHelperRole))
            .empty()) {
      tx.exec0("create role " + tx.quote_name(std::string(kHelperRole)) + " superuser login");
    }
    tx.commit();
  }
  // CREATE DATABASE cannot run inside a transaction block.
  testing::exec(conn, "create database " + conn.quote_name(name_));
  try {
    // Some tests query pg_stat_statements from inside their own database.
    testing::exec(helper(), "create extension pg_stat_statements");
    // Counting starts at zero for the code under test.
    testing::scalar<std::string>(conn,
                                 "select pg_stat_statements_reset(0, oid, 0)::text "
                                 "from pg_database where datname = $1",
                                 name_);
  } catch (...) {
    // No destructor runs for a half-built object: drop the database here or it leaks.
    helper_.reset();
    try {
      testing::exec(conn, "drop database if exists " + conn.quote_name(name_) + " with (force)");
    } catch (const std::exception& error) {
      ADD_FAILURE() << "dropping half-created test database " << name_
                    << " failed: " << error.what();
    }
    throw;
  }
}

TestDatabase::~TestDatabase() {
  try {
    helper_.reset();
    auto& conn = admin();
    // Forget this database's counters so a long run never fills pg_stat_statements.max and
    // evicts the entries of databases still in use.
    testing::scalar<std::string>(
        conn,
        "select pg_stat_statements_reset(0, oid, 0)::text from pg_database "
        "where datname = $1",
        name_);
    // FORCE terminates connections a test left open (e.g. a job's session still pooled).
    testing::exec(conn, "drop database if exists " + conn.quote_name(name_) + " with (force)");
  } catch (const std::exception& error) {
    ADD_FAILURE() << "dropping test database " << name_ << " failed: " << error.what();
  }
}

std::string TestDatabase::dsn() const {
  return cluster_dsn(name_);
}

std::unique_ptr<pqxx::connection> TestDatabase::connect() const {
  return std::make_unique<pqxx::connection>(dsn());
}

std::string TestDatabase::helper_dsn() const {
  return "host=" + quote_value(cluster_host()) + " dbname=" + quote_value(name_) +
         " user=" + quote_value(kHelperRole);
}

void TestDatabase::migrate() {
  db::migrate(helper());
}

long long TestDatabase::statement_count() {
  return testing::scalar<long long>(admin(),
                                    "select coalesce(sum(s.calls), 0)::bigint "
                                    "from pg_stat_statements s "
                                    "join pg_database d on d.oid = s.dbid "
                                    "where d.datname = $1 and s.userid = 'postgres'::regrole",
                                    name_);
}

long long TestDatabase::round_trip_count() {
  return testing::scalar<long long>(admin(),
                                    "select coalesce(sum(s.calls), 0)::bigint "
                                    "from pg_stat_statements s "
                                    "join pg_database d on d.oid = s.dbid "
                                    "where d.datname = $1 and s.userid = 'postgres'::regrole "
                                    "and s.toplevel",
                                    name_);
}

void TestDatabase::exec(std::string_view sql) {
  testing::exec(helper(), sql);
}

pqxx::connection& TestDatabase::helper() {
  if (!helper_ || !helper_->is_open()) {
    helper_ = std::make_unique<pqxx::connection>(helper_dsn());
  }
  return *helper_;
}

pqxx::connection& TestDatabase::admin() {
  if (!admin_ || !admin_->is_open()) {
    admin_ = std::make_unique<pqxx::connection>(cluster_dsn("postgres"));
  }
  return *admin_;
}

}  // namespace ticketwatch::testing
