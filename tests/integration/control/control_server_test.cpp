#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <thread>

#include "clients.hpp"
#include "control_harness.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json reply_to(LineClient& client, const std::string& line,
              std::chrono::milliseconds timeout = 10s) {
  auto reply = client.request(line, timeout);
  if (!reply) throw std::runtime_error("no reply to " + line.substr(0, 80));
  return json::parse(*reply);
}

json reply_to(ControlHarness& h, const std::string& line) {
  LineClient client(h.socket_path());
  return reply_to(client, line);
}

void expect_error(const json& reply, const std::string& fragment) {
  ASSERT_TRUE(reply.is_object()) << reply;
  EXPECT_EQ(reply["ok"], false) << reply;
  ASSERT_TRUE(reply.contains("error")) << reply;
  EXPECT_NE(reply["error"].get<std::string>().find(fragment), std::string::npos) << reply;
}

// Proof the server is still fine: a fresh client gets a status reply.
void expect_serving(ControlHarness& h) {
  auto reply = reply_to(h, R"({"cmd":"status"})");
  EXPECT_EQ(reply["ok"], true) << reply;
}

TEST(ControlServer, StatusReportsVersionSchedulerAndEveryJob) {
  ControlHarness h;
  auto reply = reply_to(h, R"({"cmd":"status"})");
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["version"], kVersion);
  EXPECT_EQ(reply["scheduler"], "running");
  std::set<std::string> jobs;
  for (const auto& j : reply["jobs"]) jobs.insert(j["job"].get<std::string>());
  EXPECT_EQ(jobs, (std::set<std::string>{"quick", "failing", "locked", "slow"}));
}

TEST(ControlServer, StatsListsAllJobsOrTheOneAsked) {
  ControlHarness h;
  auto all = reply_to(h, R"({"cmd":"stats"})");
  ASSERT_EQ(all["ok"], true) << all;
  EXPECT_EQ(all["jobs"].size(), 4u);
  auto one = reply_to(h, R"({"cmd":"stats","job":"quick"})");
  ASSERT_EQ(one["jobs"].size(), 1u);
  EXPECT_EQ(one["jobs"][0]["job"], "quick");
  EXPECT_EQ(one["jobs"][0]["totalRuns"], 0);
  EXPECT_TRUE(one["jobs"][0]["nextRun"].is_string());
}

TEST(ControlServer, TriggerRepliesWhenTheRunHasFinishedWithItsResult) {
  ControlHarness h;
  LineClient client(h.socket_path());
  auto reply = reply_to(client, R"({"cmd":"trigger","job":"quick"})");
  ASSERT_EQ(reply["ok"], true) << reply;
  EXPECT_EQ(reply["result"]["job"], "quick");
  EXPECT_EQ(reply["result"]["status"], "succeeded");
  EXPECT_EQ(reply["result"]["trigger"], "manual");
  EXPECT_EQ(reply["result"]["summary"]["runs"], 1);
  EXPECT_GE(reply["result"]["duration_ms"].get<long>(), 20);
  // The scheduler saw the same run, and the connection serves the next request.
  auto stats = reply_to(client, R"({"cmd":"stats","job":"quick"})");
  EXPECT_EQ(stats["jobs"][0]["totalRuns"], 1);
  EXPECT_EQ(stats["jobs"][0]["lastStatus"], "succeeded");
  EXPECT_EQ(h.quick_runs(), 1);
}

TEST(ControlServer, TriggerOfAFailingJobRepliesWithTheFailureAfterItsRetries) {
  ControlHarness h;
  auto reply = reply_to(h, R"({"cmd":"trigger","job":"failing"})");
  ASSERT_EQ(reply["ok"], true) << reply;
  EXPECT_EQ(reply["result"]["status"], "failed");
  EXPECT_EQ(reply["result"]["attempts"], 2);
  EXPECT_NE(reply["result"]["error"].get<std::string>().find("boom on attempt 2"),
            std::string::npos);
}

TEST(ControlServer, UnknownJobsAreErrorsThatNameTheKnownOnes) {
  ControlHarness h;
  LineClient client(h.socket_path());
  auto trigger = reply_to(client, R"({"cmd":"trigger","job":"nope"})");
  expect_error(trigger, "unknown job 'nope'");
  EXPECT_NE(trigger["error"].get<std::string>().find("quick"), std::string::npos);
  expect_error(reply_to(client, R"({"cmd":"stats","job":"nope"})"), "unknown job 'nope'");
  EXPECT_EQ(reply_to(client, R"({"cmd":"status"})")["ok"], true);
}

