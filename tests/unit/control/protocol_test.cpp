#include "ticketwatch/control/protocol.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::control {
namespace {

Request parsed(std::string_view line) {
  auto result = parse_request(line);
  if (auto* error = std::get_if<RequestError>(&result)) {
    ADD_FAILURE() << "unexpected error: " << error->message;
    return {};
  }
  return std::get<Request>(result);
}

std::string error_of(std::string_view line) {
  auto result = parse_request(line);
  if (auto* error = std::get_if<RequestError>(&result)) return error->message;
  ADD_FAILURE() << "expected an error for " << line;
  return {};
}

TEST(ControlProtocol, ParsesEachCommand) {
  EXPECT_EQ(parsed(R"({"cmd":"status"})").command, Command::status);
  EXPECT_EQ(parsed(R"({"cmd":"reload"})").command, Command::reload);
  auto all = parsed(R"({"cmd":"stats"})");
  EXPECT_EQ(all.command, Command::stats);
  EXPECT_EQ(all.job, "");
  auto one = parsed(R"({"cmd":"stats","job":"sla-monitor"})");
  EXPECT_EQ(one.job, "sla-monitor");
  auto trigger = parsed(R"( {"job":"escalation-monitor", "cmd":"trigger"} )");
  EXPECT_EQ(trigger.command, Command::trigger);
  EXPECT_EQ(trigger.job, "escalation-monitor");
}

TEST(ControlProtocol, RejectsMalformedJsonWithoutEchoingIt) {
  auto message = error_of("{\"cmd\": \xff\xfe garbage");
  EXPECT_NE(message.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(message.find('\xff'), std::string::npos);
}

TEST(ControlProtocol, RejectsNonObjectsMissingAndMistypedFields) {
  EXPECT_NE(error_of("[1,2]").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of("\"status\"").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of("{}").find("missing \"cmd\""), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":7})").find("\"cmd\" must be a string"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"trigger"})").find("trigger needs \"job\""), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"stats","job":3})").find("\"job\" must be a string"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"trigger","job":""})").find("must not be empty"), std::string::npos);
}

TEST(ControlProtocol, NamesTheKnownCommandsForAnUnknownOne) {
  auto message = error_of(R"({"cmd":"shutdown"})");
  EXPECT_NE(message.find("unknown cmd 'shutdown'"), std::string::npos);
  EXPECT_NE(message.find("status, stats, trigger, reload"), std::string::npos);
}

TEST(ControlProtocol, CutsLongNamesShortInErrors) {
  std::string name(5000, 'x');
  auto message = error_of(R"({"cmd":")" + name + "\"}");
  EXPECT_LT(message.size(), 200u);
  auto job_message = unknown_job_message(name, {"sla-monitor", "escalation-monitor"});
  EXPECT_LT(job_message.size(), 200u);
  EXPECT_NE(job_message.find("known: sla-monitor, escalation-monitor"), std::string::npos);
}

TEST(ControlProtocol, RequestsRoundTripThroughJson) {
  Request request{Command::trigger, "sla-monitor"};
  auto again = parsed(to_json(request).dump());
  EXPECT_EQ(again.command, Command::trigger);
  EXPECT_EQ(again.job, "sla-monitor");
}

TEST(ControlProtocol, ReplyLinesAreOneLineEvenWithInvalidUtf8) {
  auto line = to_line(error_reply("bad \xff byte\nand a newline"));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto back = nlohmann::json::parse(line);
  EXPECT_FALSE(back["ok"].get<bool>());
}

}  // namespace
}  // namespace ticketwatch::control
