#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end checks of the action subcommands: who, kill, -K, bind-check.

Run by run_actions.sh as pid 1 of a fresh network + pid namespace (so it is
the namespace's init and every process it sees is the test's own):
    actions.py CHECK --sockscope PATH --tmp DIR

Sockets are held by holder.py processes (one per role: server, client,
bystander, ...).  Checks: who, kill, kill-protect, kill-tty, kill-reuse,
destroy, bind-check.  Output: 'ok'/'FAIL' lines, then 'N passed, N failed';
exit 1 on failure.
"""
import argparse
import errno
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time

from results import Results

PY = '/usr/bin/python3'
HOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'holder.py')
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
SIGNAL_CALLS = re.compile(r'\b(kill|tgkill|tkill|pidfd_send_signal)\(')


R = Results()
SOCKSCOPE = None
TMP = None


def read_line(f, timeout=10.0):
    """One line from a pipe, or '' after timeout seconds."""
    end = time.monotonic() + timeout
    buf = b''
    fd = f.fileno()
    while not buf.endswith(b'\n'):
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return buf.decode()
        c = os.read(fd, 1)
        if not c:
            break
        buf += c
    return buf.decode()


class Holder:
    """A holder.py process; .pid (and .child after F)."""
    all = []

    def __init__(self, *ops, wait=True, prefix=()):
        self.ops = ops
        self.p = subprocess.Popen([*prefix, PY, HOLDER, *ops], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.pid = self.p.pid
        self.child = None
        Holder.all.append(self)
        if wait:
            self.ready()

    def accepting(self):
        line = read_line(self.p.stdout)
        if line.strip() != 'ACCEPTING':
            raise RuntimeError(f'holder {self.ops} does not accept: {line!r}')
        return self

    def ready(self):
        line = read_line(self.p.stdout)
        if not line.startswith('READY'):
            raise RuntimeError(f'holder {self.ops} did not start: {line!r}')
        f = line.split()
        self.child = int(f[2]) if len(f) > 2 else None
        return self

    def line(self, timeout=5.0):
        return read_line(self.p.stdout, timeout).strip()

    def stop(self):
        for pid in (self.child, self.pid):
            if pid and alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait()
        reap()


def stop_all():
    for h in Holder.all:
        h.stop()
    Holder.all = []
    reap()


def reap():
    """We are pid 1: orphans (a holder's forked child) come to us."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def alive(pid):
    """Running and not a zombie."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except FileNotFoundError:
        return False


def dead_soon(pid, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        reap()
        if not alive(pid):
            return True
        time.sleep(0.02)
    return False


def run(args, stdin=subprocess.DEVNULL, timeout=30, prefix=()):
    p = subprocess.run([*prefix, SOCKSCOPE, *args], stdin=stdin, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def strace_prefix(path):
    # LeakSanitizer cannot run under ptrace: leaks are checked in the untraced runs.
    asan = ':'.join(filter(None, [os.environ.get('ASAN_OPTIONS'), 'detect_leaks=0']))
    return ['env', f'ASAN_OPTIONS={asan}', 'strace', '-f', '-qq', '-o', path, '-e', 'trace=kill,tgkill,tkill,pidfd_send_signal']


def signal_calls(path, nonzero_only=False):
    """Signal system calls strace saw; nonzero_only drops signal-0 probes."""
    calls = []
    with open(path) as f:
        for line in f:
            if not SIGNAL_CALLS.search(line):
                continue
            if nonzero_only and re.search(r'\(\d+, 0[,)]', line):
                continue
            calls.append(line.strip())
    return calls


def tw_pair(port):
    """Leave 127.0.0.1:port in TIME-WAIT (the accepting side closes first)."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', port))
    ls.listen(1)
    c = socket.create_connection(('127.0.0.1', port))
    a, _ = ls.accept()
    a.close()
    time.sleep(0.05)
    c.close()
    ls.close()
    time.sleep(0.1)


# ------------------------------------------------------------------- who


def check_who():
    # A parent and its forked child share the listener.
    h = Holder('L/tcp/0.0.0.0/47110', 'F')
    rc, out, err = run(['who', '47110'])
    R.check(rc == 0, 'who PORT held: exit 0', out + err)
    R.check(f'pid {h.pid} ' in out and f'pid {h.child} ' in out,
            'who lists the parent and the forked child', out)
    R.check('held by 2 processes' in out, 'who counts 2 processes', out)
    R.check('command: ' in out and 'holder.py L/tcp/0.0.0.0/47110 F' in out,
            'who shows the command line', out)
    R.check(re.search(r'started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d', out) is not None,
            'who shows start time and age', out)
    R.check('LISTEN 0.0.0.0:47110' in out and 'fd 3' in out and 'user root' in out,
            'who shows state, address, fd and user', out)
    rc, out, err = run(['who', '--json', '47110'])
    try:
        doc = json.loads(out)
        pids = {o['pid'] for s in doc['sockets'] for o in s['owners']}
        procs = {p['pid']: p for p in doc['processes']}
        R.check(doc['held'] and pids == {h.pid, h.child} and rc == 0,
                'who --json: held, both owners', out)
        R.check(procs[h.child]['ppid'] == h.pid and 'start_time' in procs[h.pid] and
                procs[h.pid]['cmdline'][-1] == 'F', 'who --json: ppid, start time, cmdline',
                out)
    except (ValueError, KeyError) as e:
        R.check(False, 'who --json parses', f'{e}\n{out}{err}')
    # Free port.
    rc, out, err = run(['who', '47111'])
    R.check(rc == 1 and 'port 47111 is free: no socket uses it' in out, 'who free port: exit 1',
            out + err)
    rc, out, err = run(['who', '--json', '47111'])
    R.check(rc == 1 and json.loads(out)['held'] is False, 'who --json free port: held false',
            out + err)
    # Only TIME-WAIT left.
    tw_pair(47112)
    rc, out, err = run(['who', '47112'])
    R.check(rc == 1 and 'only TIME-WAIT remnants' in out and 'TIME-WAIT: 1 closed' in out,
            'who TIME-WAIT only: says so, exit 1', out + err)
    doc = json.loads(run(['who', '--json', '47112'])[1])
    R.check(doc['time_wait'] == 1 and not doc['held'], 'who --json TIME-WAIT: counted', doc)
    # v4 / v6 / dual-stack listeners.
    dual = Holder('L/tcp/::/47113/dual')
    v6 = Holder('L/tcp/::1/47114/v6only')
    u4 = Holder('L/udp/0.0.0.0/47115')
    cases = [
        (['47113'], 0, dual), (['127.0.0.1:47113'], 0, dual), (['[::1]:47113'], 0, dual),
        (['47113/udp'], 1, None),
        (['[::1]:47114'], 0, v6), (['127.0.0.1:47114'], 1, None), (['47114/tcp'], 0, v6),
        (['47115/udp'], 0, u4), (['127.0.0.1:47115/udp'], 0, u4), (['47115/tcp'], 1, None),
        (['[::1]:47115/udp'], 1, None),
    ]
    for args, want, holder in cases:
        rc, out, err = run(['who', *args])
        ok = rc == want and (holder is None or f'pid {holder.pid} ' in out)
        R.check(ok, f'who {" ".join(args)}: exit {want}' +
                (f', pid {holder.pid}' if holder else ''), out + err)
    # The other end of a loopback connection and of a unix connection.
    srv = Holder('L/tcp/127.0.0.1/47116', 'A', wait=False).accepting()
    cli = Holder('C/127.0.0.1/47116')
    srv.ready()
    rc, out, err = run(['who', '47116'])
    R.check(rc == 0 and f'peer: pid {cli.pid} ' in out and f'pid {srv.pid} ' in out,
            'who names the process at the other end of a loopback connection', out + err)
    path = os.path.join(TMP, 'who.sock')
    usrv = Holder(f'U/{path}', 'A', wait=False).accepting()
    ucli = Holder(f'UC/{path}')
    usrv.ready()
    rc, out, err = run(['who', 'unix', path])
    R.check(rc == 0 and f'pid {usrv.pid} ' in out and f'peer: pid {ucli.pid} ' in out,
            'who unix PATH: holder and the peer process', out + err)
    # Hostile bytes in a command line never reach the terminal raw.
    hostile = Holder('L/tcp/127.0.0.1/47125', '#\x1b[31mred\nline\u202e', '#caf\u00e9 au lait')
    rc, out, err = run(['who', '47125'])
    R.check(rc == 0 and '\x1b' not in out and '\u202e' not in out and
            '#\\x1b[31mred\\nline\\u{202e} #caf\u00e9\\x20au\\x20lait' in out,
            'who escapes the command line (UTF-8 kept, spaces in arguments shown)', repr(out))
    doc = json.loads(run(['who', '--json', '47125'])[1])
    R.check(doc['processes'][0]['cmdline'][-2:] ==
            ['#\x1b[31mred\nline\u202e', '#caf\u00e9 au lait'],
            'who --json carries the command line exactly', doc)
    hostile.stop()
    # Options after the operands, as in ss (permuting getopt).
    rc, out, err = run(['state', 'listening', 'sport', '=', ':47116', '-p'])
    R.check(rc == 0 and f'pid={srv.pid},' in out, 'listing: -p after the filter works',
            out + err)
    # Nobody holds it, but something is there.
    other = Holder('L/tcp/127.0.0.1/47117', prefix=['unshare', '--net'])
    rc, out, err = run(['who', '47117'])
    R.check(rc == 1 and 'free in this network namespace, but used in another' in out and
            'in network namespace net:[' in out and f'pid {other.pid} ' in out,
            'who: a listener in another network namespace is named, exit 1', out + err)
    doc = json.loads(run(['who', '--json', '47117'])[1])
    R.check(not doc['held'] and [o['socket']['owners'][0]['pid'] for o in doc['other_netns']] ==
            [other.pid], 'who --json: other_netns', doc)
    hid = Holder('L/tcp/127.0.0.1/47118')
    rc, out, err = run(['who', '47118'], prefix=NOBODY)
    R.check(rc == 0 and 'no visible process holds it' in out and 'owners hidden' in out and
            'CAP_SYS_PTRACE' in out and f'pid {hid.pid}' not in out,
            'who as nobody: owners hidden for lack of permission', out + err)
    ksrv = Holder('L/tcp/127.0.0.1/47119', 'A', 'X/1', 'X/0', wait=False).accepting()
    kcli = Holder('C/127.0.0.1/47119')
    ksrv.ready()
    time.sleep(0.1)
    rc, out, err = run(['who', '47119'])
    R.check(rc == 1 and 'the kernel still holds 1 closing connection' in out and
            'FIN-WAIT-2' in out, 'who: a connection only the kernel holds, exit 1', out + err)
    # Exiting holders: nothing left behind.
    stop_all()
    rc, out, err = run(['who', '47110'])
    R.check(rc == 1, 'who after the holders exit: free', out + err)
    rc, out, err = run(['who', '8080x'])
    R.check(rc == 2 and err.count('\n') == 1 and "'8080x'" in err, 'who bad operand: exit 2',
            err)


# ------------------------------------------------------------------- kill


def check_kill():
    srv = Holder('L/tcp/127.0.0.1/47120', 'A', wait=False).accepting()
    cli = Holder('C/127.0.0.1/47120')
    srv.ready()
    bys = Holder('L/tcp/127.0.0.1/47121')
    bys_cli = Holder('C/127.0.0.1/47121')

    rc, out, err = run(['kill', '47120'])
    R.check(rc == 2 and 'no terminal' in err and alive(srv.pid),
            'kill without a terminal or --yes: nothing signalled, exit 2', out + err)

    trace = os.path.join(TMP, 'dry.strace')
    rc, out, err = run(['kill', '--dry-run', '47120'], prefix=strace_prefix(trace))
    R.check(rc == 0 and f'pid {srv.pid} ' in out and 'would send SIGTERM' in out,
            'kill --dry-run lists the listener', out + err)
    R.check(f'pid {cli.pid} ' not in out, 'kill --dry-run: the client is not listed', out)
    R.check(not signal_calls(trace), 'kill --dry-run: strace sees no signal call',
            '\n'.join(signal_calls(trace)))
    time.sleep(0.2)
    R.check(alive(srv.pid) and alive(cli.pid), 'kill --dry-run: everyone lives')

    trace = os.path.join(TMP, 'yes.strace')
    rc, out, err = run(['kill', '--yes', '47120'], prefix=strace_prefix(trace))
    R.check(rc == 0 and f'pid {srv.pid} (python3): sent SIGTERM' in out,
            'kill --yes: the listener is signalled', out + err)
    R.check(any('pidfd_send_signal(' in c and 'SIGTERM' in c for c in signal_calls(trace)),
            'kill --yes: through pidfd_send_signal (strace sees it)',
            '\n'.join(signal_calls(trace)))
    R.check(dead_soon(srv.pid), 'kill: the listener died')
    time.sleep(0.2)
    R.check(alive(cli.pid), 'kill: the connected client on the same port lives')
    R.check(alive(bys.pid) and alive(bys_cli.pid), 'kill: bystanders live')

    srv2 = Holder('L/tcp/127.0.0.1/47122', 'A', wait=False).accepting()
    cli2 = Holder('C/127.0.0.1/47122')
    srv2.ready()
    rc, out, err = run(['kill', '--clients', '--yes', '--wait', '5', '47122'])
    R.check(rc == 0 and 'port 47122 is free' in out, 'kill --clients --wait: port free',
            out + err)
    R.check(dead_soon(srv2.pid) and dead_soon(cli2.pid), 'kill --clients: client dies too')
    R.check(alive(bys.pid) and alive(bys_cli.pid), 'kill --clients: bystanders live')

    # A filter, and -s.
    srv3 = Holder('L/udp/127.0.0.1/47123')
    rc, out, err = run(['kill', '-s', 'KILL', '--yes', 'sport', '=', ':47123'])
    R.check(rc == 0 and 'sent SIGKILL' in out and dead_soon(srv3.pid),
            'kill -s KILL FILTER: the UDP holder is killed', out + err)
    R.check(alive(bys.pid), 'kill FILTER: bystander lives')
    rc, out, err = run(['kill', '--yes', '47124'])
    R.check(rc == 1 and 'nothing to signal' in out, 'kill on a free port: exit 1', out + err)
    rc, out, err = run(['kill', '-s', 'NOSUCH', '47124'])
    R.check(rc == 2 and 'unknown signal' in err, 'kill -s NOSUCH: exit 2', err)
    stop_all()


def check_kill_protect():
    # We are pid 1 of the namespace and an ancestor of every sockscope we run.
    me = socket.socket()
    me.bind(('127.0.0.1', 47130))
    me.listen(1)
    trace = os.path.join(TMP, 'init.strace')
    rc, out, err = run(['kill', '--yes', '47130'], prefix=strace_prefix(trace))
    R.check(rc != 0 and 'never signalled' in out and 'pid 1 of the pid namespace' in out,
            'kill: pid 1 holding the port is never signalled, exit non-zero', out + err)
    R.check(not signal_calls(trace), 'kill: no signal call for pid 1',
            '\n'.join(signal_calls(trace)))
    me.close()
    # An ancestor (not pid 1): the holder runs sockscope as its grandchild.
    out_path = os.path.join(TMP, 'anc.out')
    trace = os.path.join(TMP, 'anc.strace')
    h = Holder('L/tcp/127.0.0.1/47131', f'S/{out_path}', *strace_prefix(trace), SOCKSCOPE,
               'kill', '--yes', '47131')
    line = h.line(30)
    with open(out_path) as f:
        out = f.read()
    R.check(line.startswith('RC ') and line != 'RC 0' and
            'an ancestor of the calling process' in out,
            'kill: its own ancestor holding the port is never signalled', line + '\n' + out)
    R.check(alive(h.pid) and not signal_calls(trace), 'kill: the ancestor lives, no signal call',
            '\n'.join(signal_calls(trace)))
    # A bystander child of ours next to a protected holder: only it is signalled.
    me = socket.socket()
    me.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    me.bind(('127.0.0.1', 47132))
    me.listen(1)
    other = Holder('L/tcp/127.0.0.1/47132/rp')
    rc, out, err = run(['kill', '--yes', '47132'])
    R.check(rc != 0 and dead_soon(other.pid) and 'never signalled' in out,
            'kill: the other holder is signalled, pid 1 is not, exit non-zero', out + err)
    me.close()
    stop_all()


class Pty:
    """sockscope on a pseudo-terminal (stdin, stdout and stderr)."""

    def __init__(self, args, prefix=()):
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen([*prefix, SOCKSCOPE, *args], stdin=slave, stdout=slave,
                                  stderr=slave, start_new_session=True)
        os.close(slave)
        self.text = ''

    def expect(self, what, timeout=15.0):
        end = time.monotonic() + timeout
        while what not in self.text:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                return False
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return False
            if not data:
                return False
            self.text += data.decode(errors='replace')
        return True

    def send(self, data):
        os.write(self.master, data)

    def finish(self, timeout=15.0):
        end = time.monotonic() + timeout
        while self.p.poll() is None and time.monotonic() < end:
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    self.text += os.read(self.master, 4096).decode(errors='replace')
                except OSError:
                    time.sleep(0.05)
        try:
            while select.select([self.master], [], [], 0.1)[0]:
                data = os.read(self.master, 4096)
                if not data:
                    break
                self.text += data.decode(errors='replace')
        except OSError:
            pass
        if self.p.poll() is None:
            self.p.kill()
        os.close(self.master)
        return self.p.wait()


def check_kill_tty():
    srv = Holder('L/tcp/127.0.0.1/47140')
    trace = os.path.join(TMP, 'eof.strace')
    t = Pty(['kill', '47140'], prefix=strace_prefix(trace))
    R.check(t.expect('[y/N]'), 'kill on a terminal asks', t.text)
    t.send(b'\x04')  # EOF at the start of a line
    rc = t.finish()
    R.check(rc == 1 and 'nothing signalled' in t.text, 'kill: EOF at the prompt is no, exit 1',
            t.text)
    R.check(alive(srv.pid) and not signal_calls(trace), 'kill: after EOF the holder lives, no '
            'signal call', '\n'.join(signal_calls(trace)))
    t = Pty(['kill', '47140'])
    t.expect('[y/N]')
    t.send(b'n\n')
    rc = t.finish()
    R.check(rc == 1 and alive(srv.pid), 'kill: "n" at the prompt signals nothing', t.text)
    t = Pty(['kill', '47140'])
    R.check(t.expect('[y/N]'), 'kill asks again')
    t.send(b'y\n')
    rc = t.finish()
    R.check(rc == 0 and 'sent SIGTERM' in t.text and dead_soon(srv.pid),
            'kill: "y" at the prompt signals the holder', t.text)
    stop_all()


def set_last_pid(pid):
    with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
        f.write(str(pid))


def check_kill_reuse():
    """The holder exits while sockscope waits at the prompt; a new process
    gets its pid (ns_last_pid) and even listens on the same port.  Answering
    yes must signal nobody and say the holder is gone."""
    port = 47150
    old = Holder(f'L/tcp/127.0.0.1/{port}/ra')
    trace = os.path.join(TMP, 'reuse.strace')
    t = Pty(['kill', str(port)], prefix=strace_prefix(trace))
    R.check(t.expect('[y/N]') and f'pid {old.pid} ' in t.text, 'kill-reuse: the holder is listed',
            t.text)
    victim = old.pid
    old.stop()
    R.check(not alive(victim), 'kill-reuse: the holder has exited')
    new = None
    for _ in range(5):
        set_last_pid(victim - 1)
        h = Holder(f'L/tcp/127.0.0.1/{port}/ra')
        if h.pid == victim:
            new = h
            break
        h.stop()
    if not R.check(new is not None, f'kill-reuse: a new process took pid {victim}'):
        t.finish()
        stop_all()
        return
    t.send(b'y\n')
    rc = t.finish()
    R.check(rc != 0 and 'the holder is gone' in t.text, 'kill-reuse: says the holder is gone, '
            'exit non-zero', t.text)
    R.check('sent SIG' not in t.text, 'kill-reuse: reports no signal sent', t.text)
    time.sleep(0.2)
    R.check(alive(new.pid), 'kill-reuse: the new process on the same pid lives')
    R.check(not signal_calls(trace, nonzero_only=True), 'kill-reuse: strace sees no real signal',
            '\n'.join(signal_calls(trace)))
    stop_all()


# ------------------------------------------------------------------- -K


def check_destroy():
    port = 47160
    srv = Holder(f'L/tcp/127.0.0.1/{port}', 'A', 'R', wait=False).accepting()
    cli = Holder(f'C/127.0.0.1/{port}', 'R')
    srv.ready()
    # Without CAP_NET_ADMIN: a clear error, nothing closed.
    drop = ['setpriv', '--inh-caps=-net_admin', '--bounding-set=-net_admin']
    rc, out, err = run(['-K', 'dport', '=', f':{port}'], prefix=drop)
    R.check(rc == 2 and 'CAP_NET_ADMIN' in err and err.count('\n') == 1,
            '-K without CAP_NET_ADMIN: exit 2 naming the capability', out + err)
    R.check(cli.line(0.3) == '' and srv.line(0.1) == '', '-K without CAP_NET_ADMIN: the '
            'connection is untouched')
    # ss -K style: options after the filter, too (permuting getopt).
    rc, out, err = run(['dport', '=', f':{port}', '-K'])
    R.check(rc == 0 and re.search(rf'127\.0\.0\.1:\d+\s+127\.0\.0\.1:{port}', out) is not None,
            '-K closes the client socket and prints it', out + err)
    R.check(len([l for l in out.splitlines() if f':{port}' in l]) == 1,
            '-K: exactly the matching socket (not the listener, not the server side)', out)
    R.check(cli.line() == 'RECV ECONNABORTED', "-K: the owner sees ECONNABORTED")
    R.check(srv.line() == 'RECV ECONNRESET', '-K: the peer sees ECONNRESET')
    rc, out, err = run(['-K', 'dport', '=', f':{port}'])
    R.check(rc == 0 and f':{port}' not in out, '-K again: nothing left to close', out + err)
    rc, out, err = run(['-K', '-s'])
    R.check(rc == 2 and err.count('\n') == 1, '-K with -s: exit 2', err)
    stop_all()


# ------------------------------------------------------------------- bind-check


def real_bind(target, trial, v6only, user=None):
    """Bind as a server would (trial: plain, reuseaddr, reuseport); 0 or errno."""
    m = re.fullmatch(r'(?:\[(.*)\]|([\d.]+)):(\d+)(?:/(tcp|udp))?', target)
    addr = m.group(1) if m.group(1) is not None else m.group(2)
    port, proto = int(m.group(3)), m.group(4) or 'tcp'
    code = f'''
import socket, errno, sys
fam = socket.AF_INET6 if ":" in {addr!r} else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM if {proto!r} == "udp" else socket.SOCK_STREAM)
if {trial!r} in ("reuseaddr", "reuseport"):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if {trial!r} == "reuseport":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
if fam == socket.AF_INET6 and {v6only!r} is not None:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, {v6only!r})
try:
    s.bind(({addr!r}, {port}))
    print(0)
except OSError as e:
    print(e.errno)
'''
    prefix = NOBODY if user else []
    return int(subprocess.run([*prefix, PY, '-c', code], capture_output=True, text=True,
                              check=True).stdout)


def check_bind():
    # (holders' ops, target, bind-check options, blocking local address or None, reason)
    P = 47170
    scenarios = [
        ([f'L/tcp/0.0.0.0/{P}'], f'127.0.0.1:{P}', [], f'0.0.0.0:{P}', 'wildcard'),
        ([f'L/tcp/127.0.0.1/{P}'], f'0.0.0.0:{P}', [], f'127.0.0.1:{P}', 'covered'),
        ([f'L/tcp/127.0.0.1/{P}'], f'127.0.0.2:{P}', [], None, None),
        ([f'L/tcp/127.0.0.1/{P}'], f'127.0.0.1:{P}', ['--reuseaddr'], f'127.0.0.1:{P}',
         'same-address'),
        ([f'L/tcp/::/{P}/dual'], f'127.0.0.1:{P}', [], f'[::]:{P}', 'dual-stack'),
        ([f'L/tcp/::/{P}/v6only'], f'0.0.0.0:{P}', [], None, None),
        ([f'L/tcp/0.0.0.0/{P}'], f'[::]:{P}', ['--dual-stack'], f'0.0.0.0:{P}',
         'dual-stack-target'),
        ([f'L/tcp/0.0.0.0/{P}'], f'[::]:{P}', ['--v6only'], None, None),
        ([f'L/tcp/::1/{P}'], f'[::1]:{P}', [], f'[::1]:{P}', 'same-address'),
        ([f'L/tcp/::1/{P}/v6only'], f'127.0.0.1:{P}', [], None, None),
        ([f'L/tcp/127.0.0.1/{P}/rp'], f'127.0.0.1:{P}', [], f'127.0.0.1:{P}', 'same-address'),
        ([f'L/tcp/127.0.0.1/{P}/rp'], f'127.0.0.1:{P}', ['--reuseport'], f'127.0.0.1:{P}',
         'same-address'),
        ([f'L/tcpbind/127.0.0.1/{P}'], f'127.0.0.1:{P}', [], f'127.0.0.1:{P}', 'same-address'),
        ([f'L/udp/127.0.0.1/{P}'], f'127.0.0.1:{P}/udp', [], f'127.0.0.1:{P}', 'same-address'),
        ([f'L/udp/0.0.0.0/{P}/ra'], f'127.0.0.1:{P}/udp', [], f'0.0.0.0:{P}', 'wildcard'),
        ([f'L/udp/0.0.0.0/{P}/ra'], f'127.0.0.1:{P}/udp', ['--reuseaddr'], f'0.0.0.0:{P}',
         'wildcard'),
        ([f'L/udp/::/{P}/dual'], f'0.0.0.0:{P}/udp', [], f'[::]:{P}', 'dual-stack'),
        ([f'L/udp/127.0.0.1/{P}'], f'127.0.0.1:{P}/tcp', [], None, None),
        ([f'L/tcp/0.0.0.0/{P}/ra'], f'127.0.0.1:{P}', ['--reuseaddr'], f'0.0.0.0:{P}',
         'wildcard'),
        ([], f'127.0.0.1:{P}', [], None, None),
    ]
    for ops, target, opts, blocker, reason in scenarios:
        holders = [Holder(*ops) for ops in ([ops] if ops else [])]
        trial = ('reuseport' if '--reuseport' in opts else
                 'reuseaddr' if '--reuseaddr' in opts else 'plain')
        v6only = 1 if '--v6only' in opts else 0 if '--dual-stack' in opts else None
        desc = f'bind-check {target} {" ".join(opts)} with {" ".join(ops) or "nothing"}'
        check_one(desc, target, opts, trial, v6only, blocker, reason,
                  holders[0].pid if holders else None)
        stop_all()
    # TIME-WAIT: blocks a plain bind, not one with SO_REUSEADDR.
    tw_pair(P)
    check_one(f'bind-check 127.0.0.1:{P} with a TIME-WAIT', f'127.0.0.1:{P}', [], 'plain', None,
              f'127.0.0.1:{P}', 'time-wait', None)
    check_one(f'bind-check --reuseaddr 127.0.0.1:{P} with a TIME-WAIT', f'127.0.0.1:{P}',
              ['--reuseaddr'], 'reuseaddr', None, f'127.0.0.1:{P}', 'time-wait', None)
    rc, out, err = run(['bind-check', f'127.0.0.1:{P}'])
    R.check(rc == 1 and 'TIME-WAIT' in out and 'SO_REUSEADDR' in out,
            'bind-check text: TIME-WAIT and the SO_REUSEADDR advice', out + err)
    # A privileged port, as an unprivileged user.
    want = real_bind('127.0.0.1:80', 'plain', None, user='nobody')
    rc, out, err = run(['bind-check', '127.0.0.1:80'], prefix=NOBODY)
    R.check(want == errno.EACCES and rc == 1 and 'CAP_NET_BIND_SERVICE' in out and
            'ip_unprivileged_port_start' in out,
            'bind-check 127.0.0.1:80 as nobody: EACCES like a real bind, names the capability',
            out + err)
    rc, out, err = run(['bind-check', '127.0.0.1:80'])
    R.check(rc == 0 and real_bind('127.0.0.1:80', 'plain', None) == 0,
            'bind-check 127.0.0.1:80 as root: bindable like a real bind', out + err)
    rc, out, err = run(['bind-check', 'unix', '/x'])
    R.check(rc == 2 and err.count('\n') == 1, 'bind-check unix PATH: exit 2', err)
    stop_all()


def check_one(desc, target, opts, trial, v6only, blocker, reason, pid):
    real = real_bind(target, trial, v6only)
    rc, out, err = run(['bind-check', '--json', *opts, target])
    try:
        doc = json.loads(out)
    except ValueError:
        R.check(False, f'{desc}: JSON', out + err)
        return
    agree = doc['bindable'] == (real == 0) and rc == (0 if real == 0 else 1)
    R.check(agree, f'{desc}: agrees with a real bind ({errno.errorcode.get(real, "ok")})',
            f'real={real} rc={rc}\n{out}{err}')
    if blocker is None:
        R.check(real == 0 and not doc['in_the_way'], f'{desc}: nothing in the way', out)
        return
    hits = [s for s in doc['in_the_way'] if s['local'] == blocker and s['reason'] == reason and
            (pid is None or pid in [o['pid'] for o in s['owners']])]
    R.check(len(hits) >= 1, f'{desc}: names {blocker} ({reason})' +
            (f' held by pid {pid}' if pid else ''), out)
    rc, text, err = run(['bind-check', *opts, target])
    R.check(blocker in text and (pid is None or f'pid {pid} ' in text),
            f'{desc}: text names the blocker', text + err)


CHECKS = {
    'who': check_who,
    'kill': check_kill,
    'kill-protect': check_kill_protect,
    'kill-tty': check_kill_tty,
    'kill-reuse': check_kill_reuse,
    'destroy': check_destroy,
    'bind-check': check_bind,
}


def main():
    global SOCKSCOPE, TMP
    ap = argparse.ArgumentParser()
    ap.add_argument('check', choices=sorted(CHECKS))
    ap.add_argument('--sockscope', required=True)
    ap.add_argument('--tmp', required=True)
    a = ap.parse_args()
    SOCKSCOPE, TMP = a.sockscope, a.tmp
    if os.getpid() != 1:
        sys.exit('actions.py must run as pid 1 of its own pid namespace (run_actions.sh)')
    try:
        CHECKS[a.check]()
    except Exception:
        import traceback
        traceback.print_exc()
        R.failed += 1
    finally:
        stop_all()
    return R.finish()


if __name__ == '__main__':
    sys.exit(main())
