#include "escalation_pg_array.hpp"

namespace ticketwatch::jobs {
namespace {

template <typename Range>
std::string integer_array(const Range& values) {
  std::string out = "{";
  for (const auto value : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(value);
  }
  out += '}';
  return out;
}

}  // namespace

std::string pg_array(const std::vector<std::int64_t>& values) {
  return integer_array(values);
}

std::string pg_array(const std::set<std::int64_t>& values) {
  return integer_array(values);
}

std::string pg_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace ticketwatch::jobs
