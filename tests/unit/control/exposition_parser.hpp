#pragma once

// A strict parser for the Prometheus text exposition format 0.0.4, for tests: it throws on
// anything a scraper could reject or misread, and checks histogram consistency.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ticketwatch::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Family {
  std::string type;  // counter, gauge, histogram, summary, untyped
  std::string help;
  std::vector<Sample> samples;
};

class Exposition {
 public:
  std::map<std::string, Family> families;

  const Family& family(const std::string& name) const {
    auto it = families.find(name);
    if (it == families.end()) throw std::out_of_range("no family " + name);
    return it->second;
  }
  // The value of the one sample `name` with exactly `labels`; throws when absent.
  double value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& [_, f] : families) {
      for (const auto& s : f.samples) {
        if (s.name == name && s.labels == labels) return s.value;
      }
    }
    throw std::out_of_range("no sample " + name);
  }
  bool has(const std::string& name, const std::map<std::string, std::string>& labels) const {
    try {
      value(name, labels);
      return true;
    } catch (const std::out_of_range&) {
      return false;
    }
  }
};

namespace detail {

inline bool is_name_start(char c, bool colon_ok) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
}
inline bool is_name_char(char c, bool colon_ok) {
  return is_name_start(c, colon_ok) || (c >= '0' && c <= '9');
}

[[noreturn]] inline void fail(int line, const std::string& why) {
  throw std::runtime_error("exposition line " + std::to_string(line) + ": " + why);
}

inline std::string read_name(std::string_view text, std::size_t& pos, bool colon_ok, int line) {
  auto start = pos;
  if (pos >= text.size() || !is_name_start(text[pos], colon_ok)) fail(line, "bad name start");
  while (pos < text.size() && is_name_char(text[pos], colon_ok)) ++pos;
  return std::string(text.substr(start, pos - start));
}

inline double read_value(std::string_view text, int line) {
  std::string v(text);
  if (v == "+Inf" || v == "Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  if (v == "NaN") return NAN;
  if (v.empty()) fail(line, "empty value");
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size()) fail(line, "bad value '" + v + "'");
  // strtod also takes "inf", "nan", hex floats: Go's ParseFloat spells them differently.
  for (char c : v) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-')) {
      fail(line, "bad value '" + v + "'");
    }
  }
  return d;
}

// The family a sample belongs to, given the TYPE lines seen.
inline std::string family_of(const std::string& sample, const std::map<std::string, Family>& fams) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string_view s(suffix);
    if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
      auto base = sample.substr(0, sample.size() - s.size());
      auto it = fams.find(base);
      if (it != fams.end() && (it->second.type == "histogram" || it->second.type == "summary")) {
        return base;
      }
    }
  }
  return sample;
}

}  // namespace detail

