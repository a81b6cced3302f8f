// The files shipped with ticketwatch: the commented default config, the production example and
// the key table in docs/configuration.md must all agree with the schema the loader uses.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "load_helpers.hpp"
#include "ticketwatch/config/schema.hpp"

namespace ticketwatch::config {
namespace {

using ::testing::IsEmpty;

const std::filesystem::path kSourceDir = TW_SOURCE_DIR;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// The leading run of name characters ("daemon.log_level` | ..." -> "daemon.log_level").
std::string leading_name(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && is_name_char(text[end])) ++end;
  return std::string(text.substr(0, end));
}

// The dotted keys a file sets (not the commented-out ones): enough TOML for the layout our own
// files use, one "[table]" header or "key = value" per line. (No std::regex: g++ 12 warns inside
// it at -O2, and warnings are errors.)
std::set<std::string> keys_set_in(const std::string& text) {
  std::set<std::string> keys;
  std::string table;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("[")) {
      table = leading_name(std::string_view(line).substr(1));
      EXPECT_TRUE(line.starts_with("[" + table + "]")) << line;
      continue;
    }
    const std::string name = leading_name(line);
    if (!name.empty() && line.substr(name.size()).starts_with(" = ")) {
      keys.insert(table + "." + name);
    }
  }
  return keys;
}

std::set<std::string> schema_keys() {
  std::set<std::string> keys;
  for (const KeyInfo& info : key_schema()) keys.emplace(info.key);
  return keys;
}

TEST(DefaultConfigFile, LoadsWithoutErrorsOrWarnings) {
  const LoadResult result = load_file(kSourceDir / "config/ticketwatch.toml");
  for (const ConfigError& error : result.ok() ? std::vector<ConfigError>{} : result.errors()) {
    ADD_FAILURE() << error.to_string();
  }
  EXPECT_THAT(result.warnings(), IsEmpty());
}

TEST(DefaultConfigFile, EqualsTheBuiltInDefaults) {
  const auto path = kSourceDir / "config/ticketwatch.toml";
  const LoadResult result = load_file(path);
  ASSERT_TRUE(result.ok());
  Config defaults;
  defaults.source_path = path.string();
  EXPECT_EQ(result.config(), defaults);
}

TEST(DefaultConfigFile, SetsEveryKeyOfTheSchema) {
  EXPECT_EQ(keys_set_in(read_text(kSourceDir / "config/ticketwatch.toml")), schema_keys());
}

TEST(DefaultConfigFile, SaysForEveryKeyWhetherReloadAppliesIt) {
  // Each setting is preceded by its comment block; that block must name the reload behaviour.
  const std::string text = read_text(kSourceDir / "config/ticketwatch.toml");
  for (const KeyInfo& info : key_schema()) {
    const std::size_t dot = info.key.rfind('.');
    const std::string header = "[" + std::string(info.key.substr(0, dot)) + "]";
    const std::size_t table_at = text.find("\n" + header + "\n");
    ASSERT_NE(table_at, std::string::npos) << header;
    const std::size_t key_at =
        text.find("\n" + std::string(info.key.substr(dot + 1)) + " = ", table_at);
    ASSERT_NE(key_at, std::string::npos) << info.key;
    const std::size_t block_at = text.rfind("\n\n", key_at);
    const std::string block = text.substr(block_at, key_at - block_at);
    EXPECT_NE(block.find(std::string(info.reload)), std::string::npos)
        << info.key << " comment does not say \"" << info.reload << "\":" << block;
  }
}

TEST(ExampleConfigFile, LoadsWithoutErrorsOrWarnings) {
  const auto path = kSourceDir / "config/ticketwatch.example.toml";
  // Installed files are 0644 by default; the example keeps its password out of the DSN, so the
  // warning must not fire even then.
  const LoadResult result = load_file(path);
  for (const ConfigError& error : result.ok() ? std::vector<ConfigError>{} : result.errors()) {
    ADD_FAILURE() << error.to_string();
  }
  EXPECT_THAT(result.warnings(), IsEmpty());
  ASSERT_TRUE(result.ok());
  EXPECT_NE(result.config(), Config{});
  EXPECT_FALSE(result.config().database.password_file.empty());
}

TEST(ConfigurationDoc, HasARowForEveryKeyWithItsTypeDefaultAndReload) {
  const std::string doc = read_text(kSourceDir / "docs/configuration.md");
  std::istringstream lines(doc);
  std::map<std::string, std::string> rows;  // key -> its table row
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("| `")) continue;
    const std::string key = leading_name(std::string_view(line).substr(3));
    if (line.substr(3 + key.size()).starts_with("` |")) rows[key] = line;
  }
  for (const KeyInfo& info : key_schema()) {
    const auto found = rows.find(std::string(info.key));
    ASSERT_NE(found, rows.end()) << "docs/configuration.md has no row for " << info.key;
    const std::string& line = found->second;
    EXPECT_NE(line.find("| " + std::string(info.type) + " |"), std::string::npos) << line;
    EXPECT_NE(line.find("| `" + std::string(info.default_value) + "` |"), std::string::npos)
        << line;
    EXPECT_NE(line.find("| " + std::string(info.reload) + " |"), std::string::npos) << line;
  }
  EXPECT_EQ(rows.size(), key_schema().size()) << "the doc lists keys the loader does not accept";
}

}  // namespace
}  // namespace ticketwatch::config
