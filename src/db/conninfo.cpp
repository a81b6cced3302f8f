#include "ticketwatch/db/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <pqxx/except>
#include <string_view>
#include <utility>

namespace ticketwatch::db {
namespace {

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ParsedConninfo = std::unique_ptr<PQconninfoOption, ConninfoFree>;

// libpq's own parser, so both DSN syntaxes (and every quoting and percent-encoding rule) are
// understood exactly as libpq will understand them; only explicitly given options are set.
ParsedConninfo parse(std::string_view dsn, std::string& error) {
  char* message = nullptr;
  ParsedConninfo options{PQconninfoParse(std::string(dsn).c_str(), &message)};
  if (!options) {
    // A null message means libpq ran out of memory.
    error = message != nullptr ? message : "out of memory";
    PQfreemem(message);
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    error = redact_dsn(error);
  }
  return options;
}

void append(std::string& conninfo, std::string_view keyword, std::string_view value) {
  if (!conninfo.empty()) conninfo += ' ';
  conninfo.append(keyword).append("='");
  for (char c : value) {
    if (c == '\'' || c == '\\') conninfo += '\\';
    conninfo += c;
  }
  conninfo += '\'';
}

// TCP keepalive defaults for libpq, used where the DSN sets none: a database host that dies or
// drops off the network while a statement waits for its result is noticed after about a minute
// (30 s idle, then 3 probes 10 s apart) rather than after the kernel's two hours, so the attempt
// fails and is retried instead of hanging a worker. libpq ignores them on Unix sockets.
constexpr std::pair<std::string_view, std::string_view> kKeepaliveDefaults[] = {
    {"keepalives_idle", "30"}, {"keepalives_interval", "10"}, {"keepalives_count", "3"}};

}  // namespace

std::string connection_string(const ConnectionSettings& settings) {
  std::string error;
  const ParsedConninfo options = parse(settings.dsn, error);
  if (!options) {
    throw pqxx::broken_connection("invalid database DSN (" + redact_dsn(settings.dsn) +
                                  "): " + redact(error, settings.password));
  }

  std::string conninfo;
  bool has_application_name = false;
  bool sets_keepalives = false;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "connect_timeout") continue;
    if (keyword == "password" && !settings.password.empty()) continue;
    if (keyword == "application_name") has_application_name = true;
    if (keyword.starts_with("keepalives")) sets_keepalives = true;
    append(conninfo, keyword, option->val);
  }
  if (!has_application_name && !settings.application_name.empty()) {
    append(conninfo, "application_name", settings.application_name);
  }
  // The operator's keepalive settings, if any, are taken as a whole.
  if (!sets_keepalives) {
    for (const auto& [keyword, value] : kKeepaliveDefaults) append(conninfo, keyword, value);
  }
  // libpq counts whole seconds; 0 or less would mean "wait forever", so it is left out instead.
  if (const auto ms = settings.connect_timeout.count(); ms > 0) {
    append(conninfo, "connect_timeout", std::to_string((ms + 999) / 1000));
  }
  if (!settings.password.empty()) append(conninfo, "password", settings.password);
  return conninfo;
}

std::string dsn_syntax_error(std::string_view dsn) {
  std::string error;
  parse(dsn, error);
  return error;
}

}  // namespace ticketwatch::db