inline Exposition parse_exposition(std::string_view text) {
  using namespace detail;
  Exposition out;
  if (text.empty()) throw std::runtime_error("empty exposition");
  if (text.back() != '\n') throw std::runtime_error("exposition does not end with a newline");
  std::set<std::string> finished;  // families whose block has ended
  std::string current;
  std::set<std::string> series;
  int line_no = 0;
  std::size_t start = 0;
  auto enter = [&](const std::string& fam) {
    if (fam == current) return;
    if (finished.count(fam)) fail(line_no, "family " + fam + " is not contiguous");
    if (!current.empty()) finished.insert(current);
    current = fam;
  };
  while (start < text.size()) {
    auto end = text.find('\n', start);
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.find('\r') != std::string_view::npos) fail(line_no, "carriage return");
    if (line[0] == '#') {
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        bool help = line[2] == 'H';
        std::size_t pos = 7;
        auto name = read_name(line, pos, true, line_no);
        if (pos < line.size() && line[pos] != ' ') fail(line_no, "bad metric name");
        std::string rest(pos < line.size() ? line.substr(pos + 1) : std::string_view{});
        enter(name);
        auto& fam = out.families[name];
        if (help) {
          if (!fam.help.empty()) fail(line_no, "second HELP for " + name);
          for (std::size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] == '\\' &&
                (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n'))) {
              fail(line_no, "bad escape in HELP");
            }
            if (rest[i] == '\\') ++i;
          }
          fam.help = rest.empty() ? " " : rest;
        } else {
          if (!fam.type.empty()) fail(line_no, "second TYPE for " + name);
          if (!fam.samples.empty()) fail(line_no, "TYPE after samples of " + name);
          if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" &&
              rest != "untyped") {
            fail(line_no, "unknown type '" + rest + "'");
          }
          fam.type = rest;
        }
      }
      continue;  // other comments are allowed
    }
    std::size_t pos = 0;
    Sample sample;
    sample.name = read_name(line, pos, true, line_no);
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      while (true) {
        if (pos < line.size() && line[pos] == '}') {
          ++pos;
          break;
        }
        auto label = read_name(line, pos, false, line_no);
        if (label.rfind("__", 0) == 0) fail(line_no, "reserved label name " + label);
        if (pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
          fail(line_no, "expected =\" after label " + label);
        }
        pos += 2;
        std::string value;
        while (true) {
          if (pos >= line.size()) fail(line_no, "unterminated label value");
          char c = line[pos++];
          if (c == '"') break;
          if (c == '\\') {
            if (pos >= line.size()) fail(line_no, "dangling escape");
            char e = line[pos++];
            if (e == '\\')
              value += '\\';
            else if (e == '"')
              value += '"';
            else if (e == 'n')
              value += '\n';
            else
              fail(line_no, std::string("bad escape \\") + e);
          } else {
            value += c;
          }
        }
        if (!sample.labels.emplace(label, value).second) fail(line_no, "duplicate label " + label);
        if (pos < line.size() && line[pos] == ',') {
          ++pos;
        } else if (pos >= line.size() || line[pos] != '}') {
          fail(line_no, "expected , or } in labels");
        }
      }
    }
    if (pos >= line.size() || line[pos] != ' ') fail(line_no, "expected a space before the value");
    ++pos;
    auto rest = line.substr(pos);
    auto space = rest.find(' ');
    sample.value = read_value(rest.substr(0, space), line_no);
    if (space != std::string_view::npos) {
      auto ts = rest.substr(space + 1);
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string_view::npos) {
        fail(line_no, "bad timestamp");
      }
    }
    auto fam_name = family_of(sample.name, out.families);
    enter(fam_name);
    auto& fam = out.families[fam_name];
    if (fam.type.empty()) fam.type = "untyped";
    if (fam.type == "counter" && (sample.value < 0 || std::isnan(sample.value))) {
      fail(line_no, "negative or NaN counter");
    }
    if (fam.type == "histogram" && sample.name == fam_name) fail(line_no, "bare histogram sample");
    if (fam.type == "histogram" && sample.name == fam_name + "_bucket" &&
        !sample.labels.count("le")) {
      fail(line_no, "bucket without le");
    }
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += "\x1f" + k + "=" + v;
    if (!series.insert(key).second) fail(line_no, "duplicate series " + sample.name);
    fam.samples.push_back(std::move(sample));
  }

  // Histograms: buckets cumulative, ascending le, ending in +Inf equal to _count.
  for (const auto& [name, fam] : out.families) {
    if (fam.type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const auto& s : fam.samples) {
      auto labels = s.labels;
      if (s.name == name + "_bucket") {
        auto le = labels.at("le");
        labels.erase("le");
        buckets[labels].emplace_back(detail::read_value(le, 0), s.value);
      } else if (s.name == name + "_count") {
        counts[labels] = s.value;
      }
    }
    for (const auto& [labels, list] : buckets) {
      for (std::size_t i = 1; i < list.size(); ++i) {
        if (!(list[i].first > list[i - 1].first))
          throw std::runtime_error(name + ": le not ascending");
        if (list[i].second < list[i - 1].second)
          throw std::runtime_error(name + ": not cumulative");
      }
      if (list.empty() || !std::isinf(list.back().first))
        throw std::runtime_error(name + ": no +Inf bucket");
      if (!counts.count(labels) || counts[labels] != list.back().second) {
        throw std::runtime_error(name + ": +Inf bucket differs from _count");
      }
    }
  }
  return out;
}

}  // namespace ticketwatch::testing
