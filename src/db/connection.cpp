#include "ticketwatch/db/connection.hpp"

#include <poll.h>

#include <algorithm>

#include "ticketwatch/db/conninfo.hpp"

namespace ticketwatch::db {
namespace {

// Whatever went wrong while connecting surfaces as broken_connection, the type the callers retry
// on, with the DSN's and the setting's passwords masked: libpq quotes URIs in its messages.
[[noreturn]] void rethrow_redacted(const std::exception& error,
                                   const ConnectionSettings& settings) {
  throw pqxx::broken_connection(redact(redact_dsn(error.what()), settings.password));
}

std::unique_ptr<pqxx::connection> open(const ConnectionSettings& settings) {
  const std::string conninfo = connection_string(settings);
  try {
    return std::make_unique<pqxx::connection>(conninfo);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& error) {
    rethrow_redacted(error, settings);
  }
}

// Whether the server still has this connection. A server that restarted, failed over or ended
// the session while the connection sat idle left its goodbye on the socket: a notice, then the end
// of the stream. Reading what is there (no round trip) finds out before the next statement fails
// on it, so the first attempt after a database restart does not fail. get_notifs() is libpqxx's
// public way to consume input; it reads once per call, and the notice and the end of the stream
// may take a read each.
bool still_connected(pqxx::connection& conn) {
  for (int reads = 0; reads < 4 && conn.is_open(); ++reads) {
    pollfd waiting{conn.sock(), POLLIN, 0};
    if (::poll(&waiting, 1, 0) <= 0) break;  // nothing to read: as alive as can be told
    try {
      conn.get_notifs();
    } catch (const pqxx::broken_connection&) {
      return false;
    }
  }
  return conn.is_open();
}

bool same_target(const ConnectionSettings& a, const ConnectionSettings& b) {
  return a.dsn == b.dsn && a.password == b.password && a.connect_timeout == b.connect_timeout &&
         a.application_name == b.application_name;
}

}  // namespace

Session::Session(ConnectionSettings settings) : settings_(std::move(settings)) {}

pqxx::connection& Session::connection() {
  if (conn_ && !still_connected(*conn_)) conn_.reset();
  if (!conn_) conn_ = open(settings_);
  return *conn_;
}

void Session::reset() {
  conn_.reset();
}

void Session::update_settings(ConnectionSettings settings) {
  if (!same_target(settings, settings_)) conn_.reset();
  settings_ = std::move(settings);
}

bool Session::connected() const {
  return conn_ && conn_->is_open();
}

std::chrono::milliseconds Backoff::next() {
  auto delay = std::max(min_, std::chrono::milliseconds::zero());
  for (int i = 0; i < failures_ && delay < max_; ++i) delay *= 2;
  delay = std::min(delay, max_);
  // Once capped the count stops growing, so it cannot overflow however long the outage lasts.
  if (delay < max_ && delay.count() > 0) ++failures_;
  return delay;
}

}  // namespace ticketwatch::db
