#include "ticketwatch/jobs/rule_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>

#include "rule_json_reader.hpp"

namespace ticketwatch::jobs {
namespace {

using detail::describe;
using detail::join_path;
using detail::JsonReader;
using detail::suggest;
using nlohmann::json;

// Ten years: anything longer is a typo, and it keeps interval arithmetic far from overflow.
constexpr std::int64_t kMaxMinutes = 10LL * 365 * 24 * 60;
constexpr std::int64_t kMaxRating = std::numeric_limits<std::int16_t>::max();  // smallint column
constexpr std::int64_t kMaxSteps = 100;
constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

constexpr const char* kTeamLeader = "team_leader";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += out.empty() ? "" : ", ";
    out += item;
  }
  return out;
}

class RuleParser {
 public:
  explicit RuleParser(const config::HelpdeskConfig& helpdesk) : helpdesk_(helpdesk) {}

  std::optional<Condition> condition(std::string_view type_text, const json& object,
                                     RuleFilters& filters);
  std::vector<Action> actions(const json& array);
  JsonReader& reader() { return reader_; }
  std::vector<RuleReference>& references() { return references_; }

 private:
  std::optional<std::chrono::minutes> minutes(const json& object, std::string_view key) {
    const auto value = reader_.required_integer(object, key, "condition", 0, kMaxMinutes);
    if (!value) return std::nullopt;
    return std::chrono::minutes(*value);
  }
  // A priority named in the config; `path` is the field's full path.
  std::optional<std::string> priority_value(const json& value, const std::string& path);
  std::optional<std::string> priority_field(const json& object, std::string_view key,
                                            std::string_view parent, bool required);
  RuleFilters filters(const json& object);
  std::optional<Action> action(const json& object, const std::string& path);
  std::optional<Action> notify(const json& object, const std::string& path);
  std::optional<Action> reassign(const json& object, const std::string& path);

  void refer(RuleReference::Kind kind, std::int64_t id, std::string path) {
    references_.push_back(RuleReference{kind, id, std::move(path)});
  }

  const config::HelpdeskConfig& helpdesk_;
  JsonReader reader_;
  std::vector<RuleReference> references_;
};

std::optional<std::string> RuleParser::priority_value(const json& value, const std::string& path) {
  auto text = reader_.string_value(value, path);
  if (!text) return std::nullopt;
  const auto& known = helpdesk_.priorities;
  if (std::find(known.begin(), known.end(), *text) != known.end()) return text;
  const std::string hint = suggest(*text, known);
  reader_.error(path, fmt::format("unknown priority \"{}\" ({}configured: {})", *text,
                                  hint.empty() ? "" : fmt::format("did you mean \"{}\"? ", hint),
                                  join(known)));
  return std::nullopt;
}

std::optional<std::string> RuleParser::priority_field(const json& object, std::string_view key,
                                                      std::string_view parent, bool required) {
  const auto found = object.find(key);
  if (found == object.end() || (!required && found->is_null())) {
    if (required) reader_.error(join_path(parent, key), "required field missing");
    return std::nullopt;
  }
  return priority_value(*found, join_path(parent, key));
}

RuleFilters RuleParser::filters(const json& object) {
  RuleFilters result;
  result.team_id = reader_.optional_integer(object, "team_id", "condition", 1, kMaxId);
  if (result.team_id) refer(RuleReference::Kind::team, *result.team_id, "condition.team_id");
  result.priority = priority_field(object, "priority", "condition", false);
  return result;
}

