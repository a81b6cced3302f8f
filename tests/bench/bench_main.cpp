// tw_bench: the sla-monitor and escalation-monitor at helpdesk scale (issue 8,
// docs/performance.md). For each size: a fresh database, generated data, then the daemon's own
// job passes, each measured in a child process.

#include <fmt/format.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "bench_dataset.hpp"
#include "bench_probe.hpp"
#include "bench_report.hpp"
#include "ticketwatch/db/migrations.hpp"

namespace po = boost::program_options;
namespace tb = ticketwatch::bench;

namespace {

// A cluster of the test harness's kind, started and stopped around the run (--cluster-dir).
class Cluster {
 public:
  explicit Cluster(std::string dir) : dir_(std::move(dir)) { run("start"); }
  ~Cluster() {
    try {
      run("stop");
    } catch (const std::exception& e) {
      std::cerr << "tw_bench: " << e.what() << '\n';
    }
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  std::string dsn() const { return "host=" + dir_ + "/socket user=postgres dbname=postgres"; }

 private:
  void run(const std::string& verb) const {
    // The directory is the operator's own argument; quoted for the shell.
    std::string quoted = "'";
    for (char c : dir_) {
      quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    quoted += "'";
    const auto command = fmt::format("{} {} {} >&2", TW_PG_CLUSTER_SCRIPT, verb, quoted);
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("pg_cluster " + verb + " failed");
    }
  }
  std::string dir_;
};

std::vector<long long> parse_sizes(const std::string& text) {
  std::vector<long long> sizes;
  std::stringstream in{text};
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    const long long n = std::stoll(item, &used);
    if (used != item.size() || n < 1000) {
      throw std::runtime_error("--sizes: each size must be a whole number >= 1000: " + item);
    }
    sizes.push_back(n);
  }
  return sizes;
}

// Replaces dbname in a keyword/value DSN by appending it: libpq takes the last value.
std::string with_database(const std::string& dsn, const std::string& database) {
  return dsn + " dbname=" + database;
}

long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

nlohmann::json to_json(const std::string& step, const tb::Measurement& m) {
  return {{"step", step},
          {"wall_ms", m.wall.count()},
          {"summary", m.summary},
          {"rss_start_kib", m.rss_start_kib},
          {"peak_rss_kib", m.peak_rss_kib},
          {"statements", m.statements},
          {"round_trips", m.round_trips},
          {"server_ms", m.server_ms},
          {"client_cpu_ms", m.client_cpu_ms},
          {"load_average", m.load_average}};
}

// What a run measures, from the command line.
struct Plan {
  long long crossing = 1000;
  bool sla = true;         // the four sla-monitor steps (and the interval between them)
  bool escalation = true;  // the four escalation-monitor steps
  bool reuse = false;      // clone the generated data from tw_bench_<N>_data when it exists
  bool existing = false;   // run on tw_bench_<N> as an earlier run left it
};

bool database_exists(pqxx::connection& admin, const std::string& name) {
  pqxx::nontransaction tx{admin};
  return !tx.exec_params("select 1 from pg_database where datname = $1", name).empty();
}

// A file copy of the template: seconds for a million tickets, where generating takes minutes.
void clone_database(pqxx::connection& admin, const std::string& from, const std::string& to) {
  pqxx::nontransaction tx{admin};
  tx.exec0("create database " + tx.quote_name(to) + " template " + tx.quote_name(from) +
           " strategy file_copy");
}

nlohmann::json bench_size(const std::string& admin_dsn, long long n, const Plan& plan,
                          const ticketwatch::config::Config& config) {
  const auto database = fmt::format("tw_bench_{}", n);
  // Generated data, kept by --reuse: never measured on, only cloned.
  const auto seed = database + "_data";
  pqxx::connection admin{admin_dsn};
  const bool cloned = !plan.existing && plan.reuse && database_exists(admin, seed);
  if (!plan.existing) {
    pqxx::nontransaction tx{admin};
    tx.exec0("create extension if not exists pg_stat_statements");
    tx.exec0("drop database if exists " + tx.quote_name(database) + " with (force)");
    if (!cloned) tx.exec0("create database " + tx.quote_name(database));
  }
  const auto dsn = with_database(admin_dsn, database);
  nlohmann::json result{{"tickets", n}, {"cloned", cloned}, {"existing", plan.existing}};
  result["generate_load"] = tb::load_average();
  const auto start = std::chrono::steady_clock::now();
  if (cloned) {
    std::cerr << fmt::format("tw_bench: {} tickets: cloning {}\n", n, seed);
    clone_database(admin, seed, database);
  }
  {
    pqxx::connection conn{dsn};
    // A clone made before a newer migration gets it here, like an upgraded helpdesk.
    ticketwatch::db::migrate(conn);
    if (!cloned && !plan.existing) {
      std::cerr << fmt::format("tw_bench: {} tickets: generating\n", n);
      tb::generate_dataset(conn, n);
      tb::insert_escalation_rules(conn);
    }
    const auto shape = tb::dataset_shape(conn);
    result["dataset"] = {{"users", shape.users},
                         {"teams", shape.teams},
                         {"followers", shape.followers},
                         {"with_sla", shape.with_sla}};
  }
  result["generate_ms"] = ms_since(start);
  if (plan.reuse && !cloned && !plan.existing) {
    clone_database(admin, database, seed);
  }
  auto& steps = result["steps"];
  const auto step = [&](const std::string& name, tb::Job job) {
    std::cerr << fmt::format("tw_bench: {} tickets: {}\n", n, name);
    steps.push_back(to_json(name, tb::measure(job, admin_dsn, dsn, database, config)));
    // Progress for long runs: a size that does not finish still leaves its finished steps.
    std::cerr << "tw_bench: " << steps.back().dump() << '\n';
  };
  // After a cold pass has written millions of rows, autovacuum works on them for a minute or two
  // and would compete with the steady passes for the same two cores; in a running helpdesk it has
  // long finished before the passes that follow. So the benchmark does that work itself, and times
  // it, before measuring steady passes.
  const auto settle = [&](const std::string& after) {
    const auto settle_start = std::chrono::steady_clock::now();
    pqxx::connection conn{dsn};
    pqxx::nontransaction tx{conn};
    tx.exec0("vacuum (analyze)");
    result["settle_ms"][after] = ms_since(settle_start);
    std::cerr << fmt::format("tw_bench: {} tickets: vacuum analyze after {}: {} ms\n", n, after,
                             result["settle_ms"][after].get<long long>());
  };
  if (plan.sla) {
    step("sla cold", tb::Job::sla);
    settle("sla cold");
    step("sla steady", tb::Job::sla);
    {
      pqxx::connection conn{dsn};
      const auto counts = tb::simulate_interval(conn, plan.crossing);
      result["interval"] = {{"tickets_updated", counts.updated},
                            {"tickets_crossing", counts.shifted}};
    }
    step("sla after 1% + crossings", tb::Job::sla);
    step("sla steady again", tb::Job::sla);
  }
  if (plan.escalation) {
    // On an existing database the first pass is the one after an upgrade: earlier executions are
    // there, watermarks may not be.
    step(plan.existing ? "escalation first (existing)" : "escalation cold", tb::Job::escalation);
    settle("escalation cold");
    // The cold pass's own actions (priority raised, status set, team moved) open new episodes
    // of later rules, which the next pass executes; the pass after that has nothing new.
    step("escalation second", tb::Job::escalation);
    step("escalation steady", tb::Job::escalation);
    {
      pqxx::connection conn{dsn};
      result["escalation_interval"] = {{"tickets_updated", tb::change_statuses(conn)}};
    }
    step("escalation after 1%", tb::Job::escalation);
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options{"tw_bench: benchmark the sla and escalation passes"};
  std::string dsn;
  std::string cluster_dir;
  std::string sizes_text;
  std::string json_path;
  int batch_size = 0;
  Plan plan;
  std::string jobs_text;
  bool keep = false;
  options.add_options()("help,h", "this help")(
      "dsn", po::value(&dsn),
      "keyword/value DSN of a superuser connection (the cluster must preload pg_stat_statements); "
      "databases tw_bench_<N> are created in it")(
      "cluster-dir", po::value(&cluster_dir),
      "instead of --dsn: start a throwaway cluster in this directory (tests/support/pg_cluster) "
      "and stop it at the end")("sizes", po::value(&sizes_text)->default_value("10000,100000"),
                                "comma-separated ticket counts")(
      "json", po::value(&json_path), "also write the results to this file")(
      "batch-size", po::value(&batch_size)->default_value(1000), "both jobs' batch_size")(
      "crossing", po::value(&plan.crossing)->default_value(1000),
      "tickets whose level boundary the simulated clock move passes")(
      "jobs", po::value(&jobs_text)->default_value("sla,escalation"),
      "which jobs' steps to run: sla, escalation or both")(
      "keep", po::bool_switch(&keep), "keep the databases afterwards (for EXPLAIN)")(
      "reuse", po::bool_switch(&plan.reuse),
      "keep the generated data in tw_bench_<N>_data and, when it exists, clone it instead of "
      "generating again (newer migrations are applied to the clone)")(
      "existing", po::bool_switch(&plan.existing),
      "run the steps on tw_bench_<N> as an earlier --keep run left it (migrated first): e.g. the "
      "escalation steps after a long cold pass made by an earlier build");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
    if (vm.count("help") != 0) {
      std::cout << options;
      return 0;
    }
    if (dsn.empty() == cluster_dir.empty()) {
      throw std::runtime_error("give exactly one of --dsn and --cluster-dir");
    }
    const auto sizes = parse_sizes(sizes_text);
    plan.sla = jobs_text.find("sla") != std::string::npos;
    plan.escalation = jobs_text.find("escalation") != std::string::npos;
    if (!plan.sla && !plan.escalation) {
      throw std::runtime_error("--jobs: give sla, escalation or both");
    }
    std::optional<Cluster> cluster;
    if (!cluster_dir.empty()) {
      cluster.emplace(cluster_dir);
      dsn = cluster->dsn();
    }
    ticketwatch::config::Config config;
    config.sla_monitor.schedule.batch_size = batch_size;
    config.escalation_monitor.schedule.batch_size = batch_size;

    struct sysinfo info {};
    sysinfo(&info);
    nlohmann::json report{
        {"machine",
         {{"nproc", sysconf(_SC_NPROCESSORS_ONLN)},
          {"memory_mib", static_cast<long long>(info.totalram) * info.mem_unit / (1024 * 1024)}}},
        {"batch_size", batch_size},
        {"crossing", plan.crossing},
        {"sizes", nlohmann::json::array()}};
    for (const auto n : sizes) {
      report["sizes"].push_back(bench_size(dsn, n, plan, config));
      if (!keep) {
        pqxx::connection admin{dsn};
        pqxx::nontransaction tx{admin};
        tx.exec0("drop database " + tx.quote_name(fmt::format("tw_bench_{}", n)));
      }
      if (!json_path.empty()) {
        std::ofstream{json_path} << report.dump(2) << '\n';
      }
    }
    tb::print_table(std::cout, report);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tw_bench: " << e.what() << '\n';
    return 1;
  }
}
