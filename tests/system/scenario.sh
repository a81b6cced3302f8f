#!/bin/bash
# The system-test scenario. It runs INSIDE the Debian 12 VM (tw-system-test.service, as root, after
# multi-user.target), never on the build machine: tests/system/run.sh writes it into the disk with
# the freshly built .deb, boots the VM and reads the verdict back.
#
# Against the VM's own PostgreSQL 15 and systemd as PID 1, following docs/install.md:
#   1. dpkg -i offline; the service is enabled, not started; the unit is the source tree's file
#   2. the documented database step, ticketwatchd migrate, demo data, systemctl start with the
#      hardened unit unchanged, STATUS= in systemctl status, notifications, ticketwatchctl status as
#      an operator in group ticketwatch
#   3. systemctl reload: a valid edit applied, a broken one refused with file:line:column
#   4. watchdog: a job hung on a table lock for longer than WatchdogSec does not trip it, a
#      SIGSTOPped daemon is killed and restarted
#   5. journalctl JOB=sla-monitor and -p warning
#   6. upgrade (reinstall) restarts it and keeps the config, systemctl stop is clean, dpkg --purge
#      removes what docs/install.md says it removes
# Writes /var/lib/tw-system/out/{scenario.log,journal.txt,result}; result is "passed N failed M"
# once every step ran, so an aborted scenario is never taken for a green one.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive SYSTEMD_PAGER='' SYSTEMD_COLORS=0 LC_ALL=C.UTF-8

in=/var/lib/tw-system/in
out=/var/lib/tw-system/out
rm -rf "$out"
mkdir -p "$out"
chmod -R a+rX "$in"
cd /
exec > >(tee -a "$out/scenario.log") 2>&1
tee_pid=$!

unit=ticketwatch.service
config=/etc/ticketwatch/ticketwatch.toml
deb=$(ls "$in"/ticketwatch_*.deb)
passed=0
failed=0
section=
log() { printf '[%4ds] %s\n' "$SECONDS" "$*"; }
pass() {
  passed=$((passed + 1))
  log "ok: $*"
}
fail() {
  failed=$((failed + 1))
  log "FAIL [$section]: $*"
}
step() {
  section=$1
  log "=== $*"
}

