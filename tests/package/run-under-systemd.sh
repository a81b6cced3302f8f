#!/bin/sh
# Runs systemd/ticketwatch.service under a real systemd, with all of its hardening, against a real
# PostgreSQL: tests/package/run-under-systemd.sh BUILD_DIR
#
# systemd-analyze only reads the unit; this proves the daemon works inside the sandbox it
# describes (seccomp filter, PrivateUsers, ProtectSystem=strict, IPAddressDeny, credentials...)
# and that start, status, reload, the watchdog, the control socket's permissions and stop behave
# as docs/install.md says.
#
# How: a systemd is booted as PID 1 of new pid/mount/net/uts/ipc/cgroup namespaces, in a
# throwaway root (an overlay of / whose writes land in a tmpfs, with its own /dev, /run and /tmp,
# and a read-only /proc/sys), inside a cgroup of its own. Nothing it does reaches the host's files,
# and killing that cgroup ends all of it. Needs root, unshare (util-linux), systemd, PostgreSQL 15.
#
# The unit is the source file with two changes only: ExecStart*/ExecReload point at BUILD_DIR's
# binaries, and a drop-in sets DefaultDependencies=no (the minimal boot has no sysinit.target).
set -eu

if [ "${1:-}" = "--inner" ]; then
	# --- PID 1 of the new namespaces: build the root and exec systemd ---------------------------
	w=$2
	sysusers=$3
	mount -n --make-rprivate /
	mkdir -p "$w/t"
	mount -n -t tmpfs -o mode=755 tmpfs "$w/t"
	mkdir -p "$w/t/upper" "$w/t/work" "$w/t/root"
	mount -n -t overlay overlay -o "lowerdir=/,upperdir=$w/t/upper,workdir=$w/t/work" "$w/t/root"
	r="$w/t/root"
	mount -n -t proc proc "$r/proc"
	mount -n --bind "$r/proc/sys" "$r/proc/sys"
	mount -n -o remount,bind,ro "$r/proc/sys"
	# Mounted inside the cgroup namespace: its root is the cgroup the caller made.
	mount -n -t sysfs sysfs "$r/sys"
	mount -n -t cgroup2 cgroup2 "$r/sys/fs/cgroup"
	mount -n -t tmpfs -o mode=755 tmpfs "$r/dev"
	for d in null zero full random urandom tty; do
		: >"$r/dev/$d"
		mount -n --bind "/dev/$d" "$r/dev/$d"
	done
	mkdir -p "$r/dev/pts" "$r/dev/shm"
	mount -n -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
	ln -s pts/ptmx "$r/dev/ptmx"
	mount -n -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
	mount -n -t tmpfs -o mode=755 tmpfs "$r/run"
	mount -n -t tmpfs -o mode=1777 tmpfs "$r/tmp"
	mkdir -p "$r/run/systemd/system" "$r/run/tw-pg"
	cp -a "$w/units/." "$r/run/systemd/system/"
	mount -n --bind "$w/pg/socket" "$r/run/tw-pg"
	mkdir -p "$r/etc/ticketwatch"
	cp "$w/ticketwatch.toml" "$r/etc/ticketwatch/ticketwatch.toml"
	# The package's sysusers entry creates the user; an operator joins its group.
	systemd-sysusers --root="$r" "$sysusers" >/dev/null
	systemd-sysusers --root="$r" --inline 'u tw-operator - "operator"' 'm tw-operator ticketwatch' >/dev/null
	: >"$r/etc/machine-id"
	cd "$r"
	mkdir -p oldroot
	pivot_root . oldroot
	umount -n -l /oldroot
	# As nspawn does: systemd (which leaves propagation alone in a container) relies on shared
	# mounts, e.g. the credentials mount it makes in a helper's namespace must show up here.
	mount -n --make-rshared /
	export container=other
	exec /usr/lib/systemd/systemd --system --unit=tw-boot.target --show-status=no
fi

