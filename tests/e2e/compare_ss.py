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
applies a named exception, printed with its reason when it fires.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

SS = 'ss'
JQ = 'jq'
TW_LIFETIME = 60  # seconds a TIME-WAIT socket lives (tcp_fin_timeout does not apply)

# ----------------------------------------------------------------- results


class Results:
    """Counts checks; prints 'ok'/'FAIL' lines and a closing 'N passed, N failed'."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=''):
        if cond:
            self.passed += 1
            print(f'ok   {what}')
        else:
            self.failed += 1
            print(f'FAIL {what}')
            if detail:
                for line in str(detail).rstrip('\n').split('\n'):
                    print(f'     {line}')
        sys.stdout.flush()
        return cond

    def note(self, msg):
        print(f'note {msg}')

    def finish(self):
        print(f'{self.passed} passed, {self.failed} failed')
        return 1 if self.failed else 0


# ---------------------------------------------------------------- manifest


@dataclass
class MSock:
    id: str
    netid: str
    state: str
    inode: int
    holders: list  # [(pid, tid, fd)]
    local: str = ''  # inet / packet: as ss -n prints it
    peer: str = ''
    path: bytes = None  # unix: None when unbound
    abstract: bool = False
    peer_inode: int = 0
    noowner: str = None

    @property
    def is_unix(self):
        return self.netid.startswith('u_')

    def pids(self):
        return frozenset(h[0] for h in self.holders)


@dataclass
class MProc:
    role: str
    pid: int
    tid: int
    comm: bytes
    argv0: bytes


def unhex(s):
    return b'' if s == '-' else bytes.fromhex(s)


def load_manifest(path):
    socks, procs = [], []
    with open(path, 'rb') as f:
        for raw in f.read().decode('ascii').splitlines():
            kind, _, rest = raw.partition(' ')
            kv = dict(item.split('=', 1) for item in rest.split(' '))
            if kind == 'proc':
                procs.append(MProc(kv['role'], int(kv['pid']), int(kv['tid']),
                                   unhex(kv['comm_hex']), unhex(kv['argv0_hex'])))
                continue
            holders = []
            if kv['holders'] != '-':
                for h in kv['holders'].split(','):
                    pid, tid, fd = (int(x) for x in h.split('/'))
                    holders.append((pid, tid, fd))
            s = MSock(kv['id'], kv['netid'], kv['state'], int(kv['inode']), holders,
                      noowner=kv.get('noowner'))
            if 'path_hex' in kv:
                s.path = unhex(kv['path_hex']) if kv['path_hex'] != '-' else None
                s.abstract = kv['abstract'] == '1'
                s.peer_inode = int(kv['peer_inode'])
            else:
                s.local, s.peer = kv['local'], kv['peer']
            socks.append(s)
    return procs, socks


def ss_unix_name(kind, path):
    """A unix name as ss prints it: '*' unbound, '@' + name (NULs as '@') abstract, else raw."""
    if kind == 'none':
        return b'*'
    if kind == 'abs':
        return b'@' + path.replace(b'\0', b'@')
    return path


def msock_kind(s):
    if s.path is None:
        return 'none'
    return 'abs' if s.abstract else 'path'


# ------------------------------------------------------------------ records


@dataclass
class Rec:
    """One socket as a tool printed it."""
    netid: str
    state: str
    local: bytes = b''  # inet / packet
    peer: bytes = b''
    ukind: str = None  # unix: 'none', 'abs', 'path', or 'ambig' (ss: raw display form)
    upath: bytes = None
    inode: int = None
    peer_inode: int = None
    owners: list = field(default_factory=list)  # [(name bytes, pid, tid or None, fd)]
    noowner: str = None  # bracketed reason, e.g. 'kernel'
    details: dict = field(default_factory=dict)  # -e / -o words: {'ino': b'123', ...}
    line: bytes = b''

    @property
    def is_unix(self):
        return self.netid.startswith('u_')

    def ss_name(self):
        return self.upath if self.ukind == 'ambig' else ss_unix_name(self.ukind, self.upath)


class ParseError(Exception):
    pass


OWNER_SS = re.compile(rb'\("([^"]*)",pid=(\d+),(?:tid=(\d+),)?fd=(\d+)\)')
OWNER_SKS = re.compile(rb'\("((?:[^"\\]|\\.)*)",pid=(\d+),(?:tid=(\d+),)?fd=(\d+)\)')


def parse_owners(col, rx, unesc):
    owners = []
    for m in rx.finditer(col):
        owners.append((unesc(m.group(1)), int(m.group(2)),
                       int(m.group(3)) if m.group(3) else None, int(m.group(4))))
    if len(owners) != col.count(b'pid='):
        raise ParseError(f'cannot parse process column {col!r}')
    return owners


def unescape(b):
    """Undo sockscope's table escaping (sks_escape_text + \\x20 / \\x40 in unix paths)."""
    out = bytearray()
    i = 0
    simple = {ord('n'): b'\n', ord('t'): b'\t', ord('r'): b'\r', ord('\\'): b'\\',
              ord('"'): b'"'}
    while i < len(b):
        c = b[i]
        if c != 0x5c:
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(b):
            raise ParseError(f'dangling backslash in {b!r}')
        n = b[i + 1]
        if n in simple:
            out += simple[n]
            i += 2
        elif n == ord('x'):
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        elif n == ord('u') and b[i + 2:i + 3] == b'{':
            j = b.index(b'}', i)
            out += chr(int(b[i + 3:j], 16)).encode('utf-8', 'surrogatepass')
            i = j + 1
        else:
            raise ParseError(f'unknown escape in {b!r}')
    return bytes(out)


