#include <gtest/gtest.h>

#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {
namespace {

TEST(RedactDsn, MasksAKeywordPassword) {
  EXPECT_EQ(redact_dsn("host=db dbname=helpdesk password=secret123 user=tw"),
            "host=db dbname=helpdesk password=*** user=tw");
}

TEST(RedactDsn, MasksAPasswordWithSpacesAroundTheEqualsSign) {
  EXPECT_EQ(redact_dsn("password = secret123 host=db"), "password = *** host=db");
}

TEST(RedactDsn, MasksAQuotedPasswordWithEscapedQuotesAndSpaces) {
  EXPECT_EQ(redact_dsn(R"(host=db password='se cr\'et 123' user=tw)"),
            "host=db password=*** user=tw");
}

TEST(RedactDsn, MasksAnUnterminatedQuotedPasswordToTheEnd) {
  EXPECT_EQ(redact_dsn("host=db password='secret 123"), "host=db password=***");
}

TEST(RedactDsn, MasksTheUserInfoPasswordOfAUri) {
  EXPECT_EQ(redact_dsn("postgresql://tw:secret123@db.example:5432/helpdesk"),
            "postgresql://tw:***@db.example:5432/helpdesk");
  EXPECT_EQ(redact_dsn("postgres://tw:s%40cret@db/helpdesk"), "postgres://tw:***@db/helpdesk");
}

TEST(RedactDsn, MasksAPasswordQueryParameterOfAUri) {
  EXPECT_EQ(redact_dsn("postgresql://db/helpdesk?user=tw&password=secret123&sslmode=require"),
            "postgresql://db/helpdesk?user=tw&password=***&sslmode=require");
  EXPECT_EQ(redact_dsn("postgresql:///helpdesk?password=secret123"),
            "postgresql:///helpdesk?password=***");
}

TEST(RedactDsn, LeavesADsnWithoutPasswordUnchanged) {
  for (const char* dsn : {"postgresql:///helpdesk", "postgresql://tw@db/helpdesk",
                          "host=/run/postgresql dbname=helpdesk user=tw",
                          "postgresql://db/helpdesk?application_name=x%40y"}) {
    EXPECT_EQ(redact_dsn(dsn), dsn);
  }
}

TEST(RedactDsn, MasksADsnQuotedInsideAnErrorMessage) {
  const std::string message =
      R"(invalid URI query parameter: "postgresql://tw:secret123@db/x?password=other456")";
  const std::string redacted = redact_dsn(message);
  EXPECT_EQ(redacted.find("secret123"), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find("other456"), std::string::npos) << redacted;
  EXPECT_NE(redacted.find("postgresql://tw:***@db/x"), std::string::npos) << redacted;
}

TEST(RedactDsn, LeavesWordsThatMerelyContainPasswordAlone) {
  EXPECT_EQ(redact_dsn("password authentication failed for user \"tw\""),
            "password authentication failed for user \"tw\"");
  EXPECT_EQ(redact_dsn("old_password=keep"), "old_password=keep");
}

TEST(Redact, ReplacesEveryOccurrenceOfTheSecret) {
  EXPECT_EQ(redact("a hunter2 b hunter2hunter2", "hunter2"), "a *** b ******");
}

TEST(Redact, LeavesTextAloneWhenTheSecretIsEmpty) {
  EXPECT_EQ(redact("text", ""), "text");
}

TEST(Redact, HandlesASecretThatContainsTheMask) {
  EXPECT_EQ(redact("x**y**z", "**"), "x***y***z");
}

}  // namespace
}  // namespace ticketwatch::db
