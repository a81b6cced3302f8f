#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {
namespace {

// systemd's LoadCredential= puts the secret here, readable only by the service.
constexpr std::string_view kCredentialName = "db-password";

std::string read_password_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read the database password file " + path.string() + ": " +
                             std::strerror(errno));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    throw std::runtime_error("cannot read the database password file " + path.string() + ": " +
                             std::strerror(errno));
  }
  std::string password = contents.str();
  // Editors and `echo` end the file with a newline that is not part of the password.
  if (password.ends_with("\r\n")) {
    password.resize(password.size() - 2);
  } else if (password.ends_with('\n')) {
    password.pop_back();
  }
  return password;
}

}  // namespace

ConnectionSettings settings_from(const config::DatabaseConfig& database) {
  ConnectionSettings settings;
  settings.dsn = database.dsn;
  settings.connect_timeout = database.connect_timeout;
  if (!database.password_file.empty()) {
    settings.password = read_password_file(database.password_file);
    return settings;
  }
  if (const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
      credentials != nullptr && *credentials != '\0') {
    const auto path = std::filesystem::path(credentials) / kCredentialName;
    std::error_code error;
    if (std::filesystem::exists(path, error)) settings.password = read_password_file(path);
  }
  return settings;
}

}  // namespace ticketwatch::db
