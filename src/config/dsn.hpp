#pragma once

#include <string_view>

namespace ticketwatch::config::detail {

// Whether a libpq connection string carries a password: "user:secret@" in a URI, a
// "password=" URI parameter, or a "password=" keyword. Used to warn when the file holding it
// can be read by others.
bool dsn_has_password(std::string_view dsn);

}  // namespace ticketwatch::config::detail