std::optional<Condition> RuleParser::condition(std::string_view type_text, const json& object,
                                               RuleFilters& filters_out) {
  const auto type = condition_type_from_string(type_text);
  if (!type) {
    const std::string hint = suggest(type_text, {"sla_breach", "time_in_status", "priority_level",
                                                 "no_response", "customer_rating"});
    reader_.error("condition_type",
                  fmt::format("unknown condition type \"{}\" ({})", type_text,
                              hint.empty() ? "expected one of: sla_breach, time_in_status, "
                                             "priority_level, no_response, customer_rating"
                                           : fmt::format("did you mean \"{}\"?", hint)));
  }
  if (!object.is_object()) {
    reader_.error("condition", fmt::format("expected an object, got {}", describe(object)));
    return std::nullopt;
  }
  if (!type) return std::nullopt;

  const std::size_t mark = reader_.mark();
  filters_out = filters(object);
  std::optional<Condition> result;
  switch (*type) {
    case ConditionType::sla_breach: {
      reader_.reject_unknown_keys(object, "condition", {"overdue_minutes", "team_id", "priority"});
      if (auto overdue = minutes(object, "overdue_minutes")) {
        result = SlaBreachCondition{*overdue};
      }
      break;
    }
    case ConditionType::time_in_status: {
      reader_.reject_unknown_keys(object, "condition",
                                  {"status", "minutes", "team_id", "priority"});
      auto status = reader_.required_string(object, "status", "condition");
      const auto& closed = helpdesk_.closed_statuses;
      if (status && std::find(closed.begin(), closed.end(), *status) != closed.end()) {
        reader_.error("condition.status",
                      fmt::format("\"{}\" is a closed status (helpdesk.closed_statuses); closed "
                                  "tickets are never evaluated",
                                  *status));
        status.reset();
      }
      auto in_status = minutes(object, "minutes");
      if (status && in_status) result = TimeInStatusCondition{*status, *in_status};
      break;
    }
    case ConditionType::priority_level: {
      reader_.reject_unknown_keys(object, "condition",
                                  {"at_least", "open_minutes", "team_id", "priority"});
      auto at_least = priority_field(object, "at_least", "condition", true);
      auto open = minutes(object, "open_minutes");
      if (at_least && open) result = PriorityLevelCondition{*at_least, *open};
      break;
    }
    case ConditionType::no_response: {
      reader_.reject_unknown_keys(object, "condition", {"minutes", "team_id", "priority"});
      if (auto waited = minutes(object, "minutes")) result = NoResponseCondition{*waited};
      break;
    }
    case ConditionType::customer_rating: {
      reader_.reject_unknown_keys(object, "condition", {"at_most", "team_id", "priority"});
      if (auto at_most = reader_.required_integer(object, "at_most", "condition", 0, kMaxRating)) {
        result = CustomerRatingCondition{static_cast<int>(*at_most)};
      }
      break;
    }
  }
  if (reader_.failed_since(mark)) return std::nullopt;
  return result;
}

std::optional<Action> RuleParser::notify(const json& object, const std::string& path) {
  reader_.reject_unknown_keys(object, path, {"type", "to"});
  const auto to = object.find("to");
  const std::string to_path = join_path(path, "to");
  if (to == object.end()) {
    reader_.error(to_path, "required field missing");
    return std::nullopt;
  }
  if (!to->is_array() || to->empty()) {
    reader_.error(to_path, fmt::format("expected a non-empty array of roles (creator, assignee, "
                                       "team_leader, followers) and user ids, got {}",
                                       describe(*to)));
    return std::nullopt;
  }
  const std::size_t mark = reader_.mark();
  NotifyAction result;
  for (std::size_t i = 0; i < to->size(); ++i) {
    const json& entry = (*to)[i];
    const std::string entry_path = join_path(to_path, i);
    if (entry.is_number_integer()) {
      if (auto id = reader_.integer_value(entry, entry_path, 1, kMaxId)) {
        result.user_ids.push_back(*id);
        refer(RuleReference::Kind::user, *id, entry_path);
      }
      continue;
    }
    static constexpr std::array<std::pair<std::string_view, config::Role>, 4> kRoles{{
        {"creator", config::Role::creator},
        {"assignee", config::Role::assignee},
        {"team_leader", config::Role::team_leader},
        {"followers", config::Role::followers},
    }};
    const std::string text = entry.is_string() ? entry.get<std::string>() : std::string();
    const auto match = std::find_if(kRoles.begin(), kRoles.end(),
                                    [&](const auto& role) { return role.first == text; });
    if (match != kRoles.end()) {
      result.roles.push_back(match->second);
      continue;
    }
    const std::string hint =
        text.empty() ? std::string()
                     : suggest(text, {"creator", "assignee", "team_leader", "followers"});
    reader_.error(entry_path,
                  fmt::format("expected a role (creator, assignee, team_leader, "
                              "followers) or a user id, got {}{}",
                              describe(entry),
                              hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint)));
  }
  if (reader_.failed_since(mark)) return std::nullopt;
  return result;
}

std::optional<Action> RuleParser::reassign(const json& object, const std::string& path) {
  reader_.reject_unknown_keys(object, path, {"type", "to"});
  const auto to = object.find("to");
  const std::string to_path = join_path(path, "to");
  if (to == object.end()) {
    reader_.error(to_path, "required field missing");
    return std::nullopt;
  }
  if (to->is_string() && *to == kTeamLeader) return ReassignAction{std::nullopt};
  if (!to->is_number_integer()) {
    reader_.error(to_path,
                  fmt::format("expected a user id or \"team_leader\", got {}", describe(*to)));
    return std::nullopt;
  }
  auto id = reader_.integer_value(*to, to_path, 1, kMaxId);
  if (!id) return std::nullopt;
  refer(RuleReference::Kind::active_user, *id, to_path);
  return ReassignAction{*id};
}

