#include <array>
#include <utility>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::config {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoleNames{{
    {Role::creator, "creator"},
    {Role::assignee, "assignee"},
    {Role::team_leader, "team_leader"},
    {Role::followers, "followers"},
}};

}  // namespace

std::string_view to_string(Role role) {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [value, spelling] : kRoleNames) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

}  // namespace ticketwatch::config
