#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Parsing for the end-to-end checks: the socket farm's manifest, ss's and
sockscope's tables (to records), and their projection to comparable tuples.
Used by compare_ss.py."""
import re
import subprocess
from dataclasses import dataclass, field

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
OWNER_SKS = re.compile(rb'\("(.*?)",pid=(\d+),(?:tid=(\d+),)?fd=(\d+)\)')


def parse_users(rest, rx, unesc):
    """Parse 'users:((...),(...))' at the start of rest; return (owners, what follows).

    Owner by owner, since a name may hold spaces, ')' or ','."""
    owners = []
    pos = len(b'users:(')
    while True:
        m = rx.match(rest, pos)
        if not m:
            raise ParseError(f'cannot parse process column {rest!r}')
        owners.append((unesc(m.group(1)), int(m.group(2)),
                       int(m.group(3)) if m.group(3) else None, int(m.group(4))))
        pos = m.end()
        sep = rest[pos:pos + 1]
        pos += 1
        if sep == b')':
            return owners, rest[pos:]
        if sep != b',':
            raise ParseError(f'cannot parse process column {rest!r}')


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
            if sks:
                r.owners, rest = parse_users(rest, OWNER_SKS, unescape)
            else:
                r.owners, rest = parse_users(rest, OWNER_SS, restore)
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


SANITIZER_MARKS = (b'runtime error:', b'ERROR: AddressSanitizer', b'ERROR: LeakSanitizer',
                   b'ERROR: UndefinedBehaviorSanitizer')


def run(argv, check_rc=True):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if any(m in p.stderr for m in SANITIZER_MARKS):
        raise RuntimeError(f'{argv}: sanitizer report:\n{p.stderr.decode(errors="replace")}')
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


def msock_key(s, mode, proc_source=False):
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