std::optional<Action> RuleParser::action(const json& object, const std::string& path) {
  if (!object.is_object()) {
    reader_.error(path, fmt::format("expected an action object, got {}", describe(object)));
    return std::nullopt;
  }
  const auto type = reader_.required_string(object, "type", path);
  if (!type) return std::nullopt;
  const std::size_t mark = reader_.mark();
  std::optional<Action> result;
  if (*type == "notify") {
    result = notify(object, path);
  } else if (*type == "reassign") {
    result = reassign(object, path);
  } else if (*type == "increase_priority") {
    reader_.reject_unknown_keys(object, path, {"type", "steps"});
    if (auto steps = reader_.required_integer(object, "steps", path, 1, kMaxSteps)) {
      result = IncreasePriorityAction{static_cast<int>(*steps)};
    }
  } else if (*type == "set_priority") {
    reader_.reject_unknown_keys(object, path, {"type", "priority"});
    if (auto priority = priority_field(object, "priority", path, true)) {
      result = SetPriorityAction{*priority};
    }
  } else if (*type == "set_team") {
    reader_.reject_unknown_keys(object, path, {"type", "team_id"});
    if (auto team = reader_.required_integer(object, "team_id", path, 1, kMaxId)) {
      refer(RuleReference::Kind::team, *team, join_path(path, "team_id"));
      result = SetTeamAction{*team};
    }
  } else if (*type == "add_follower") {
    reader_.reject_unknown_keys(object, path, {"type", "user_id"});
    if (auto user = reader_.required_integer(object, "user_id", path, 1, kMaxId)) {
      refer(RuleReference::Kind::active_user, *user, join_path(path, "user_id"));
      result = AddFollowerAction{*user};
    }
  } else if (*type == "set_status") {
    reader_.reject_unknown_keys(object, path, {"type", "status"});
    if (auto status = reader_.required_string(object, "status", path)) {
      result = SetStatusAction{*status};
    }
  } else {
    const std::string hint =
        suggest(*type, {"notify", "reassign", "increase_priority", "set_priority", "set_team",
                        "add_follower", "set_status"});
    reader_.error(join_path(path, "type"),
                  fmt::format("unknown action type \"{}\" ({})", *type,
                              hint.empty() ? "expected one of: notify, reassign, "
                                             "increase_priority, set_priority, set_team, "
                                             "add_follower, set_status"
                                           : fmt::format("did you mean \"{}\"?", hint)));
  }
  if (reader_.failed_since(mark)) return std::nullopt;
  return result;
}

std::vector<Action> RuleParser::actions(const json& array) {
  std::vector<Action> result;
  if (!array.is_array() || array.empty()) {
    reader_.error("actions",
                  fmt::format("expected a non-empty array of actions, got {}", describe(array)));
    return result;
  }
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (auto parsed = action(array[i], join_path("actions", i))) result.push_back(*parsed);
  }
  return result;
}

std::optional<json> parse_json(std::string_view text, std::string_view path, JsonReader& reader) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    reader.error(std::string(path), "not valid JSON");
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string RuleError::to_string() const {
  return fmt::format("rule {} \"{}\"{}: {}: {}", rule_id, rule_name,
                     rule_active ? "" : " (inactive)", path, message);
}

RuleParseResult parse_rule(const RuleRow& row, const config::HelpdeskConfig& helpdesk) {
  RuleParser parser(helpdesk);
  Rule rule;
  rule.id = row.id;
  rule.name = row.name;
  rule.active = row.active;
  rule.position = row.position;

  std::optional<Condition> condition;
  if (auto object = parse_json(row.condition_json, "condition", parser.reader())) {
    condition = parser.condition(row.condition_type, *object, rule.filters);
  }
  if (auto array = parse_json(row.actions_json, "actions", parser.reader())) {
    rule.actions = parser.actions(*array);
  }

  if (!parser.reader().errors().empty()) {
    std::vector<RuleError> errors;
    for (const auto& field : parser.reader().errors()) {
      errors.push_back(RuleError{row.id, row.name, row.active, field.path, field.message});
    }
    return RuleParseResult(std::move(errors));
  }
  rule.condition = *condition;
  rule.references = std::move(parser.references());
  return RuleParseResult(std::move(rule));
}

}  // namespace ticketwatch::jobs
