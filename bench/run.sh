#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark sockscope against ss, netstat, lsof and two syscall floors, at
# 2k..400k TCP sockets held by 10..1000 processes. Each scenario builds its load
# in a private network + pid namespace (bench/loadgen.c) and times every tool
# there with bench/runstat.c; the namespace dies with its init, even on Ctrl-C.
# See bench/README.md.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

die() { echo "run.sh: $*" >&2; exit 2; }
say() { echo "[bench] $*" >&2; }

# key -> label, in table order
tool_keys="sks-tan ss-tan netstat-tan floor-dump sks-tanp ss-tanp netstat-tanp lsof floor-fdscan sks-tnp-sport ss-tnp-sport sks-tlnp-sport sks-tanp-proc sks-tanp-bpf sks-tan-jsonl sks-tan-json sks-tan-sort"
label() {
	case $1 in
	sks-tan) echo "sockscope -tan" ;;
	sks-tanp) echo "sockscope -tanp" ;;
	ss-tan) echo "ss -tan" ;;
	ss-tanp) echo "ss -tanp" ;;
	netstat-tan) echo "netstat -tan" ;;
	netstat-tanp) echo "netstat -tanp" ;;
	lsof) echo "lsof -iTCP -n -P" ;;
	floor-dump) echo "floor: diag dump" ;;
	floor-fdscan) echo "floor: /proc fd scan" ;;
	sks-tnp-sport) echo "sockscope -tnp 'sport = :1024'" ;;
	ss-tnp-sport) echo "ss -tnp 'sport = :1024'" ;;
	sks-tlnp-sport) echo "sockscope -tlnp 'sport = :1024'" ;;
	sks-tanp-proc) echo "sockscope -tanp --owners=proc" ;;
	sks-tanp-bpf) echo "sockscope -tanp --owners=bpf" ;;
	sks-tan-jsonl) echo "sockscope -tan --jsonl" ;;
	sks-tan-json) echo "sockscope -tan --json" ;;
	sks-tan-sort) echo "sockscope -tan --sort local" ;;
	esac
}

# ---------------------------------------------------------------------------
# Inner half: runs as pid 1 of the new namespaces. Builds the load, times the
# tools, writes $B_WORK/results.$B_NAME and $B_WORK/meta.$B_NAME, then exits,
# which kills every process of the namespace.
# ---------------------------------------------------------------------------
tool_cmd() {
	case $1 in
	sks-tan) cmd=("$B_SKS" -tan) ;;
	sks-tanp) cmd=("$B_SKS" -tanp) ;;
	ss-tan) cmd=(ss -tan) ;;
	ss-tanp) cmd=(ss -tanp) ;;
	netstat-tan) cmd=(netstat -tan) ;;
	netstat-tanp) cmd=(netstat -tanp) ;;
	lsof) cmd=(lsof -iTCP -n -P) ;;
	floor-dump) cmd=("$B_WORK/floor_dump") ;;
	floor-fdscan) cmd=("$B_WORK/floor_fdscan") ;;
	# Holder 0 listens on 1024: one listener, and its accepted connections.
	sks-tnp-sport) cmd=("$B_SKS" -tnp 'sport = :1024') ;;
	ss-tnp-sport) cmd=(ss -tnp 'sport = :1024') ;;
	sks-tlnp-sport) cmd=("$B_SKS" -tlnp 'sport = :1024') ;;
	# The owner join's two sources (the default, auto, picks one of them).
	sks-tanp-proc) cmd=("$B_SKS" -tanp --owners=proc) ;;
	sks-tanp-bpf) cmd=("$B_SKS" -tanp --owners=bpf) ;;
	# Streamed (JSONL, the unpadded table) vs held in a snapshot (--json, --sort).
	sks-tan-jsonl) cmd=("$B_SKS" -tan --jsonl) ;;
	sks-tan-json) cmd=("$B_SKS" -tan --json) ;;
	sks-tan-sort) cmd=("$B_SKS" -tan --sort local) ;;
	esac
}

mem_avail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

