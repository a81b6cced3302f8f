#pragma once

#include <string>
#include <string_view>

#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {

// The libpq keyword/value string a Session connects with: the DSN (either syntax, keyword/value
// or postgresql:// URI) parsed by libpq itself and re-quoted, plus connect_timeout (whole seconds,
// rounded up; the setting wins over the DSN), application_name (the DSN's wins, it is the
// operator's), TCP keepalives of 30 s idle, 10 s interval, 3 probes (unless the DSN sets any
// keepalives parameter) and the password (the setting wins over the DSN's). It holds the password:
// never log it. Throws pqxx::broken_connection with a redacted message when libpq cannot parse the
// DSN.
std::string connection_string(const ConnectionSettings& settings);

// Empty when libpq accepts the DSN's syntax, else libpq's reason with any password redacted. For
// validating a DSN before it is used (config check, reload).
std::string dsn_syntax_error(std::string_view dsn);

}  // namespace ticketwatch::db
