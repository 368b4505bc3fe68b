#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One end-to-end test: run.sh CHECK SOCKSCOPE SOCKFARM.  Enters a private
# network + pid namespace, starts the socket farm there and runs CHECK of
# compare_ss.py against it (see that file for the list of checks).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# = 3 ] || e2e_fail "usage: run.sh CHECK SOCKSCOPE SOCKFARM"
check=$1
sockscope=$(realpath "$2") || e2e_fail "no sockscope binary '$2'"
farm=$(realpath "$3") || e2e_fail "no sockfarm binary '$3'"
[ -x "$sockscope" ] || e2e_fail "'$sockscope' is not executable"

case $check in
secondary) need="netstat lsof" ;;
hostile) need=jq ;;
hidden-owners) need=setpriv ;;
owners-bpf)
	# Not root: the namespaces are out of reach anyway (e2e_require skips).
	[ -e /sys/kernel/btf/vmlinux ] || e2e_skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
	need=
	;;
*) need= ;;
esac
for tool in $need; do
	command -v "$tool" >/dev/null || e2e_skip "'$tool' is not installed (scripts/deps.sh installs it)"
done

[ "${E2E_INSIDE:-}" = 1 ] || e2e_enter "$check" "$sockscope" "$farm"
e2e_setup_inside

if [ "$check" = netns ]; then
	# ip netns add bind-mounts under /run/netns: give it a /run of our own
	# (a tmpfs in our private mount namespace) so nothing reaches the host.
	mount -t tmpfs e2e-run /run || e2e_fail "mount tmpfs on /run"
	ip netns add e2e-ns || e2e_fail "ip netns add"
	ip -n e2e-ns link set lo up || e2e_fail "lo up in e2e-ns"
	mkfifo "$E2E_TMP/mini.ctl"
	ip netns exec e2e-ns "$farm" --mini "$E2E_TMP/mini.manifest" \
		<"$E2E_TMP/mini.ctl" >"$E2E_TMP/mini.out" 2>&1 &
	exec 8>"$E2E_TMP/mini.ctl"
	for ((i = 0; i < 100; i++)); do
		grep -q '^READY$' "$E2E_TMP/mini.out" && break
		sleep 0.1
	done
	grep -q '^READY$' "$E2E_TMP/mini.out" || e2e_fail "mini farm: $(cat "$E2E_TMP/mini.out")"
fi
if [ "$check" = owners-bpf ]; then
	# Skip where BPF cannot run (a build without it, bpf() denied by the
	# sandbox); any other failure of the iterator is a failure of the test.
	if ! "$sockscope" -xanp --owners=bpf >/dev/null 2>"$E2E_TMP/bpf.err"; then
		grep -qE 'without BPF support|Operation not permitted|Function not implemented' \
			"$E2E_TMP/bpf.err" && e2e_skip "BPF unavailable: $(cat "$E2E_TMP/bpf.err")"
		e2e_fail "--owners=bpf: $(cat "$E2E_TMP/bpf.err")"
	fi
fi
e2e_start_farm "$farm"
if [ "$check" = owners-bpf ]; then
	PYTHONDONTWRITEBYTECODE=1 "$E2E_PY" "$E2E_DIR/owners_bpf.py" --sockscope "$sockscope" \
		--tmp "$E2E_TMP"
	exit
fi
e2e_check "$check" --sockscope "$sockscope" --tmp "$E2E_TMP"