# --- the test -------------------------------------------------------------------------------
if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root (it boots systemd in namespaces)" >&2; exit 1; }
for tool in unshare nsenter /usr/lib/systemd/systemd systemd-sysusers; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing" >&2; exit 1; }
done
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
# The sandbox mounts a fresh /tmp, and the unit's PrivateTmp= another: binaries under /tmp would
# vanish and the unit fail with status=203/EXEC. Say so instead.
case "$build_dir/" in
/tmp/* | /var/tmp/*)
	echo "FAIL: $build_dir is under /tmp or /var/tmp, which the sandbox and the unit's PrivateTmp= hide; build in a checkout elsewhere" >&2
	exit 1
	;;
esac
self="$source_dir/tests/package/run-under-systemd.sh"
daemon="$build_dir/src/ticketwatchd"
ctl="$build_dir/src/ticketwatchctl"
for f in "$daemon" "$ctl"; do
	[ -x "$f" ] || { echo "FAIL: $f not built" >&2; exit 1; }
done

# Under the build directory: PostgreSQL (running as user postgres) must reach it, and it is short
# enough for the socket path limit.
w="$build_dir/tw-systemd"
cg=tw-systemd-test-$$
rm -rf "$w"
mkdir -p "$w/units/ticketwatch.service.d"
chmod 755 "$w"

passed=0
failures=0
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cleanup() {
	if [ -d "/sys/fs/cgroup/unified/$cg" ]; then
		echo 1 >"/sys/fs/cgroup/unified/$cg/cgroup.kill" 2>/dev/null || true
		sleep 0.5
	fi
	for h in unified systemd pids; do
		[ -d "/sys/fs/cgroup/$h/$cg" ] && find "/sys/fs/cgroup/$h/$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	"$source_dir/tests/support/pg_cluster" stop "$w/pg" >/dev/null 2>&1 || true
	rm -rf "$w"
}
trap cleanup EXIT INT TERM

# A database the daemon can use, migrated from the host, with a role that must give a password:
# only the db-password credential gets the daemon in.
pg_bin=${TW_PG_BIN:-/usr/lib/postgresql/15/bin}
"$source_dir/tests/support/pg_cluster" start "$w/pg" >/dev/null
cat >"$w/host.toml" <<EOF
[database]
dsn = "host=$w/pg/socket dbname=postgres user=postgres"
EOF
"$daemon" --config "$w/host.toml" migrate >/dev/null
"$pg_bin/psql" -h "$w/pg/socket" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
	-c "CREATE ROLE tw_password LOGIN SUPERUSER PASSWORD 's3cret'"
hba="$w/pg/data/pg_hba.conf"
{ echo 'local all tw_password scram-sha-256'; cat "$hba"; } >"$w/hba" && cat "$w/hba" >"$hba"
runuser -u "${TW_PG_USER:-postgres}" -- "$pg_bin/pg_ctl" -D "$w/pg/data" reload >/dev/null
if "$pg_bin/psql" -h "$w/pg/socket" -U tw_password -d postgres -w -c 'SELECT 1' >/dev/null 2>&1; then
	echo "FAIL: role tw_password gets in without a password" >&2
	exit 1
fi

# The config inside: the database through the bind-mounted socket directory, run_on_start so there
# is a run to see in the journal, the metrics listener on the namespace's own loopback.
cat >"$w/ticketwatch.toml" <<'EOF'
[database]
dsn = "host=/run/tw-pg dbname=postgres user=tw_password"
[jobs.sla-monitor]
run_on_start = true
EOF

sed -e "s|/usr/sbin/ticketwatchd|$daemon|g" -e "s|/usr/bin/ticketwatchctl|$ctl|g" \
	"$source_dir/systemd/ticketwatch.service" >"$w/units/ticketwatch.service"
cat >"$w/units/ticketwatch.service.d/10-minimal-boot.conf" <<'EOF'
[Unit]
DefaultDependencies=no
EOF
cat >"$w/units/tw-boot.target" <<'EOF'
[Unit]
Description=Minimal boot for tests/package/run-under-systemd.sh
DefaultDependencies=no
Wants=systemd-journald.socket systemd-journald.service
EOF
# Nothing waits for a network here.
ln -s /dev/null "$w/units/network-online.target"

for h in unified systemd pids; do mkdir -p "/sys/fs/cgroup/$h/$cg"; done
setsid sh -c '
	for h in unified systemd pids; do echo $$ >"/sys/fs/cgroup/$h/$1/cgroup.procs"; done
	echo $$ >"$2/unshare.pid"
	exec unshare --pid --fork --mount --uts --ipc --net --cgroup --propagation private --kill-child \
		"$3" --inner "$2" "$4"
' sh "$cg" "$w" "$self" "$source_dir/systemd/ticketwatch.sysusers" >"$w/boot.log" 2>&1 </dev/null &

# systemd is the unshare process's only child.
pid1=
for _ in $(seq 100); do
	if [ -f "$w/unshare.pid" ]; then
		pid1=$(pgrep -P "$(cat "$w/unshare.pid")" || true)
		[ -n "$pid1" ] && break
	fi
	sleep 0.1
done
[ -n "$pid1" ] || { cat "$w/boot.log" >&2; echo "FAIL: systemd did not start" >&2; exit 1; }
inside() { nsenter -t "$pid1" -a "$@"; }
state=
for _ in $(seq 100); do
	state=$(inside systemctl is-system-running 2>/dev/null || true)
	case "$state" in running | degraded) break ;; esac
	sleep 0.2
done
case "$state" in running | degraded) pass "systemd booted in the namespaces ($state)" ;;
*)
	fail "systemd state: $state"
	cat "$w/boot.log" >&2
	exit 1
	;;
esac
journal() { inside journalctl --no-pager -o cat -u ticketwatch.service "$@"; }
show() { inside systemctl show -p "$1" --value ticketwatch.service; }

check_active() {
	if [ "$(inside systemctl is-active ticketwatch.service)" = active ]; then pass "$1"; else fail "$1"; fi
}
# The credential as the daemon sees it: read inside its own mount namespace.
credential() {
	inside nsenter -t "$(show MainPID)" -m cat /run/credentials/ticketwatch.service/db-password
}
# Waits up to 20s for STATUS= to contain $1; leaves the last status in $status_text.
wait_status() {
	status_text=
	for _ in $(seq 100); do
		status_text=$(show StatusText)
		case "$status_text" in *"$1"*) return 0 ;; esac
		sleep 0.2
	done
	return 1
}

# Start without /etc/ticketwatch/db-password: the SetCredential= fallback stands in, the service
# starts (READY=1 does not wait for the database) and reports that it cannot get in.
if inside timeout 60 systemctl start ticketwatch.service; then
	pass "systemctl start without db-password (Type=notify: READY=1 arrived) under the full sandbox"
else
	fail "systemctl start without db-password"
	journal >&2 || true
	exit 1
fi
check_active "the service is active"
if [ "$(credential | od -An -c | tr -d ' ')" = '\n' ]; then
	pass "without /etc/ticketwatch/db-password the credential is the fallback newline"
else
	fail "db-password credential without the file: $(credential 2>&1 | od -c)"
fi
if wait_status "db down"; then pass "without the password the status says: $status_text"; else
	fail "StatusText without the password: '$status_text'"
fi
inside timeout 60 systemctl stop ticketwatch.service

# With the password in /etc/ticketwatch/db-password (root-only), systemd hands it over and the
# daemon, as user ticketwatch, logs in with it.
inside sh -c 'umask 077; printf "s3cret\n" >/etc/ticketwatch/db-password'
if inside timeout 60 systemctl start ticketwatch.service; then pass "systemctl start with db-password"; else
	fail "systemctl start with db-password"
	journal >&2 || true
	exit 1
fi
if [ "$(credential)" = s3cret ]; then
	pass "the credential db-password carries /etc/ticketwatch/db-password"
else
	fail "credential content with the file present"
fi
if wait_status "db up"; then pass "the password gets the daemon in; STATUS= reaches systemctl: $status_text"; else
	fail "StatusText never said db up: '$status_text'"
	journal >&2
fi

main_user=$(inside ps -o user= -p "$(show MainPID)" 2>/dev/null || true)
[ "$main_user" = ticketwatch ] && pass "the daemon runs as user ticketwatch" || fail "daemon user: '$main_user'"

# The control socket: root and group ticketwatch may use it, other users may not.
if inside "$ctl" status >/dev/null; then pass "ticketwatchctl status as root"; else fail "ticketwatchctl status as root"; fi
if inside runuser -u tw-operator -- "$ctl" status >/dev/null; then
	pass "ticketwatchctl status as a member of group ticketwatch"
else
	fail "ticketwatchctl status as a member of group ticketwatch"
fi
if inside runuser -u nobody -- "$ctl" status >/dev/null 2>&1; then
	fail "user nobody could use the control socket"
else
	status=$?
	[ "$status" -eq 3 ] && pass "user nobody is refused the control socket (exit 3)" || fail "nobody: exit $status (want 3)"
fi

# Metrics on loopback pass IPAddressDeny=any/IPAddressAllow=localhost.
if inside curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:9464/healthz; then
	pass "GET /healthz on 127.0.0.1:9464 answers 200"
else
	fail "GET /healthz on 127.0.0.1:9464"
fi

if inside "$ctl" trigger sla-monitor >/dev/null; then pass "ticketwatchctl trigger sla-monitor"; else fail "trigger sla-monitor"; fi
if [ -n "$(inside journalctl --no-pager -o cat -u ticketwatch.service JOB=sla-monitor)" ]; then
	pass "journalctl -u ticketwatch JOB=sla-monitor finds the job's lines"
else
	fail "no journal entries with JOB=sla-monitor"
fi

# Reload: valid file applied, invalid file refused by systemctl reload, daemon unaffected.
inside sh -c 'printf "\n[daemon]\nlog_level = \"debug\"\n" >>/etc/ticketwatch/ticketwatch.toml'
if inside systemctl reload ticketwatch.service; then pass "systemctl reload applies a valid file"; else fail "systemctl reload (valid)"; fi
inside cp /etc/ticketwatch/ticketwatch.toml /etc/ticketwatch/good.toml
inside sh -c 'printf "[jobs.sla-monitor]\ninterval = \"soon\"\n" >/etc/ticketwatch/ticketwatch.toml'
if inside systemctl reload ticketwatch.service 2>/dev/null; then
	fail "systemctl reload accepted an invalid file"
else
	pass "systemctl reload fails on an invalid file"
fi
check_active "the service is still active after a refused reload"

# A broken file fails the (re)start in ExecStartPre, with the position in the journal.
if inside systemctl restart ticketwatch.service 2>/dev/null; then
	fail "restart succeeded with an invalid file"
else
	if journal | grep -q 'ticketwatch.toml:2:'; then
		pass "a broken file fails the start in ExecStartPre, with file:line in the journal"
	else
		fail "ExecStartPre failure not in the journal"
	fi
fi
# Restart=on-failure would keep retrying the broken file; stop that before repairing it.
inside systemctl stop ticketwatch.service || true
inside systemctl reset-failed ticketwatch.service 2>/dev/null || true

inside mv /etc/ticketwatch/good.toml /etc/ticketwatch/ticketwatch.toml
if inside timeout 60 systemctl start ticketwatch.service; then pass "start again with the repaired file"; else
	fail "start with the repaired file"
fi

# The watchdog: still active after more than WatchdogSec, so the pings arrive.
sleep 35
check_active "still active after 35s (WatchdogSec=30s is being fed)"
restarts=$(show NRestarts)
[ "$restarts" = 0 ] && pass "no restarts" || fail "NRestarts=$restarts"

# The exposure score as systemd itself computes it for the loaded unit.
score=$(inside systemd-analyze security --no-pager ticketwatch.service 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'; then
	pass "exposure level of the running unit: $score"
else
	fail "exposure level of the running unit: '$score'"
fi

# Graceful stop.
if inside timeout 60 systemctl stop ticketwatch.service; then pass "systemctl stop"; else fail "systemctl stop"; fi
result=$(show Result)
[ "$result" = success ] && pass "stopped with Result=success" || fail "Result=$result"
if journal | grep -q 'seccomp\|SIGSYS\|Operation not permitted'; then
	fail "the journal reports a sandbox denial:"
	journal | grep 'seccomp\|SIGSYS\|Operation not permitted' >&2
else
	pass "no sandbox denial in the journal"
fi

echo "run-under-systemd: $passed passed, $failures failed"
if [ "$failures" -ne 0 ]; then
	echo "--- journal of ticketwatch.service ---" >&2
	journal -o short-monotonic >&2 || true
	exit 1
fi
exit 0
