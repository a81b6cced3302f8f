-- Demo people: eight users (Hank, id 8, is inactive and must never be notified) and two teams
-- whose leaders are Alice and Bob. Explicit ids so the other demo files can refer to them.
insert into users (id, name, email, active) values
  (1, 'Alice Leader',   'alice@example.test', true),
  (2, 'Bob Leader',     'bob@example.test',   true),
  (3, 'Carol Agent',    'carol@example.test', true),
  (4, 'Dave Agent',     'dave@example.test',  true),
  (5, 'Erin Customer',  'erin@example.test',  true),
  (6, 'Frank Customer', 'frank@example.test', true),
  (7, 'Grace Follower', 'grace@example.test', true),
  (8, 'Hank Inactive',  'hank@example.test',  false);
select setval(pg_get_serial_sequence('users', 'id'), 8);

insert into teams (id, name, leader_id) values
  (1, 'First line', 1),
  (2, 'Platform',   2);
select setval(pg_get_serial_sequence('teams', 'id'), 2);