# check DESCRIPTION COMMAND...: pass when COMMAND succeeds; on failure its output is logged.
check() {
  local description=$1
  shift
  if "$@" >"$out/cmd.out" 2>&1; then
    pass "$description"
  else
    fail "$description (exit $?): $*"
    sed 's/^/    | /' "$out/cmd.out" | tail -n 30
    return 1
  fi
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second until it succeeds.
wait_for() {
  local limit=$1 description=$2
  shift 2
  local deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if "$@" >"$out/cmd.out" 2>&1; then
      pass "$description"
      return 0
    fi
    sleep 0.5
  done
  fail "$description: not within ${limit}s: $*"
  sed 's/^/    | /' "$out/cmd.out" | tail -n 30
  return 1
}

show() { systemctl show -p "$1" --value "$unit"; }
is_active() { [[ $(systemctl is-active "$unit") == active ]]; }
sql() { runuser -u postgres -- psql -X -A -t -q -v ON_ERROR_STOP=1 -d helpdesk -c "$1"; }
sql_true() { [[ $(sql "$1") == t ]]; }
# The cursor of the unit's last entry. It must match the filter used with --after-cursor: with a
# filter, journalctl 252 skips the first matching entry after a cursor that does not match it.
cursor() { journalctl -u "$unit" -n 1 -o cat --show-cursor -q | sed -n 's/^-- cursor: //p'; }
# The unit's journal since a cursor.
journal_since() { journalctl --no-pager -o cat -u "$unit" --after-cursor="$1"; }
journal_has() { journal_since "$1" | grep -qF -- "$2"; }
status_has() {
  local s
  s=$(show StatusText)
  for word; do [[ $s == *"$word"* ]] || return 1; done
}
# Asked of the daemon itself, so a status line left over from the previous process cannot answer.
ctl_db_up() { ticketwatchctl status | grep -Eq '^database: +up$'; }
main_pid_is() { [[ $(show MainPID) == "$1" ]]; }
restarted_from() {
  local pid
  pid=$(show MainPID)
  [[ $pid != 0 && $pid != "$1" ]] && is_active
}
no_daemon_process() { ! grep -qx ticketwatchd /proc/[0-9]*/comm 2>/dev/null; }

finish() {
  local verdict=$1
  log "=== end: $passed passed, $failed failed ($verdict)"
  {
    echo "--- journalctl -b -u $unit (last 150 lines)"
    journalctl -b --no-pager -o short-monotonic -u "$unit" -n 150
    echo "--- journalctl -b -p warning (last 60 lines)"
    journalctl -b --no-pager -o short-monotonic -p warning -n 60
  } >"$out/journal.txt" 2>&1
  if [[ $verdict == complete ]]; then echo "passed $passed failed $failed" >"$out/result"; fi
  sync
  # tee ends at end of input; give it a bounded moment to write the last lines.
  exec >&- 2>&-
  local i
  for i in {1..20}; do
    kill -0 "$tee_pid" 2>/dev/null || break
    sleep 0.25
  done
  sync
  ((failed == 0)) && [[ $verdict == complete ]]
  exit
}
# For steps without which the rest cannot run.
require() { "$@" || finish "aborted in $section"; }

step boot "VM up $(cut -d. -f1 /proc/uptime)s after the kernel started"
require wait_for 60 "PostgreSQL 15 accepts connections" runuser -u postgres -- psql -X -q -c 'select 1'

# --- 1. install -------------------------------------------------------------------------------
step install "dpkg -i $(basename "$deb")"
require check "dpkg -i installs the package with no network" dpkg -i "$deb"
check "the service is enabled (systemctl is-enabled)" test "$(systemctl is-enabled $unit)" = enabled
check "the service is not started by the installation" test "$(systemctl is-active $unit)" = inactive
check "user and group ticketwatch exist" sh -c 'getent passwd ticketwatch && getent group ticketwatch'
check "the installed unit is systemd/ticketwatch.service of the source tree" \
  cmp /lib/systemd/system/$unit "$in/ticketwatch.service"
check "no drop-in alters the unit" test -z "$(show DropInPaths)"

# --- 2. database, start, status, notifications, operator ---------------------------------------
step start "database step of docs/install.md, migrate, demo data, start"
# docs/install.md, section 2 ("A local database"): role ticketwatch, database helpdesk owned by it,
# peer authentication; the shipped DSN postgresql:///helpdesk needs no edit.
require check "createuser ticketwatch; createdb -O ticketwatch helpdesk" sh -c \
  'runuser -u postgres -- createuser ticketwatch && runuser -u postgres -- createdb -O ticketwatch helpdesk'
check "ticketwatchd check-config accepts the shipped file" sh -c "ticketwatchd check-config | grep -qx ok"
require check "ticketwatchd migrate as user ticketwatch (peer authentication)" \
  runuser -u ticketwatch -- ticketwatchd migrate
# The role is named like ticketwatch's own schema: the helpdesk tables must still land in public,
# where the application (and DROP SCHEMA ticketwatch in docs/install.md) expects them.
check "the helpdesk tables are in schema public, ticketwatch's own in schema ticketwatch" sql_true \
  "select to_regclass('public.tickets') is not null and to_regclass('public.notifications') is not null and to_regclass('ticketwatch.tickets') is null and to_regclass('ticketwatch.job_runs') is not null"
for f in "$in"/demo/*.sql; do
  require check "demo data $(basename "$f")" \
    runuser -u ticketwatch -- psql -X -q -v ON_ERROR_STOP=1 -d helpdesk -f "$f"
done
require check "systemctl start ticketwatch" timeout 120 systemctl start $unit
check "the service is active" is_active
check "the unit in force is still the shipped one (no drop-ins, same file)" sh -c \
  "test -z \"\$(systemctl show -p DropInPaths --value $unit)\" && test \"\$(systemctl show -p FragmentPath --value $unit)\" = /lib/systemd/system/$unit"
check "the daemon runs as user ticketwatch" test "$(stat -c %U /proc/"$(show MainPID)")" = ticketwatch
wait_for 120 "STATUS= says both jobs ran and the database is up" \
  status_has "sla-monitor ok" "escalation-monitor ok" "db up"
check "systemctl status shows the STATUS= line" sh -c \
  "systemctl status --no-pager $unit | grep -E '^ *Status: \".*db up'"
log "    $(systemctl status --no-pager $unit | grep -E '^ *Status:')"
check "the demo tickets produced SLA notifications" \
  sql_true "select count(*) > 0 from notifications where kind <> 'escalation'"
check "the demo rules produced escalation notifications" \
  sql_true "select count(*) > 0 from notifications where kind = 'escalation'"
check "nobody inactive was notified" \
  sql_true "select count(*) = 0 from notifications n join users u on u.id = n.user_id where not u.active"
log "    notifications by kind: $(sql "select string_agg(kind || '=' || n, ' ' order by kind) from (select kind, count(*) n from notifications group by kind) k")"
# docs/install.md, "Operators: the ticketwatch group".
check "an operator joins group ticketwatch with adduser" sh -c \
  'adduser --quiet --disabled-password --gecos "" tw-operator && adduser --quiet tw-operator ticketwatch'
check "ticketwatchctl status works as the operator" sh -c \
  'runuser -u tw-operator -- ticketwatchctl status | grep -q "^sla-monitor "'
runuser -u tw-operator -- ticketwatchctl status 2>&1 | sed 's/^/    | /'
runuser -u nobody -- ticketwatchctl status >/dev/null 2>&1
status=$?
check "a user outside the group is refused (exit 3, got $status)" test "$status" = 3

# --- 3. reload ----------------------------------------------------------------------------------
step reload "systemctl reload with a valid and a broken edit"
pid=$(show MainPID)
# The second "enabled = true" is [jobs.escalation-monitor]'s.
enabled_line=$(grep -n '^enabled = true$' $config | sed -n 2p | cut -d: -f1)
sed -i "${enabled_line}s/true/false/" $config
check "edit: escalation-monitor enabled = false (line $enabled_line)" sh -c \
  "sed -n '1,${enabled_line}p' $config | grep '^\[jobs\.' | tail -n 1 | grep -qx '\[jobs.escalation-monitor\]'"
check "systemctl reload applies a valid edit" timeout 60 systemctl reload $unit
escalation_disabled() { ticketwatchctl status | grep -E '^escalation-monitor +disabled '; }
check "ticketwatchctl status shows escalation-monitor disabled" escalation_disabled
ticketwatchctl status | grep -E '^(JOB|escalation-monitor) ' | sed 's/^/    | /'
check "same main PID after the reload" main_pid_is "$pid"
cp $config /root/good.toml
line=$(grep -n '^interval = "15m"$' $config | head -n 1 | cut -d: -f1)
# Broken, and it would enable escalation-monitor again: if any of it were applied, status shows it.
sed -i -e "${line}s/\"15m\"/\"soon\"/" -e "${enabled_line}s/false/true/" $config
c=$(cursor)
if timeout 60 systemctl reload $unit >"$out/cmd.out" 2>&1; then
  fail "systemctl reload accepted a broken file"
else
  pass "systemctl reload exits non-zero on a broken file (jobs.sla-monitor.interval = \"soon\")"
fi
wait_for 10 "the journal names the error as $config:$line:12" journal_has "$c" "$config:$line:12:"
journal_since "$c" | grep -F "$config:$line:12:" | head -n 2 | sed 's/^/    | /'
check "the service stays active" is_active
check "same main PID" main_pid_is "$pid"
check "the configuration in force is still the valid edit (escalation-monitor disabled)" escalation_disabled
cp /root/good.toml $config
check "systemctl reload with the repaired file" timeout 60 systemctl reload $unit

# --- 4. watchdog --------------------------------------------------------------------------------
step watchdog "a hung job does not trip WatchdogSec=30s; a stopped daemon does"
pid=$(show MainPID)
restarts=$(show NRestarts)
c=$(cursor)
# A transaction holds tickets for 40 s; sla-monitor's run waits on it that long.
runuser -u postgres -- psql -X -q -d helpdesk -c 'begin' -c 'lock table tickets in access exclusive mode' \
  -c 'select pg_sleep(40)' -c 'commit' >"$out/lock.out" 2>&1 &
lock_pid=$!
wait_for 15 "a session holds an access exclusive lock on tickets" sql_true \
  "select count(*) = 1 from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'tickets' and l.mode = 'AccessExclusiveLock' and l.granted"
hung_from=$SECONDS
(
  timeout 120 ticketwatchctl trigger sla-monitor >"$out/trigger.out" 2>&1
  echo $? >"$out/trigger.rc"
  echo $((SECONDS - hung_from)) >"$out/trigger.seconds"
) &
trigger_pid=$!
wait_for 15 "the triggered sla-monitor run waits on the lock" sql_true \
  "select count(*) > 0 from pg_stat_activity where usename = 'ticketwatch' and wait_event_type = 'Lock'"
check "ticketwatchctl status answers while the job hangs" ticketwatchctl status
# Past WatchdogSec: the service must stay up with the same process all the while.
stable=1
while ((SECONDS - hung_from < 35)); do
  if ! is_active || ! main_pid_is "$pid"; then
    stable=0
    break
  fi
  sleep 1
done
check "the triggered run is still waiting after $((SECONDS - hung_from))s (> WatchdogSec)" kill -0 "$trigger_pid"
check "active with the same main PID all the while" test $stable = 1
check "no restart (NRestarts still $restarts)" test "$(show NRestarts)" = "$restarts"
check "no watchdog timeout in the journal" sh -c "! journalctl -u $unit --after-cursor='$c' | grep -q 'Watchdog timeout'"
wait "$trigger_pid"
check "the hung run completes once the lock is gone: $(head -n 1 "$out/trigger.out")" \
  test "$(cat "$out/trigger.rc")" = 0
check "ticketwatchctl trigger waited $(cat "$out/trigger.seconds")s for it (> WatchdogSec=30s)" \
  test "$(cat "$out/trigger.seconds")" -gt 30
wait "$lock_pid"

pid=$(show MainPID)
restarts=$(show NRestarts)
c=$(cursor)
stopped_at=$SECONDS
kill -STOP "$pid"
log "    SIGSTOP sent to main PID $pid"
wait_for 120 "systemd kills the stopped daemon and restarts it (new main PID)" restarted_from "$pid"
log "    restarted $((SECONDS - stopped_at))s after SIGSTOP (pings every 15s, WatchdogSec=30s, RestartSec=5s)"
check "the journal says watchdog: Watchdog timeout (limit 30s)" journal_has "$c" "Watchdog timeout (limit 30s)"
check "the stopped process was killed with the watchdog signal (SIGABRT)" \
  journal_has "$c" "Main process exited, code=killed, status=6/ABRT"
check "the unit failed with result 'watchdog' before the restart" journal_has "$c" "Failed with result 'watchdog'"
journal_since "$c" | grep -iE 'watchdog|Scheduled restart' | head -n 3 | sed 's/^/    | /'
check "NRestarts went up ($restarts -> $(show NRestarts))" test "$(show NRestarts)" -gt "$restarts"
wait_for 90 "the restarted daemon reports database up (ticketwatchctl status)" ctl_db_up

# --- 5. journal fields --------------------------------------------------------------------------
step journal "journalctl JOB= and -p warning"
journalctl --no-pager -o export -u $unit JOB=sla-monitor >"$out/job.export"
entries=$(grep -c '^__CURSOR=' "$out/job.export")
job_lines=$(grep -c '^JOB=sla-monitor$' "$out/job.export")
check "journalctl -u ticketwatch JOB=sla-monitor returns lines ($entries)" test "$entries" -gt 0
check "every one of them is sla-monitor's ($job_lines of $entries carry JOB=sla-monitor)" \
  test "$job_lines" = "$entries"
all=$(journalctl --no-pager -o export -u $unit | grep -c '^__CURSOR=')
check "the filter leaves others out ($entries of $all lines)" test "$all" -gt "$entries"
journalctl --no-pager -o export -u $unit -p warning >"$out/warning.export"
warnings=$(grep -c '^__CURSOR=' "$out/warning.export")
check "journalctl -u ticketwatch -p warning returns lines ($warnings)" test "$warnings" -gt 0
check "all of them are warnings or worse (PRIORITY <= 4)" sh -c \
  "! grep '^PRIORITY=' '$out/warning.export' | grep -qv '^PRIORITY=[0-4]\$'"
check "the unit also logged below warning, which -p warning left out" sh -c \
  "journalctl --no-pager -o export -u $unit -p 6..6 | grep -q '^PRIORITY=6\$'"
journalctl --no-pager -o cat -u $unit -p warning | head -n 3 | sed 's/^/    | /'

# --- 6. upgrade, stop, purge --------------------------------------------------------------------
step upgrade "dpkg -i again while running (the upgrade path)"
pid=$(show MainPID)
check "dpkg -i over the running installation" dpkg -i "$deb"
wait_for 60 "the running service was restarted (new main PID)" restarted_from "$pid"
check "the edited conffile survived" sh -c "sed -n '${enabled_line}p' $config | grep -qx 'enabled = false'"
wait_for 90 "the upgraded daemon reports database up (ticketwatchctl status)" ctl_db_up

step stop "systemctl stop"
# PID 1 logs each sd_notify message it gets at debug level: that is where STOPPING=1 shows.
systemd-analyze log-level debug
c=$(cursor)
check "systemctl stop exits 0" timeout 90 systemctl stop $unit
systemd-analyze log-level info
check "inactive" test "$(systemctl is-active $unit)" = inactive
check "Result=success" test "$(show Result)" = success
check "the daemon exited with status 0" sh -c \
  "test \"\$(systemctl show -p ExecMainCode --value $unit)\" = 1 && test \"\$(systemctl show -p ExecMainStatus --value $unit)\" = 0"
check "systemd received STOPPING=1" journal_has "$c" "STOPPING=1"
check "the daemon logged its shutdown" journal_has "$c" "SIGTERM: stopping"
check "the control socket is gone" test ! -e /run/ticketwatch/control.sock
check "no ticketwatchd process is left" no_daemon_process

# dpkg --purge, what apt purge runs: apt-get itself spends 40 s of TCG time reading its lists.
step purge "dpkg --purge ticketwatch"
echo 'secret' >/etc/ticketwatch/db-password
chmod 600 /etc/ticketwatch/db-password
check "dpkg --purge ticketwatch" dpkg --purge ticketwatch
check "the package is gone from dpkg's database" sh -c \
  "! dpkg-query -W -f '\${Status}' ticketwatch 2>/dev/null | grep -q installed"
check "the unit file is removed" test ! -e /lib/systemd/system/$unit
check "systemd no longer knows the unit" test "$(show LoadState)" = not-found
check "the enablement is removed" test ! -e /etc/systemd/system/multi-user.target.wants/$unit
check "/etc/ticketwatch is removed, db-password included" test ! -e /etc/ticketwatch
check "the binaries are removed" sh -c 'test ! -e /usr/sbin/ticketwatchd && test ! -e /usr/bin/ticketwatchctl'
# docs/install.md, section 8: the user and group are kept (Debian practice), the database untouched.
check "the ticketwatch user and group are kept, as documented" sh -c \
  'getent passwd ticketwatch && getent group ticketwatch'
check "the helpdesk database is untouched" sql_true "select count(*) > 0 from tickets"
check "no ticketwatchd process is left" no_daemon_process

finish complete
