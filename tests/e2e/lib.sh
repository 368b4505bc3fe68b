# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the end-to-end tests (sourced by run.sh).  A test runs twice:
# outside, e2e_enter re-runs the calling script inside a fresh network + pid
# + mount namespace (so only the test's own sockets and processes exist, and
# the namespace dies with the script); inside, e2e_start_farm starts the
# socket farm and waits for READY.  Exit 77 means "skipped" to meson.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_PY=/usr/bin/python3
# Whole test, namespace included; the TIME-WAIT socket lives 60 s, so a test
# that needs it must finish well inside that anyway.
E2E_TIMEOUT=${E2E_TIMEOUT:-150}
FARM_PID=

e2e_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

e2e_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Skip (77) when this machine cannot run the tests, fail when it should.
e2e_require() {
	local tool

	[ "$(id -u)" = 0 ] || e2e_skip "needs root (network + pid namespaces, /proc/PID/fd of all)"
	for tool in unshare ip ss timeout mkfifo; do
		command -v "$tool" >/dev/null || e2e_skip "'$tool' is not installed"
	done
	[ -x "$E2E_PY" ] || e2e_skip "$E2E_PY is not installed"
	unshare --net --pid --fork --mount-proc true 2>/dev/null ||
		e2e_skip "cannot create network/pid namespaces here (unshare failed)"
}

# Outside: re-run "$0 $@" inside new namespaces, with a private temp dir
# E2E_TMP that is removed afterwards whatever happens inside.
e2e_enter() {
	local rc=0

	e2e_require
	E2E_TMP=$(mktemp -d /tmp/sockscope-e2e.XXXXXX) || e2e_fail "mktemp"
	chmod 755 "$E2E_TMP"
	# --kill-child: if timeout kills unshare, the namespace's init (and with
	# it every process of the pid namespace) is killed too.
	E2E_INSIDE=1 E2E_TMP=$E2E_TMP timeout -k 5 "$E2E_TIMEOUT" \
		unshare --net --pid --mount-proc --propagation private --kill-child \
		bash "$0" "$@" || rc=$?
	rm -rf "$E2E_TMP"
	[ "$rc" = 124 ] && echo "FAIL: timed out after ${E2E_TIMEOUT}s" >&2
	exit "$rc"
}

e2e_cleanup() {
	# Closing the control fifo makes the farm exit; the pid namespace
	# teardown (we are its init) kills whatever is left.
	exec 9>&-
	if [ -n "$FARM_PID" ]; then
		kill "$FARM_PID" 2>/dev/null
		wait "$FARM_PID" 2>/dev/null
	fi
}

# Inside: loopback up, cleanup trap.
e2e_setup_inside() {
	[ "$E2E_INSIDE" = 1 ] || e2e_fail "e2e_setup_inside outside the namespace"
	trap e2e_cleanup EXIT
	ip link set lo up || e2e_fail "ip link set lo up"
	cd "$E2E_TMP" || e2e_fail "cd $E2E_TMP"
}

# e2e_start_farm SOCKFARM: writes $E2E_TMP/manifest, unix sockets under
# $E2E_TMP/farm; sets FARM_PID.  Fails after 20 s without READY.
e2e_start_farm() {
	local farm=$1 i

	mkdir -p "$E2E_TMP/farm"
	mkfifo "$E2E_TMP/farm.ctl" || e2e_fail "mkfifo"
	"$farm" "$E2E_TMP/manifest" "$E2E_TMP/farm" \
		<"$E2E_TMP/farm.ctl" >"$E2E_TMP/farm.out" 2>"$E2E_TMP/farm.err" &
	FARM_PID=$!
	# Opening the write end completes the farm's open of the read end.
	exec 9>"$E2E_TMP/farm.ctl"
	for ((i = 0; i < 200; i++)); do
		if grep -q '^READY$' "$E2E_TMP/farm.out" 2>/dev/null; then
			date +%s >"$E2E_TMP/farm.ready"
			return 0
		fi
		kill -0 "$FARM_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$E2E_TMP/farm.err" >&2
	e2e_fail "socket farm did not become ready"
}

# e2e_check CHECK ARGS...: run one check of compare_ss.py.
e2e_check() {
	PYTHONDONTWRITEBYTECODE=1 "$E2E_PY" "$E2E_DIR/compare_ss.py" "$@"
}
