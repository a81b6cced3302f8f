#include "escalation_fixture.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include "ticketwatch/jobs/escalation_monitor.hpp"
#include "ticketwatch/jobs/job_environment.hpp"

namespace ticketwatch::testing {
namespace {

const char* nullable(const std::optional<std::string>& text) {
  return text ? text->c_str() : nullptr;
}

template <typename T>
std::optional<std::string> text_of(const std::optional<T>& value) {
  return value ? std::optional(std::to_string(*value)) : std::nullopt;
}

}  // namespace

EscalationTest::EscalationTest() {
  db_.migrate();
  db_.exec(R"sql(
    insert into users (id, name, email, active) values
      (1, 'Lea Leader', 'lea@example.com', true),
      (2, 'Bo Leader', 'bo@example.com', true),
      (3, 'Cy Creator', 'cy@example.com', true),
      (4, 'Ann Assignee', 'ann@example.com', true),
      (5, 'Fay Follower', 'fay@example.com', true),
      (6, 'Gus Agent', 'gus@example.com', true),
      (7, 'Hal Agent', 'hal@example.com', true),
      (8, 'Ivy Inactive', 'ivy@example.com', false);
    insert into teams (id, name, leader_id) values (1, 'Support', 1), (2, 'Billing', 2);
  )sql");
  conn_ = db_.connect();
  log_ = std::make_shared<spdlog::logger>(
      "escalation-monitor", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_stream_));
  log_->set_level(spdlog::level::debug);
}

EscalationTest::~EscalationTest() = default;

void EscalationTest::freeze_clock() {
  db_.exec(std::string(R"sql(
    create schema test_clock;
    create function test_clock.now() returns timestamptz
      language sql stable as $$ select ')sql") +
           kFrozenNow + R"sql('::timestamptz $$;
    alter database )sql" +
           conn_->quote_name(db_.name()) + " set search_path = test_clock, public, pg_catalog;");
  frozen_ = true;
  conn_ = db_.connect();
}

std::unique_ptr<pqxx::connection> EscalationTest::job_connection() {
  return db_.connect();
}

std::string EscalationTest::reference_now() {
  return frozen_ ? std::string(kFrozenNow) : db_.scalar<std::string>("select now()::text");
}

std::int64_t EscalationTest::add_ticket(const TicketSpec& spec) {
  const auto due = text_of(spec.sla_due_in);
  return db_.scalar<std::int64_t>(
      R"sql(
      insert into tickets (title, status, priority, creator_id, assignee_id, team_id, created_at,
                           updated_at, status_changed_at, first_response_at, sla_due_at,
                           customer_rating)
      select 'Printer on fire', $2, $3, $4::bigint, $5::bigint, $6::bigint, c.created, c.created,
             $1::timestamptz - make_interval(secs => $8::double precision * 60),
             case when $9::boolean then c.created + interval '1 minute' end,
             $1::timestamptz + make_interval(secs => $10::double precision * 60),
             $11::smallint
      from (select $1::timestamptz - make_interval(secs => $7::double precision * 60) as created) c
      returning id)sql",
      reference_now(), spec.status, spec.priority, nullable(text_of(spec.creator)),
      nullable(text_of(spec.assignee)), nullable(text_of(spec.team)), spec.created_minutes_ago,
      spec.status_minutes_ago, spec.responded, nullable(due), nullable(text_of(spec.rating)));
}

std::int64_t EscalationTest::add_rule(const std::string& name, const std::string& condition_type,
                                      const std::string& condition, const std::string& actions,
                                      int position, bool active) {
  return db_.scalar<std::int64_t>(
      "insert into escalation_rules (name, active, position, condition_type, condition, actions) "
      "values ($1, $2, $3, $4, $5::jsonb, $6::jsonb) returning id",
      name, active, position, condition_type, condition, actions);
}

nlohmann::json EscalationTest::run() {
  return run_on(*conn_);
}

nlohmann::json EscalationTest::run_on(pqxx::connection& conn) {
  jobs::JobEnvironment env{conn, config_, stop_.get_token(), *log_};
  return jobs::run_escalation_monitor(env);
}

std::vector<nlohmann::json> EscalationTest::history(std::int64_t ticket) {
  const auto text = db_.scalar<std::string>(
      "select coalesce(jsonb_agg(details order by id), '[]')::text from ticket_history "
      "where ticket_id = $1 and action = 'escalation_executed' and actor_id is null",
      ticket);
  return nlohmann::json::parse(text).get<std::vector<nlohmann::json>>();
}

std::vector<std::int64_t> EscalationTest::notified(std::int64_t ticket) {
  const auto text = db_.scalar<std::string>(
      "select coalesce(jsonb_agg(user_id order by user_id), '[]')::text from notifications "
      "where ticket_id = $1 and kind = 'escalation'",
      ticket);
  return nlohmann::json::parse(text).get<std::vector<std::int64_t>>();
}

nlohmann::json EscalationTest::notifications(std::int64_t ticket) {
  return nlohmann::json::parse(db_.scalar<std::string>(
      "select coalesce(jsonb_agg(to_jsonb(n) order by user_id, id), '[]')::text "
      "from notifications n where ticket_id = $1",
      ticket));
}

nlohmann::json EscalationTest::ticket(std::int64_t id) {
  return nlohmann::json::parse(
      db_.scalar<std::string>("select to_jsonb(t)::text from tickets t where id = $1", id));
}

long long EscalationTest::count(const std::string& sql) {
  return db_.scalar<long long>(sql);
}

}  // namespace ticketwatch::testing
