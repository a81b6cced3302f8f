#include "ticketwatch/db/conninfo.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>
#include <memory>

namespace ticketwatch::db {
namespace {

// What libpq itself will make of the string a Session connects with.
std::map<std::string, std::string> libpq_params(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error("libpq rejects " + conninfo + ": " + message);
  }
  std::map<std::string, std::string> params;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr) params[option->keyword] = option->val;
  }
  return params;
}

ConnectionSettings settings(std::string dsn, std::string password = {}) {
  ConnectionSettings s;
  s.dsn = std::move(dsn);
  s.password = std::move(password);
  return s;
}

TEST(ConnectionString, KeepsEveryParameterOfAKeywordDsnAndAddsTimeoutAndName) {
  auto s = settings("host=/run/postgresql dbname=helpdesk user=tw sslmode=disable");
  s.connect_timeout = std::chrono::milliseconds(2500);
  const auto params = libpq_params(connection_string(s));
  EXPECT_EQ(params, (std::map<std::string, std::string>{{"host", "/run/postgresql"},
                                                        {"dbname", "helpdesk"},
                                                        {"user", "tw"},
                                                        {"sslmode", "disable"},
                                                        {"connect_timeout", "3"},
                                                        {"application_name", "ticketwatchd"},
                                                        {"keepalives_idle", "30"},
                                                        {"keepalives_interval", "10"},
                                                        {"keepalives_count", "3"}}));
}

TEST(ConnectionString, LeavesKeepalivesToTheOperatorWhenTheDsnSetsAny) {
  const auto params = libpq_params(
      connection_string(settings("postgresql://db/helpdesk?keepalives_idle=120&keepalives=1")));
  EXPECT_EQ(params.at("keepalives_idle"), "120");
  EXPECT_EQ(params.at("keepalives"), "1");
  EXPECT_EQ(params.count("keepalives_interval"), 0u);
  EXPECT_EQ(params.count("keepalives_count"), 0u);
}

TEST(ConnectionString, TranslatesAUriWithPercentEncodingAndQueryParameters) {
  const auto params = libpq_params(connection_string(
      settings("postgresql://tw@%2Fvar%2Frun%2Fpostgresql:5433/help%20desk?sslmode=prefer")));
  EXPECT_EQ(params.at("host"), "/var/run/postgresql");
  EXPECT_EQ(params.at("port"), "5433");
  EXPECT_EQ(params.at("dbname"), "help desk");
  EXPECT_EQ(params.at("user"), "tw");
  EXPECT_EQ(params.at("sslmode"), "prefer");
  EXPECT_EQ(params.at("application_name"), "ticketwatchd");
  EXPECT_EQ(params.at("connect_timeout"), "5");
}

TEST(ConnectionString, PassesThePasswordSettingToLibpqOverTheDsnOne) {
  const auto from_uri = libpq_params(
      connection_string(settings("postgresql://tw:old@db/helpdesk", "it's a \\ secret")));
  EXPECT_EQ(from_uri.at("password"), "it's a \\ secret");
  const auto from_keywords =
      libpq_params(connection_string(settings("host=db password=old", "new")));
  EXPECT_EQ(from_keywords.at("password"), "new");
}

TEST(ConnectionString, KeepsTheDsnPasswordWhenNoPasswordIsSet) {
  EXPECT_EQ(libpq_params(connection_string(settings("host=db password=fromdsn"))).at("password"),
            "fromdsn");
  EXPECT_EQ(libpq_params(connection_string(settings("host=db"))).count("password"), 0u);
}

TEST(ConnectionString, LetsTheOperatorsApplicationNameWinButNotTheirTimeout) {
  auto s = settings("postgresql:///helpdesk?application_name=custom&connect_timeout=60");
  s.connect_timeout = std::chrono::seconds(7);
  const auto params = libpq_params(connection_string(s));
  EXPECT_EQ(params.at("application_name"), "custom");
  EXPECT_EQ(params.at("connect_timeout"), "7");
}

TEST(ConnectionString, RejectsAMalformedDsnWithoutRevealingThePassword) {
  try {
    connection_string(settings("postgresql://tw:secret123@[::1/helpdesk", "pw456"));
    FAIL() << "a malformed URI was accepted";
  } catch (const pqxx::broken_connection& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.find("secret123"), std::string::npos) << what;
    EXPECT_NE(what.find("invalid database DSN"), std::string::npos) << what;
  }
}

TEST(DsnSyntaxError, IsEmptyForValidDsnsAndNamesTheProblemOtherwise) {
  EXPECT_EQ(dsn_syntax_error("postgresql:///helpdesk"), "");
  EXPECT_EQ(dsn_syntax_error("host=db dbname=helpdesk"), "");
  EXPECT_NE(dsn_syntax_error("host=db dbname"), "");
  EXPECT_NE(dsn_syntax_error("host=db nosuchoption=1").find("nosuchoption"), std::string::npos);
  const std::string error = dsn_syntax_error("postgresql://tw:secret123@[::1/helpdesk");
  EXPECT_NE(error, "");
  EXPECT_EQ(error.find("secret123"), std::string::npos) << error;
}

}  // namespace
}  // namespace ticketwatch::db
