#include "ticketwatch/config/loader.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <optional>

#include "bindings.hpp"
#include "config_file.hpp"
#include "diagnostics.hpp"
#include "dsn.hpp"
#include "field.hpp"
#include "suggest.hpp"
#include "ticketwatch/config/duration.hpp"
#include "utf8.hpp"

namespace ticketwatch::config {
namespace {

using detail::Diagnostics;
using detail::kKeySchema;

std::string join_key(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
}

// The table paths are implied by the keys: "jobs.sla-monitor.interval" makes "jobs" and
// "jobs.sla-monitor" tables.
bool is_table_path(std::string_view path) {
  return std::any_of(kKeySchema.begin(), kKeySchema.end(), [&](const KeyInfo& info) {
    return info.key.size() > path.size() && info.key.starts_with(path) &&
           info.key[path.size()] == '.';
  });
}

// Names directly inside `table` ("" is the root), keys and tables alike.
std::vector<std::string_view> children_of(std::string_view table) {
  std::vector<std::string_view> names;
  for (const KeyInfo& info : kKeySchema) {
    std::string_view rest = info.key;
    if (!table.empty()) {
      if (!(rest.size() > table.size() && rest.starts_with(table) && rest[table.size()] == '.')) {
        continue;
      }
      rest.remove_prefix(table.size() + 1);
    }
    const std::string_view name = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// A name that exists in another table ("dsn" under [daemon] -> "database.dsn").
std::optional<std::string> same_name_elsewhere(std::string_view name) {
  for (const KeyInfo& info : kKeySchema) {
    std::string_view path = info.key;
    // Every dotted prefix of a key is a path too, so tables are found as well as keys.
    while (!path.empty()) {
      const std::size_t dot = path.rfind('.');
      const std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
      if (last == name) return std::string(path);
      if (dot == std::string_view::npos) break;
      path = path.substr(0, dot);
    }
  }
  return std::nullopt;
}

const detail::Binding* find_binding(std::string_view key) {
  const auto& bindings = detail::key_bindings();
  const auto found = std::find_if(bindings.begin(), bindings.end(),
                                  [&](const detail::Binding& b) { return b.key == key; });
  return found == bindings.end() ? nullptr : &*found;
}

// Walks the parsed document against the schema and fills the config.
class DocumentReader {
 public:
  DocumentReader(Diagnostics& diagnostics, Config& config)
      : diagnostics_(diagnostics), config_(config) {}

  void read_table(const toml::table& table, std::string_view path) {
    for (const auto& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string dotted = join_key(path, name);
      if (name.find('.') != std::string_view::npos) {
        // A quoted "a.b" is one name, not a path; accepting it as a path would hide the quoting.
        diagnostics_.error(
            key.source().begin, dotted,
            fmt::format("unknown key \"{}\" (a quoted name is not split at dots)", name));
      } else if (const detail::Binding* binding = find_binding(dotted)) {
        detail::Field field(node, binding->key, diagnostics_);
        binding->apply(field, config_);
        positions_.emplace(binding->key, node.source().begin);
      } else if (is_table_path(dotted)) {
        if (const toml::table* child = node.as_table()) {
          read_table(*child, dotted);
        } else {
          diagnostics_.error(node.source().begin, dotted,
                             "expected a table, got " + detail::describe(node));
        }
      } else {
        report_unknown(key, node, path, dotted);
      }
    }
  }

  // Where the key's value was written; nullopt when the file leaves it at its default.
  std::optional<toml::source_position> position(std::string_view key) const {
    const auto found = positions_.find(key);
    if (found == positions_.end()) return std::nullopt;
    return found->second;
  }

 private:
  void report_unknown(const toml::key& key, const toml::node& node, std::string_view path,
                      const std::string& dotted) {
    const std::string_view name = key.str();
    std::optional<std::string> suggestion = detail::closest_match(name, children_of(path));
    if (node.is_table()) {
      if (suggestion) suggestion = join_key(path, *suggestion);
      if (!suggestion) suggestion = same_name_elsewhere(name);
      diagnostics_.error(
          key.source().begin, dotted,
          fmt::format("unknown table \"{}\"{}", dotted, detail::did_you_mean(suggestion)));
      return;
    }
    if (!suggestion) suggestion = same_name_elsewhere(name);
    diagnostics_.error(key.source().begin, dotted,
                       fmt::format("unknown key \"{}\"{}", name, detail::did_you_mean(suggestion)));
  }

  Diagnostics& diagnostics_;
  Config& config_;
  std::map<std::string_view, toml::source_position, std::less<>> positions_;
};

// Checks `low <= high` (or `low < high` when strict) between two keys that are each valid on
// their own, and reports at the key the file wrote last (or the only one it wrote).
template <typename T, typename Show>
void check_order(Diagnostics& diagnostics, const DocumentReader& reader, std::string_view low_key,
                 T low, std::string_view high_key, T high, bool strict, Show show) {
  if (diagnostics.failed(low_key) || diagnostics.failed(high_key)) return;
  if (strict ? low < high : low <= high) return;
  const auto low_at = reader.position(low_key);
  const auto high_at = reader.position(high_key);
  if (high_at && (!low_at || *low_at < *high_at)) {
    diagnostics.error(
        *high_at, high_key,
        fmt::format("must be {} {} ({}), got {}", strict ? "greater than" : "at least", low_key,
                    show(low), show(high)));
  } else if (low_at) {
    diagnostics.error(*low_at, low_key,
                      fmt::format("must be {} {} ({}), got {}", strict ? "less than" : "at most",
                                  high_key, show(high), show(low)));
  }
}

void check_schedule(Diagnostics& diagnostics, const DocumentReader& reader, std::string_view job,
                    const JobSchedule& schedule) {
  check_order(diagnostics, reader, fmt::format("jobs.{}.retry_backoff", job),
              schedule.retry_backoff, fmt::format("jobs.{}.retry_backoff_max", job),
              schedule.retry_backoff_max, false, format_duration);
}

void check_relations(Diagnostics& diagnostics, const DocumentReader& reader, const Config& config) {
  check_order(diagnostics, reader, "database.reconnect_backoff_min",
              config.database.reconnect_backoff_min, "database.reconnect_backoff_max",
              config.database.reconnect_backoff_max, false, format_duration);
  check_schedule(diagnostics, reader, "sla-monitor", config.sla_monitor.schedule);
  check_schedule(diagnostics, reader, "escalation-monitor", config.escalation_monitor.schedule);
  check_order(diagnostics, reader, "jobs.sla-monitor.high_threshold",
              config.sla_monitor.high_threshold, "jobs.sla-monitor.medium_threshold",
              config.sla_monitor.medium_threshold, true,
              [](double value) { return fmt::format("{}", value); });
}

void check_file_exposure(Diagnostics& diagnostics, const DocumentReader& reader,
                         const Config& config, mode_t mode) {
  if (!detail::dsn_has_password(config.database.dsn)) return;
  const bool group = (mode & S_IRGRP) != 0;
  const bool others = (mode & S_IROTH) != 0;
  if (!group && !others) return;
  const auto at = reader.position("database.dsn");
  if (!at) return;  // the built-in DSN has no password
  diagnostics.warning(
      *at, "database.dsn",
      fmt::format("contains a password and the file is readable by {} (mode {:04o}); move the "
                  "password to database.password_file or make the file readable by its owner only",
                  group && others ? "group and others"
                  : group         ? "group"
                                  : "others",
                  mode));
}

LoadResult load_text(std::string_view text, std::string_view source_name,
                     std::optional<mode_t> file_mode) {
  Diagnostics diagnostics{std::string(source_name)};
  if (const auto problem = detail::find_invalid_utf8(text)) {
    return LoadResult(std::vector<ConfigError>{ConfigError{std::string(source_name), problem->line,
                                                           problem->column, "", problem->message}});
  }

  toml::table document;
  try {
    document = toml::parse(text, std::string(source_name));
  } catch (const toml::parse_error& e) {
    return LoadResult(std::vector<ConfigError>{
        ConfigError{std::string(source_name), static_cast<int>(e.source().begin.line),
                    static_cast<int>(e.source().begin.column), "", std::string(e.description())}});
  }

  Config config;
  config.source_path = std::string(source_name);
  DocumentReader reader(diagnostics, config);
  reader.read_table(document, "");
  check_relations(diagnostics, reader, config);
  if (file_mode) check_file_exposure(diagnostics, reader, config, *file_mode);

  std::vector<ConfigError> warnings = diagnostics.take_warnings();
  if (diagnostics.has_errors()) return LoadResult(diagnostics.take_errors(), std::move(warnings));
  return LoadResult(std::move(config), std::move(warnings));
}

}  // namespace

LoadResult load_file(const std::filesystem::path& path) {
  auto file = detail::read_config_file(path);
  if (const std::string* reason = std::get_if<std::string>(&file)) {
    return LoadResult(std::vector<ConfigError>{
        ConfigError{path.string(), 0, 0, "", "cannot read config file: " + *reason}});
  }
  const detail::FileText& contents = std::get<detail::FileText>(file);
  return load_text(contents.text, path.string(), contents.mode);
}

LoadResult load_string(std::string_view toml_text, std::string_view source_name) {
  return load_text(toml_text, source_name, std::nullopt);
}

}  // namespace ticketwatch::config
