// libFuzzer harness for the escalation rule parser: an escalation_rules row made from the input,
// three lines: condition_type, the condition JSON, the actions JSON. The columns are jsonb, so
// only inputs whose two JSON texts parse are rows the parser can meet; it must turn each into a
// Rule or into errors that say where and what, never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ticketwatch/jobs/rule_parser.hpp"
#include "ticketwatch/jobs/rule_validation.hpp"

namespace {

// Splits off the text up to the next newline (or the rest).
std::string next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  std::string line(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ticketwatch::jobs::RuleRow row;
  row.id = 7;
  row.name = "fuzz";
  row.condition_type = next_line(rest);
  row.condition_json = next_line(rest);
  row.actions_json = std::string(rest);
  if (!nlohmann::json::accept(row.condition_json) || !nlohmann::json::accept(row.actions_json)) {
    return -1;  // not a row jsonb columns can hold: keep it out of the corpus
  }
  static const ticketwatch::config::HelpdeskConfig helpdesk{};
  const auto parsed = ticketwatch::jobs::parse_rule(row, helpdesk);
  if (!parsed.ok()) {
    const ticketwatch::jobs::InvalidRule invalid{row.id, row.name, parsed.errors()};
    std::size_t rendered = invalid.describe().size();
    for (const auto& error : parsed.errors()) rendered += error.to_string().size();
    // A rejected rule says why.
    if (parsed.errors().empty() || rendered == 0) __builtin_trap();
  }
  return 0;
}
