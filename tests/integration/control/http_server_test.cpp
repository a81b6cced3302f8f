#include <gtest/gtest.h>

#include <thread>

#include "../../unit/control/exposition_parser.hpp"
#include "clients.hpp"
#include "control_harness.hpp"
#include "ticketwatch/control/prometheus_text.hpp"
#include "ticketwatch/version.hpp"

namespace ticketwatch::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

HttpResponse get(ControlHarness& h, const std::string& target, const std::string& method = "GET") {
  auto response = http_request(h.http_port(), method, target);
  if (!response) throw std::runtime_error("no HTTP response for " + method + " " + target);
  return *response;
}

void trigger(ControlHarness& h, const std::string& job) {
  std::promise<scheduler::RunResult> done;
  h.io().run([&] {
    return h.api().trigger(job, [&](const scheduler::RunResult& r) { done.set_value(r); });
  });
  done.get_future().wait();
}

TEST(HttpServer, MetricsAreServedInTheExpositionFormatAndFollowRealRuns) {
  ControlHarness h;
  trigger(h, "quick");
  trigger(h, "quick");
  trigger(h, "failing");
  trigger(h, "locked");
  auto response = get(h, "/metrics");
  ASSERT_EQ(response.status, 200) << response.head;
  EXPECT_EQ(response.header("Content-Type"), control::prometheus::kContentType);
  auto m = parse_exposition(response.body);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total", {{"job", "quick"}, {"result", "succeeded"}}), 2);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total", {{"job", "failing"}, {"result", "failed"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total", {{"job", "locked"}, {"result", "skipped"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_job_duration_seconds_count", {{"job", "locked"}}), 0);
  EXPECT_EQ(m.value("ticketwatch_job_runs_total", {{"job", "slow"}, {"result", "succeeded"}}), 0);
  EXPECT_EQ(m.value("ticketwatch_job_duration_seconds_count", {{"job", "quick"}}), 2);
  EXPECT_GE(m.value("ticketwatch_job_duration_seconds_sum", {{"job", "quick"}}), 0.04);
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch());
  EXPECT_NEAR(m.value("ticketwatch_job_last_success_timestamp_seconds", {{"job", "quick"}}),
              now.count(), 30);
  EXPECT_EQ(m.value("ticketwatch_database_up"), 1);
  EXPECT_EQ(m.value("ticketwatch_build_info", {{"version", kVersion}}), 1);
}

TEST(HttpServer, JobRunningFollowsTheSchedulerAtScrapeTime) {
  HarnessOptions options;
  options.slow_job_time = 1500ms;
  ControlHarness h(options);
  h.io().run([&] { return h.api().trigger("slow", [](const scheduler::RunResult&) {}); });
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!h.stats("slow").running && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  auto m = parse_exposition(get(h, "/metrics").body);
  EXPECT_EQ(m.value("ticketwatch_job_running", {{"job", "slow"}}), 1);
  EXPECT_EQ(m.value("ticketwatch_job_running", {{"job", "quick"}}), 0);
}

TEST(HttpServer, HealthzIsOkWhileTheSchedulerRunsAndTheDatabaseIsUp) {
  ControlHarness h;
  auto response = get(h, "/healthz");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  auto body = json::parse(response.body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["database"], "up");
}

TEST(HttpServer, HealthzIs503WithTheReasonWhenTheDatabaseIsDown) {
  ControlHarness h;
  h.api().db_up = false;
  auto response = get(h, "/healthz");
  ASSERT_EQ(response.status, 503);
  auto body = json::parse(response.body);
  EXPECT_EQ(body["status"], "unavailable");
  EXPECT_EQ(body["reason"], "database is down");
  EXPECT_EQ(parse_exposition(get(h, "/metrics").body).value("ticketwatch_database_up"), 0);
  h.api().db_up = true;
  EXPECT_EQ(get(h, "/healthz").status, 200);
}

TEST(HttpServer, HealthzIs503WhenTheSchedulerIsStopping) {
  ControlHarness h;
  h.io().run([&] { h.api().scheduler().stop(1s, [] {}); });
  auto response = get(h, "/healthz");
  ASSERT_EQ(response.status, 503);
  EXPECT_EQ(json::parse(response.body)["reason"], "scheduler is not running");
}

TEST(HttpServer, HeadGivesTheHeadersOfGetWithoutABody) {
  ControlHarness h;
  for (const char* path : {"/metrics", "/healthz"}) {
    auto socket = connect_tcp(h.http_port());
    ASSERT_TRUE(socket.send_all(std::string("HEAD ") + path +
                                " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    std::string all;
    while (auto data = socket.read_some(5s)) {
      if (data->empty()) break;
      all += *data;
    }
    auto end = all.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos) << all;
    EXPECT_EQ(all.substr(0, 12), "HTTP/1.1 200") << all;
    EXPECT_EQ(all.size(), end + 4) << "HEAD response carried a body";
    EXPECT_NE(all.find("Content-Length: "), std::string::npos);
    EXPECT_EQ(all.find("Content-Length: 0\r\n"), std::string::npos);
  }
}

TEST(HttpServer, UnknownPathsAre404AndOtherMethods405WithAllow) {
  ControlHarness h;
  EXPECT_EQ(get(h, "/").status, 404);
  EXPECT_EQ(get(h, "/metrics/extra").status, 404);
  EXPECT_EQ(get(h, "/metrics?name=x").status, 200);
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    auto response = get(h, "/metrics", method);
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.header("Allow"), "GET, HEAD") << method;
  }
  EXPECT_EQ(get(h, "/healthz", "POST").status, 405);
}

