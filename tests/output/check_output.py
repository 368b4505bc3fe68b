#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks of sockscope's output formats, run inside the test namespace by
run.sh after the scene is ready:

    check_output.py CHECK --sockscope PATH --tmp DIR --data DIR

  json       (e2e socket farm) every JSON / JSONL output parses with jq:
             one document, or one object per line; streamed JSONL equals
             the snapshot's records; -c rounds are stamped; hostile names
             come back byte for byte
  prom       (golden scene) promtool check metrics passes for every
             Prometheus output, hostile names and past the cardinality cap;
             label values decode to the exact bytes; the overflow series
             and sockscope_series_capped add up
  csv        (golden scene) CSV and TSV of hostile names parse with Python's
             csv module into the documented escaped form, which decodes to
             the exact bytes
  golden     (golden scene) --fields, --sort, --top, -H, --pids,
             --exit-status against tests/data/output/*.out (@ROLE@ stands
             for the pid of a role of outfarm.py's manifest)
  pipelines  (pipelines scene) the seed pipelines as one command: --count-by
             equals awk | sort | uniq -c over ss and netstat, and the scene

Output: 'ok'/'FAIL' lines, then 'N passed, N failed'; exit 1 on failure.
"""
import argparse
import collections
import csv
import io
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
from e2e_parse import load_manifest, unescape  # noqa: E402
from results import Results  # noqa: E402


def run(argv, rc=(0,), stdin=None):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, input=stdin,
                       timeout=30)
    if p.returncode not in rc:
        raise SystemExit(f'{argv!r} exited {p.returncode}: {p.stderr.decode(errors="replace")}')
    return p.stdout


def sh(cmd):
    return run(['bash', '-c', 'set -o pipefail; ' + cmd]).decode()


# ------------------------------------------------ the documented escaped form

def escape_text(b, extra=b''):
    """sks_escape_text() as sockscope.h documents it, for the names our scenes
    use (ASCII controls, DEL, invalid UTF-8), plus `extra` bytes as \\xHH."""
    out = []
    s = b.decode('utf-8', 'surrogateescape')
    for ch in s:
        o = ord(ch)
        if 0xdc80 <= o <= 0xdcff:  # a byte that is not UTF-8
            out.append('\\x%02x' % (o - 0xdc00))
        elif ch == '\\':
            out.append('\\\\')
        elif ch in '\n\t\r':
            out.append({'\n': '\\n', '\t': '\\t', '\r': '\\r'}[ch])
        elif o < 0x20 or o == 0x7f:
            out.append('\\x%02x' % o)
        elif o < 0x80 and ch.encode() in [bytes([x]) for x in extra]:
            out.append('\\x%02x' % o)
        else:
            out.append(ch)
    return ''.join(out)


def no_raw_controls(text):
    """True when text has no control byte but newline (and tab, for TSV)."""
    return not re.search(r'[\x00-\x08\x0b-\x1f\x7f]', text)


# -------------------------------------------------------------------- json

def check_json(res, sks, tmp):
    procs, _ = load_manifest(os.path.join(tmp, 'manifest'))
    combos = [['-anp'], ['-anpT'], ['-aneoimp'], ['-xanp'], ['-tan'],
              ['-xanp', '--fields', 'local,process,pid,user,fd,netns'],
              ['-anp', '--count-by', 'process,user'],
              ['-anp', '--count-by', 'peer-ip', '--top', '3'],
              ['-tanp', '--sort', '-recv-q,local'], ['-anp', '--top', '5']]
    for args in combos:
        for fmt in ('json', 'jsonl'):
            argv = [sks] + args + ['--format=' + fmt]
            out = run(argv)
            p = subprocess.run(['jq', '-c', '.'], input=out, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            values = p.stdout.decode().splitlines()
            what = ' '.join(argv[1:])
            if not res.check(p.returncode == 0, f'jq parses {what}', p.stderr.decode()):
                continue
            if fmt == 'json':
                res.check(len(values) == 1 and values[0].startswith('{'),
                          f'{what}: one document', f'{len(values)} values')
            else:
                lines = out.decode().splitlines()
                res.check(len(values) == len(lines) and
                          all(v.startswith('{') for v in values),
                          f'{what}: one object per line', f'{len(values)} values, '
                          f'{len(lines)} lines')
            res.check(no_raw_controls(out.decode()), f'{what}: no raw control bytes')

    # Every owner with a name the farm set carries its exact bytes (JSONL).
    comm = {p.pid: p.comm for p in procs if p.comm and p.pid == p.tid}
    seen = {}
    for line in run([sks, '-anp', '--jsonl']).decode().splitlines():
        for o in json.loads(line).get('owners', []):
            got = bytes.fromhex(o['comm_hex']) if 'comm_hex' in o else \
                o['comm'].encode('utf-8', 'surrogatepass')
            seen.setdefault(o['pid'], set()).add(got)
    for pid, want in sorted(comm.items()):
        res.check(seen.get(pid) == {want}, f'jsonl: comm of pid {pid} is {want!r}',
                  f'got {seen.get(pid)!r}')

    # Streamed JSONL (no -p, no sort): the same records as the snapshot's JSON.
    def key(r):
        return (r['netid'], r['state'], json.dumps(r.get('local')), json.dumps(r.get('peer')),
                r.get('inode'))
    doc = json.loads(run([sks, '-tuan', '--json']))
    streamed = [json.loads(x) for x in run([sks, '-tuan', '--jsonl']).decode().splitlines()]
    a = sorted(key(r) for r in doc['records'] if r['state'] != 'TIME-WAIT')
    b = sorted(key(r) for r in streamed if r['state'] != 'TIME-WAIT')
    res.check(a and a == b, f'streamed jsonl == json records ({len(a)} sockets)',
              f'json {len(a)}, jsonl {len(b)}')

    # -c: every line of a round carries the round's time; rounds keep coming.
    want = len(run([sks, '-tln', '--jsonl']).decode().splitlines())
    p = subprocess.Popen([sks, '-tln', '--jsonl', '-c', '0.2'], stdout=subprocess.PIPE)
    rounds = collections.OrderedDict()
    try:
        deadline = time.time() + 10
        while len(rounds) < 4 and time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            r = json.loads(line)
            rounds.setdefault(r['time'], 0)
            rounds[r['time']] += 1
    finally:
        p.kill()
        p.wait()
    full = list(rounds.values())[:3]
    stamps = list(rounds)
    res.check(len(rounds) >= 4 and full == [want] * 3 and stamps == sorted(stamps) and
              all(re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', t) for t in stamps),
              f'-c 0.2 --jsonl: rounds of {want} lines, each stamped with its time',
              f'rounds {dict(rounds)!r}')


# -------------------------------------------------------------------- prom

LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def prom_unescape(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', '\\': '\\', '"': '"'}[m.group(1)], v)


def parse_prom(text):
    """[(name, {label: raw value}, value)] of the sample lines."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        if not m:
            raise SystemExit(f'cannot parse sample {line!r}')
        labels = dict(LABEL.findall(m.group(2) or ''))
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def promtool(res, what, text):
    p = subprocess.run(['promtool', 'check', 'metrics'], input=text.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    res.check(p.returncode == 0 and not p.stdout.strip(), f'promtool check metrics: {what}',
              p.stdout.decode())


def check_prom(res, sks, man):
    hostile = {h['port']: bytes.fromhex(h['comm_hex']) for h in man['hostile']}
    outs = {}
    for args in (['-tanp'], ['-anp'], ['-tanp', '--max-series', '1'],
                 ['-tlnp', '--max-series', '3'], ['-xlnp'],
                 ['-tanp', '--count-by', 'process'],
                 ['-tanp', '--count-by', 'process,local-port', '--max-series', '2'],
                 ['-tan', '--count-by', 'state,proto'], ['-anp', '--count-by', 'user,netns'],
                 ['-tanp', '--count-by', 'peer-ip', '--top', '2']):
        text = run([sks, '--prom'] + args).decode()
        outs[' '.join(args)] = text
        promtool(res, ' '.join(args), text)
        res.check(no_raw_controls(text), f'--prom {" ".join(args)}: no raw control bytes')

    # Listener labels of hostile names decode to the exact bytes.
    samples = parse_prom(outs['-tanp'])
    names = {}
    for name, labels, _ in samples:
        if name == 'sockscope_listeners' and labels.get('port', '').isdigit():
            names[int(labels['port'])] = labels['process']
    for port, want in sorted(hostile.items()):
        got = names.get(port)
        res.check(got is not None and unescape(prom_unescape(got).encode()) == want,
                  f'prom: process label of :{port} decodes to {want!r}', f'label {got!r}')
        res.check(got == escape_text(want, b',').replace('\\', '\\\\').replace('"', '\\"'),
                  f'prom: process label of :{port} is the documented escaped form',
                  f'label {got!r}')
    # Unix listeners: the address label is the path, '@' for abstract names.
    upath, uabs = (bytes.fromhex(x) for x in man['unix_hex'])
    addrs = sorted(prom_unescape(la['address']) for n, la, _ in parse_prom(outs['-xlnp'])
                   if n == 'sockscope_listeners' and la.get('process') == 'gold-unix')
    want = sorted([escape_text(upath), '@' + escape_text(uabs[1:])])
    res.check(addrs == want and unescape(want[1].encode()) == upath,
              'prom: hostile unix path and abstract name as address labels',
              f'got {addrs!r}\nwant {want!r}')
    # The whole exposition: state counts, listeners, queues, own gauges.
    fams = {n for n, _, _ in samples}
    for f in ('sockscope_sockets', 'sockscope_recv_queue', 'sockscope_send_queue',
              'sockscope_listeners', 'sockscope_listen_queue', 'sockscope_listen_backlog',
              'sockscope_collect_duration_seconds', 'sockscope_warnings',
              'sockscope_series_capped'):
        res.check(f in fams, f'prom: {f} present')
    listeners = [s for s in samples if s[0] == 'sockscope_listeners']
    est = sum(v for n, la, v in samples if n == 'sockscope_sockets' and la['state'] == 'ESTAB')
    res.check(est == 4 and sum(v for _, _, v in listeners) == 3 + len(hostile),
              'prom: 4 ESTAB, every TCP listener counted', f'{est} {listeners!r}')

    # Past the cap: one series kept, the rest summed into the overflow series.
    capped = parse_prom(outs['-tanp --max-series 1'])
    ls = [s for s in capped if s[0] == 'sockscope_listeners']
    kept = [s for s in ls if 'overflow' not in s[1]]
    over = [s for s in ls if s[1].get('overflow') == 'true']
    total = sum(v for _, _, v in listeners)
    n_cap = [v for n, la, v in capped
             if n == 'sockscope_series_capped' and la['metric'] == 'sockscope_listeners']
    res.check(len(kept) == 1 and len(over) == 1 and kept[0][2] + over[0][2] == total and
              n_cap == [len(listeners) - 1] and
              '# sockscope: %d series of sockscope_listeners past the cap of 1' %
              (len(listeners) - 1) in outs['-tanp --max-series 1'],
              '--max-series 1: one listener series, the rest in overflow, capped count said',
              f'kept {kept!r} overflow {over!r} capped {n_cap!r}')
    grouped = parse_prom(outs['-tanp --count-by process,local-port --max-series 2'])
    g = [s for s in grouped if s[0] == 'sockscope_sockets_grouped']
    allg = len(run([sks, '-tanp', '--count-by', 'process,local-port', '-H']).splitlines())
    n_cap = [v for n, la, v in grouped if n == 'sockscope_series_capped']
    res.check(len(g) == 3 and g[2][1].get('overflow') == 'true' and
              sum(v for _, _, v in g) == 12 and n_cap == [allg - 2],
              '--count-by --max-series 2: two groups, overflow, sockscope_series_capped',
              f'{g!r} capped {n_cap!r} of {allg}')
    # Counts in prom equal the table's counts.
    table = run([sks, '-tanp', '--count-by', 'process', '-H']).decode().splitlines()
    tcounts = sorted((int(c), unescape(n.encode())) for c, n in (l.split(' ', 1) for l in table))
    pcounts = sorted((int(v), unescape(prom_unescape(la['process']).encode()))
                     for n, la, v in parse_prom(outs['-tanp --count-by process'])
                     if n == 'sockscope_sockets_grouped')
    res.check(tcounts == pcounts, 'prom --count-by process == table --count-by process',
              f'table {tcounts!r}\nprom {pcounts!r}')


# --------------------------------------------------------------------- csv

def check_csv(res, sks, man):
    hostile = {h['pid']: bytes.fromhex(h['comm_hex']) for h in man['hostile']}
    for fmt in ('csv', 'tsv'):
        out = run([sks, '-tlnp', '--' + fmt, '--fields', 'process,pid,local-port,user'])
        text = out.decode('utf-8')  # terminal-safe text is valid UTF-8
        res.check(no_raw_controls(text.replace('\t', '')), f'{fmt}: no raw control bytes')
        if fmt == 'csv':
            rows = list(csv.reader(io.StringIO(text, newline='')))
        else:
            rows = [line.split('\t') for line in text.split('\n')[:-1]]
        res.check(rows[0] == ['Process', 'PID', 'Local-Port', 'User'], f'{fmt}: header row',
                  rows[0])
        res.check(all(len(r) == 4 for r in rows), f'{fmt}: 4 fields on every row')
        by_pid = {int(r[1]): r for r in rows[1:] if r[1].isdigit()}
        for pid, name in sorted(hostile.items()):
            cell = by_pid.get(pid, [None])[0]
            # Owner fields are comma-separated lists: a ',' in a name is \x2c.
            res.check(cell == escape_text(name, b','),
                      f'{fmt}: process {name!r} is {escape_text(name, b",")!r}',
                      f'cell {cell!r}')
            res.check(cell is not None and unescape(cell.encode()) == name,
                      f'{fmt}: process {name!r} decodes back to its bytes')
    # Counts: one value per cell, so only CSV quoting protects the comma.
    rows = list(csv.reader(io.StringIO(run([sks, '-tlnp', '--csv', '--count-by',
                                                 'process']).decode(), newline='')))
    got = {unescape(r[1].encode()): r for r in rows[1:]}
    for name in hostile.values():
        r = got.get(name)
        res.check(r is not None and r[0] == '1' and r[1] == escape_text(name),
                  f'csv --count-by: {name!r} counted once as {escape_text(name)!r}', r)
    # -c: one header, a Time column telling the rounds apart.
    p = subprocess.Popen([sks, '-tln', '--csv', '--fields', 'local-port', '-c', '0.2',
                          'sport', '=', ':46001'], stdout=subprocess.PIPE)
    lines = []
    try:
        while len(lines) < 4:
            line = p.stdout.readline().decode()
            if not line:
                break
            lines.append(line)
    finally:
        p.kill()
        p.wait()
    rows = list(csv.reader(io.StringIO(''.join(lines), newline='')))
    res.check(len(rows) == 4 and rows[0] == ['Time', 'Local-Port'] and
              all(r[1] == '46001' for r in rows[1:]) and len({r[0] for r in rows[1:]}) == 3,
              'csv -c 0.2: one header, then one stamped row per round', rows)
    # Unix names: the '@' of abstract names, the path's bytes.
    rows = list(csv.reader(io.StringIO(run([sks, '-xlnp', '--csv', '--fields',
                                                 'local-addr,pid']).decode(), newline='')))
    cells = {r[0] for r in rows[1:] if r[1] == str(man['unix_pid'])}
    upath, uabs = (bytes.fromhex(x) for x in man['unix_hex'])
    want = {escape_text(upath), '@' + escape_text(uabs[1:])}
    res.check(cells == want, 'csv: hostile unix path and abstract name',
              f'got {cells!r}\nwant {want!r}')


# ------------------------------------------------------------------ golden

GOLDEN = [
    ('fields-sort', ['-tan', '--fields', 'state,local,peer,recv-q', '--sort', '-recv-q,local']),
    ('fields-owners', ['-tanp', '--fields', 'process,pid,fd,local', '--sort', 'process,local,fd']),
    ('sort-reverse-H', ['-tan', '-H', '--fields', 'local,peer', '--sort', 'local,peer,reverse']),
    ('top-csv', ['-tan', '--csv', '--fields', 'local-addr,local-port,peer-port,state',
                 '--sort', 'local-port,-peer-port', '--top', '4']),
    ('tsv-H', ['-tln', '--tsv', '-H', '--fields', 'local-port,send-q', '--sort', '-local-port']),
    ('count-top', ['-tanp', '--count-by', 'process', '--top', '3']),
    ('count-ties', ['-tanp', '--count-by', 'process', '-H']),
    ('count-H-csv', ['-tan', '--count-by', 'state,local-addr', '--csv', '-H']),
    ('json-fields', ['-tanp', '--json', '--fields', 'local-port,state,process,pid',
                     '--sort', 'local-port,state', 'sport', '<', ':46100']),
    ('pids', ['-tlnp', '--pids']),
    ('pids-filter', ['-tan', '--pids', 'dport', '=', ':46010']),
    ('exit-status', ['-tln', '--exit-status', 'sport', '=', ':1']),
    ('exit-status-H', ['-tln', '--exit-status', '-H', '--count-by', 'state', 'sport', '=', ':1']),
    ('exit-status-match', ['-tln', '--exit-status', '--csv', '--fields', 'local',
                           'sport', '=', ':46001']),
]
EXIT = {'exit-status': 1, 'exit-status-H': 1}


ERRORS = [
    ['--count-by', 'state,state'], ['--fields', 'local-ip,local-addr'],
    ['--count-by', 'bogus'], ['--pids', '--count-by', 'state'], ['--top', '0'],
    ['--prom', '--fields', 'state'], ['--max-series', 'x'], ['--format', 'xml'],
]


def check_golden(res, sks, man, data):
    for args in ERRORS:
        p = subprocess.run([sks, '-tan'] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = p.stderr.decode()
        res.check(p.returncode == 2 and not p.stdout and err.count('\n') == 1 and
                  err.startswith('sockscope: '), f'sockscope -tan {" ".join(args)}: exit 2, '
                  'one line', f'exit {p.returncode}, stdout {p.stdout!r}, stderr {err!r}')
    roles = {'web': man['web'], 'db': man['db'], 'cli': man['cli'], 'unix': man['unix_pid']}
    for i, h in enumerate(man['hostile']):
        roles[f'h{i}'] = h['pid']
    regen = os.environ.get('SKS_GOLDEN_REGEN')
    for name, args in GOLDEN:
        p = subprocess.run([sks] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        what = f'golden {name}: sockscope {" ".join(args)}'
        if not res.check(p.returncode == EXIT.get(name, 0), f'{what}: exit {EXIT.get(name, 0)}',
                         f'exit {p.returncode}: {p.stderr.decode()}'):
            continue
        # What the collection saw (timings, fds) is not part of the golden.
        got = re.sub(r',"stats":\{.*\}\}\n$', ',"stats":{...}}\n', p.stdout.decode())
        path = os.path.join(data, name + '.out')
        if regen:  # SKS_GOLDEN_REGEN=DIR: write what we got, pids as @ROLE@
            text = got
            for role, pid in sorted(roles.items(), key=lambda x: -len(str(x[1]))):
                text = re.sub(r'(?<![0-9x])%d(?![0-9])' % pid, '@%s@' % role, text)
            with open(os.path.join(regen, name + '.out'), 'w') as f:
                f.write(text)
            continue
        with open(path) as f:
            want = re.sub(r'@(\w+)@', lambda m: str(roles[m.group(1)]), f.read())
        res.check(got == want, what, ''.join(
            '-' + w + '\n+' + g + '\n' for w, g in zip(want.split('\n'), got.split('\n'))
            if w != g) or f'want {want!r}\ngot {got!r}')


# --------------------------------------------------------------- pipelines

def uniq_c(text):
    """`sort | uniq -c` output as {key: count}."""
    out = {}
    for line in text.splitlines():
        c, _, k = line.strip().partition(' ')
        out[k] = int(c)
    return out


def sks_counts(text):
    """A --count-by table with one key: [(count, key)] in its order."""
    lines = text.splitlines()
    return [(int(c), k) for c, k in (l.split(' ', 1) for l in lines[1:])]


def check_pipelines(res, sks, man):
    # ss's default states (and ours) leave out TIME-WAIT and SYN-RECV.
    peers = dict(man['estab_peers'])
    pipe = "| sort | uniq -c | sort -rn"
    seeds = [
        ('-tn --count-by peer-ip --top 20',
         "ss -tn | awk 'NR>1{split($5,a,\":\");print a[1]}' " + pipe + " | head -20",
         "netstat -tn | awk 'NR>2{split($5,a,\":\");print a[1]}' " + pipe + " | head -20",
         dict(sorted(peers.items(), key=lambda x: -x[1])[:20])),
        ('-tn state time-wait --count-by peer-ip',
         "ss -tn state time-wait | awk 'NR>1{split($4,a,\":\");print a[1]}' " + pipe,
         "netstat -tn | awk '$6==\"TIME_WAIT\"{split($5,a,\":\");print a[1]}' " + pipe,
         man['timewait_peers']),
        ('-tn state syn-recv --count-by peer-ip',
         "ss -tn state syn-recv | awk 'NR>1{split($4,a,\":\");print a[1]}' " + pipe,
         "netstat -tn | awk '$6==\"SYN_RECV\"{split($5,a,\":\");print a[1]}' " + pipe,
         man['synrecv_peers']),
        ('-tlnp --count-by process',
         "ss -tlnp | awk 'NR>1{match($0,/users:\\(\\(\"[^\"]*\"/);"
         "print substr($0,RSTART+9,RLENGTH-10)}' " + pipe,
         # netstat names a process by its argv[0] (python3 here): its pids, named
         # by the kernel's comm, are the oracle.
         "netstat -tlnp | awk 'NR>2{split($7,a,\"/\");print a[1]}' | "
         "while read -r p; do cat /proc/$p/comm; done " + pipe,
         dict(man['srv_listeners'], **{'pipe-estab': 1, 'pipe-synrcv': 1})),
    ]
    for cmd, ss_cmd, ns_cmd, truth in seeds:
        out = run([sks] + cmd.split()).decode()
        got = sks_counts(out)
        counts = [c for c, _ in got]
        res.check(counts == sorted(counts, reverse=True), f'sockscope {cmd}: largest first',
                  out)
        gotd = {k: c for c, k in got}
        res.check(len(gotd) == len(got), f'sockscope {cmd}: each key once')
        ss = uniq_c(sh(ss_cmd))
        res.check(gotd == ss, f'sockscope {cmd} == {ss_cmd}',
                  f'sockscope {sorted(gotd.items())}\nss        {sorted(ss.items())}')
        ns = uniq_c(sh(ns_cmd))
        res.check(gotd == ns, f'sockscope {cmd} == netstat pipeline',
                  f'sockscope {sorted(gotd.items())}\nnetstat   {sorted(ns.items())}')
        res.check(gotd == truth, f'sockscope {cmd} == the sockets the scene made',
                  f'sockscope {sorted(gotd.items())}\nscene     {sorted(truth.items())}')

    # Every format counts the same; with an expression filter too.
    base = {k: c for c, k in sks_counts(run([sks, '-tn', '--count-by', 'peer-ip']).decode())}
    res.check(base == peers, '-tn --count-by peer-ip == the scene (all peers)',
              f'sockscope {sorted(base.items())}\nscene     {sorted(peers.items())}')
    csvd = {r[1]: int(r[0]) for r in list(csv.reader(io.StringIO(run(
        [sks, '-tn', '--count-by', 'peer-ip', '--csv']).decode())))[1:]}
    tsvd = {r.split('\t')[1]: int(r.split('\t')[0]) for r in run(
        [sks, '-tn', '--count-by', 'peer-ip', '--tsv', '-H']).decode().splitlines()}
    jd = {g['peer_address']: g['count'] for g in json.loads(run(
        [sks, '-tn', '--count-by', 'peer-ip', '--json']))['counts']}
    jl = {g['peer_address']: g['count'] for g in map(json.loads, run(
        [sks, '-tn', '--count-by', 'peer-ip', '--jsonl']).decode().splitlines())}
    pd = {la['peer_address']: int(v) for n, la, v in parse_prom(run(
        [sks, '-tn', '--count-by', 'peer-ip', '--prom']).decode())
        if n == 'sockscope_sockets_grouped'}
    for fmt, d in (('csv', csvd), ('tsv -H', tsvd), ('json', jd), ('jsonl', jl), ('prom', pd)):
        res.check(d == base, f'--count-by peer-ip --{fmt} == table', f'{sorted(d.items())}')
    flt = {f'{r[1]}:{r[2]}': int(r[0]) for r in list(csv.reader(io.StringIO(run(
        [sks, '-tn', '--count-by', 'peer-ip,peer-port', '--csv', 'dport', '=', ':46200'])
        .decode())))[1:]}
    ssf = uniq_c(sh("ss -tn 'dport = :46200' | awk 'NR>1{print $5}' " + pipe))
    res.check(flt == ssf == {'127.0.0.1:46200': man['estab_peers']['127.0.0.1']},
              "--count-by peer-ip,peer-port 'dport = :46200' == ss", f'{flt!r} {ssf!r}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('check')
    ap.add_argument('--sockscope', required=True)
    ap.add_argument('--tmp', required=True)
    ap.add_argument('--data', required=True)
    a = ap.parse_args()
    res = Results()
    man = None
    if a.check != 'json':
        with open(os.path.join(a.tmp, 'out.manifest')) as f:
            man = json.load(f)
    if a.check == 'json':
        check_json(res, a.sockscope, a.tmp)
    elif a.check == 'prom':
        check_prom(res, a.sockscope, man)
    elif a.check == 'csv':
        check_csv(res, a.sockscope, man)
    elif a.check == 'golden':
        check_golden(res, a.sockscope, man, a.data)
    elif a.check == 'pipelines':
        check_pipelines(res, a.sockscope, man)
    else:
        raise SystemExit(f'unknown check {a.check}')
    return res.finish()


if __name__ == '__main__':
    sys.exit(main())
