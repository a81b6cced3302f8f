#include "ticketwatch/control/ctl_main.hpp"

#include <variant>

#include "ticketwatch/control/ctl_client.hpp"
#include "ticketwatch/control/ctl_format.hpp"
#include "ticketwatch/control/ctl_options.hpp"

namespace ticketwatch::control {

namespace {

std::string error_text(const nlohmann::json& reply) {
  auto it = reply.find("error");
  return it != reply.end() && it->is_string() ? it->get<std::string>() : "request refused";
}

// Exit status for a reply the daemon did send.
int status_of(const CtlOptions& options, const nlohmann::json& reply) {
  if (!reply.value("ok", false)) return kExitFailed;
  if (options.request.command == Command::trigger) {
    const auto& result = reply.contains("result") ? reply["result"] : nlohmann::json();
    // A skipped run did not happen here (another instance holds the job's lock): the request
    // was not carried out, so a script must not take it for done.
    if (!result.is_object() || result.value("status", "") != "succeeded") return kExitFailed;
  }
  return kExitOk;
}

void print_human(const CtlOptions& options, const nlohmann::json& reply, std::ostream& out,
                 std::ostream& err) {
  const auto now = std::chrono::system_clock::now();
  if (!reply.value("ok", false)) {
    err << "ticketwatchctl: " << error_text(reply) << '\n';
    if (auto it = reply.find("errors"); it != reply.end() && it->is_array()) {
      for (const auto& e : *it) {
        err << "  " << (e.is_string() ? e.get<std::string>() : e.dump()) << '\n';
      }
    }
    return;
  }
  switch (options.request.command) {
    case Command::status:
      out << format_status(reply, now);
      break;
    case Command::stats:
      out << format_jobs_table(reply.contains("jobs") ? reply["jobs"] : nlohmann::json::array(),
                               now);
      break;
    case Command::trigger:
      out << format_run_result(reply.contains("result") ? reply["result"] : nlohmann::json());
      break;
    case Command::reload:
      out << format_reload(reply);
      break;
  }
}

}  // namespace

int run_ctl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_ctl_args(args);
  if (const auto* exit = std::get_if<CtlExit>(&parsed)) {
    (exit->code == kExitOk ? out : err) << exit->text;
    return exit->code;
  }
  const auto& options = std::get<CtlOptions>(parsed);
  nlohmann::json reply;
  try {
    reply = send_request(options.socket, options.request, options.timeout);
  } catch (const CtlError& e) {
    err << "ticketwatchctl: " << e.what() << '\n';
    return kExitUnreachable;
  }
  if (options.json) {
    out << reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_human(options, reply, out, err);
  }
  return status_of(options, reply);
}

}  // namespace ticketwatch::control
