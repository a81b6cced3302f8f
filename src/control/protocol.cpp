#include "ticketwatch/control/protocol.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ticketwatch::control {

namespace {

constexpr std::string_view kKnownCommands = "status, stats, trigger, reload";

// Job names are echoed in errors; a hostile client must not make us echo kilobytes back.
std::string quoted_for_error(std::string_view text) {
  constexpr std::size_t kMaxEcho = 64;
  if (text.size() <= kMaxEcho) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, kMaxEcho));
}

std::variant<std::string, RequestError> optional_job(const nlohmann::json& object) {
  auto it = object.find("job");
  if (it == object.end() || it->is_null()) return std::string{};
  if (!it->is_string()) return RequestError{"\"job\" must be a string"};
  auto job = it->get<std::string>();
  if (job.empty()) return RequestError{"\"job\" must not be empty"};
  return job;
}

}  // namespace

std::variant<Request, RequestError> parse_request(std::string_view line) {
  // allow_exceptions=false: a malformed line yields a discarded value instead of a throw.
  auto object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return RequestError{"malformed JSON: send one JSON object per line"};
  if (!object.is_object()) return RequestError{"a request must be a JSON object"};

  auto cmd = object.find("cmd");
  if (cmd == object.end()) return RequestError{"missing \"cmd\""};
  if (!cmd->is_string()) return RequestError{"\"cmd\" must be a string"};
  const auto& name = cmd->get_ref<const std::string&>();

  auto job = optional_job(object);
  if (auto* error = std::get_if<RequestError>(&job)) return *error;
  auto job_name = std::get<std::string>(std::move(job));

  if (name == "status") return Request{Command::status, {}};
  if (name == "reload") return Request{Command::reload, {}};
  if (name == "stats") return Request{Command::stats, std::move(job_name)};
  if (name == "trigger") {
    if (job_name.empty()) return RequestError{"trigger needs \"job\""};
    return Request{Command::trigger, std::move(job_name)};
  }
  return RequestError{
      fmt::format("unknown cmd {} (known: {})", quoted_for_error(name), kKnownCommands)};
}

nlohmann::json to_json(const Request& request) {
  nlohmann::json out = nlohmann::json::object();
  switch (request.command) {
    case Command::status:
      out["cmd"] = "status";
      break;
    case Command::stats:
      out["cmd"] = "stats";
      break;
    case Command::trigger:
      out["cmd"] = "trigger";
      break;
    case Command::reload:
      out["cmd"] = "reload";
      break;
  }
  if (!request.job.empty()) out["job"] = request.job;
  return out;
}

nlohmann::json error_reply(std::string_view message) {
  return {{"ok", false}, {"error", std::string(message)}};
}

std::string unknown_job_message(std::string_view job, const std::vector<std::string>& known) {
  return fmt::format("unknown job {} (known: {})", quoted_for_error(job), fmt::join(known, ", "));
}

std::string to_line(const nlohmann::json& reply) {
  auto line = reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

}  // namespace ticketwatch::control
