#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

namespace ticketwatch::testing {

// The socket directory of the throwaway cluster started by the ctest fixture `pg`
// (TW_TEST_PG_HOST). Throws with instructions when unset, which fails the calling test.
std::string cluster_host();

// A libpq keyword/value DSN for a database in the test cluster, as superuser `postgres`.
std::string cluster_dsn(std::string_view database);

// Runs one statement outside any explicit transaction and returns the first column of its only
// row, e.g. scalar<long>(conn, "select count(*) from tickets where team_id = $1", 7).
template <typename T = std::string, typename... Args>
T scalar(pqxx::connection& conn, std::string_view sql, Args&&... args) {
  pqxx::nontransaction tx{conn};
  return tx.exec_params1(std::string(sql), std::forward<Args>(args)...)[0].template as<T>();
}

// Runs SQL text (several statements allowed) outside any explicit transaction.
void exec(pqxx::connection& conn, std::string_view sql);

// A fresh, uniquely named database in the test cluster, dropped again on destruction, so each
// test owns its data and tests may run in parallel and in any order.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string dsn() const;
  // A new connection of the caller's own.
  std::unique_ptr<pqxx::connection> connect() const;
  // Applies the migrations embedded in the binary (db::migrate).
  void migrate();

  // Statements executed in this database by connections from dsn()/connect() since it was
  // created, per pg_stat_statements (nested statements in functions included; those run through
  // exec()/scalar()/migrate() and the counting query itself excluded). Compare two readings to
  // prove that a job's round-trips do not grow with the number of tickets.
  long long statement_count();
  // The same, top-level statements only: the round-trips the code under test made.
  long long round_trip_count();

  // Shortcuts on a connection kept by this object.
  void exec(std::string_view sql);
  template <typename T = std::string, typename... Args>
  T scalar(std::string_view sql, Args&&... args) {
    return testing::scalar<T>(helper(), sql, std::forward<Args>(args)...);
  }

 private:
  std::string helper_dsn() const;
  pqxx::connection& helper();
  pqxx::connection& admin();

  std::string name_;
  // Connected to the `postgres` database: creates and drops this one and reads the statement
  // counters, so its own statements are never counted against this database.
  std::unique_ptr<pqxx::connection> admin_;
  std::unique_ptr<pqxx::connection> helper_;
};

}  // namespace ticketwatch::testing
