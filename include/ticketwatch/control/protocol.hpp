#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The control socket's wire format, shared by the server and ticketwatchctl: one JSON object per
// line each way. Requests:
//   {"cmd":"status"}
//   {"cmd":"stats"}            {"cmd":"stats","job":"sla-monitor"}
//   {"cmd":"trigger","job":"sla-monitor"}   (the reply comes when the run has finished)
//   {"cmd":"reload"}
// Replies: {"ok":true, ...} or {"ok":false,"error":"...", ...}. See docs/operations.md.
namespace ticketwatch::control {

inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

enum class Command { status, stats, trigger, reload };

struct Request {
  Command command = Command::status;
  std::string job;  // stats (optional), trigger (required)
};

// The message of an error reply: a bad request is ordinary input, so it travels as a value.
struct RequestError {
  std::string message;
};

// Parses one line (without its newline). Never throws.
std::variant<Request, RequestError> parse_request(std::string_view line);

nlohmann::json to_json(const Request& request);

nlohmann::json error_reply(std::string_view message);
// "unknown job 'x' (known: a, b)", with the echoed name cut short.
std::string unknown_job_message(std::string_view job, const std::vector<std::string>& known);

// One reply line including its '\n'. Invalid UTF-8 (from a job's error text, say) is replaced
// rather than thrown on: a reply must always be writable.
std::string to_line(const nlohmann::json& reply);

}  // namespace ticketwatch::control
