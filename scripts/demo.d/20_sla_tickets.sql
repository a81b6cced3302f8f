-- Demo tickets at every SLA level. The first sla-monitor pass notifies the medium, high and
-- breached ones at once (Hank, inactive, never); two short-window tickets then climb
-- low -> medium -> high -> breached within the first minutes, so each rise shows up as new
-- notifications and ticket_history rows on later passes. Closed tickets and tickets without a due
-- date are never touched. People come from 10_people.sql (ids 1-8, teams 1 and 2).
insert into tickets (title, status, priority, creator_id, assignee_id, team_id, created_at,
                     updated_at, status_changed_at, first_response_at, sla_started_at, sla_due_at,
                     customer_rating)
values
  -- low: plenty of time left
  ('Update the office wiki', 'open', 'low', 5, 3, 1,
   now() - interval '1 hour', now(), now() - interval '1 hour', now() - interval '50 minutes',
   null, now() + interval '2 days', null),
  -- climbs fast: a 10-minute window with 3 minutes left (30 %): medium after ~30 s, high after
  -- ~2 min, breached after 3 min
  ('Checkout page returns 500', 'open', 'urgent', 6, 4, 2,
   now() - interval '7 minutes', now(), now() - interval '7 minutes', null,
   null, now() + interval '3 minutes', null),
  -- climbs slower: a 30-minute window with 10 minutes left (33 %): medium after ~2.5 min, high
  -- after 7 min, breached after 10 min
  ('Password reset mails delayed', 'open', 'high', 5, 3, 1,
   now() - interval '20 minutes', now(), now() - interval '20 minutes', null,
   null, now() + interval '10 minutes', null),
  -- medium: 20 of 100 hours left
  ('Laptop keyboard sticky', 'open', 'medium', 5, 3, 1,
   now() - interval '80 hours', now(), now() - interval '80 hours', now() - interval '79 hours',
   null, now() + interval '20 hours', null),
  -- high: 5 of 100 hours left; followed by Grace and by Hank, who is inactive
  ('VPN drops every hour', 'open', 'high', 6, 4, 2,
   now() - interval '95 hours', now(), now() - interval '95 hours', null,
   null, now() + interval '5 hours', null),
  -- high, no assignee: the role is simply absent from the recipients
  ('Printer on fire', 'open', 'urgent', 5, null, 1,
   now() - interval '3 hours', now(), now() - interval '3 hours', null,
   null, now() + interval '10 minutes', null),
  -- breached: due three hours ago, and waiting for the customer for 15 minutes
  ('Invoice export broken', 'pending', 'medium', 6, 4, 2,
   now() - interval '2 days', now(), now() - interval '15 minutes', now() - interval '47 hours',
   null, now() - interval '3 hours', null),
  -- low although created long ago: its SLA clock was restarted an hour ago
  ('Shared drive permissions', 'open', 'low', 5, 3, 1,
   now() - interval '30 days', now(), now() - interval '1 hour', now() - interval '29 days',
   now() - interval '1 hour', now() + interval '1 day', null),
  -- breached and an unhappy customer on the platform team
  ('Data import lost rows', 'open', 'high', 6, 4, 2,
   now() - interval '3 days', now(), now() - interval '3 days', now() - interval '70 hours',
   null, now() - interval '1 day', 1),
  -- ignored: resolved (closed statuses come from the config), although long overdue
  ('Old monitor flickers', 'resolved', 'low', 5, 3, 1,
   now() - interval '10 days', now(), now() - interval '9 days', now() - interval '10 days',
   null, now() - interval '8 days', 5),
  -- ignored: no SLA due date
  ('Feature idea: dark mode', 'open', 'low', 6, null, null,
   now() - interval '2 days', now(), now() - interval '2 days', null,
   null, null, null);

-- Followers: Grace (7) follows the VPN and checkout tickets, Hank (8, inactive) follows VPN.
insert into ticket_followers (ticket_id, user_id)
select t.id, f.user_id
  from tickets t
  join (values ('VPN drops every hour', 7), ('VPN drops every hour', 8),
               ('Checkout page returns 500', 7)) as f (title, user_id)
    on f.title = t.title;
