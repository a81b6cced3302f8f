#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ticketwatch/config/config.hpp"

namespace ticketwatch::config {

inline constexpr std::string_view kAppliedOnReload = "applied on reload";
inline constexpr std::string_view kRestartRequired = "restart required";

// One key the loader accepts. The loader detects unknown keys with this very table, so the
// documentation built from it cannot drift from what the daemon reads.
struct KeyInfo {
  std::string_view key;            // dotted, e.g. "jobs.sla-monitor.interval"
  std::string_view type;           // "string", "duration", "boolean", "integer", "float", ...
  std::string_view default_value;  // as written in TOML, e.g. "\"15m\"", "true", "[\"a\", \"b\"]"
  std::string_view reload;         // kAppliedOnReload or kRestartRequired
  std::string_view description;
};

// Every accepted key, grouped by table in file order.
std::span<const KeyInfo> key_schema();
// nullptr when the key is unknown.
const KeyInfo* find_key(std::string_view dotted_key);

// The keys marked kRestartRequired whose values differ between the running config and a newly
// loaded one: a reload applies everything else and should say these wait for a restart.
std::vector<std::string> keys_needing_restart(const Config& running, const Config& loaded);

}  // namespace ticketwatch::config
