#!/bin/sh
# Checks systemd/ticketwatch.service: tests/package/verify-unit.sh BUILD_DIR
#
# 1. `systemd-analyze verify` passes on a copy of the unit whose ExecStart*= point at the binaries
#    in BUILD_DIR (verify insists that the executables exist), and prints no warning about it.
# 2. `systemd-analyze security --offline=true` scores the unit at 1.5 or lower.
# 3. The unit's own command lines work with the real binaries: ExecStartPre (check-config)
#    accepts the default config and fails on a broken one; ExecStart runs the daemon; ExecReload
#    (ticketwatchctl reload) applies a valid file, exits 1 on an invalid one while the daemon keeps
#    running, and exits 3 when no daemon listens; SIGTERM stops the daemon with status 0.
set -eu

max_exposure=1.5

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
unit="$source_dir/systemd/ticketwatch.service"
daemon="$build_dir/src/ticketwatchd"
ctl="$build_dir/src/ticketwatchctl"
for f in "$daemon" "$ctl"; do
	[ -x "$f" ] || { echo "FAIL: $f not built" >&2; exit 1; }
done
command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze missing (apt-get install systemd)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tw-verify-unit.XXXXXX")
daemon_pid=
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -KILL "$daemon_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

passed=0
failures=0
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The value of a unit setting (first occurrence), e.g. unit_setting ExecStart.
unit_setting() {
	sed -n "s/^$1=//p" "$unit" | head -n 1
}

# --- 1. systemd-analyze verify --------------------------------------------------------------
# Same file name, so verify judges it as ticketwatch.service.
mkdir -p "$work/unit"
sed -e "s|/usr/sbin/ticketwatchd|$daemon|g" -e "s|/usr/bin/ticketwatchctl|$ctl|g" \
	"$unit" >"$work/unit/ticketwatch.service"
