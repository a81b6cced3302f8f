#pragma once

#include <cstdint>
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

// The transaction-scoped advisory lock every migrate() takes before touching the schema, so
// concurrent callers (two instances starting, an operator running `migrate` twice) serialise.
// The bytes spell "twmigrat"; job locks must use other keys.
inline constexpr std::int64_t kMigrationLockKey = 0x74776d6967726174;

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
// wait, then find nothing to do). Idempotent. Throws SchemaAhead when the database already has a
// version this binary does not know, MigrationFailed (nothing applied) when a migration's SQL
// fails.
MigrateReport migrate(pqxx::connection& conn);
// The same with an explicit list (sorted by version, versions unique), for tests of the mechanism.
MigrateReport migrate(pqxx::connection& conn, std::span<const Migration> list);

// A migration's SQL failed; the whole migrate() was rolled back.
class MigrationFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database schema is not the one this binary was built for; jobs must not run. Catch this
// to handle both directions.
class SchemaMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Thrown when the database schema is older than this binary needs.
class SchemaBehind : public SchemaMismatch {
 public:
  using SchemaMismatch::SchemaMismatch;
};
// Thrown when the database schema is newer than this binary knows (an older binary after an
// upgrade elsewhere): running its jobs against it could do damage.
class SchemaAhead : public SchemaMismatch {
 public:
  using SchemaMismatch::SchemaMismatch;
};

// Throws SchemaBehind ("... run `ticketwatchd migrate --config PATH`") when current < latest, and
// SchemaAhead when current > latest. config_path is the file the daemon was started with, quoted
// in the fix command; empty leaves a PATH placeholder.
void require_current_schema(pqxx::connection& conn, std::string_view config_path = {});

}  // namespace ticketwatch::db