inner() {
	local res="$B_WORK/results.$B_NAME" meta="$B_WORK/meta.$B_NAME"
	local ready="$B_WORK/ready.$B_NAME" log="$B_WORK/loadgen.$B_NAME.log"
	local lpid t0 m0 m1 i r key line wall st

	: >"$res"
	: >"$meta"
	ip link set lo up || die "cannot bring lo up"
	# Per-netns knobs, so they touch nothing outside. loadgen binds explicit
	# ports and needs none of them; they keep ephemeral ports and accept
	# queues out of the way for the tools and any other load.
	echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
	echo 65535 >/proc/sys/net/core/somaxconn
	echo 65535 >/proc/sys/net/ipv4/tcp_max_syn_backlog

	m0=$(mem_avail_kb)
	t0=$(date +%s.%N)
	"$B_WORK/loadgen" -n "$B_SOCKETS" -p "$B_PROCS" -6 "$B_V6" -u "$B_UDP" -x "$B_UNIX" \
		-r "$ready" 2>"$log" &
	lpid=$!
	for ((i = 0; ; i++)); do
		[ -e "$ready" ] && break
		if ! kill -0 "$lpid" 2>/dev/null || ((i > 6000)); then
			cat "$log" >&2
			echo "error=load generator failed: $(tail -1 "$log")" >>"$meta"
			return 1
		fi
		sleep 0.1
	done
	m1=$(mem_avail_kb)
	{
		echo "load=$(cat "$ready")"
		echo "load_wall_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
		echo "load_mem_mib=$(((m0 - m1) > 0 ? (m0 - m1) / 1024 : 0))"
		echo "dump_count=$("$B_WORK/floor_dump")"
		echo "fdscan=$("$B_WORK/floor_fdscan")"
	} >>"$meta"
	say "$B_NAME: load ready: $(cat "$ready")"

	local -A skip=()
	for ((r = 1; r <= B_WARMUP + B_RUNS; r++)); do
		for key in $B_TOOLS; do
			[ -n "${skip[$key]-}" ] && continue
			tool_cmd "$key"
			line=$("$B_WORK/runstat" -t "$B_TIMEOUT" -e "$B_WORK/stderr.$B_NAME.$key" \
				-- "${cmd[@]}")
			wall=${line%%$'\t'*}
			st=${line##*$'\t'}
			say "$B_NAME: run $r/$((B_WARMUP + B_RUNS)): $(label "$key"): ${wall} s ${st}"
			# A warm-up that times out is a result too: there will be no other.
			[[ $r -gt $B_WARMUP || $st = timeout ]] && printf '%s\t%s\t%s\n' "$key" "$r" "$line" >>"$res"
			# One timeout is enough to know; the rest would cost minutes each.
			[ "$st" = timeout ] && skip[$key]=1
		done
	done

	# Output sanity (not timed): line counts of the tools that were quick.
	for key in $B_TOOLS; do
		[ -n "${skip[$key]-}" ] && continue
		case $key in floor-*) continue ;; esac
		wall=$(awk -F'\t' -v k="$key" '$1 == k { print $3; exit }' "$res")
		awk -v w="$wall" 'BEGIN { exit !(w < 3) }' || continue
		tool_cmd "$key"
		echo "lines.$key=$("${cmd[@]}" 2>/dev/null | wc -l)" >>"$meta"
	done
	return 0
}

# ---------------------------------------------------------------------------
# Outer half: options, build, one namespace per scenario, report.
# ---------------------------------------------------------------------------
usage() {
	cat <<EOF
usage: bench/run.sh [--scenario LIST] [--runs N] [--out FILE] [options]
  --scenario LIST  comma-separated: small (2k sockets/10 procs), 20k (20k/100),
                   200k (200k/1000), 400k (400k/1000), all, or SOCKETS/PROCS
                   (default: small,20k)
  --runs N         timed runs per tool (default 5)
  --warmup N       untimed runs per tool before them (default 0)
  --timeout S      cap on one run, in seconds (default 120)
  --tools LIST     comma-separated subset of: $tool_keys
  --no-lsof        leave lsof out
  --v6 PCT         percent of connections over IPv6 (default 0)
  --udp N          UDP sockets per holder process (default 0)
  --unix N         unix sockets per holder process (default 0)
  --out FILE       also write the markdown report to FILE
  --keep           keep the work directory (logs, raw results)
environment: SOCKSCOPE=path (default build/src/cli/sockscope), CC (default cc)
EOF
	exit "${1:-2}"
}

# Globals of the outer half, set by main().
work="" upid="" keep=0 tmo=120 tools=""