grep -q "$daemon" "$work/unit/ticketwatch.service" || fail "rewriting ExecStart paths did nothing"
# verify also runs `man` for each Documentation= page: point it at the pages this build generated.
for page in ticketwatchd.8 ticketwatchctl.1 ticketwatch.toml.5; do
	section=${page##*.}
	mkdir -p "$work/man/man$section"
	if [ -f "$build_dir/docs/man/$page" ]; then
		cp "$build_dir/docs/man/$page" "$work/man/man$section/"
	else
		fail "man page $page not built (is scdoc installed?)"
	fi
done
if MANPATH="$work/man" systemd-analyze verify "$work/unit/ticketwatch.service" >"$work/verify.log" 2>&1; then
	# verify exits 0 on some problems (unknown keys are only warnings); any line naming the unit is one.
	if grep -i "ticketwatch" "$work/verify.log" >/dev/null; then
		fail "systemd-analyze verify warns:"
		cat "$work/verify.log" >&2
	else
		pass "systemd-analyze verify"
	fi
else
	fail "systemd-analyze verify:"
	cat "$work/verify.log" >&2
fi

# --- 2. exposure score ----------------------------------------------------------------------
if systemd-analyze security --offline=true --no-pager "$unit" >"$work/security.log" 2>&1; then
	score=$(sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p' "$work/security.log")
	if [ -z "$score" ]; then
		fail "no exposure level in systemd-analyze security output:"
		cat "$work/security.log" >&2
	elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
		pass "exposure level $score <= $max_exposure"
	else
		fail "exposure level $score > $max_exposure:"
		grep '✗' "$work/security.log" >&2 || true
	fi
else
	fail "systemd-analyze security:"
	cat "$work/security.log" >&2
fi

# --- 3. the unit's command lines against the real binaries ----------------------------------
# Each line is taken from the unit, with only the paths of the binaries, the config and the
# socket moved into the temporary directory.
config="$work/ticketwatch.toml"
socket="$work/control.sock"
rewrite() {
	printf '%s\n' "$1" | sed -e "s|/usr/sbin/ticketwatchd|$daemon|g" -e "s|/usr/bin/ticketwatchctl|$ctl|g" \
		-e "s|/etc/ticketwatch/ticketwatch.toml|$config|g" -e "s|/run/ticketwatch/control.sock|$socket|g"
}
start_pre=$(rewrite "$(unit_setting ExecStartPre)")
start=$(rewrite "$(unit_setting ExecStart)")
reload=$(rewrite "$(unit_setting ExecReload)")

# ExecStartPre with the shipped default config.
if [ -f "$source_dir/config/ticketwatch.toml" ]; then
	cp "$source_dir/config/ticketwatch.toml" "$config"
	if out=$($start_pre 2>&1); then
		pass "ExecStartPre accepts config/ticketwatch.toml"
	else
		fail "ExecStartPre rejects config/ticketwatch.toml: $out"
	fi
else
	fail "config/ticketwatch.toml is missing"
fi

# A config the daemon can run with here: no database (it keeps running and retrying), no HTTP
# listener (no port to collide on), the control socket in the temporary directory.
write_config() {
	cat >"$config" <<-EOF
		[daemon]
		log_level = "$1"
		shutdown_timeout = "5s"
		[database]
		dsn = "host=$work/no-postgres dbname=helpdesk"
		connect_timeout = "1s"
		[control]
		socket = "$socket"
		[metrics]
		listen = ""
		[jobs.sla-monitor]
		run_on_start = false
		[jobs.escalation-monitor]
		run_on_start = false
	EOF
}
write_config info

# ExecStartPre with a broken file: exit 1 and the position of the error.
printf '[daemon]\nlog_level = 5\n' >"$work/broken.toml"
broken_pre=$(printf '%s\n' "$start_pre" | sed "s|$config|$work/broken.toml|")
if out=$($broken_pre 2>&1); then
	fail "ExecStartPre accepted a broken config"
else
	status=$?
	if [ "$status" -eq 1 ] && printf '%s' "$out" | grep -q "broken.toml:2:"; then
		pass "ExecStartPre fails (1) on a broken config with its position"
	else
		fail "ExecStartPre on a broken config: status $status, output: $out"
	fi
fi

# ExecReload with no daemon: unreachable is exit 3, not a usage error.
if $reload >"$work/reload-none.log" 2>&1; then
	fail "ExecReload succeeded without a daemon"
else
	status=$?
	if [ "$status" -eq 3 ]; then pass "ExecReload exits 3 when no daemon listens"; else
		fail "ExecReload without a daemon: status $status (want 3)"; cat "$work/reload-none.log" >&2
	fi
fi

# ExecStart: the daemon, in the background, as systemd would run it (minus the sandbox).
$start >"$work/daemon.log" 2>&1 &
daemon_pid=$!
waited=0
while [ ! -S "$socket" ] && [ $waited -lt 100 ] && kill -0 "$daemon_pid" 2>/dev/null; do
	sleep 0.1
	waited=$((waited + 1))
done
if [ ! -S "$socket" ]; then
	fail "ExecStart: no control socket after 10s"
	cat "$work/daemon.log" >&2
else
	pass "ExecStart runs the daemon and opens the control socket"

	write_config debug
	if out=$($reload 2>&1); then pass "ExecReload applies a valid config"; else
		fail "ExecReload on a valid config: status $?, output: $out"
	fi

	printf '[daemon]\nlog_level = "loud"\n[control]\nsocket = "%s"\n' "$socket" >"$config"
	if out=$($reload 2>&1); then
		fail "ExecReload accepted an invalid config"
	else
		status=$?
		if [ "$status" -eq 1 ] && kill -0 "$daemon_pid" 2>/dev/null; then
			pass "ExecReload exits 1 on an invalid config and the daemon keeps running"
		else
			fail "ExecReload on an invalid config: status $status (want 1), output: $out"
		fi
	fi

	kill -TERM "$daemon_pid"
	waited=0
	while kill -0 "$daemon_pid" 2>/dev/null && [ $waited -lt 100 ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 "$daemon_pid" 2>/dev/null; then
		fail "daemon still running 10s after SIGTERM"
	else
		if wait "$daemon_pid"; then status=0; else status=$?; fi
		daemon_pid=
		if [ "$status" -eq 0 ]; then pass "SIGTERM stops the daemon with status 0"; else
			fail "daemon exited with status $status after SIGTERM"
			cat "$work/daemon.log" >&2
		fi
	fi
fi

echo "verify-unit: $passed passed, $failures failed"
if [ "$failures" -ne 0 ]; then exit 1; fi
exit 0
