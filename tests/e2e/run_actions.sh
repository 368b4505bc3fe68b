#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One action test: run_actions.sh CHECK SOCKSCOPE.  Enters a private network
# + pid namespace (lib.sh) and runs CHECK of actions.py there as the
# namespace's pid 1, so that pid 1 and sockscope's ancestors can be made to
# hold sockets, and pids can be steered with ns_last_pid.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# = 2 ] || e2e_fail "usage: run_actions.sh CHECK SOCKSCOPE"
check=$1
sockscope=$(realpath "$2") || e2e_fail "no sockscope binary '$2'"
[ -x "$sockscope" ] || e2e_fail "'$sockscope' is not executable"
need=
case $check in
who) need=setpriv ;;
kill* | destroy) need="strace setpriv" ;;
bind-check) need=setpriv ;;
esac
for tool in $need; do
	command -v "$tool" >/dev/null || e2e_skip "'$tool' is not installed (scripts/deps.sh installs it)"
done

[ "${E2E_INSIDE:-}" = 1 ] || E2E_TIMEOUT=${E2E_TIMEOUT:-60} e2e_enter "$check" "$sockscope"
e2e_setup_inside
trap - EXIT # no farm here; the namespace dies with actions.py
PYTHONDONTWRITEBYTECODE=1 exec "$E2E_PY" "$E2E_DIR/actions.py" "$check" \
	--sockscope "$sockscope" --tmp "$E2E_TMP"