# Kill the namespace: its init first (the kernel then kills everything in
# it), then unshare, whose --kill-child would do the same.
# shellcheck disable=SC2317  # reached through cleanup(), from the EXIT trap
kill_ns() {
	local child kids=()

	[ -n "$upid" ] || return 0
	if kill -0 "$upid" 2>/dev/null; then
		read -ra kids <"/proc/$upid/task/$upid/children" 2>/dev/null
		for child in "${kids[@]}"; do
			kill -KILL "$child" 2>/dev/null
		done
		kill -KILL "$upid" 2>/dev/null
	fi
	wait "$upid" 2>/dev/null
	upid=""
}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	kill_ns
	[ -n "$work" ] || return 0
	if ((keep)); then say "work directory kept: $work"; else rm -rf "$work"; fi
}

fmt_time() {	# seconds -> "12.3 ms" / "1.23 s"; "inf" -> "> T s"
	awk -v t="$1" -v T="$tmo" 'BEGIN {
		if (t == "inf") { printf "> %d s", T; exit }
		if (t == "" || t == "-") { printf "—"; exit }
		if (t < 0.1) printf "%.1f ms", t * 1000
		else if (t < 1) printf "%.0f ms", t * 1000
		else if (t < 10) printf "%.2f s", t
		else printf "%.1f s", t }'
}

# stats KEY RESULTS -> "median min max rss_mib runs timeouts bad_exits";
# a timed-out run counts as +infinity, so a median can be "> timeout".
stats() {
	awk -F'\t' -v k="$1" '$1 == k {
		n++; w[n] = ($5 == "timeout") ? 1e30 : $3; r[n] = $4
		if ($5 == "timeout") to++
		else if ($5 != "exit:0") { bad++; why = $5 }
	}
	function sortn(a, m,   i, j, x) {
		for (i = 2; i <= m; i++) {
			x = a[i]
			for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]
			a[j + 1] = x
		}
	}
	function med(a, m) { return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
	function show(x) { return x >= 1e29 ? "inf" : sprintf("%.6f", x) }
	END {
		if (!n) { print "- - - - 0 0 -"; exit }
		sortn(w, n); sortn(r, n)
		printf "%s %s %s %.1f %d %d %s\n", show(med(w, n)), show(w[1]), show(w[n]),
			med(r, n) / 1024, n, to, bad ? bad "x" why : "-"
	}' "$2"
}

# ratio A B -> "0.42 (2.4× faster)"; either may be "inf"
ratio() {
	awk -v a="$1" -v b="$2" -v T="$tmo" 'BEGIN {
		if (a == "-" || b == "-" || a == "" || b == "") { printf "—"; exit }
		if (a == "inf" && b == "inf") { printf "both timed out"; exit }
		if (a == "inf") { printf "> timeout"; exit }
		lt = (b == "inf") ? "< " : ""
		if (b == "inf") b = T
		q = a / b
		if (q <= 1) printf "%s%.2f (%s%.1f× faster)", lt, q, lt ? "> " : "", 1 / q
		else printf "%s%.2f (%.1f× slower)", lt, q, q }'
}

meta_get() { sed -n "s/^$1=//p" "$2" | head -1; }

