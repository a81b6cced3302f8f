#include "ticketwatch/control/prometheus_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ticketwatch::control::prometheus {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void Writer::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help),
                 name, type);
}

void Writer::series(std::string_view name, const Labels& labels) {
  out_ += name;
  if (labels.empty()) return;
  out_ += '{';
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) out_ += ',';
    first = false;
    fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", label, escape_label_value(value));
  }
  out_ += '}';
}

void Writer::sample(std::string_view name, const Labels& labels, double value) {
  series(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", format_value(value));
}

void Writer::sample(std::string_view name, const Labels& labels, unsigned long long value) {
  series(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

}  // namespace ticketwatch::control::prometheus
