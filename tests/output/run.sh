#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One output-format test: run.sh CHECK SOCKSCOPE SOCKFARM.  Enters a private
# network + pid namespace (tests/e2e/lib.sh), builds the scene CHECK needs --
# the e2e socket farm, or outfarm.py's "golden" or "pipelines" scene -- and
# runs CHECK of check_output.py against it.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../e2e/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-60}

[ $# = 3 ] || e2e_fail "usage: run.sh CHECK SOCKSCOPE SOCKFARM"
check=$1
sockscope=$(realpath "$2") || e2e_fail "no sockscope binary '$2'"
farm=$(realpath "$3") || e2e_fail "no sockfarm binary '$3'"

case $check in
json) need="jq" scene=farm ;;
prom) need="promtool" scene=golden ;;
csv) need= scene=golden ;;
golden) need= scene=golden ;;
pipelines) need="netstat" scene=pipelines ;;
*) e2e_fail "unknown check '$check'" ;;
esac
for tool in $need; do
	command -v "$tool" >/dev/null || e2e_skip "'$tool' is not installed (scripts/deps.sh installs it)"
done

[ "${E2E_INSIDE:-}" = 1 ] || e2e_enter "$check" "$sockscope" "$farm"
e2e_setup_inside

OUT_PID=
out_cleanup() {
	exec 8>&-
	if [ -n "$OUT_PID" ]; then
		kill "$OUT_PID" 2>/dev/null
		wait "$OUT_PID" 2>/dev/null
	fi
	e2e_cleanup
}
trap out_cleanup EXIT

# outfarm.py SCENE: its manifest in $E2E_TMP/out.manifest; READY within 20 s.
start_outfarm() {
	mkfifo "$E2E_TMP/out.ctl" || e2e_fail "mkfifo"
	"$E2E_PY" "$here/outfarm.py" "$1" "$E2E_TMP/out.manifest" \
		<"$E2E_TMP/out.ctl" >"$E2E_TMP/out.out" 2>"$E2E_TMP/out.err" &
	OUT_PID=$!
	exec 8>"$E2E_TMP/out.ctl"
	for ((i = 0; i < 200; i++)); do
		grep -q '^READY$' "$E2E_TMP/out.out" 2>/dev/null && return 0
		kill -0 "$OUT_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$E2E_TMP/out.err" >&2
	e2e_fail "outfarm.py $1 did not become ready"
}

case $scene in
farm)
	e2e_start_farm "$farm"
	;;
golden)
	start_outfarm golden
	;;
pipelines)
	# SYN-RECV: the SYN-ACKs to 10.9.0.0/16 leave through lo and are
	# dropped there (not a local address), so no handshake completes.
	ip route add 10.9.0.0/16 dev lo || e2e_fail "ip route add 10.9.0.0/16 dev lo"
	start_outfarm pipelines
	;;
esac
PYTHONDONTWRITEBYTECODE=1 "$E2E_PY" "$here/check_output.py" "$check" \
	--sockscope "$sockscope" --tmp "$E2E_TMP" --data "$here/../data/output"
