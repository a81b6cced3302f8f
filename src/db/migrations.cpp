#include "ticketwatch/db/migrations.hpp"

#include <fmt/format.h>

#include <set>
#include <string>

#include "embedded_migrations.hpp"

namespace ticketwatch::db {
namespace {

void require_sorted(std::span<const Migration> list) {
  for (std::size_t i = 1; i < list.size(); ++i) {
    if (list[i].version <= list[i - 1].version) {
      throw std::logic_error(
          fmt::format("migrations out of order: {} after {}", list[i].name, list[i - 1].name));
    }
  }
}

int latest_of(std::span<const Migration> list) {
  return list.empty() ? 0 : list.back().version;
}

// The bookkeeping lives in our own schema, created before any migration so that migrations can
// put their tables there.
void create_bookkeeping(pqxx::work& tx) {
  tx.exec0("create schema if not exists ticketwatch");
  tx.exec0(
      "create table if not exists ticketwatch.schema_migrations ("
      "  version    integer primary key,"
      "  name       text not null,"
      "  applied_at timestamptz not null default now())");
}

std::string quoted_config(std::string_view config_path) {
  return config_path.empty() ? std::string("PATH") : std::string(config_path);
}

}  // namespace

std::span<const Migration> migrations() {
  return detail::embedded_migrations();
}

int latest_schema_version() {
  return latest_of(migrations());
}

int current_schema_version(pqxx::connection& conn) {
  pqxx::read_transaction tx{conn, "schema_version"};
  // to_regclass is null (not an error) when the table does not exist: a database never migrated.
  if (tx.exec1("select to_regclass('ticketwatch.schema_migrations') is not null")[0].as<bool>()) {
    return tx.exec1("select coalesce(max(version), 0) from ticketwatch.schema_migrations")[0]
        .as<int>();
  }
  return 0;
}

MigrateReport migrate(pqxx::connection& conn) {
  return migrate(conn, migrations());
}

MigrateReport migrate(pqxx::connection& conn, std::span<const Migration> list) {
  require_sorted(list);
  pqxx::work tx{conn, "migrate"};
  // Taken before anything else, even the bookkeeping DDL: two concurrent "create ... if not
  // exists" can otherwise both pass the check and one fail on the catalog's unique index.
  tx.exec_params("select pg_advisory_xact_lock($1)", kMigrationLockKey);
  // A migration may rewrite a large table; a role-level statement_timeout must not cut it off.
  tx.exec0("set local statement_timeout = 0");
  create_bookkeeping(tx);
  // The helpdesk tables are created unqualified, in the role's current schema. For a role named
  // ticketwatch (peer authentication as the service user, docs/install.md) the default search_path
  // "$user", public now resolves to our own schema, which would take the application's tables
  // into it (and DROP SCHEMA ticketwatch would take them away): put them where any other role's
  // would go. A search_path set on purpose (an application schema) is left alone.
  tx.exec0(
      "do $$ begin if current_schema() = 'ticketwatch' then"
      " perform set_config('search_path', 'public', true); end if; end $$");

  std::set<int> applied_versions;
  for (const auto& row : tx.exec("select version from ticketwatch.schema_migrations")) {
    applied_versions.insert(row[0].as<int>());
  }
  MigrateReport report;
  report.from_version = applied_versions.empty() ? 0 : *applied_versions.rbegin();
  if (report.from_version > latest_of(list)) {
    throw SchemaAhead(fmt::format(
        "the database schema is at version {}, newer than this binary knows (version {}); "
        "upgrade ticketwatchd instead of migrating",
        report.from_version, latest_of(list)));
  }

  // Every missing version, in order: a lower-numbered migration merged after a higher one was
  // applied on some database still gets applied there.
  for (const auto& migration : list) {
    if (applied_versions.contains(migration.version)) continue;
    try {
      tx.exec(std::string(migration.sql), std::string(migration.name));
    } catch (const pqxx::sql_error& error) {
      throw MigrationFailed(fmt::format("migration {} failed, nothing was applied: {}",
                                        migration.name, error.what()));
    }
    tx.exec_params0("insert into ticketwatch.schema_migrations (version, name) values ($1, $2)",
                    migration.version, std::string(migration.name));
    report.applied.push_back(migration.version);
  }
  tx.commit();
  report.to_version = std::max(report.from_version, latest_of(list));
  return report;
}

void require_current_schema(pqxx::connection& conn, std::string_view config_path) {
  const int current = current_schema_version(conn);
  const int latest = latest_schema_version();
  if (current < latest) {
    throw SchemaBehind(
        fmt::format("the database schema is at version {}, this ticketwatchd needs version {}; "
                    "run `ticketwatchd migrate --config {}` to bring it up to date",
                    current, latest, quoted_config(config_path)));
  }
  if (current > latest) {
    throw SchemaAhead(fmt::format(
        "the database schema is at version {}, newer than this ticketwatchd knows (version {}); "
        "upgrade ticketwatchd on this host",
        current, latest));
  }
}

}  // namespace ticketwatch::db
