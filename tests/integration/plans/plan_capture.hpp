#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace ticketwatch::plans_test {

// The executed plan of every statement run on one connection, nested ones (functions, triggers)
// included, as PostgreSQL's auto_explain reports them with EXPLAIN (ANALYZE, FORMAT JSON): the
// statements exactly as the job issues them, with its real parameters and batch contents.
// auto_explain logs at NOTICE on this session only, and the notices are collected here.
class PlanCapture : public pqxx::errorhandler {
 public:
  explicit PlanCapture(pqxx::connection& conn);
  bool operator()(const char message[]) noexcept override;

  // Starts collecting (clears what was collected so far).
  void start();
  // Stops collecting; returns the plans since start(), each {"Query Text", "Plan"}.
  std::vector<nlohmann::json> stop();

 private:
  pqxx::connection& conn_;
  bool active_ = false;
  std::vector<std::string> notices_;
};

// "Seq Scan on <relation>" nodes that ran (actual loops > 0) anywhere in a plan tree.
int executed_seq_scans(const nlohmann::json& plan, const std::string& relation);

// The rows that scans of <relation> returned anywhere in a plan tree (actual rows × loops).
long long rows_read_from(const nlohmann::json& plan, const std::string& relation);

}  // namespace ticketwatch::plans_test
