#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end checks of sockscope against the socket farm's manifest (the
ground truth) and against ss, netstat and lsof run in the same namespace.

Run inside the test namespace by run.sh, after the farm is READY:
    compare_ss.py CHECK --sockscope PATH --tmp DIR
DIR holds `manifest` (and `mini.manifest` for the netns check).

Every tool's output is parsed to records and projected to comparable tuples
(netid, state, local, peer, owners).  ss prints unix paths and process names
raw (a newline in one splits a line), so before parsing ss/netstat output the
exact hostile byte strings from the manifest are replaced by placeholders.
sockscope escapes them; its fields are unescaped back to bytes.

Where ss is provably wrong (the manifest says otherwise), the comparison
applies a named exception, printed with its reason when it fires (see
SsExceptions).  Two comparisons are made in a lossy form on purpose:
  - unix names are compared as ss prints them: ss shows a NUL in an abstract
    name as '@', and a real path starting with '@' like an abstract name, so
    it cannot tell them apart; sockscope's exact names (\x00, \x40, the
    abstract flag) are checked against the manifest instead;
  - with --source=proc, /proc/net/*6 has no v6only flag ('[::]:P' and '*:P'
    compare equal) and /proc/net/unix has no peer inode (not compared).

Checks (one meson test each, see meson.build): farm-ss, vs-ss, proc-vs-ss,
manifest, proc-manifest, secondary, hostile, errors, verbose, hidden-owners, netns,
filter.
Output: 'ok'/'FAIL'/'note' lines, then 'N passed, N failed'; exit 1 on failure.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from e2e_parse import (ParseError, default_state, fmt_key, hostile_strings, in_mode,
                       load_manifest, load_services, msock_key, msock_kind, numeric_ports,
                       parse_table, rec_key, run, ss_unix_name, substitute, unmap_dual)
from results import Results

SS = 'ss'
JQ = 'jq'
TW_LIFETIME = 60  # seconds a TIME-WAIT socket lives (tcp_fin_timeout does not apply)

# ----------------------------------------------------------------- results


class SsExceptions:
    """Known ss 6.1 defects, each proven against the manifest before it is applied."""

    THREAD_ONLY = ('ss-p-misses-thread-fd-table',
                   'ss -p without -T reads only /proc/PID/fd, the fd table of the thread '
                   'group leader; a socket held only by a thread that called '
                   'unshare(CLONE_FILES) shows no process (ss -T does find it)')

    def __init__(self, res):
        self.res = res
        self.fired = {}

    def apply(self, ss_keys, socks, mode, proc_source=False):
        keys = set(ss_keys)
        if mode == 'pids':
            for s in socks:
                if not any(h[0] != h[1] for h in s.holders):
                    continue
                right = msock_key(s, mode, proc_source=proc_source)
                wrong = right[:4] + (frozenset(),)
                if wrong in keys:
                    keys.discard(wrong)
                    keys.add(right)
                    self._fired(self.THREAD_ONLY, s.id)
        return keys

    def _fired(self, exc, sid):
        name, reason = exc
        if (name, sid) not in self.fired:
            self.fired[(name, sid)] = True
            self.res.note(f'ss exception {name} for {sid}: {reason}')


# -------------------------------------------------------------------- modes

# (ss/sockscope args, netid when the Netid column is hidden, owner mode, tables)
MODES = [
    (['-tanp'], 'tcp', 'pids', {'tcp'}),
    (['-uanp'], 'udp', 'pids', {'udp'}),
    (['-wanp'], 'raw', 'pids', {'raw'}),
    (['-xanp'], None, 'pids', {'u_str', 'u_dgr', 'u_seq'}),
    (['-0anp'], None, 'pids', {'p_raw', 'p_dgr'}),
    (['-tlnp'], 'tcp', 'pids', {'tcp'}),
    (['-tanpT'], 'tcp', 'threads', {'tcp'}),
    (['-xanpT'], None, 'threads', {'u_str', 'u_dgr', 'u_seq'}),
    ([], None, 'none', None),
    (['-n'], None, 'none', None),
    # State filters (ss hides the State column when one state is selected).
    (['-tn', 'state', 'established'], 'tcp', 'none', {'tcp'}),
    (['-tnp', 'state', 'time-wait'], 'tcp', 'pids', {'tcp'}),
    (['-xnp', 'state', 'listening'], None, 'pids', {'u_str', 'u_dgr', 'u_seq'}),
    (['-unp', 'state', 'connected'], 'udp', 'pids', {'udp'}),
    (['-tnp', 'exclude', 'listening'], 'tcp', 'pids', {'tcp'}),
    (['-tan4p'], 'tcp', 'pids', {'tcp'}),
    (['-tan6p'], 'tcp', 'pids', {'tcp'}),
    (['-anp', '-A', 'unix_dgram,tcp'], None, 'pids', {'u_dgr', 'tcp'}),
    (['-anp', '-f', 'inet6'], None, 'pids', {'tcp', 'udp', 'raw'}),
]


# ------------------------------------------------------------------- checks


class Ctx:
    def __init__(self, args):
        self.sks = args.sockscope
        self.tmp = args.tmp
        self.procs, self.socks = load_manifest(os.path.join(args.tmp, 'manifest'))
        self.hostile = hostile_strings(self.procs, self.socks)
        # pid -> (comm, name): name is comm, or argv[0]'s base name when comm was cut.
        self.names = {}
        for p in self.procs:
            if p.role == 'thread':
                continue
            name = os.path.basename(p.argv0) if p.role == 'long-name' else p.comm
            self.names[p.pid] = (p.comm, name)
        self.res = Results()
        self.name_notes = set()
        self.exc = SsExceptions(self.res)
        self.svc = load_services()
        try:
            with open(os.path.join(args.tmp, 'farm.ready')) as f:
                self.ready_at = int(f.read())
        except OSError:
            self.ready_at = int(time.time())

    def tw_alive(self):
        """The TIME-WAIT socket is only guaranteed for 60 s after the farm was ready."""
        return time.time() - self.ready_at < TW_LIFETIME - 5

    def ss(self, args, default_netid):
        p = run([SS] + args)
        out, subst = substitute(p.stdout, self.hostile)
        recs = parse_table(out, default_netid, sks=False, subst=subst,
                           default_state=default_state(args))
        return numeric_ports(recs, self.svc)

    def sockscope(self, args, default_netid, check_rc=True):
        p = run([self.sks] + args, check_rc=check_rc)
        if p.stderr:
            self.res.note(f'sockscope {" ".join(args)}: stderr: '
                          f'{p.stderr.decode(errors="backslashreplace").strip()}')
        recs = parse_table(p.stdout, default_netid, sks=True, default_state=default_state(args))
        return numeric_ports(recs, self.svc)

    def expected(self, args, tables, mode, proc_source=False):
        keys = set()
        for s in self.socks:
            if s.state == 'TIME-WAIT' and not self.tw_alive():
                continue
            if in_mode(s, args, tables):
                keys.add(msock_key(s, mode, proc_source=proc_source))
        return keys


def diff_report(a_name, a, b_name, b, truth):
    lines = []
    for k in sorted(a - b, key=repr):
        lines.append(f'only in {a_name}: {fmt_key(k)}' + (' [manifest agrees]' if k in truth
                                                          else ''))
    for k in sorted(b - a, key=repr):
        lines.append(f'only in {b_name}: {fmt_key(k)}' + (' [manifest agrees]' if k in truth
                                                          else ''))
    return '\n'.join(lines)


def check_farm_ss(c):
    """The oracle itself: ss shows exactly the farm's sockets (modulo named exceptions)."""
    for args, netid, mode, tables in MODES:
        name = 'ss ' + ' '.join(args) if args else 'ss (default)'
        try:
            recs = c.ss(args, netid)
        except (ParseError, RuntimeError) as e:
            c.res.check(False, f'{name}: parse', e)
            continue
        ss_keys = {rec_key(r, mode) for r in recs if tables is None or r.netid in tables}
        if tables is None:  # the default listing also has kernel netlink sockets: not ours
            ss_keys = {k for k in ss_keys if k[0] != 'nl'}
        fixed = c.exc.apply(ss_keys, c.socks, mode)
        want = c.expected(args, tables, mode)
        for r in recs:
            for name, pid, _, _ in r.owners:
                comm = c.names.get(pid, (None, None))[0]
                if comm is not None and name != comm and (pid, name) not in c.name_notes:
                    c.name_notes.add((pid, name))
                    c.res.note(f'ss shows process name {name!r} for pid {pid}, whose comm is '
                               f'{comm!r} (ss cuts comm at \')\')')
        c.res.check(fixed == want, f'{name}: matches the manifest ({len(want)} sockets)',
                    diff_report('ss', fixed, 'manifest', want, want))


def check_vs_ss(c, source=None):
    """sockscope's set == ss's set for each mode, ss corrected only by named exceptions."""
    proc = source == 'proc'
    extra = [f'--source={source}'] if source else []
    for args, netid, mode, tables in MODES:
        name = ' '.join(args) if args else '(default)'
        try:
            ss_recs = c.ss(args, netid)
            sks_recs = c.sockscope(extra + args, netid)
        except (ParseError, RuntimeError, subprocess.TimeoutExpired) as e:
            c.res.check(False, f'{" ".join(extra)} {name}: run and parse', e)
            continue
        ss_keys = {rec_key(r, mode, proc) for r in ss_recs}
        sks_keys = {rec_key(r, mode, proc) for r in sks_recs}
        ss_fixed = c.exc.apply(ss_keys, c.socks, mode, proc)
        truth = c.expected(args, tables, mode, proc)
        c.res.check(sks_keys == ss_fixed,
                    f'sockscope {" ".join(extra + args)} == ss {name} '
                    f'({len(ss_fixed)} sockets)',
                    diff_report('sockscope', sks_keys, 'ss', ss_fixed, truth))


def check_details(c):
    """-e (ino:, sk: = cookie) and -o (timer:) agree with ss; -H and -O keep the rows."""
    for args, netid in ((['-tanpe'], 'tcp'), (['-uanpe'], 'udp'), (['-tanpo'], 'tcp')):
        cmd = ' '.join(args)
        try:
            ss_recs = {rec_key(r, 'pids')[:4]: r for r in c.ss(args, netid)}
            sks_recs = {rec_key(r, 'pids')[:4]: r for r in c.sockscope(args, netid)}
        except (ParseError, RuntimeError) as e:
            c.res.check(False, f'{cmd}: run and parse', e)
            continue
        problems = []
        compared = 0
        for key, r in sorted(ss_recs.items(), key=repr):
            mine = sks_recs.get(key)
            if mine is None:
                problems.append(f'{key} missing')
                continue
            for word in ('ino', 'sk'):
                if word in r.details:
                    compared += 1
                    if mine.details.get(word) != r.details[word]:
                        problems.append(f'{key} {word}: {mine.details.get(word)!r} != ss '
                                        f'{r.details[word]!r}')
            if 'timer' in r.details and 'o' not in cmd:
                # ss -e implies -o (ss.c: case 'e': show_options = 1); sockscope's -e
                # does not: reported, not failed.
                if 'timer' not in mine.details:
                    c.res.note(f'ss {cmd} shows timer:{r.details["timer"].decode()} for {key}; '
                               'sockscope -e does not imply -o')
            elif 'timer' in r.details:
                compared += 1
                want = r.details['timer'].strip(b'()').split(b',')[0]
                have = mine.details.get('timer', b'').strip(b'()').split(b',')[0]
                if have != want:
                    problems.append(f'{key} timer: {have!r} != ss {want!r}')
        c.res.check(compared and not problems,
                    f'sockscope {cmd}: {compared} ino/sk/timer values == ss\'s',
                    '\n'.join(problems))
    full = run([c.sks, '-tanp']).stdout.split(b'\n')
    nohdr = run([c.sks, '-H', '-tanp']).stdout.split(b'\n')
    c.res.check(sorted(full[1:]) == sorted(nohdr), 'sockscope -H -tanp == -tanp without header',
                f'{full[:2]!r} / {nohdr[:2]!r}')
    out = run([c.sks, '-tanmO']).stdout
    lines = [ln for ln in out.split(b'\n') if ln]
    n = len(c.sockscope(['-tan'], 'tcp'))
    c.res.check(len(lines) == n + 1 and not any(ln.startswith(b'\t') for ln in lines[1:]) and
                all(b'skmem:' in ln for ln in lines[1:] if b'TIME-WAIT' not in ln),
                f'sockscope -tanmO: one line per socket ({n}), skmem on it',
                out.decode(errors='backslashreplace')[:2000])


def find_exact(recs, s):
    """Records of a parsed sockscope table that are manifest socket s (exact naming)."""
    out = []
    for r in recs:
        if r.netid != s.netid or r.state != s.state:
            continue
        if s.is_unix:
            if (r.inode == s.inode and r.ukind == msock_kind(s) and r.upath == s.path and
                    r.peer_inode == s.peer_inode):
                out.append(r)
        elif r.local == s.local.encode() and r.peer == s.peer.encode():
            out.append(r)
    return out


def check_manifest(c, source=None):
    """Every farm socket is in sockscope -anp / -anpT with exactly its holders."""
    extra = [f'--source={source}'] if source else []
    proc = source == 'proc'
    for args, threads in ((['-anp'], False), (['-anpT'], True)):
        cmd = ' '.join(['sockscope'] + extra + args)
        try:
            recs = c.sockscope(extra + args, None)
        except (ParseError, RuntimeError) as e:
            c.res.check(False, f'{cmd}: run and parse', e)
            continue
        for s in c.socks:
            if s.state == 'TIME-WAIT' and not c.tw_alive():
                c.res.note(f'{s.id}: TIME-WAIT socket may have expired; not checked')
                continue
            got = find_exact_proc(recs, s) if proc else find_exact(recs, s)
            what = f'{cmd}: {s.id} ({s.netid} {s.state} inode {s.inode})'
            if not c.res.check(len(got) == 1, f'{what} listed once',
                               f'found {len(got)} matching records'):
                continue
            r = got[0]
            if threads:
                have = sorted((o[1], o[2], o[3]) for o in r.owners)
                want = sorted(s.holders)
            else:
                have = sorted((o[1], o[3]) for o in r.owners)
                want = sorted({(h[0], h[2]) for h in s.holders})
            c.res.check(have == want, f'{what} holders {want}',
                        f'sockscope shows {have}; line: {r.line!r}')
            if not s.holders:
                c.res.check(r.noowner == 'kernel', f'{what} shows [kernel]',
                            f'process column reason: {r.noowner!r}')
            for o in r.owners:
                if o[1] in c.names and o[0] != c.names[o[1]][1]:
                    c.res.check(False, f'{what}: name of pid {o[1]}',
                                f'{o[0]!r} != {c.names[o[1]][1]!r}')
        # Nothing but the farm's sockets (and kernel/own netlink sockets).
        known = {ident(s, proc) for s in c.socks}
        extras = [r for r in recs if r.netid != 'nl' and rec_ident(r, proc) not in known]
        c.res.check(not extras, f'{cmd}: no records beyond the farm\'s',
                    '\n'.join(repr(r.line) for r in extras))


def ident(s, proc=False):
    if s.is_unix:
        return (s.netid, s.inode)
    if proc:
        return (s.netid, s.state, unmap_dual(s.local.encode()), unmap_dual(s.peer.encode()))
    return (s.netid, s.state, s.local.encode(), s.peer.encode())


def rec_ident(r, proc=False):
    if r.is_unix:
        return (r.netid, r.inode)
    if proc:
        return (r.netid, r.state, unmap_dual(r.local), unmap_dual(r.peer))
    return (r.netid, r.state, r.local, r.peer)


def split_inet(text):
    """ss -n 'addr:port' -> (JSON address, port, v6only or None)."""
    addr, _, port = text.rpartition(':')
    port = 0 if port == '*' else int(port)
    if addr == '*':
        return '::', port, False
    if addr.startswith('['):
        addr = addr[1:-1]
        return addr, port, (True if addr == '::' else None)
    return addr, port, None


def json_str(obj, key):
    """A string field as bytes: exact bytes from <key>_hex when the text had to be replaced."""
    if obj.get(key + '_hex') is not None:
        return bytes.fromhex(obj[key + '_hex'])
    v = obj.get(key)
    return None if v is None else v.encode('utf-8')


def check_json_record(c, s, r, threads, proc=False):
    """Differences between JSON record r and manifest socket s, as strings.

    proc: --source=proc, where /proc/net/unix has no peer inode, shows a NUL in
    a name as '@' and an abstract name as '@name' (like a path starting with
    '@'), and /proc/net/*6 has no v6only."""
    bad = []
    if r.get('netid') != s.netid:
        bad.append(f'netid {r.get("netid")!r}')
    if r.get('state') != s.state:
        bad.append(f'state {r.get("state")!r}')
    owners = r.get('owners') or []
    if threads:
        have = sorted((o.get('pid'), o.get('tid'), o.get('fd')) for o in owners)
        want = sorted(s.holders)
    else:
        have = sorted((o.get('pid'), o.get('fd')) for o in owners)
        want = sorted({(h[0], h[2]) for h in s.holders})
    if have != want:
        bad.append(f'owners {have} != {want}')
    for o in owners:
        comm, name = c.names.get(o.get('pid'), (None, None))
        if comm is not None and json_str(o, 'comm') != comm:
            bad.append(f'comm of {o.get("pid")}: {json_str(o, "comm")!r} != {comm!r}')
        if name is not None and json_str(o, 'name') != name:
            bad.append(f'name of {o.get("pid")}: {json_str(o, "name")!r} != {name!r}')
    # Without -T too, a holder outside the leader's fd table must say which
    # thread's table its fd is in: (pid, fd) alone names another socket.
    for h in s.holders:
        if h[0] != h[1] and not any(o.get('tid') == h[1] for o in owners):
            bad.append(f'holder {h} (a thread\'s own fd table) has no tid')
    if not s.holders and (r.get('no_owner') or {}).get('reason') != 'kernel':
        bad.append(f'no_owner {r.get("no_owner")!r}, want reason "kernel"')
    if s.is_unix and proc:
        u = r.get('unix') or {}
        path = json_str(u, 'path')
        have = ss_unix_name('none' if path is None else ('abs' if u.get('abstract') else 'path'),
                            path)
        want = ss_unix_name(msock_kind(s), s.path)
        if have != want:
            bad.append(f'unix name {have!r} != {want!r}')
    elif s.is_unix:
        u = r.get('unix') or {}
        if json_str(u, 'path') != s.path:
            bad.append(f'unix.path {json_str(u, "path")!r} != {s.path!r}')
        if u.get('abstract') != s.abstract:
            bad.append(f'unix.abstract {u.get("abstract")!r}')
        if u.get('peer_inode') != s.peer_inode:
            bad.append(f'unix.peer_inode {u.get("peer_inode")!r} != {s.peer_inode}')
    elif s.netid.startswith('p_'):
        pk = r.get('packet') or {}
        proto, _, ifname = s.local.partition(':')
        want_proto = 3 if proto == '*' else int(proto.strip('[]'))
        if pk.get('protocol') != want_proto:
            bad.append(f'packet.protocol {pk.get("protocol")!r} != {want_proto}')
        if pk.get('interface') != (None if ifname == '*' else ifname):
            bad.append(f'packet.interface {pk.get("interface")!r} != {ifname!r}')
    else:
        for side, text in (('local', s.local), ('peer', s.peer)):
            ep = r.get(side) or {}
            addr, port, v6only = split_inet(text)
            if ep.get('address') != addr:
                bad.append(f'{side}.address {ep.get("address")!r} != {addr!r}')
            if s.netid == 'raw':
                if side == 'local' and r.get('protocol') != port:
                    bad.append(f'protocol {r.get("protocol")!r} != {port}')
            elif ep.get('port') != port:
                bad.append(f'{side}.port {ep.get("port")!r} != {port}')
            if proc and addr == '::':
                pass
            elif (side == 'local' and v6only is not None and r.get('v6only') is not None and
                  r.get('v6only') != v6only):
                # Absent means unknown (e.g. raw sockets read from /proc/net/raw6).
                bad.append(f'v6only {r.get("v6only")!r} != {v6only}')
    return bad


def check_json_manifest(c, source=None):
    """--json: every farm socket, found by inode, with its holders, names and addresses."""
    extra = [f'--source={source}'] if source else []
    for args, threads in ((['-anp', '--json'], False), (['-anpT', '--json'], True)):
        cmd = ' '.join(['sockscope'] + extra + args)
        p = run([c.sks] + extra + args, check_rc=False)
        if not c.res.check(p.returncode == 0, f'{cmd}: exit 0', p.stderr):
            continue
        try:
            recs = json_records(json.loads(p.stdout))
        except (ValueError, RuntimeError) as e:
            c.res.check(False, f'{cmd}: a JSON document with records[]', e)
            continue
        by_inode = {}
        for r in recs:
            by_inode.setdefault(r.get('inode'), []).append(r)
        problems = []
        for s in c.socks:
            if s.inode:
                got = by_inode.get(s.inode, [])
            elif c.tw_alive():
                port = split_inet(s.local)[1]
                got = [r for r in recs if r.get('state') == s.state and
                       (r.get('local') or {}).get('port') == port]
            else:
                continue
            if len(got) != 1:
                problems.append(f'{s.id} inode {s.inode}: {len(got)} records')
                continue
            bad = check_json_record(c, s, got[0], threads, source == 'proc')
            if bad:
                problems.append(f'{s.id} inode {s.inode}: ' + '; '.join(bad))
        c.res.check(not problems, f'{cmd}: all {len(c.socks)} farm sockets, exact fields',
                    '\n'.join(problems))
        known = {s.inode for s in c.socks}
        extras = [r for r in recs if r.get('netid') != 'nl' and r.get('inode') not in known]
        c.res.check(not extras, f'{cmd}: no records beyond the farm\'s',
                    '\n'.join(json.dumps(r)[:300] for r in extras))


def find_exact_proc(recs, s):
    """As find_exact, for --source=proc: no unix peer, no v6only, lossy unix names."""
    out = []
    for r in recs:
        if r.netid != s.netid or r.state != s.state:
            continue
        if s.is_unix:
            if r.inode == s.inode and r.ss_name() == ss_unix_name(msock_kind(s), s.path):
                out.append(r)
        elif (unmap_dual(r.local) == unmap_dual(s.local.encode()) and
              unmap_dual(r.peer) == unmap_dual(s.peer.encode())):
            out.append(r)
    return out


# ------------------------------------------------------------- JSON (jq)


def jq(doc_bytes, expr):
    p = subprocess.run([JQ, '-r', expr], input=doc_bytes, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f'jq {expr!r}: {p.stderr.decode(errors="replace")}')
    return p.stdout


def check_hostile(c):
    """No raw control bytes in the table; JSON carries hostile bytes exactly."""
    unix_count = sum(1 for s in c.socks if s.is_unix)
    for args in (['-xanp'], ['-tanp'], [], ['-anp'], ['-anpT'], ['-xanpe'], ['-tanpeo']):
        cmd = ' '.join(['sockscope'] + args)
        p = run([c.sks] + args, check_rc=False)
        out = p.stdout
        c.res.check(p.returncode == 0, f'{cmd}: exit 0', f'exit {p.returncode}')
        bad = [f'byte 0x{b:02x} at offset {i}' for i, b in enumerate(out)
               if (b < 0x20 and b != 0x0a) or b == 0x7f]
        try:
            text = out.decode('utf-8')
            bad += [f'C1 U+{ord(ch):04X}' for ch in text if 0x80 <= ord(ch) <= 0x9f]
        except UnicodeDecodeError as e:
            bad.append(f'invalid UTF-8 (a lone byte a terminal may take as C1): {e}')
        c.res.check(not bad, f'{cmd}: no raw control bytes', '\n'.join(bad[:10]))
        if args == ['-xanp']:
            n = len([ln for ln in out.split(b'\n') if ln]) - 1
            c.res.check(n == unix_count, f'{cmd}: one line per unix socket',
                        f'{n} lines for {unix_count} sockets')
    # The escaped forms, as doc'd: \n, \xHH, and \x20 for spaces in unix paths.
    p = run([c.sks, '-xanp'], check_rc=False)
    for s in c.socks:
        if s.id == 'unix_hostile_path':
            want = s.path.replace(b'\n', b'\\n').replace(b'\x1b', b'\\x1b').replace(b' ',
                                                                                   b'\\x20')
            c.res.check(want + b' %d' % s.inode in p.stdout,
                        'sockscope -xanp: hostile path escaped as ' + want.decode(),
                        p.stdout.decode(errors='backslashreplace'))
        if s.id == 'unix_at_path':
            want = b'\\x40' + s.path[1:] + b' %d' % s.inode
            c.res.check(b' ' + want in p.stdout,
                        'sockscope -xanp: a real path starting with @ shows as \\x40...',
                        p.stdout.decode(errors='backslashreplace'))
        if s.id == 'unix_badutf8_path':
            want = s.path.replace(b'\xff', b'\\xff') + b' %d' % s.inode
            c.res.check(want in p.stdout, 'sockscope -xanp: non-UTF-8 byte shown as \\xff',
                        p.stdout.decode(errors='backslashreplace'))
        if s.id == 'unix_nul_abstract':
            want = b'@' + s.path.replace(b'\0', b'\\x00') + b' %d' % s.inode
            c.res.check(want in p.stdout, 'sockscope -xanp: NUL in abstract name as \\x00',
                        p.stdout.decode(errors='backslashreplace'))
    check_json_hostile(c)


def json_records(doc):
    recs = doc.get('records') if isinstance(doc, dict) else None
    if not isinstance(recs, list):
        raise RuntimeError('no records[] array at the top of the JSON document')
    return recs


def check_json_hostile(c):
    p = run([c.sks, '-anp', '--json'], check_rc=False)
    if not c.res.check(p.returncode == 0, 'sockscope -anp --json: exit 0', p.stderr):
        return
    try:
        jq(p.stdout, '.')
        ok = True
    except RuntimeError as e:
        ok = False
        err = e
    if not c.res.check(ok, 'sockscope -anp --json: parses with jq', ok or err):
        return
    doc = json.loads(p.stdout)
    n = len(json_records(doc))
    c.res.check(n >= len(c.socks) - 1, f'--json: {n} records for {len(c.socks)} farm sockets')
    for s in c.socks:
        if s.id == 'unix_hostile_path':
            got = jq(p.stdout, f'.records[] | select(.inode == {s.inode}) | .unix.path')
            c.res.check(got == s.path + b'\n', 'jq -r of the hostile unix path == its bytes',
                        f'{got!r} != {s.path!r}')
            got = jq(p.stdout, f'.records[] | select(.inode == {s.inode}) | .unix.abstract')
            c.res.check(got == b'false\n', 'hostile unix path: abstract false', got)
        if s.id in ('unix_nul_abstract', 'unix_at_path'):
            got = jq(p.stdout, f'.records[] | select(.inode == {s.inode}) | .unix.path')
            c.res.check(got == s.path + b'\n', f'jq -r of {s.id} path == its bytes',
                        f'{got!r} != {s.path!r}')
            got = jq(p.stdout, f'.records[] | select(.inode == {s.inode}) | .unix.abstract')
            want = b'true\n' if s.abstract else b'false\n'
            c.res.check(got == want, f'{s.id}: abstract {want.strip().decode()}', got)
    hostile = [p for p in c.procs if p.role == 'hostile-child'][0]
    for key in ('comm', 'name'):
        got = jq(p.stdout, f'[.records[].owners[]? | select(.pid == {hostile.pid}) | .{key}]'
                 ' | unique | .[]')
        c.res.check(got == hostile.comm + b'\n',
                    f'jq -r of the hostile process {key} == its bytes',
                    f'{got!r} != {hostile.comm!r}')


# --------------------------------------------------------- netstat and lsof

NETSTAT_STATE = {'LISTEN': 'LISTEN', 'ESTABLISHED': 'ESTAB', 'TIME_WAIT': 'TIME-WAIT',
                 '': 'UNCONN'}


def port_of(addr):
    p = addr.rpartition(b':')[2]
    return None if p == b'*' else int(p)


def check_secondary(c):
    """netstat -tanp/-uanp and lsof -i as second oracles, compared on ports+state."""
    sks = {}
    for args, netid in ((['-tanp'], 'tcp'), (['-uanp'], 'udp')):
        for r in c.sockscope(args, netid):
            sks[(netid, r.state, port_of(r.local), port_of(r.peer))] = r.owners
    shared = [s for s in c.socks if len(s.pids()) > 1 and not s.is_unix]
    threaded = [s for s in c.socks if any(h[0] != h[1] for h in s.holders) and not s.is_unix]

    for args, proto in ((['-tanp'], 'tcp'), (['-uanp'], 'udp')):
        p = run(['netstat', '-W'] + args)
        out, subst = substitute(p.stdout, c.hostile)
        seen = {}
        for line in out.split(b'\n'):
            toks = line.split()
            if not toks or toks[0].rstrip(b'6').decode(errors='replace') != proto:
                continue
            st = toks[5].decode() if len(toks) == 7 else ''
            prog = toks[-1]
            pid = None if prog == b'-' else int(prog.split(b'/')[0])
            seen[(proto, NETSTAT_STATE.get(st, st), port_of(toks[3]), port_of(toks[4]))] = pid
        problems = []
        for key, pid in sorted(seen.items(), key=repr):
            if key not in sks:
                problems.append(f'{key} (owner {pid}) not listed by sockscope')
            elif pid is not None and pid not in {o[1] for o in sks[key]}:
                problems.append(f'{key}: netstat owner {pid} not among sockscope\'s '
                                f'{sorted(o[1] for o in sks[key])}')
        c.res.check(seen and not problems,
                    f'netstat -W {" ".join(args)}: its {len(seen)} sockets are in sockscope, '
                    'with netstat\'s owner among sockscope\'s holders', '\n'.join(problems))
        for s in shared:
            key = (s.netid, s.state, port_of(s.local.encode()), port_of(s.peer.encode()))
            if key[0] != proto or key not in seen:
                continue
            c.res.note(f'netstat shows one owner ({seen[key]}) of shared socket {s.id} '
                       '(anchor defect: one owner per socket)')
            c.res.check({o[1] for o in sks.get(key, [])} == s.pids(),
                        f'sockscope shows every holder of {s.id}: {sorted(s.pids())}')
        for s in threaded:
            key = (s.netid, s.state, port_of(s.local.encode()), port_of(s.peer.encode()))
            if key[0] == proto and key in seen and seen[key] is None:
                c.res.note(f'netstat shows no owner for thread-only socket {s.id} '
                           '(reads /proc/PID/fd only)')

    # lsof -F: p<pid> then per fd: f<fd> t<IPv4|IPv6> P<TCP|UDP> n<name> T<ST=state>
    p = run(['lsof', '-i', '-n', '-P', '-F', 'pftPnT'], check_rc=False)
    entries = []
    pid = None
    cur = None
    for line in p.stdout.split(b'\n'):
        if not line:
            continue
        tag, val = line[:1], line[1:]
        if tag == b'p':
            pid = int(val)
        elif tag == b'f':
            cur = {'pid': pid, 'fd': int(val) if val.isdigit() else val}
            entries.append(cur)
        elif cur is not None:
            if tag == b'T' and val.startswith(b'ST='):
                cur['state'] = val[3:].decode()
            elif tag in (b'P', b'n', b't'):
                cur[tag.decode()] = val
    lsof = {}
    for e in entries:
        proto = e.get('P', b'').decode().lower()
        if proto not in ('tcp', 'udp'):
            continue
        local, _, peer = e['n'].partition(b'->')
        state = NETSTAT_STATE.get(e.get('state', ''), e.get('state', ''))
        if proto == 'udp':
            state = 'ESTAB' if peer else 'UNCONN'
        lsof.setdefault((proto, state, port_of(local), port_of(peer) if peer else None),
                        set()).add((e['pid'], e['fd']))
    problems = []
    for key, holders in sorted(lsof.items(), key=repr):
        if key not in sks:
            problems.append(f'{key} {sorted(holders)} not listed by sockscope')
            continue
        have = {(o[1], o[3]) for o in sks[key]}
        if holders != have:
            problems.append(f'{key}: lsof (pid, fd) {sorted(holders)} != sockscope '
                            f'{sorted(have)}')
    threaded_keys = {(s.netid, s.state, port_of(s.local.encode()), port_of(s.peer.encode()))
                     for s in threaded}
    missing = [k for k in sks if k[1] != 'TIME-WAIT' and k not in lsof and
               k not in threaded_keys]
    if missing:
        problems.append(f'sockscope lists {sorted(missing, key=repr)}, lsof does not')
    c.res.check(lsof and not problems,
                f'lsof -i -n -P: its {len(lsof)} TCP/UDP sockets == sockscope\'s, '
                'same (pid, fd) holders', '\n'.join(problems))
    for s in shared:
        key = (s.netid, s.state, port_of(s.local.encode()), port_of(s.peer.encode()))
        c.res.check({h[0] for h in lsof.get(key, set())} == s.pids(),
                    f'lsof -i shows both holders of {s.id} too')
    for s in threaded:
        key = (s.netid, s.state, port_of(s.local.encode()), port_of(s.peer.encode()))
        if key not in lsof:
            c.res.note(f'lsof -i does not list thread-only socket {s.id} (no -K: task fd '
                       'tables are not scanned)')


# ------------------------------------------------------------ exit codes


def check_errors(c):
    for argv, want in ((['--no-such-option'], 2), (['-f', 'bogus'], 2), (['-A', 'bogus'], 2),
                       (['--source=bogus'], 2), (['state', 'bogus'], 2), (['-N'], 2)):
        cmd = ' '.join(['sockscope'] + argv)
        p = run([c.sks] + argv, check_rc=False)
        c.res.check(p.returncode == want, f'{cmd}: exit {want}', f'exit {p.returncode}')
        c.res.check(p.stderr.count(b'\n') == 1 and p.stderr.endswith(b'\n'),
                    f'{cmd}: one line on stderr', repr(p.stderr))
        c.res.check(p.stdout == b'', f'{cmd}: nothing on stdout', repr(p.stdout[:200]))
    for spec in ('no-such-netns-e2e', '/nonexistent/netns', '999999'):
        cmd = f'sockscope -N {spec} -tan'
        p = run([c.sks, '-N', spec, '-tan'], check_rc=False)
        c.res.check(p.returncode in (1, 2) and p.returncode >= 0, f'{cmd}: fails (exit 1 or 2)',
                    f'exit {p.returncode}')
        c.res.check(p.stderr.count(b'\n') == 1 and spec.encode() in p.stderr,
                    f'{cmd}: one line on stderr naming it', repr(p.stderr))
        c.res.check(p.stdout == b'', f'{cmd}: nothing on stdout', repr(p.stdout[:200]))
    # Not a network namespace: a regular file.
    cmd = 'sockscope -N /etc/passwd -tan'
    p = run([c.sks, '-N', '/etc/passwd', '-tan'], check_rc=False)
    c.res.check(p.returncode in (1, 2) and p.stderr.count(b'\n') == 1,
                f'{cmd}: fails with one line', f'exit {p.returncode}: {p.stderr!r}')
    p = run([c.sks, '--help'], check_rc=False)
    c.res.check(p.returncode == 0 and p.stdout, 'sockscope --help: exit 0, text on stdout')


def check_verbose(c):
    """--verbose reports (as its --help says) tables read from /proc/net or not available."""
    for extra, field, what in (([], 'tables_proc', 'read from /proc/net'),
                               (['--source=netlink'], 'tables_unsupported',
                                'not available from netlink')):
        p = run([c.sks, '--json', '-an'] + extra)
        tables = json.loads(p.stdout).get('stats', {}).get(field, [])
        if not tables:
            c.res.note(f'sockscope {" ".join(extra)}: no table {what} on this kernel')
            continue
        p = run([c.sks, '--verbose', '-an'] + extra)
        missing = [t for t in tables if t.encode() not in p.stderr.lower()]
        c.res.check(not missing, f'sockscope --verbose {" ".join(extra)} -an: names the tables '
                    f'{what} ({", ".join(tables)}) on stderr',
                    f'not named: {missing}; stderr: {p.stderr!r}')


def check_hidden_owners(c):
    """Owners sockscope cannot see carry a reason: [permission] when run as nobody,
    [not-found] from a pid namespace that does not see the holders."""
    nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
    nested = ['unshare', '--pid', '--fork', '--mount-proc']
    for who, prefix, reason in (('as nobody', nobody, 'permission'),
                                ('in a nested pid namespace', nested, 'not-found')):
        check_hidden(c, who, prefix, reason)


def check_hidden(c, who, prefix, reason):
    if run(prefix + ['test', '-x', c.sks], check_rc=False).returncode != 0:
        c.res.note(f'({who}) cannot execute {c.sks} (directory permissions?): not checked')
        return
    for args, netid, tables in ((['-tanp'], 'tcp', {'tcp'}),
                                (['-xanp'], None, {'u_str', 'u_dgr', 'u_seq'})):
        cmd = f'({who}) sockscope {" ".join(args)}'
        p = run(prefix + [c.sks] + args, check_rc=False)
        if not c.res.check(p.returncode == 0, f'{cmd}: exit 0', p.stderr):
            continue
        if reason == 'permission':
            c.res.check(p.stderr.count(b'\n') == 1 and b'CAP_SYS_PTRACE' in p.stderr,
                        f'{cmd}: one warning line naming the capabilities', repr(p.stderr))
        recs = parse_table(p.stdout, netid, sks=True)
        have = {rec_key(r, 'none') for r in recs}
        want = c.expected(args, tables, 'none')
        c.res.check(have == want, f'{cmd}: every farm socket listed ({len(want)})',
                    diff_report('sockscope', have, 'manifest', want, want))
        bad = [r.line for r in recs if r.owners or r.noowner != (
            'kernel' if r.state == 'TIME-WAIT' else reason)]
        c.res.check(not bad, f'{cmd}: [{reason}] on every owned socket, [kernel] on TIME-WAIT',
                    '\n'.join(repr(b) for b in bad))
        ss_recs = [r for r in parse_table(substitute(run(prefix + [SS] + args).stdout,
                                                     c.hostile)[0], netid, sks=False)]
        if not any(r.owners or r.noowner for r in ss_recs):
            c.res.note(f'({who}) ss {" ".join(args)}: no owner and no reason on any socket '
                       '(anchor defect)')
    p = run(prefix + [c.sks, '-anp', '--json'], check_rc=False)
    recs = json_records(json.loads(p.stdout))
    bad = [r for r in recs if r.get('netid') != 'nl' and
           (r.get('no_owner') or {}).get('reason') != ('kernel' if r.get('state') == 'TIME-WAIT'
                                                       else reason)]
    c.res.check(not bad, f'({who}) sockscope -anp --json: no_owner.reason "{reason}" '
                '("kernel" for TIME-WAIT)', '\n'.join(json.dumps(r)[:300] for r in bad[:5]))


def check_netns(c):
    """-N lists the other namespace's sockets, not ours (name, path, pid forms)."""
    _, mini = load_manifest(os.path.join(c.tmp, 'mini.manifest'))
    mini_pid = mini[0].holders[0][0]
    for spec, extra in (('e2e-ns', []), ('/run/netns/e2e-ns', []),
                        (f'/proc/{mini_pid}/ns/net', []), (str(mini_pid), []),
                        ('e2e-ns', ['--source=proc'])):
        for args, netid, tables in ((extra + ['-tanp'], 'tcp', {'tcp'}),
                                    (extra + ['-xanp'], None, {'u_str', 'u_dgr', 'u_seq'})):
            cmd = f'sockscope -N {spec} {" ".join(args)}'
            try:
                recs = c.sockscope(['-N', spec] + args, netid)
            except (ParseError, RuntimeError) as e:
                c.res.check(False, f'{cmd}: run and parse', e)
                continue
            proc = bool(extra)
            have = {rec_key(r, 'pids', proc) for r in recs}
            want = {msock_key(s, 'pids', proc) for s in mini if s.netid in tables}
            c.res.check(have == want, f'{cmd}: exactly the mini farm\'s sockets',
                        diff_report('sockscope', have, 'mini manifest', want, want))
            if spec == 'e2e-ns' and not extra:
                ss_keys = {rec_key(r, 'pids') for r in c.ss(['-N', spec] + args, netid)}
                c.res.check(have == ss_keys, f'{cmd} == ss -N {spec} {" ".join(args)}',
                            diff_report('sockscope', have, 'ss', ss_keys, want))
    # And without -N, still our own namespace.
    recs = c.sockscope(['-tanp'], 'tcp')
    c.res.check(not any(r.local.endswith(b':47901') for r in recs),
                'sockscope -tanp (no -N): the other namespace\'s listener is not listed')


def inet_parts(text):
    """'127.0.0.1:80' / '[::1]:80' / '*:*' -> (address without brackets, port or None)."""
    addr, _, port = text.rpartition(':')
    return addr.strip('[]'), (None if port == '*' else int(port))


def lport(s):
    return inet_parts(s.local)[1]


def pport(s):
    return inet_parts(s.peer)[1]


def paddr(s):
    return inet_parts(s.peer)[0]


def laddr(s):
    return inet_parts(s.local)[0]


V4MAPPED = '::ffff:'

# (options, netid if one table, tables, expression, manifest predicate or None)
FILTERS_VS_SS = [
    (['-tanp'], 'tcp', {'tcp'}, 'sport = :47002', lambda s: lport(s) == 47002),
    (['-tanp'], 'tcp', {'tcp'}, '( dport = :47002 or sport = :47002 )',
     lambda s: 47002 in (lport(s), pport(s))),
    (['-tanp'], 'tcp', {'tcp'}, 'sport >= :47005 and sport <= :47010',
     lambda s: 47005 <= lport(s) <= 47010),
    (['-tanp'], 'tcp', {'tcp'}, 'sport gt :47005', lambda s: lport(s) > 47005),
    (['-tanp'], 'tcp', {'tcp'}, '! sport = :47002', lambda s: lport(s) != 47002),
    (['-tanp'], 'tcp', {'tcp'}, 'not sport = :47002', lambda s: lport(s) != 47002),
    # ss matches a v4 prefix against v4-mapped v6 addresses too.
    (['-tanp'], 'tcp', {'tcp'}, 'dst 127.0.0.1',
     lambda s: paddr(s) in ('127.0.0.1', V4MAPPED + '127.0.0.1')),
    (['-tanp'], 'tcp', {'tcp'}, 'src [::1]', lambda s: laddr(s) == '::1'),
    (['-tanp'], 'tcp', {'tcp'}, 'src 127.0.0.1:47002',
     lambda s: laddr(s) == '127.0.0.1' and lport(s) == 47002),
    (['-tanp'], 'tcp', {'tcp'}, 'src 127.0.0.0/8',
     lambda s: laddr(s).removeprefix(V4MAPPED).startswith('127.')),
    (['-tanp'], 'tcp', {'tcp'}, 'dst ::1/128', lambda s: paddr(s) == '::1'),
    (['-uanp'], 'udp', {'udp'}, 'dport = :47201', lambda s: pport(s) == 47201),
    (['-tnp', 'state', 'established'], 'tcp', {'tcp'}, 'sport = :47002',
     lambda s: lport(s) == 47002),
    (['-xanp'], None, {'u_str', 'u_dgr', 'u_seq'}, 'src @sockfarm*', None),
    (['-xanp'], None, {'u_str', 'u_dgr', 'u_seq'}, 'src *stream.sock', None),
]

# Where ss 6.1 is wrong: checked against the manifest only, with the reason.
FILTERS_SS_WRONG = [
    (['-tanp'], 'tcp', {'tcp'}, 'dport = :47002 or sport = :47002 and dst 127.0.0.1:47101',
     lambda s: pport(s) == 47002 or (lport(s) == 47002 and paddr(s) == '127.0.0.1' and
                                     pport(s) == 47101),
     'ss-filter-or-and-precedence',
     'ss parses "a or b and c" as "(a or b) and c"; its man page (and sockscope) bind "and" '
     'tighter'),
    (['-tanp'], 'tcp', {'tcp'}, '(dport=:47002)', lambda s: pport(s) == 47002,
     'ss-filter-needs-spaces', 'ss\'s lexer needs spaces around tokens: "(dport=:47002)" '
     'fails with "does not look like a port"'),
]

def check_filter(c):
    """Filter expressions select what ss selects (and what the manifest says)."""
    for args, netid, tables, expr, pred in FILTERS_VS_SS:
        cmd = f'{" ".join(args)} \'{expr}\''
        try:
            ss_keys = {rec_key(r, 'pids') for r in c.ss(args + [expr], netid)}
            sks_keys = {rec_key(r, 'pids') for r in c.sockscope(args + [expr], netid)}
        except (ParseError, RuntimeError) as e:
            c.res.check(False, f'{cmd}: run and parse', e)
            continue
        ss_keys = c.exc.apply(ss_keys, c.socks, 'pids')
        truth = set()
        if pred:
            truth = {msock_key(s, 'pids') for s in c.socks
                     if in_mode(s, args, tables) and not s.is_unix and pred(s) and
                     (s.state != 'TIME-WAIT' or c.tw_alive())}
            c.res.check(ss_keys == truth, f'ss {cmd}: the manifest\'s {len(truth)} sockets',
                        diff_report('ss', ss_keys, 'manifest', truth, truth))
        c.res.check(sks_keys == ss_keys, f'sockscope {cmd} == ss ({len(ss_keys)} sockets)',
                    diff_report('sockscope', sks_keys, 'ss', ss_keys, truth))
    for args, netid, tables, expr, pred, name, reason in FILTERS_SS_WRONG:
        cmd = f'{" ".join(args)} \'{expr}\''
        truth = {msock_key(s, 'pids') for s in c.socks
                 if in_mode(s, args, tables) and pred(s)}
        try:
            ss_keys = {rec_key(r, 'pids') for r in c.ss(args + [expr], netid)}
        except RuntimeError:
            ss_keys = None
        if ss_keys != truth:
            c.res.note(f'ss exception {name}: {reason}')
        try:
            sks_keys = {rec_key(r, 'pids') for r in c.sockscope(args + [expr], netid)}
        except (ParseError, RuntimeError) as e:
            c.res.check(False, f'sockscope {cmd}: run and parse', e)
            continue
        c.res.check(sks_keys == truth, f'sockscope {cmd}: the manifest\'s {len(truth)} sockets',
                    diff_report('sockscope', sks_keys, 'manifest', truth, truth))
    for expr in ('sport = :99999', 'sport = :', 'dst 300.1.1.1', '( sport = :1'):
        p = run([c.sks, '-tan', expr], check_rc=False)
        c.res.check(p.returncode == 2 and p.stderr.count(b'\n') == 1 and not p.stdout,
                    f'sockscope -tan \'{expr}\': exit 2, one line on stderr',
                    f'exit {p.returncode}: {p.stderr!r} {p.stdout[:200]!r}')


CHECKS = {
    'farm-ss': check_farm_ss,
    'vs-ss': lambda c: (check_vs_ss(c), check_details(c)),
    'proc-vs-ss': lambda c: check_vs_ss(c, 'proc'),
    'manifest': lambda c: (check_manifest(c), check_json_manifest(c)),
    'proc-manifest': lambda c: (check_manifest(c, 'proc'), check_json_manifest(c, 'proc')),
    'secondary': check_secondary,
    'hostile': check_hostile,
    'errors': check_errors,
    'verbose': check_verbose,
    'hidden-owners': check_hidden_owners,
    'netns': check_netns,
    'filter': check_filter,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('check', choices=sorted(CHECKS))
    ap.add_argument('--sockscope', required=True)
    ap.add_argument('--tmp', required=True)
    args = ap.parse_args()
    c = Ctx(args)
    try:
        CHECKS[args.check](c)
    except Exception as e:  # a crash is a failed check, with its traceback
        import traceback
        traceback.print_exc()
        c.res.check(False, f'{args.check}: no exception', repr(e))
    return c.res.finish()


if __name__ == '__main__':
    sys.exit(main())
