// docs/operations.md promises metrics and ships alert rules; these tests keep it honest: every
// metric the code exports is in its table and nothing else is, and the Prometheus snippets load.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "exposition_parser.hpp"
#include "ticketwatch/control/metrics.hpp"

namespace ticketwatch::control {
namespace {

const std::filesystem::path kOperations =
    std::filesystem::path(TW_SOURCE_DIR) / "docs" / "operations.md";

std::string read_doc() {
  std::ifstream in(kOperations);
  if (!in) throw std::runtime_error("cannot open " + kOperations.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> yaml_blocks(const std::string& doc) {
  std::vector<std::string> blocks;
  const std::string open = "```yaml\n";
  for (auto pos = doc.find(open); pos != std::string::npos; pos = doc.find(open, pos)) {
    pos += open.size();
    auto end = doc.find("```", pos);
    blocks.push_back(doc.substr(pos, end - pos));
    pos = end;
  }
  return blocks;
}

class NoJobsApi : public DaemonApi {
 public:
  nlohmann::json status() override { return nlohmann::json::object(); }
  std::vector<scheduler::JobStats> job_stats() override { return {}; }
  bool database_up() override { return true; }
  bool scheduler_running() override { return true; }
  bool trigger(const std::string&, std::function<void(const scheduler::RunResult&)>) override {
    return false;
  }
  void reload(std::function<void(const ReloadOutcome&)>) override {}
};

TEST(OperationsDoc, MetricsTableListsExactlyTheExportedFamilies) {
  Metrics metrics;
  NoJobsApi api;
  std::set<std::string> exported;
  for (const auto& [name, family] : testing::parse_exposition(metrics.render(api)).families) {
    exported.insert(name);
  }
  std::set<std::string> documented;
  std::istringstream lines(read_doc());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `ticketwatch_", 0) == 0) {
      documented.insert(line.substr(3, line.find('`', 3) - 3));
    }
  }
  EXPECT_EQ(documented, exported);
}

std::pair<int, std::string> run_shell(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen");
  std::string output;
  char buffer[512];
  while (auto n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(OperationsDoc, ScrapeConfigAndAlertRulesLoadInPrometheus) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (apt-get install prometheus)";
  }
  auto blocks = yaml_blocks(read_doc());
  ASSERT_EQ(blocks.size(), 2u) << "expected a scrape_config block and a rules block";
  auto dir = std::filesystem::temp_directory_path() / ("tw_ops_doc_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "rules.yml") << blocks[1];
  std::ofstream(dir / "prometheus.yml")
      << blocks[0] << "rule_files: [" << (dir / "rules.yml").string() << "]\n";
  auto [rules_code, rules_out] = run_shell("promtool check rules " + (dir / "rules.yml").string());
  auto [config_code, config_out] =
      run_shell("promtool check config " + (dir / "prometheus.yml").string());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(rules_code, 0) << rules_out;
  EXPECT_NE(rules_out.find("SUCCESS: 4 rules found"), std::string::npos) << rules_out;
  EXPECT_EQ(config_code, 0) << config_out;
}

}  // namespace
}  // namespace ticketwatch::control