TEST(HttpServer, NothingOverHttpTriggersARun) {
  ControlHarness h;
  for (const char* target : {"/trigger?job=quick", "/metrics", "/healthz"}) {
    get(h, target, "POST");
    get(h, target);
  }
  EXPECT_EQ(h.stats("quick").total_runs, 0u);
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  ControlHarness h;
  auto socket = connect_tcp(h.http_port());
  std::string buffer;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(socket.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = read_http_response(socket, buffer);
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
  }
  // Pipelined too.
  ASSERT_TRUE(
      socket.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(read_http_response(socket, buffer)->status, 200);
  auto metrics = read_http_response(socket, buffer);
  ASSERT_TRUE(metrics);
  EXPECT_NO_THROW(parse_exposition(metrics->body));
}

TEST(HttpServer, OversizedHeadersGet431AndTheConnectionIsClosed) {
  ControlHarness h;
  auto socket = connect_tcp(h.http_port());
  std::string request =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  socket.send_all(request);
  std::string buffer;
  auto response = read_http_response(socket, buffer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(socket.closed_within(3s));
  EXPECT_EQ(get(h, "/healthz").status, 200);
}

TEST(HttpServer, OversizedBodiesGet413) {
  ControlHarness h;
  auto socket = connect_tcp(h.http_port());
  std::string body(100 * 1024, 'b');
  socket.send_all("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string buffer;
  auto response = read_http_response(socket, buffer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(socket.closed_within(3s));
}

TEST(HttpServer, GarbageGets400AndTheServerCarriesOn) {
  ControlHarness h;
  auto socket = connect_tcp(h.http_port());
  socket.send_all(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 22));
  std::string buffer;
  auto response = read_http_response(socket, buffer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(socket.closed_within(3s));
  EXPECT_EQ(get(h, "/healthz").status, 200);
}

TEST(HttpServer, ASlowClientIsCutOffAfterTheReadTimeout) {
  HarnessOptions options;
  options.http.read_timeout = 400ms;
  ControlHarness h(options);
  auto silent = connect_tcp(h.http_port());
  auto trickling = connect_tcp(h.http_port());
  auto start = std::chrono::steady_clock::now();
  // One byte every 100 ms never completes the request within the deadline.
  std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  bool closed = false;
  for (char c : request) {
    if (!trickling.send_all(std::string(1, c))) break;
    if (trickling.closed_within(100ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed || trickling.closed_within(2s));
  EXPECT_TRUE(silent.closed_within(2s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 350ms);
  EXPECT_LT(waited, 2500ms);
  EXPECT_EQ(get(h, "/healthz").status, 200);
}

TEST(HttpServer, TwoHundredConcurrentRequestsAreAllAnswered) {
  ControlHarness h;
  constexpr int kClients = 200;
  std::vector<Socket> sockets;
  for (int i = 0; i < kClients; ++i) sockets.push_back(connect_tcp(h.http_port()));
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(sockets[i].send_all(std::string("GET ") + (i % 2 ? "/metrics" : "/healthz") +
                                    " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  }
  int ok = 0;
  for (int i = 0; i < kClients; ++i) {
    std::string buffer;
    auto response = read_http_response(sockets[i], buffer);
    if (response && response->status == 200) {
      if (i % 2) parse_exposition(response->body);
      ++ok;
    }
  }
  EXPECT_EQ(ok, kClients);
}

TEST(HttpServer, ConnectionsOverTheCapGet503) {
  HarnessOptions options;
  options.http.max_connections = 3;
  ControlHarness h(options);
  std::vector<Socket> held;
  for (int i = 0; i < 3; ++i) held.push_back(connect_tcp(h.http_port()));
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (h.http_connections() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  auto extra = connect_tcp(h.http_port());
  std::string buffer;
  auto response = read_http_response(extra, buffer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  held.clear();
  deadline = std::chrono::steady_clock::now() + 2s;
  while (h.http_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(get(h, "/healthz").status, 200);
}

TEST(HttpServer, StartFailsNamingTheAddressWhenItIsBadOrTaken) {
  ControlHarness h;
  control::Metrics metrics;
  auto error_for = [&](const std::string& listen) -> std::string {
    control::HttpServer server(h.io().io(), listen, h.api(), metrics);
    try {
      h.io().run([&] { server.start(); });
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(started)";
  };
  auto taken = "127.0.0.1:" + std::to_string(h.http_port());
  EXPECT_NE(error_for(taken).find("cannot listen for HTTP on " + taken), std::string::npos);
  EXPECT_NE(error_for("9464").find("[metrics] listen \"9464\""), std::string::npos);
  EXPECT_NE(error_for("127.0.0.1:99999").find("port"), std::string::npos);
  EXPECT_NE(error_for("::1:9464").find("brackets"), std::string::npos);
}

}  // namespace
}  // namespace ticketwatch::testing
