// ticketwatch.toml(5) is written by hand (docs/man/ticketwatch.toml.5.scd); the loader's schema is
// the truth. These tests keep the two in step: a key added to the code without documentation, a
// changed default or reload behaviour, or a documented key the loader no longer accepts fails here.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "ticketwatch/config/schema.hpp"

namespace ticketwatch::config {
namespace {

const std::filesystem::path kManSource =
    std::filesystem::path(TW_SOURCE_DIR) / "docs" / "man" / "ticketwatch.toml.5.scd";

// One documented key: "*key* (type, default value, reload behaviour)" followed by its
// tab-indented description.
struct ManEntry {
  std::string summary;      // the text between the parentheses
  std::string description;  // the indented lines after it, joined
  int line = 0;
};

std::map<std::string, ManEntry> read_man_entries() {
  std::ifstream in(kManSource);
  if (!in) throw std::runtime_error("cannot open " + kManSource.string());
  const std::regex entry_line(R"(^\*([a-z0-9_.-]+)\* \((.*)\)$)");
  std::map<std::string, ManEntry> entries;
  std::string line;
  int number = 0;
  ManEntry* current = nullptr;
  while (std::getline(in, line)) {
    ++number;
    std::smatch match;
    if (std::regex_match(line, match, entry_line)) {
      auto [it, inserted] =
          entries.try_emplace(match[1].str(), ManEntry{match[2].str(), "", number});
      if (!inserted) {
        throw std::runtime_error(fmt::format("{}:{}: key {} documented twice", kManSource.string(),
                                             number, match[1].str()));
      }
      current = &it->second;
    } else if (current && !line.empty() && line.front() == '\t') {
      current->description += line.substr(1) + ' ';
    } else {
      current = nullptr;
    }
  }
  return entries;
}

std::string expected_summary(const KeyInfo& key) {
  return fmt::format("{}, default {}, {}", key.type, key.default_value, key.reload);
}

TEST(ManPage, DocumentsEveryConfigKeyWithItsTypeDefaultAndReloadBehaviour) {
  const auto entries = read_man_entries();
  ASSERT_FALSE(key_schema().empty());
  for (const auto& key : key_schema()) {
    const auto it = entries.find(std::string(key.key));
    if (it == entries.end()) {
      ADD_FAILURE() << key.key << " is in the config schema but not in " << kManSource << "; add: *"
                    << key.key << "* (" << expected_summary(key) << ")";
      continue;
    }
    EXPECT_EQ(it->second.summary, expected_summary(key))
        << kManSource.string() << ":" << it->second.line << ": " << key.key
        << " disagrees with the schema";
  }
}

TEST(ManPage, DescribesEveryKeyItDocuments) {
  for (const auto& [key, entry] : read_man_entries()) {
    EXPECT_GE(entry.description.size(), 20u)
        << kManSource.string() << ":" << entry.line << ": " << key << " has no description";
  }
}

TEST(ManPage, DocumentsNoKeyTheLoaderDoesNotAccept) {
  const auto entries = read_man_entries();
  ASSERT_FALSE(entries.empty());
  for (const auto& [key, entry] : entries) {
    EXPECT_NE(find_key(key), nullptr) << kManSource.string() << ":" << entry.line << ": " << key
                                      << " is documented but the loader does not know it";
  }
}

TEST(ManPage, DocumentsTheKeysInTheSchemasOrder) {
  // The schema lists keys grouped by table in file order; the page follows it so a reader finds
  // each table's keys together, in the order the default config shows them.
  const auto entries = read_man_entries();
  int previous_line = 0;
  std::string previous_key = "(start)";
  for (const auto& key : key_schema()) {
    const auto it = entries.find(std::string(key.key));
    if (it == entries.end()) continue;  // reported by the coverage test
    EXPECT_GT(it->second.line, previous_line)
        << key.key << " comes before " << previous_key << " in " << kManSource;
    previous_line = it->second.line;
    previous_key = key.key;
  }
}

}  // namespace
}  // namespace ticketwatch::config
