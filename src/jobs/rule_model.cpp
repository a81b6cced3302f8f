#include "ticketwatch/jobs/rule_model.hpp"

#include <array>
#include <utility>

#include "rule_visit.hpp"

namespace ticketwatch::jobs {
namespace {

constexpr std::array<std::pair<ConditionType, std::string_view>, 5> kConditionNames{{
    {ConditionType::sla_breach, "sla_breach"},
    {ConditionType::time_in_status, "time_in_status"},
    {ConditionType::priority_level, "priority_level"},
    {ConditionType::no_response, "no_response"},
    {ConditionType::customer_rating, "customer_rating"},
}};

using detail::Overloaded;

}  // namespace

std::string_view to_string(ConditionType type) {
  for (const auto& [value, name] : kConditionNames) {
    if (value == type) return name;
  }
  return "unknown";
}

std::optional<ConditionType> condition_type_from_string(std::string_view text) {
  for (const auto& [value, name] : kConditionNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

ConditionType condition_type(const Condition& condition) {
  return std::visit(
      Overloaded{
          [](const SlaBreachCondition&) { return ConditionType::sla_breach; },
          [](const TimeInStatusCondition&) { return ConditionType::time_in_status; },
          [](const PriorityLevelCondition&) { return ConditionType::priority_level; },
          [](const NoResponseCondition&) { return ConditionType::no_response; },
          [](const CustomerRatingCondition&) { return ConditionType::customer_rating; },
      },
      condition);
}

std::string_view action_type_name(const Action& action) {
  return std::visit(
      Overloaded{
          [](const NotifyAction&) { return std::string_view("notify"); },
          [](const ReassignAction&) { return std::string_view("reassign"); },
          [](const IncreasePriorityAction&) { return std::string_view("increase_priority"); },
          [](const SetPriorityAction&) { return std::string_view("set_priority"); },
          [](const SetTeamAction&) { return std::string_view("set_team"); },
          [](const AddFollowerAction&) { return std::string_view("add_follower"); },
          [](const SetStatusAction&) { return std::string_view("set_status"); },
      },
      action);
}

}  // namespace ticketwatch::jobs
