#!/usr/bin/env bash
# --help and the man page list the same long options; bad input gives one
# line on stderr and exit 2.
set -u
bin=$1
man=$2
fail=0
help=$("$bin" --help) || { echo "--help failed"; exit 1; }
# The man page documents the subcommands' options too: compare with the union.
for cmd in who kill bind-check; do
	sub=$("$bin" "$cmd" --help) || { echo "$cmd --help failed"; exit 1; }
	help+=$'\n'$sub
done
help_opts=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
man_opts=$(grep -oE -- '\\-\\-[a-z][a-z0-9\\-]*' "$man" | sed 's/\\//g' | sort -u)
if [ "$help_opts" != "$man_opts" ]; then
	echo "--help and the man page disagree:"
	diff <(echo "$help_opts") <(echo "$man_opts")
	fail=1
fi

expect_error() { # expect_error PATTERN ARGS...: exit 2, one line on stderr matching PATTERN
	local pat=$1 err rc
	shift
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ] || [ "$(wc -l <<<"$err")" -ne 1 ] || ! grep -qE -- "$pat" <<<"$err"; then
		echo "FAIL: sockscope $* -> rc=$rc stderr=[$err], wanted exit 2 and /$pat/"
		fail=1
	fi
}
expect_error "unknown option '-Z'" -Z
expect_error "unknown option '--bogus'" --bogus
expect_error "needs an argument" -f
expect_error "unknown family 'bogus'" -f bogus
expect_error "unknown socket table" -A tcp,nope
expect_error "unknown source" --source=carrier-pigeon
expect_error "unknown owner source" --owners=magic
expect_error 'unknown state .nostate. at column 7' state nostate
expect_error "network namespace '/nonexistent': No such file" -N /nonexistent
expect_error "not a network namespace" -N /etc/passwd
expect_error "who: unknown option '--bogus'" who --bogus 80
expect_error "bad socket address '80x'" who 80x
expect_error "kill: unknown signal 'NOPE'" kill -s NOPE 80
expect_error "kill: bad --wait" kill --wait=-1 80
expect_error "kill: missing PORT" kill
expect_error "bind-check: UNIX paths are not supported" bind-check unix /x
expect_error "-K cannot be combined with -s" -K -s
# A control byte in an operand is escaped in the message.
err=$("$bin" -f $'\x1b[31mred' 2>&1 >/dev/null)
if LC_ALL=C grep -q $'\x1b' <<<"$err"; then
	echo "FAIL: raw ESC in error message"
	fail=1
fi
grep -q 'x1b' <<<"$err" || { echo "FAIL: ESC not shown as \\x1b: $err"; fail=1; }
"$bin" -V | grep -qE '^sockscope [0-9]' || { echo "FAIL: -V"; fail=1; }
# --owners=bpf where it cannot run (a build without it, or without CAP_BPF): one line, exit 2.
if "$bin" -V >/dev/null && [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
else
	as_nobody=()
fi
err=$("${as_nobody[@]}" "$bin" -xap --owners=bpf 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 2 ] || [ "$(wc -l <<<"$err")" -ne 1 ] ||
	! grep -qE -- '^sockscope: --owners=bpf: .*(BPF support|CAP_BPF)' <<<"$err"; then
	echo "FAIL: --owners=bpf without BPF -> rc=$rc stderr=[$err]"
	fail=1
fi
exit $fail