def parse_table(out, default_netid, sks, subst=None, default_state=''):
    """Parse ss's (sks=False) or sockscope's (sks=True) table into Recs.

    subst: {placeholder: original bytes}, already applied to out (ss only).
    default_netid / default_state: for the Netid / State column a tool hides
    when only one table / state is selected."""
    subst = subst or {}

    def restore(b):
        for ph, orig in subst.items():
            b = b.replace(ph, orig)
        return b

    lines = out.split(b'\n')
    if not lines or not lines[0].strip():
        return []
    header = lines[0]
    has_netid = header.startswith(b'Netid')
    has_state = b'State' in header.split(b'Recv-Q')[0]
    recs = []
    for line in lines[1:]:
        if not line.strip():
            continue
        toks = line.split(b' ') if sks else line.split()
        toks = [t for t in toks if t]
        i = 0
        if has_netid:
            netid = toks[i].decode()
            i += 1
        else:
            netid = default_netid
        if netid not in ('tcp', 'udp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'p_raw', 'p_dgr',
                         'nl', 'mptcp', 'sctp', 'dccp', 'tipc', 'v_str', 'v_dgr', 'xdp'):
            raise ParseError(f'unexpected line {line!r}')
        r = Rec(netid, default_state, line=restore(line))
        if has_state:
            r.state = toks[i].decode()
            i += 1
        i += 2  # Recv-Q, Send-Q
        if r.is_unix:
            name, r.inode = toks[i], int(toks[i + 1])
            peer, r.peer_inode = toks[i + 2], int(toks[i + 3])
            if peer != b'*':
                raise ParseError(f'unix peer column {peer!r} in {line!r}')
            i += 4
            if sks:
                if name == b'*':
                    r.ukind, r.upath = 'none', None
                elif name.startswith(b'@'):
                    r.ukind, r.upath = 'abs', unescape(name[1:])
                else:
                    r.ukind, r.upath = 'path', unescape(name)
            else:
                r.ukind, r.upath = 'ambig', restore(name)
        else:
            r.local, r.peer = toks[i], toks[i + 1]
            i += 2
        rest = b' '.join(toks[i:])
        if rest.startswith(b'users:'):
            users, _, rest = rest.partition(b' ')
            if sks:
                r.owners = parse_owners(users, OWNER_SKS, unescape)
            else:
                r.owners = parse_owners(users, OWNER_SS, restore)
        elif rest.startswith(b'['):
            end = rest.find(b']')
            if end < 0:
                raise ParseError(f'unterminated [reason] in {line!r}')
            r.noowner = rest[1:end].decode('utf-8', 'replace')
            rest = rest[end + 1:]
        # The rest: -e / -o / -O details, "key:value" words.
        for tok in rest.split():
            k, sep, v = tok.partition(b':')
            if sep:
                r.details[k.decode(errors='replace')] = v
        recs.append(r)
    return recs


# ------------------------------------------------------------ running tools


