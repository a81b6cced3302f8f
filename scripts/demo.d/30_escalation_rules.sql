-- Demo escalation rules (docs/rules.md). They refer to the people of 10_people.sql (users 1-8,
-- user 8 inactive; team 1 led by Alice (1), team 2 by Bob (2)) and fire on the tickets of
-- 20_sla_tickets.sql: several are overdue, most have no first response yet.
-- Rule 6 is malformed on purpose and active, so the demo shows how a bad rule is reported
-- (`ticketwatchd check-rules`, the run's summary and log) while the others keep running.
insert into escalation_rules (id, name, active, position, condition_type, condition, actions) values
  (1, 'demo: breached SLA', true, 10, 'sla_breach',
   '{"overdue_minutes": 0}',
   '[{"type": "notify", "to": ["creator", "assignee", "team_leader", "followers"]},
     {"type": "increase_priority", "steps": 1}]'),
  -- Runs after rule 1 in the same run, so it sees the priorities rule 1 just raised.
  (2, 'demo: urgent goes to the team leader', true, 20, 'priority_level',
   '{"at_least": "urgent", "open_minutes": 0}',
   '[{"type": "reassign", "to": "team_leader"},
     {"type": "notify", "to": ["assignee"]}]'),
  (3, 'demo: no response after a minute', true, 30, 'no_response',
   '{"minutes": 1}',
   '[{"type": "notify", "to": ["team_leader", 8]},
     {"type": "add_follower", "user_id": 7}]'),
  (4, 'demo: pending for 10 minutes', true, 40, 'time_in_status',
   '{"status": "pending", "minutes": 10}',
   '[{"type": "set_status", "status": "open"},
     {"type": "notify", "to": ["assignee", "creator"]}]'),
  (5, 'demo: unhappy customer on the platform team', true, 50, 'customer_rating',
   '{"at_most": 2, "team_id": 2}',
   '[{"type": "set_priority", "priority": "high"},
     {"type": "set_team", "team_id": 1},
     {"type": "notify", "to": ["team_leader"]}]'),
  (6, 'demo: malformed on purpose', true, 60, 'sla_breach',
   '{"overdue_minutes": "ten"}',
   '[{"type": "notfy", "to": ["assignee"]}]'),
  (7, 'demo: switched off', false, 70, 'no_response',
   '{"minutes": 0}',
   '[{"type": "set_status", "status": "closed"}]');
select setval(pg_get_serial_sequence('escalation_rules', 'id'), 7);