TEST(ControlServer, BadRequestsGetAnErrorEachAndTheConnectionStaysUsable) {
  ControlHarness h;
  LineClient client(h.socket_path());
  expect_error(reply_to(client, "this is not json"), "malformed JSON");
  expect_error(reply_to(client, std::string("\x01\x02\xff\xfe\x00garbage", 12)), "malformed JSON");
  expect_error(reply_to(client, "[\"status\"]"), "JSON object");
  expect_error(reply_to(client, "42"), "JSON object");
  expect_error(reply_to(client, "{}"), "missing \"cmd\"");
  expect_error(reply_to(client, R"({"cmd":"launch"})"), "unknown cmd 'launch'");
  expect_error(reply_to(client, R"({"cmd":"trigger"})"), "trigger needs \"job\"");
  expect_error(reply_to(client, R"({"cmd":["status"]})"), "\"cmd\" must be a string");
  EXPECT_EQ(reply_to(client, R"({"cmd":"status"})")["ok"], true);
}

TEST(ControlServer, PipelinedRequestsAreAnsweredInOrder) {
  ControlHarness h;
  LineClient client(h.socket_path());
  ASSERT_TRUE(
      client.send("{\"cmd\":\"trigger\",\"job\":\"quick\"}\n{\"cmd\":\"stats\",\"job\":\"quick\"}\n"
                  "\n{\"cmd\":\"bogus\"}\r\n"));
  auto first = json::parse(*client.read_line());
  auto second = json::parse(*client.read_line());
  auto third = json::parse(*client.read_line());
  EXPECT_EQ(first["result"]["status"], "succeeded");
  // Handled after the trigger's reply, so it already counts that run.
  EXPECT_EQ(second["jobs"][0]["totalRuns"], 1);
  expect_error(third, "unknown cmd 'bogus'");
}

TEST(ControlServer, ALineOver64KiBGetsAnErrorAndTheConnectionIsClosed) {
  ControlHarness h;
  LineClient client(h.socket_path());
  std::string huge = R"({"cmd":"status","pad":")" + std::string(100 * 1024, 'x') + "\"}\n";
  // The server may close before taking every byte; that is its right.
  client.send(huge);
  auto reply = client.read_line();
  ASSERT_TRUE(reply) << "expected an error line before the close";
  expect_error(json::parse(*reply), "longer than 65536 bytes");
  EXPECT_TRUE(client.socket().closed_within(2s));
  expect_serving(h);
}

TEST(ControlServer, ALineOfExactly64KiBIsStillServed) {
  ControlHarness h;
  LineClient client(h.socket_path());
  std::string prefix = R"({"cmd":"status","pad":")";
  std::string line = prefix + std::string(control::kMaxLineBytes - prefix.size() - 2, 'x') + "\"}";
  ASSERT_EQ(line.size(), control::kMaxLineBytes);
  EXPECT_EQ(reply_to(client, line)["ok"], true);
}