report_scenario() {	# name sockets procs
	local name=$1 res="$work/results.$1" meta="$work/meta.$1" key s a b x y note
	local -A m=()

	echo
	echo "### $name: $2 established TCP sockets, $3 holder processes"
	echo
	if [ -n "$(meta_get error "$meta")" ]; then
		echo "Load failed: $(meta_get error "$meta")"
		return
	fi
	echo "Load: $(meta_get load "$meta"); built in $(meta_get load_wall_s "$meta") s" \
		"(wall, incl. fork), ~$(meta_get load_mem_mib "$meta") MiB kernel memory;" \
		"TCP sockets in the dump: $(meta_get dump_count "$meta"); /proc fd scan:" \
		"$(meta_get fdscan "$meta"); teardown $(meta_get teardown_s "$meta") s."
	echo
	echo "| tool | median | min | max | peak RSS (median) | runs | lines | notes |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	for key in $tool_keys; do
		case " $tools " in *" $key "*) ;; *) continue ;; esac
		# shellcheck disable=SC2046
		set -- $(stats "$key" "$res")
		m[$key]=$1
		note=""
		(($6)) && note="timed out (>${tmo} s)$( (($5 == 1)) && echo ", other runs skipped")"
		[ "$7" != - ] && note+="${note:+; }non-zero exit: $7"
		printf '| %s | %s | %s | %s | %s MiB | %s | %s | %s |\n' "$(label "$key")" \
			"$(fmt_time "$1")" "$(fmt_time "$2")" "$(fmt_time "$3")" "$4" "$5" \
			"$(meta_get "lines.$key" "$meta" | grep . || echo —)" "$note"
	done
	echo
	if [ -z "${m[sks-tan]-}${m[sks-tanp]-}" ]; then
		echo "No sockscope rows: no ratios."
		return
	fi
	# The floor of -tanp: the dump plus the fd scan, medians added.
	s=""
	if [[ -n ${m[floor-dump]-} && -n ${m[floor-fdscan]-} ]]; then
		s=$(awk -v a="${m[floor-dump]}" -v b="${m[floor-fdscan]}" 'BEGIN { printf "%.6f", a + b }')
	fi
	echo "| ratio (sockscope ÷ other, median wall) | sockscope | other | ratio |"
	echo "|---|---:|---:|---|"
	for pair in "sks-tan ss-tan" "sks-tan netstat-tan" "sks-tan floor-dump" \
		"sks-tanp ss-tanp" "sks-tanp netstat-tanp" "sks-tanp lsof" "sks-tanp floor" \
		"sks-tnp-sport ss-tnp-sport" "sks-tlnp-sport sks-tanp" "sks-tanp-bpf sks-tanp-proc"; do
		read -r x y <<<"$pair"
		a=${m[$x]-}
		if [ "$y" = floor ]; then b=$s; else b=${m[$y]-}; fi
		[[ -n $a && -n $b ]] || continue
		if [ "$y" = floor ]; then y="floor: dump + fd scan"; else y=$(label "$y"); fi
		printf '| %s vs %s | %s | %s | %s |\n' "$(label "$x")" "$y" \
			"$(fmt_time "$a")" "$(fmt_time "$b")" "$(ratio "$a" "$b")"
	done
}

tcp_objs() { awk '$1 == "TCP" || $1 == "TCPv6" { n += $2 } END { print n + 0 }' /proc/slabinfo; }

report_header() {	# runs warmup v6 udp unx sks notes...
	local runs=$1 warmup=$2 v6=$3 udp=$4 unx=$5 sks=$6 n

	shift 6
	echo "## sockscope benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Host: $(uname -sr), $(nproc) CPUs" \
		"($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1))," \
		"$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)."
	echo "Tools: $(ss -V 2>/dev/null | sed 's/.*, //'); $(netstat -V 2>/dev/null | head -1);" \
		"lsof $(lsof -v 2>&1 | sed -n 's/^ *revision: *//p');" \
		"sockscope: ${sks:-none}${sks:+ ($("$sks" --version 2>/dev/null | head -1))}."
	echo "Runs: $runs timed per tool (after $warmup warm-up), rounds interleaved across" \
		"tools, cap ${tmo} s per run; stdout to /dev/null. Extra load per holder:" \
		"v6 ${v6}%, udp $udp, unix $unx."
	for n in "$@"; do echo "Note: $n."; done
}

