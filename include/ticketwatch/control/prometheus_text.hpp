#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Pieces of the Prometheus text exposition format 0.0.4.
namespace ticketwatch::control::prometheus {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label values escape \ " and newline.
std::string escape_label_value(std::string_view value);
// HELP text escapes \ and newline (quotes stay).
std::string escape_help(std::string_view text);
// Shortest round-trip spelling; +Inf, -Inf and NaN as the format spells them.
std::string format_value(double value);

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// Appends to one exposition text, family by family.
class Writer {
 public:
  // Starts a family: "# HELP name help" and "# TYPE name type".
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  void sample(std::string_view name, const Labels& labels, unsigned long long value);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void series(std::string_view name, const Labels& labels);
  std::string out_;
};

}  // namespace ticketwatch::control::prometheus
