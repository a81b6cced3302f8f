#include "plan_capture.hpp"

#include <stdexcept>

namespace ticketwatch::plans_test {

PlanCapture::PlanCapture(pqxx::connection& conn) : pqxx::errorhandler(conn), conn_(conn) {
  pqxx::nontransaction tx{conn_};
  tx.exec0("load 'auto_explain'");
  tx.exec0("set auto_explain.log_min_duration = 0");
  tx.exec0("set auto_explain.log_analyze = on");
  // Row counts and loops are what the check needs; per-node timing would only slow it.
  tx.exec0("set auto_explain.log_timing = off");
  tx.exec0("set auto_explain.log_nested_statements = on");
  tx.exec0("set auto_explain.log_format = json");
  tx.exec0("set auto_explain.log_level = notice");
  tx.exec0("set client_min_messages = warning");
}

bool PlanCapture::operator()(const char message[]) noexcept {
  if (active_) {
    try {
      notices_.emplace_back(message);
    } catch (...) {
      return true;
    }
  }
  return true;
}

void PlanCapture::start() {
  notices_.clear();
  pqxx::nontransaction tx{conn_};
  tx.exec0("set client_min_messages = notice");
  active_ = true;
}

std::vector<nlohmann::json> PlanCapture::stop() {
  {
    pqxx::nontransaction tx{conn_};
    tx.exec0("set client_min_messages = warning");
  }
  active_ = false;
  std::vector<nlohmann::json> plans;
  for (const auto& notice : notices_) {
    const auto marker = notice.find("plan:");
    if (marker == std::string::npos) {
      continue;  // not from auto_explain
    }
    const auto json_start = notice.find('{', marker);
    if (json_start == std::string::npos) {
      throw std::runtime_error("auto_explain notice without a JSON plan: " + notice);
    }
    plans.push_back(nlohmann::json::parse(notice.substr(json_start)));
  }
  return plans;
}

int executed_seq_scans(const nlohmann::json& plan, const std::string& relation) {
  int found = 0;
  if (plan.value("Node Type", "") == "Seq Scan" && plan.value("Relation Name", "") == relation &&
      plan.value("Actual Loops", 0) > 0) {
    ++found;
  }
  if (plan.contains("Plans")) {
    for (const auto& child : plan["Plans"]) {
      found += executed_seq_scans(child, relation);
    }
  }
  return found;
}

long long rows_read_from(const nlohmann::json& plan, const std::string& relation) {
  long long rows = 0;
  if (plan.value("Relation Name", "") == relation) {
    rows += plan.value("Actual Rows", 0LL) * plan.value("Actual Loops", 0LL);
  }
  if (plan.contains("Plans")) {
    for (const auto& child : plan["Plans"]) {
      rows += rows_read_from(child, relation);
    }
  }
  return rows;
}

}  // namespace ticketwatch::plans_test
