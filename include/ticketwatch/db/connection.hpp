#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::db {

struct ConnectionSettings {
  std::string dsn;
  std::string password;  // applied as a separate libpq parameter, never logged
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::string application_name = "ticketwatchd";
};

// Reads the password from password_file or $CREDENTIALS_DIRECTORY/db-password when set.
ConnectionSettings settings_from(const config::DatabaseConfig& database);

// The DSN with any password replaced by "***", safe for logs and error messages.
std::string redact_dsn(std::string_view dsn);
// Any text (an exception message) with the given secret replaced by "***".
std::string redact(std::string text, std::string_view secret);

// One job's connection. Connects lazily, replaces a broken connection on the next use, and can be
// pointed at a new DSN (reload). Used from one worker thread at a time.
//
// Take connection() afresh for each attempt rather than keeping the reference across a
// pqxx::broken_connection: libpqxx 6 itself may PQreset a broken connection on a later exec (even
// with reactivation inhibited), silently dropping session state. So never rely on session-level
// state (advisory locks, SET) outliving a broken_connection; re-take it on every attempt.
class Session {
 public:
  explicit Session(ConnectionSettings settings);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The live connection, (re)connecting first if needed: also when the server closed the idle
  // connection (restart, failover, terminated backend), which it notices without a round trip.
  // Throws pqxx::broken_connection.
  pqxx::connection& connection();
  // Drops the connection (after an error that leaves it in doubt); the next use reconnects.
  void reset();
  // Takes effect at the next connect; drops the current connection when the DSN changed.
  void update_settings(ConnectionSettings settings);
  bool connected() const;

 private:
  ConnectionSettings settings_;
  std::unique_ptr<pqxx::connection> conn_;
};

// Capped exponential backoff: min, 2·min, 4·min, ... up to max.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max) : min_(min), max_(max) {}
  std::chrono::milliseconds next();
  void reset() { failures_ = 0; }

 private:
  std::chrono::milliseconds min_, max_;
  int failures_ = 0;
};

}  // namespace ticketwatch::db