TEST(ControlServer, AClientThatSaysNothingIsClosedAfterTheIdleTimeout) {
  HarnessOptions options;
  options.control.idle_timeout = 300ms;
  ControlHarness h(options);
  LineClient silent(h.socket_path());
  LineClient partial(h.socket_path());
  ASSERT_TRUE(partial.send(R"({"cmd":"sta)"));  // never finishes its line
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.socket().closed_within(3s));
  EXPECT_TRUE(partial.socket().closed_within(3s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 2s);
  expect_serving(h);
}

TEST(ControlServer, TheIdleTimeoutDoesNotCutOffAClientWaitingForItsTrigger) {
  HarnessOptions options;
  options.control.idle_timeout = 150ms;
  options.slow_job_time = 600ms;
  ControlHarness h(options);
  LineClient client(h.socket_path());
  auto reply = reply_to(client, R"({"cmd":"trigger","job":"slow"})", 5s);
  EXPECT_EQ(reply["result"]["status"], "succeeded") << reply;
}

TEST(ControlServer, AClientThatLeavesDuringItsTriggerCostsNothing) {
  HarnessOptions options;
  options.slow_job_time = 500ms;
  ControlHarness h(options);
  {
    LineClient client(h.socket_path());
    ASSERT_TRUE(client.send("{\"cmd\":\"trigger\",\"job\":\"slow\"}\n"));
    std::this_thread::sleep_for(50ms);
  }  // hangs up while the run is in flight
  // The session notices at once, not when the run ends.
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (h.control_connections() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(h.control_connections(), 0u);
  EXPECT_TRUE(h.stats("slow").running);
  expect_serving(h);
  // The run completes and its result goes nowhere, harmlessly.
  deadline = std::chrono::steady_clock::now() + 5s;
  while (h.stats("slow").total_runs == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(h.stats("slow").success_count, 1u);
  expect_serving(h);
}

TEST(ControlServer, TwoHundredConcurrentClientsAreAllAnswered) {
  ControlHarness h;
  constexpr int kClients = 200;
  std::vector<LineClient> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) clients.emplace_back(h.socket_path());
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(clients[i].send(i % 2 ? "{\"cmd\":\"status\"}\n" : "{\"cmd\":\"stats\"}\n"));
  }
  int answered = 0;
  for (auto& client : clients) {
    auto line = client.read_line(10s);
    if (line && json::parse(*line)["ok"] == true) ++answered;
  }
  EXPECT_EQ(answered, kClients);
  EXPECT_EQ(h.control_connections(), static_cast<std::size_t>(kClients));
}

TEST(ControlServer, ConnectionsOverTheCapAreRefusedWithAnError) {
  HarnessOptions options;
  options.control.max_connections = 4;
  ControlHarness h(options);
  std::vector<LineClient> held;
  for (int i = 0; i < 4; ++i) held.emplace_back(h.socket_path());
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (h.control_connections() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  LineClient extra(h.socket_path());
  auto line = extra.read_line(2s);
  ASSERT_TRUE(line);
  expect_error(json::parse(*line), "too many control connections");
  EXPECT_TRUE(extra.socket().closed_within(2s));
  // The held ones are served normally, and once one leaves there is room again.
  EXPECT_EQ(reply_to(held[0], R"({"cmd":"status"})")["ok"], true);
  held.pop_back();
  deadline = std::chrono::steady_clock::now() + 2s;
  while (h.control_connections() > 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  expect_serving(h);
}

TEST(ControlServer, ReloadAppliesAValidFile) {
  ControlHarness h;
  auto before = h.io().run([&] { return h.api().reloads_applied; });
  write_file(h.config_path(), "[jobs.sla-monitor]\ninterval = \"7m\"\n");
  auto reply = reply_to(h, R"({"cmd":"reload"})");
  EXPECT_EQ(reply, (json{{"ok", true}, {"restart_required", json::array()}}));
  EXPECT_EQ(h.io().run([&] { return h.api().reloads_applied; }), before + 1);
}

TEST(ControlServer, ReloadNamesTheChangedKeysThatWaitForARestart) {
  ControlHarness h;
  write_file(h.config_path(), "[metrics]\nlisten = \"127.0.0.1:1\"\n");
  auto reply = reply_to(h, R"({"cmd":"reload"})");
  EXPECT_EQ(reply, (json{{"ok", true}, {"restart_required", {"metrics.listen"}}}));
}

TEST(ControlServer, ReloadRefusesAnInvalidFileWithItsErrors) {
  ControlHarness h;
  write_file(h.config_path(), "[jobs.sla-monitor]\ninterval = \"soon\"\n");
  auto reply = reply_to(h, R"({"cmd":"reload"})");
  expect_error(reply, "refused");
  ASSERT_TRUE(reply["errors"].is_array());
  ASSERT_FALSE(reply["errors"].empty());
  auto first = reply["errors"][0].get<std::string>();
  EXPECT_NE(first.find("ticketwatch.toml:2:"), std::string::npos) << first;
  EXPECT_EQ(h.io().run([&] { return h.api().reloads_applied; }), 0);
}

TEST(ControlServer, SocketIsGroupOnlyAndRemovedOnStop) {
  ControlHarness h;
  struct stat st {};
  ASSERT_EQ(::lstat(h.socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  h.io().run([&] { h.control().stop(); });
  EXPECT_FALSE(std::filesystem::exists(h.socket_path()));
}

// A socket file nobody listens on, as a crashed daemon leaves behind.
void make_stale_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);
}

TEST(ControlServer, AStaleSocketFileIsReplaced) {
  TempDir dir;
  IoThread io;
  SchedulerApi api(io.io(), dir / "none.toml");
  auto path = (dir / "control.sock").string();
  make_stale_socket(path);
  ASSERT_TRUE(std::filesystem::is_socket(path));
  control::ControlServer server(io.io(), path, api);
  io.run([&] { server.start(); });
  LineClient client(path);
  EXPECT_EQ(reply_to(client, R"({"cmd":"stats"})")["ok"], true);
  io.run([&] { server.stop(); });
  io.run([&] { api.scheduler().stop(0ms, [] {}); });
}

std::string start_error(IoThread& io, control::ControlServer& server) {
  try {
    io.run([&] { server.start(); });
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(started)";
}

TEST(ControlServer, RefusesToStartWhileAnotherServerListensOnThePath) {
  ControlHarness h;
  SchedulerApi api(h.io().io(), h.config_path());
  control::ControlServer second(h.io().io(), h.socket_path(), api);
  EXPECT_EQ(start_error(h.io(), second), "another ticketwatchd is listening on " + h.socket_path());
  h.io().run([&] { second.stop(); });
  // The first one keeps its socket and keeps serving.
  expect_serving(h);
  h.io().run([&] { api.scheduler().stop(0ms, [] {}); });
}

TEST(ControlServer, RefusesToReplaceAFileThatIsNotASocket) {
  TempDir dir;
  IoThread io;
  SchedulerApi api(io.io(), dir / "none.toml");
  auto path = (dir / "control.sock").string();
  write_file(path, "precious");
  control::ControlServer server(io.io(), path, api);
  EXPECT_EQ(start_error(io, server), path + " exists and is not a socket; refusing to replace it");
  EXPECT_EQ(read_file(path), "precious");
}

TEST(ControlServer, RefusesAMissingDirectoryAndNamesIt) {
  TempDir dir;
  IoThread io;
  SchedulerApi api(io.io(), dir / "none.toml");
  auto missing = dir / "not-there";
  control::ControlServer server(io.io(), missing / "control.sock", api);
  auto error = start_error(io, server);
  EXPECT_NE(error.find("control socket directory " + missing.string() + " does not exist"),
            std::string::npos)
      << error;
}

// The daemon side failing while answering must cost that one reply, not the io thread.
class StatusThrowsApi : public SchedulerApi {
 public:
  using SchedulerApi::SchedulerApi;
  nlohmann::json status() override { throw std::runtime_error("status exploded"); }
};

TEST(ControlServer, AnExceptionWhileAnsweringBecomesAnErrorReply) {
  TempDir dir;
  IoThread io;
  StatusThrowsApi api(io.io(), dir / "none.toml");
  auto path = (dir / "control.sock").string();
  control::ControlServer server(io.io(), path, api);
  io.run([&] { server.start(); });
  LineClient client(path);
  expect_error(reply_to(client, R"({"cmd":"status"})"), "internal error: status exploded");
  EXPECT_EQ(reply_to(client, R"({"cmd":"stats"})")["ok"], true);
  io.run([&] { server.stop(); });
}

TEST(ControlServer, StopLeavesASocketThatReplacedOursAlone) {
  ControlHarness h;
  std::filesystem::remove(h.socket_path());
  make_stale_socket(h.socket_path());
  h.io().run([&] { h.control().stop(); });
  EXPECT_TRUE(std::filesystem::is_socket(h.socket_path()));
}

TEST(ControlServer, StoppingWithClientsConnectedClosesThem) {
  HarnessOptions options;
  options.slow_job_time = 2s;
  ControlHarness h(options);
  LineClient idle(h.socket_path());
  LineClient waiting(h.socket_path());
  ASSERT_TRUE(waiting.send("{\"cmd\":\"trigger\",\"job\":\"slow\"}\n"));
  std::this_thread::sleep_for(50ms);
  h.io().run([&] { h.control().stop(); });
  EXPECT_TRUE(idle.socket().closed_within(1s));
  EXPECT_TRUE(waiting.socket().closed_within(1s));
}

}  // namespace
}  // namespace ticketwatch::testing
