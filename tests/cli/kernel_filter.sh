#!/usr/bin/env bash
# The kernel does the filtering: among 20,000 TCP sockets only 3 match
# 'dport = :30000', and sockscope receives exactly those 3 records from the
# kernel (its --verbose line counts records received before user-space checks).
set -u
if [ "${1:-}" != --inner ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
		echo "needs root and unshare"
		exit 77
	fi
	exec unshare --net --pid --fork --mount-proc bash "$0" --inner "$(realpath "$1")"
fi
# Inside a private network and pid namespace from here on.
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ip link set lo up
# Two holders of 5,000 connections each (both ends): 20,000 sockets plus
# listeners, under the 20,000 open files a process may have.
# Listener ports stay below the ephemeral range, or one load's clients can
# take the other's port before it binds (EADDRINUSE).
cat >"$tmp/load.py" <<'PY'
import socket, sys, os
port, n, extra = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(4096)
keep = []
for i in range(n):
    c = socket.create_connection(("127.0.0.1", port))
    s, _ = ls.accept()
    keep += [c, s]
if extra:
    l2 = socket.socket(); l2.bind(("127.0.0.1", 30000)); l2.listen(16)
    for i in range(extra):
        keep.append(socket.create_connection(("127.0.0.1", 30000)))
print("READY", flush=True)
import signal; signal.pause()
PY
exec 3< <(python3 "$tmp/load.py" 20001 5000 3; true)
exec 4< <(python3 "$tmp/load.py" 20002 5000 0; true)
read -r a <&3
read -r b <&4
[ "$a" = READY ] && [ "$b" = READY ] || { echo "load did not start"; exit 1; }
total=$(ss -Htan | wc -l)
echo "tcp sockets in the namespace: $total"
[ "$total" -ge 20000 ] || { echo "FAIL: only $total sockets"; exit 1; }
out=$("$bin" --verbose -Htan 'dport = :30000' 2>"$tmp/err")
cat "$tmp/err"
shown=$(printf '%s\n' "$out" | grep -c ':30000' || true)
line=$(grep -E '^sockscope: [0-9]+ records \([0-9]+ received' "$tmp/err")
records=$(sed -E 's/^sockscope: ([0-9]+) records.*/\1/' <<<"$line")
received=$(sed -E 's/^sockscope: [0-9]+ records \(([0-9]+) received.*/\1/' <<<"$line")
fail=0
[ "$shown" -eq 3 ] || { echo "FAIL: $shown sockets shown, want 3"; fail=1; }
[ "$records" = 3 ] || { echo "FAIL: $records records kept, want 3"; fail=1; }
[ "$received" = 3 ] || { echo "FAIL: kernel sent $received records, want 3 (bytecode not applied?)"; fail=1; }
# Without the filter the kernel sends everything: the counter is not stuck at 3.
all=$("$bin" --verbose -Htan 2>&1 >/dev/null | sed -nE 's/^sockscope: [0-9]+ records \(([0-9]+) received.*/\1/p')
[ "$all" -ge 20000 ] || { echo "FAIL: unfiltered dump received $all records"; fail=1; }
# An owner test cannot be compiled: the kernel part must still filter.
recv=$("$bin" --verbose -Htan 'dport = :30000 and pid = 1' 2>&1 >/dev/null |
	sed -nE 's/^sockscope: [0-9]+ records \(([0-9]+) received.*/\1/p')
[ "$recv" = 3 ] || { echo "FAIL: with an owner test the kernel sent $recv records, want 3"; fail=1; }
[ $fail -eq 0 ] && echo "ok: kernel sent 3 of $total records"
exit $fail