def run(argv, check_rc=True, stdin=subprocess.DEVNULL):
    p = subprocess.run(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if check_rc and p.returncode != 0:
        raise RuntimeError(f'{argv} exited {p.returncode}: {p.stderr.decode(errors="replace")}')
    return p


def hostile_strings(procs, socks):
    """Byte strings the anchors print raw that could break line/field splitting."""
    found = set()
    for s in socks:
        if s.is_unix and s.path is not None:
            name = ss_unix_name(msock_kind(s), s.path)
            if any(c <= 0x20 or c >= 0x7f for c in name):
                found.add(name)
    for p in procs:
        for b in (p.comm, p.argv0):
            if any(c < 0x20 or c == 0x7f for c in b):
                found.add(b)
                # netstat cuts the program name; its cut forms must be caught too.
                for n in range(len(b) - 1, 0, -1):
                    if any(c < 0x20 for c in b[:n]):
                        found.add(b[:n])
    return sorted(found, key=len, reverse=True)


def substitute(out, hostile):
    subst = {}
    for n, h in enumerate(hostile):
        ph = b'@@H%d@@' % n
        if h in out:
            out = out.replace(h, ph)
            subst[ph] = h
    return out, subst


# ------------------------------------------------------------- projections


def owners_key(owners, mode):
    if mode == 'none':
        return frozenset()
    if mode == 'threads':
        return frozenset((o[1], o[2]) for o in owners)
    return frozenset(o[1] for o in owners)


def rec_key(r, mode, proc_source=False):
    """Comparable tuple for a parsed record, in ss's lossy naming."""
    if r.is_unix:
        local = r.ss_name() + b' %d' % r.inode
        peer = None if proc_source else r.peer_inode
        return (r.netid, r.state, local, peer, owners_key(r.owners, mode))
    local, peer = r.local, r.peer
    if proc_source:
        local, peer = unmap_dual(local), unmap_dual(peer)
    return (r.netid, r.state, local, peer, owners_key(r.owners, mode))


def msock_key(s, mode, ss_view=True, proc_source=False):
    """The tuple a correct tool shows for a manifest socket."""
    if mode == 'threads':
        owners = frozenset((h[0], h[1]) for h in s.holders)
    elif mode == 'none':
        owners = frozenset()
    else:
        owners = s.pids()
    if s.is_unix:
        name = ss_unix_name(msock_kind(s), s.path)
        local = name + b' %d' % s.inode
        return (s.netid, s.state, local, None if proc_source else s.peer_inode, owners)
    local, peer = s.local.encode(), s.peer.encode()
    if proc_source:
        local, peer = unmap_dual(local), unmap_dual(peer)
    return (s.netid, s.state, local, peer, owners)


def unmap_dual(addr):
    """/proc/net/*6 has no v6only flag: '[::]:P' and '*:P' cannot be told apart there."""
    if addr.startswith(b'*:'):
        return b'[::]:' + addr[2:]
    return addr


def fmt_key(k):
    netid, state, local, peer, owners = k
    return (f'{netid} {state} {local.decode("utf-8", "backslashreplace")!s} '
            f'{peer!r} owners={sorted(owners)}')


# -------------------------------------------------------------- ss defects


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


ALL_STATES = {'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT',
              'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'}
STATE_WORDS = {
    'all': ALL_STATES,
    'established': {'ESTAB'},
    'listening': {'LISTEN'},  # the word; the -l flag is LISTEN and UNCONN
    'time-wait': {'TIME-WAIT'},
    'connected': ALL_STATES - {'LISTEN', 'UNCONN'},
    'closed': {'UNCONN'},
}


def mode_states(args):
    """The states `ss ARGS` lists (ss's rules: a state filter overrides -a/-l)."""
    states = None
    words = [a for a in args if not a.startswith('-')]
    while words:
        w = words.pop(0)
        if w == 'state':
            states = (states or set()) | STATE_WORDS[words.pop(0)]
        elif w == 'exclude':
            states = (ALL_STATES if states is None else states) - STATE_WORDS[words.pop(0)]
    if states is not None:
        return states
    flags = ''.join(a[1:] for a in args if a.startswith('-') and not a.startswith('--'))
    if 'l' in flags:
        return {'LISTEN', 'UNCONN'}
    if 'a' in flags:
        return ALL_STATES
    return ALL_STATES - {'LISTEN', 'UNCONN', 'TIME-WAIT', 'SYN-RECV'}


def default_state(args):
    """The state of every row when the State column is hidden (one state selected)."""
    st = mode_states(args)
    return next(iter(st)) if len(st) == 1 else ''


def mode_family(args):
    """4, 6 or None: the inet family `ss ARGS` selects."""
    flags = ''.join(a[1:] for a in args if a.startswith('-') and not a.startswith('--'))
    fam = args[args.index('-f') + 1] if '-f' in args else None
    if '4' in flags or fam == 'inet':
        return 4
    if '6' in flags or fam == 'inet6':
        return 6
    return None


def in_mode(s, args, tables):
    """Does manifest socket s belong in the output of `ss ARGS`?"""
    if tables is not None and s.netid not in tables:
        return False
    fam = mode_family(args)
    if fam and (s.is_unix or s.netid.startswith('p_') or
                (6 if s.local[:1] in '[*' else 4) != fam):
        return False
    return s.state in mode_states(args)


def load_services():
    """/etc/services: name -> port, per protocol ('tcp', 'udp')."""
    svc = {}
    try:
        with open('/etc/services', 'rb') as f:
            for line in f:
                line = line.split(b'#')[0].split()
                if len(line) < 2 or b'/' not in line[1]:
                    continue
                port, proto = line[1].split(b'/')
                for name in [line[0]] + line[2:]:
                    svc.setdefault((proto.decode(), name), port)
    except OSError:
        pass
    return svc


def numeric_ports(recs, svc):
    """Map 'addr:service' back to 'addr:port' (the default listing resolves services)."""
    for r in recs:
        if r.is_unix or r.netid not in ('tcp', 'udp'):
            continue
        for attr in ('local', 'peer'):
            v = getattr(r, attr)
            addr, _, port = v.rpartition(b':')
            if port != b'*' and not port.isdigit():
                num = svc.get((r.netid, port))
                if num is None:
                    raise ParseError(f'unknown service {port!r} in {r.line!r}')
                setattr(r, attr, addr + b':' + num)
    return recs


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
                    f'sockscope {" ".join(extra + args)} == ss {" ".join(args)} '
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
            if 'timer' in r.details:
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
                all(b'skmem:' in ln for ln in lines[1:]),
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


def check_netns(c):
    """-N lists the other namespace's sockets, not ours (name, path, pid forms)."""
    _, mini = load_manifest(os.path.join(c.tmp, 'mini.manifest'))
    mini_pid = mini[0].holders[0][0]
    for spec in ('e2e-ns', '/run/netns/e2e-ns', f'/proc/{mini_pid}/ns/net', str(mini_pid)):
        for args, netid, tables in ((['-tanp'], 'tcp', {'tcp'}),
                                    (['-xanp'], None, {'u_str', 'u_dgr', 'u_seq'})):
            cmd = f'sockscope -N {spec} {" ".join(args)}'
            try:
                recs = c.sockscope(['-N', spec] + args, netid)
            except (ParseError, RuntimeError) as e:
                c.res.check(False, f'{cmd}: run and parse', e)
                continue
            have = {rec_key(r, 'pids') for r in recs}
            want = {msock_key(s, 'pids') for s in mini if s.netid in tables}
            c.res.check(have == want, f'{cmd}: exactly the mini farm\'s sockets',
                        diff_report('sockscope', have, 'mini manifest', want, want))
            if spec == 'e2e-ns':
                ss_keys = {rec_key(r, 'pids') for r in c.ss(['-N', spec] + args, netid)}
                c.res.check(have == ss_keys, f'{cmd} == ss -N {spec} {" ".join(args)}',
                            diff_report('sockscope', have, 'ss', ss_keys, want))
    # And without -N, still our own namespace.
    recs = c.sockscope(['-tanp'], 'tcp')
    c.res.check(not any(r.local.endswith(b':47901') for r in recs),
                'sockscope -tanp (no -N): the other namespace\'s listener is not listed')


CHECKS = {
    'farm-ss': check_farm_ss,
    'vs-ss': lambda c: (check_vs_ss(c), check_details(c)),
    'proc-vs-ss': lambda c: check_vs_ss(c, 'proc'),
    'manifest': lambda c: (check_manifest(c), check_json_manifest(c)),
    'proc-manifest': lambda c: (check_manifest(c, 'proc'), check_json_manifest(c, 'proc')),
    'secondary': check_secondary,
    'hostile': check_hostile,
    'errors': check_errors,
    'netns': check_netns,
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
