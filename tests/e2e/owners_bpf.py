#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The BPF owner iterator and the /proc scan give the same owners.

Run inside the test namespace by run.sh (check owners-bpf), after the farm is
READY:  owners_bpf.py --sockscope PATH --tmp DIR

For -anp and -anpT (process and thread mode), with a filter that makes the
wanted-inode set small, and with 5,000 more unix sockets (more than the
kernel-side inode filter takes, so the iterator reports all), sockscope runs with --owners=proc and
--owners=bpf; the two JSON documents must map every inode to the same sorted
owners (pid, tid, fd, comm, name, uid, user: the owner objects, byte for byte)
and the same missing-owner reason.  The comparison only proves something if
the farm's awkward holders are in it, so the BPF side must also show the
manifest's socket shared by two processes, the thread with its own fd table
(tid in process mode, every thread in thread mode) and the hostile name.
Output: 'ok'/'FAIL' lines, then 'N passed, N failed'; exit 1 on failure.
"""
import argparse
import json
import os
import subprocess
import sys

from e2e_parse import load_manifest, run
from results import Results

RUNS = (
    (['-anp'], False),
    (['-anpT'], True),
    # A few listeners: the kernel filters on the wanted inodes.
    (['-tlnp'], False),
    (['-xanpT', 'src', 'unix:*sock*'], True),
)

# More wanted sockets than the kernel filter takes (SKS_OWNER_BPF_FILTER_MAX,
# 4096): the iterator reports every socket and user space picks.
CROWD_PAIRS = 2500
CROWD = f"""
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, ({2 * CROWD_PAIRS + 64}, {2 * CROWD_PAIRS + 64}))
pairs = [socket.socketpair() for _ in range({CROWD_PAIRS})]
print('READY', flush=True)
sys.stdin.read()
"""


def own_socket(r):
    """sockscope's own sock_diag socket: a new inode each run, closed before the join."""
    nl = r.get('netlink') or {}
    return (r.get('proto') == 'netlink' and nl.get('protocol') == 4 and nl.get('portid')
            and not r.get('owners'))


def owners_by_inode(doc):
    """inode -> (sorted owner objects as canonical JSON, no_owner reason)."""
    out = {}
    for r in doc['records']:
        if not r.get('inode') or own_socket(r):
            continue
        owners = sorted(json.dumps(o, sort_keys=True) for o in r.get('owners', []))
        reason = (r.get('no_owner') or {}).get('reason')
        out[r['inode']] = (owners, reason)
    return out


def collect(sks, args, source, fmt='--json'):
    """--json holds the records for a join; --jsonl streams them past holders found first."""
    p = run([sks] + args[:1] + [fmt, '--owners=' + source] + args[1:], check_rc=False)
    if p.returncode != 0:
        return p, None
    if fmt == '--jsonl':
        return p, {'records': [json.loads(l) for l in p.stdout.splitlines() if l.strip()]}
    return p, json.loads(p.stdout)


def diff(a, b):
    lines = []
    for ino in sorted(set(a) | set(b)):
        if a.get(ino) != b.get(ino):
            lines.append(f'inode {ino}: proc {a.get(ino)} bpf {b.get(ino)}')
    return '\n'.join(lines[:20])


def check_coverage(res, what, bpf, procs, socks, threads):
    """The BPF side holds the farm's hard cases (else equality proves little)."""
    by_ino = {r['inode']: r for r in bpf['records'] if r.get('inode')}
    thread = next(p for p in procs if p.role == 'thread')
    shared = [s for s in socks if len({h[0] for h in s.holders}) >= 2 and s.inode in by_ino]
    ok = any(len({o['pid'] for o in by_ino[s.inode]['owners']}) >= 2 for s in shared)
    res.check(ok, f'{what}: a socket shared by parent and child has both as owners',
              f'{len(shared)} shared farm sockets listed')
    priv = [s for s in socks if any(h[1] == thread.tid for h in s.holders) and s.inode in by_ino]
    ok = priv and all(any(o.get('tid') == thread.tid for o in by_ino[s.inode]['owners'])
                      for s in priv)
    res.check(ok, f'{what}: sockets of the thread with its own fd table carry its tid '
              f'{thread.tid}', f'{len(priv)} such sockets listed')
    if threads:
        # The farm's main process has several threads sharing its table.
        main = next(p for p in procs if p.role == 'main')
        tids = {o.get('tid') for r in bpf['records'] for o in r.get('owners', [])
                if o['pid'] == main.pid}
        res.check(len(tids) >= 2, f'{what}: the main process is listed per thread', tids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sockscope', required=True)
    ap.add_argument('--tmp', required=True)
    args = ap.parse_args()
    procs, socks = load_manifest(os.path.join(args.tmp, 'manifest'))
    res = Results()
    crowd = subprocess.Popen([sys.executable, '-c', CROWD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    try:
        ready = crowd.stdout.readline() == b'READY\n'
        if res.check(ready, f'{2 * CROWD_PAIRS} more unix sockets held (no kernel filter)'):
            n = compare(res, args.sockscope, ['-xanp'], procs, socks, False)
            res.check(n > 2 * CROWD_PAIRS, f'-xanp: {n} inodes compared, more than the '
                      'kernel filter takes')
    finally:
        crowd.kill()
        crowd.wait()
    for argv, threads in RUNS:
        compare(res, args.sockscope, argv, procs, socks, threads)
    return res.finish()


def compare(res, sks, argv, procs, socks, threads):
    """--owners=proc and --owners=bpf agree for argv; returns the inodes compared."""
    what = ' '.join(argv)
    p_proc, d_proc = collect(sks, argv, 'proc')
    p_bpf, d_bpf = collect(sks, argv, 'bpf')
    if not res.check(d_proc is not None and d_bpf is not None,
                     f'{what} --owners=proc and --owners=bpf: exit 0',
                     p_proc.stderr.decode(errors='replace') +
                     p_bpf.stderr.decode(errors='replace')):
        return 0
    a, b = owners_by_inode(d_proc), owners_by_inode(d_bpf)
    n = sum(1 for v in b.values() if v[0])
    res.check(a == b and n > 0, f'{what}: same owners for all {len(a)} inodes '
              f'({n} with owners)', diff(a, b))
    # The streamed path (holders first, then the dump) gives the joined owners.
    for source in ('proc', 'bpf'):
        p_s, d_s = collect(sks, argv, source, '--jsonl')
        s = owners_by_inode(d_s) if d_s is not None else {}
        res.check(d_s is not None and s == a,
                  f'{what} --jsonl --owners={source}: the same owners streamed as joined',
                  p_s.stderr.decode(errors='replace') + diff(a, s))
    if argv[0] in ('-anp', '-anpT'):
        check_coverage(res, what, d_bpf, procs, socks, threads)
    return len(a)


if __name__ == '__main__':
    sys.exit(main())
