#pragma once

#include <pqxx/pqxx>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace ticketwatch::db {

// One SQL file from src/db/migrations/, embedded in the binary at build time.
struct Migration {
  int version;
  std::string_view name;  // file name without extension, e.g. "0001_initial"
  std::string_view sql;
};

// In version order.
std::span<const Migration> migrations();
int latest_schema_version();

// 0 when ticketwatch.schema_migrations does not exist yet.
int current_schema_version(pqxx::connection& conn);

struct MigrateReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

// Applies every pending migration in one transaction under an advisory lock (concurrent callers
// wait, then find nothing to do). Idempotent.
MigrateReport migrate(pqxx::connection& conn);

// Thrown when the database schema is older than this binary needs.
class SchemaBehind : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Throws SchemaBehind ("... run `ticketwatchd migrate`") when current < latest.
void require_current_schema(pqxx::connection& conn);

}  // namespace ticketwatch::db
