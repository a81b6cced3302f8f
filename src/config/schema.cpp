#include "ticketwatch/config/schema.hpp"

#include <algorithm>
#include <array>

#include "schema_table.hpp"

namespace ticketwatch::config {
namespace {

struct RestartKey {
  std::string_view key;
  bool (*differs)(const Config&, const Config&);
};

constexpr std::array<RestartKey, 3> kRestartKeys{{
    // Job runs, the advisory-lock holder and status name the instance; it must not change under
    // a run in flight.
    {"daemon.instance_name",
     [](const Config& a, const Config& b) {
       return a.daemon.instance_name != b.daemon.instance_name;
     }},
    {"control.socket",
     [](const Config& a, const Config& b) { return a.control.socket != b.control.socket; }},
    {"metrics.listen",
     [](const Config& a, const Config& b) { return a.metrics.listen != b.metrics.listen; }},
}};

// A key marked kRestartRequired in the schema but missing here would be silently "applied" on
// reload without taking effect; make that a build error instead.
consteval bool restart_keys_match_schema() {
  std::size_t marked = 0;
  for (const KeyInfo& info : detail::kKeySchema) {
    if (info.reload != kRestartRequired) continue;
    ++marked;
    const bool listed = std::any_of(kRestartKeys.begin(), kRestartKeys.end(),
                                    [&](const RestartKey& r) { return r.key == info.key; });
    if (!listed) return false;
  }
  return marked == kRestartKeys.size();
}
static_assert(restart_keys_match_schema(), "kRestartKeys must list every restart-required key");

}  // namespace

std::span<const KeyInfo> key_schema() {
  return detail::kKeySchema;
}

const KeyInfo* find_key(std::string_view dotted_key) {
  const auto found = std::find_if(detail::kKeySchema.begin(), detail::kKeySchema.end(),
                                  [&](const KeyInfo& info) { return info.key == dotted_key; });
  return found == detail::kKeySchema.end() ? nullptr : &*found;
}

std::vector<std::string> keys_needing_restart(const Config& running, const Config& loaded) {
  std::vector<std::string> keys;
  for (const RestartKey& r : kRestartKeys) {
    if (r.differs(running, loaded)) keys.emplace_back(r.key);
  }
  return keys;
}

}  // namespace ticketwatch::config
