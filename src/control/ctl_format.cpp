#include "ticketwatch/control/ctl_format.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <vector>

namespace ticketwatch::control {

namespace {

using namespace std::chrono;

std::string text_of(const nlohmann::json& object, const char* key, std::string fallback = "-") {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::optional<double> number_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool flag_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::optional<SystemTime> time_of(const nlohmann::json& object, const char* key) {
  auto text = text_of(object, key, "");
  if (text.empty()) return std::nullopt;
  return parse_utc(text);
}

std::string count_text(const nlohmann::json& object, const char* key) {
  auto n = number_of(object, key);
  return n ? fmt::format("{}", static_cast<long long>(*n)) : "-";
}

// Reads exactly `width` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + width, value);
  if (ec != std::errc{} || end != text.data() + pos + width) return std::nullopt;
  return value;
}

struct Column {
  std::string_view title;
  bool right_aligned;
};

std::string render_table(const std::vector<Column>& columns,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& column : columns) widths.push_back(column.title.size());
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) line += "  ";
      line += columns[i].right_aligned ? fmt::format("{:>{}}", cells[i], widths[i])
                                       : fmt::format("{:<{}}", cells[i], widths[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  std::vector<std::string> titles;
  for (const auto& column : columns) titles.emplace_back(column.title);
  emit(titles);
  for (const auto& row : rows) emit(row);
  return out;
}

std::string state_of(const nlohmann::json& job) {
  if (flag_of(job, "running")) return "running";
  if (job.is_object() && job.contains("enabled") && job["enabled"].is_boolean() &&
      !job["enabled"].get<bool>()) {
    return "disabled";
  }
  return "idle";
}

std::string next_run_text(const nlohmann::json& job, SystemTime now) {
  auto next = time_of(job, "nextRun");
  if (!next) return "-";
  if (*next <= now) return "due";
  return format_relative(next, now);
}

// A summary's headline numbers on one line: its scalar entries as "key=value". Nested objects
// (per-level, per-kind breakdowns) would not fit a line; `--json` shows them.
std::string summary_text(const nlohmann::json& summary) {
  if (!summary.is_object()) return "";
  std::string out;
  for (const auto& [key, value] : summary.items()) {
    // The first line already gives the duration.
    if (key == "duration_ms" || value.is_structured() || value.is_null()) continue;
    if (!out.empty()) out += ", ";
    out += key;
    out += '=';
    out += value.is_string() ? value.get<std::string>()
                             : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out;
}

}  // namespace

std::optional<SystemTime> parse_utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  auto y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  milliseconds fraction{0};
  if (text.size() != 20) {
    if (text[19] != '.' || text.size() < 22) return std::nullopt;
    auto width = text.size() - 21;  // digits between '.' and 'Z'
    auto f = digits(text, 20, width);
    if (!f || width > 9) return std::nullopt;
    double scale = 1000.0;
    for (std::size_t i = 0; i < width; ++i) scale /= 10.0;
    fraction = milliseconds(static_cast<long long>(*f * scale));
  }
  year_month_day date{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  return sys_days(date) + hours(*h) + minutes(*mi) + seconds(*s) + fraction;
}

std::string format_span(system_clock::duration span) {
  auto total = duration_cast<seconds>(span).count();
  if (total < 0) total = -total;
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m", total / 60);
  if (total < 86400) {
    auto h = total / 3600, m = (total % 3600) / 60;
    return m ? fmt::format("{}h{}m", h, m) : fmt::format("{}h", h);
  }
  auto d = total / 86400, h = (total % 86400) / 3600;
  return h ? fmt::format("{}d{}h", d, h) : fmt::format("{}d", d);
}

std::string format_relative(std::optional<SystemTime> time, SystemTime now) {
  if (!time) return "-";
  auto delta = *time - now;
  if (abs(delta) < seconds(1)) return "now";
  if (delta < system_clock::duration::zero()) return format_span(delta) + " ago";
  return "in " + format_span(delta);
}

std::string format_millis(double ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return fmt::format("{}ms", static_cast<long long>(ms + 0.5));
  if (ms < 60'000) return fmt::format("{:.1f}s", ms / 1000);
  auto total = static_cast<long long>(ms / 1000 + 0.5);
  return fmt::format("{}m{}s", total / 60, total % 60);
}

std::string format_jobs_table(const nlohmann::json& jobs, SystemTime now) {
  static const std::vector<Column> kColumns{
      {"JOB", false},      {"STATE", false}, {"LAST RUN", false}, {"LAST RESULT", false},
      {"NEXT RUN", false}, {"RUNS", true},   {"FAILURES", true},  {"AVG DURATION", true}};
  std::vector<std::vector<std::string>> rows;
  std::string failures;
  if (jobs.is_array()) {
    for (const auto& job : jobs) {
      auto runs = number_of(job, "totalRuns").value_or(0);
      auto avg = number_of(job, "averageDuration");
      bool timed = avg && (runs - number_of(job, "skippedCount").value_or(0)) > 0;
      auto last_run = time_of(job, "lastRun");
      rows.push_back(
          {text_of(job, "job"), state_of(job), last_run ? format_relative(last_run, now) : "never",
           text_of(job, "lastStatus"), next_run_text(job, now), count_text(job, "totalRuns"),
           count_text(job, "failureCount"), timed ? format_millis(*avg) : "-"});
      if (text_of(job, "lastStatus") == "failed") {
        failures += fmt::format("{} failed {}: {}\n", text_of(job, "job"),
                                format_relative(time_of(job, "lastFailure"), now),
                                text_of(job, "lastError", "(no error text)"));
      }
    }
  }
  auto out = render_table(kColumns, rows);
  if (!failures.empty()) out += "\n" + failures;
  return out;
}

std::string format_status(const nlohmann::json& status, SystemTime now) {
  std::string out = fmt::format("ticketwatchd {} ({})\n", text_of(status, "version"),
                                text_of(status, "instance"));
  auto database = text_of(status, "database");
  auto detail = text_of(status, "database_detail", "");
  out += fmt::format("database:  {}{}\n", database,
                     database != "up" && !detail.empty() ? " (" + detail + ")" : "");
  out += fmt::format("scheduler: {}\n", text_of(status, "scheduler"));
  if (auto started = time_of(status, "started_at")) {
    out += fmt::format("uptime:    {} (since {})\n", format_span(now - *started),
                       text_of(status, "started_at"));
  } else {
    out += "uptime:    -\n";
  }
  out += '\n';
  out += format_jobs_table(
      status.is_object() && status.contains("jobs") ? status["jobs"] : nlohmann::json::array(),
      now);
  return out;
}

std::string format_run_result(const nlohmann::json& result) {
  auto status = text_of(result, "status");
  auto attempts = static_cast<long long>(number_of(result, "attempts").value_or(0));
  auto duration = number_of(result, "duration_ms");
  std::string out = fmt::format("{} {} in {} ({}, {} attempt{})\n", text_of(result, "job"), status,
                                duration ? format_millis(*duration) : "-",
                                text_of(result, "trigger"), attempts, attempts == 1 ? "" : "s");
  if (status == "succeeded") {
    if (auto summary =
            summary_text(result.is_object() && result.contains("summary") ? result["summary"]
                                                                          : nlohmann::json());
        !summary.empty()) {
      out += fmt::format("  {}\n", summary);
    }
  } else {
    out += fmt::format("  {}: {}\n", status == "skipped" ? "reason" : "error",
                       text_of(result, "error", "(no error text)"));
  }
  return out;
}

std::string format_reload(const nlohmann::json& reply) {
  std::string text = "configuration reloaded\n";
  const auto keys = reply.find("restart_required");
  if (keys == reply.end() || !keys->is_array() || keys->empty()) return text;
  std::vector<std::string> names;
  for (const auto& key : *keys)
    names.push_back(key.is_string() ? key.get<std::string>() : key.dump());
  return text +
         fmt::format("changed, but applied only after a restart: {}\n", fmt::join(names, ", "));
}

}  // namespace ticketwatch::control