# Everything runs from functions, so bash has parsed the whole file before
# the first scenario starts: editing it mid-run cannot change what runs.
main() {
	local scenarios=small,20k runs=5 warmup=0 out="" v6=0 udp=0 unx=0 nolsof=0
	local s v key sks kept="" p cc cflags report sc name socks procs base t0
	local -a scen_list=() notes=()

	tools=$tool_keys
	while (($#)); do
		case $1 in
		--scenario) scenarios=${2?}; shift ;;
		--runs) runs=${2?}; shift ;;
		--warmup) warmup=${2?}; shift ;;
		--timeout) tmo=${2?}; shift ;;
		--tools) tools=${2//,/ }; shift ;;
		--no-lsof) nolsof=1 ;;
		--v6) v6=${2?}; shift ;;
		--udp) udp=${2?}; shift ;;
		--unix) unx=${2?}; shift ;;
		--out) out=${2?}; shift ;;
		--keep) keep=1 ;;
		-h | --help) usage 0 ;;
		*) usage ;;
		esac
		shift
	done
	for v in "$runs" "$warmup" "$tmo" "$v6" "$udp" "$unx"; do
		[[ $v =~ ^[0-9]{1,6}$ ]] || die "not a number: '$v'"
	done
	((runs >= 1)) || die "--runs must be at least 1"
	((tmo >= 1)) || die "--timeout must be at least 1"
	for key in $tools; do
		[ -n "$(label "$key")" ] || die "unknown tool '$key'"
	done
	((nolsof)) && tools=$(echo " $tools " | sed 's/ lsof / /')

	# "name sockets procs"
	for s in ${scenarios//,/ }; do
		case $s in
		small) scen_list+=("small 2000 10") ;;
		20k) scen_list+=("20k 20000 100") ;;
		200k) scen_list+=("200k 200000 1000") ;;
		400k) scen_list+=("400k 400000 1000") ;;
		all) scen_list+=("small 2000 10" "20k 20000 100" "200k 200000 1000"
				 "400k 400000 1000") ;;
		*/*)
			[[ $s =~ ^([0-9]{1,7})/([0-9]{1,5})$ ]] || die "bad scenario '$s'"
			scen_list+=("${BASH_REMATCH[1]}-${BASH_REMATCH[2]} ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
			;;
		*) die "unknown scenario '$s'" ;;
		esac
	done

	(($(id -u) == 0)) || die "needs root (unshare --net --pid)"
	command -v unshare >/dev/null || die "unshare not found"
	command -v ip >/dev/null || die "ip (iproute2) not found"

	# Tools that are missing are dropped with a note instead of failing the run.
	sks=${SOCKSCOPE-}
	if [ -n "$sks" ]; then
		[ -x "$sks" ] || die "SOCKSCOPE=$sks is not executable"
		sks=$(cd "$(dirname "$sks")" && pwd)/$(basename "$sks")
	elif [ -x "$repo/build/src/cli/sockscope" ]; then
		sks=$repo/build/src/cli/sockscope
	fi
	for key in $tools; do
		case $key in
		sks-*) [ -n "$sks" ] || continue ;;
		ss-*) command -v ss >/dev/null || continue ;;
		netstat-*) command -v netstat >/dev/null || continue ;;
		lsof) command -v lsof >/dev/null || continue ;;
		esac
		kept+="$key "
	done
	for key in $tools; do
		case $key in sks-*) continue ;; esac
		case " $kept " in
		*" $key "*) ;;
		*) notes+=("$(label "$key"): skipped (not found)") ;;
		esac
	done
	[ -n "$sks" ] ||
		notes+=("sockscope rows skipped: no binary at build/src/cli/sockscope and SOCKSCOPE unset")
	tools=$kept

	work=$(mktemp -d /tmp/sks-bench.XXXXXX) || die "mktemp failed"
	trap cleanup EXIT
	trap 'say "interrupted"; exit 130' INT TERM HUP

	cc=${CC:-cc}
	cflags="-O2 -std=gnu17 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes"
	cflags+=" -Wmissing-prototypes -Wvla"
	for p in loadgen runstat floor_dump floor_fdscan; do
		# shellcheck disable=SC2086
		$cc $cflags -o "$work/$p" "$here/$p.c" || die "cannot build bench/$p.c"
	done

	export B_WORK=$work B_SKS=$sks B_RUNS=$runs B_WARMUP=$warmup B_TIMEOUT=$tmo
	export B_V6=$v6 B_UDP=$udp B_UNIX=$unx B_TOOLS=$tools
	report="$work/report.md"
	report_header "$runs" "$warmup" "$v6" "$udp" "$unx" "$sks" "${notes[@]}" >"$report"

	for sc in "${scen_list[@]}"; do
		read -r name socks procs <<<"$sc"
		say "$name: $socks sockets over $procs processes"
		base=$(tcp_objs)
		# In the background so that the INT/TERM trap runs at once (bash
		# defers traps while a foreground command runs).
		B_NAME=$name B_SOCKETS=$socks B_PROCS=$procs \
			unshare --net --pid --fork --mount-proc --kill-child -- \
			bash "$here/run.sh" --inner &
		upid=$!
		wait "$upid"
		upid=""
		# Wait for the kernel to free the namespace's sockets, so they do not
		# cost CPU or memory in the next scenario.
		t0=$(date +%s)
		while (($(tcp_objs) > base + 2000 && $(date +%s) - t0 < 300)); do sleep 0.5; done
		echo "teardown_s=$(($(date +%s) - t0))" >>"$work/meta.$name"
		report_scenario "$name" "$socks" "$procs" >>"$report"
	done

	cat "$report"
	if [ -n "$out" ]; then
		cp "$report" "$out" || die "cannot write '$out'"
		say "report written to $out"
	fi
}

if [ "${1-}" = --inner ]; then
	inner
	exit
fi
main "$@"
exit
