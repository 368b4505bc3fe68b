#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sockets of known shape for the output tests (tests/output/run.sh).

Runs inside the test's private network + pid namespace.  Builds one scene,
writes MANIFEST (JSON: the pid of every role, the expected counts), prints
READY and holds everything until stdin closes; then kills its children.

  golden     a few listeners and connections on fixed addresses and ports,
             held by processes with fixed names (the golden files), plus
             listeners held by processes with hostile names (ESC, newline,
             quote, backslash, comma, tab, invalid UTF-8)
  pipelines  ESTABLISHED connections from 24 source addresses (address i
             with i + 10 connections), TIME-WAIT sockets from active closes,
             SYN-RECV requests from SYNs that are never completed, and
             listeners of several named processes (one shared by a fork)
"""
import json
import os
import select
import signal
import socket
import struct
import sys
import time

children = []


def set_comm(name: bytes):
    # The kernel keeps 15 bytes; our names are shorter so they stay whole.
    assert len(name) <= 15
    with open("/proc/self/comm", "wb") as f:
        f.write(name)


def listen(addr, port, kind=socket.SOCK_STREAM, backlog=128):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(backlog)
    return s


def connect(src, sport, dst):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((src, sport))
    c.connect(dst)
    return c


def hold(name: bytes, make):
    """Fork a child named `name` that makes its sockets with make() and holds
    them; returns (pid, sockets made before the fork are closed in it)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            set_comm(name)
            keep = make()
            os.write(w, b"k")
            os.close(w)
            signal.pause()
        finally:
            os._exit(0)
        del keep
    os.close(w)
    if os.read(r, 1) != b"k":
        raise SystemExit("outfarm: child %r failed" % name)
    os.close(r)
    children.append(pid)
    return pid


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def send_syn(raw, src, sport, dst, dport, seq):
    """A bare SYN from src:sport.  Nothing answers the SYN-ACK (the test
    routes src's network to lo, where a packet not for a local address is
    dropped), so the listener keeps the request in SYN-RECV."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), seq & 0xFFFF, 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    raw.sendto(ip + tcp, (dst, 0))


def wait_state(port, state_hex, want, timeout=10):
    """Wait until /proc/net/tcp has `want` sockets on local port in a state."""
    end = time.time() + timeout
    while time.time() < end:
        n = 0
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                p = line.split()
                if int(p[1].split(":")[1], 16) == port and p[3] == state_hex:
                    n += 1
        if n >= want:
            return n
        time.sleep(0.05)
    raise SystemExit("outfarm: %d sockets in state %s on port %d, want %d" %
                     (n, state_hex, port, want))


def golden(man):
    # gold-web: two TCP listeners and a UDP socket.
    man["web"] = hold(b"gold-web", lambda: [listen("127.0.0.1", 46001),
                                            listen("127.0.0.1", 46002),
                                            listen("127.0.0.1", 46003, socket.SOCK_DGRAM)])

    # gold-cli connects twice from fixed ports to the listener of gold-db,
    # which accepts both; 5 bytes it never reads are its Recv-Q.
    lst = listen("127.0.0.1", 46010)

    def cli():
        lst.close()
        keep = [connect("127.0.0.3", port, ("127.0.0.1", 46010)) for port in (46021, 46022)]
        keep[0].send(b"hello")
        return keep
    man["cli"] = hold(b"gold-cli", cli)
    man["db"] = hold(b"gold-db", lambda: [lst] + [lst.accept()[0] for _ in range(2)])
    lst.close()
    # Hostile names, each with its own TCP listener on 127.0.0.1:4610x.
    hostile = [
        b"esc\x1b[2Jx",            # ESC, a terminal sequence
        b"nl\nq\"b\\s",            # newline, double quote, backslash
        b"bad\xff\xfeutf8",        # not UTF-8
        b"c,s;v\tt",               # comma, semicolon, tab
        b"\x7fdel @x\x01",         # DEL, space, @, a C0 control
    ]
    man["hostile"] = []
    for i, name in enumerate(hostile):
        port = 46101 + i
        pid = hold(name, lambda port=port: [listen("127.0.0.1", port)])
        man["hostile"].append({"pid": pid, "port": port, "comm_hex": name.hex()})
    # Unix sockets with hostile names: a path (relative to the test's
    # directory) and an abstract name.
    upath = b"u,\"q\n\xff sp.sock"
    uabs = b"\0abs,\x1b\"x"

    def unix():
        keep = []
        for name in (upath, uabs):
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.bind(name)
            u.listen(4)
            keep.append(u)
        return keep
    man["unix_pid"] = hold(b"gold-unix", unix)
    man["unix_hex"] = [upath.hex(), uabs.hex()]


def pipelines(man):
    # ESTABLISHED: a server gets i + 10 connections from 127.0.1.i, i = 1..24
    # (no two peers tie in a top 20);
    # client ends and accepted ends both live here, in "pipe-estab".
    def estab():
        lst = listen("127.0.0.1", 46200, backlog=512)
        keep = [lst]
        for i in range(1, 25):
            for _ in range(i + 10):
                c = connect("127.0.1.%d" % i, 0, ("127.0.0.1", 46200))
                a, _ = lst.accept()
                keep += [c, a]
        return keep
    man["estab"] = hold(b"pipe-estab", estab)
    man["estab_peers"] = {"127.0.1.%d" % i: i + 10 for i in range(1, 25)}
    man["estab_peers"]["127.0.0.1"] = sum(range(11, 35))

    # TIME-WAIT: the server closes first (the active side), so its end of
    # each connection from 127.0.2.i (i connections) waits 60 s in TIME-WAIT.
    lst = listen("127.0.0.1", 46300, backlog=64)
    tw = {}
    for i in range(1, 7):
        for _ in range(i):
            c = connect("127.0.2.%d" % i, 0, ("127.0.0.1", 46300))
            a, _ = lst.accept()
            a.close()
            c.recv(1)  # the FIN
            c.close()
        tw["127.0.2.%d" % i] = i
    lst.close()
    man["timewait_peers"] = tw
    wait_state(46300, "06", sum(tw.values()))

    # SYN-RECV: SYNs from 10.9.i.1 (i of them) to a listener of "pipe-synrcv".
    syn = {}
    man["synrecv"] = hold(b"pipe-synrcv", lambda: [listen("127.0.0.1", 46400, backlog=256)])
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    seq = 1000
    for i in range(1, 6):
        for k in range(i):
            seq += 1
            send_syn(raw, "10.9.%d.1" % i, 40000 + k, "127.0.0.1", 46400, seq)
        syn["10.9.%d.1" % i] = i
    raw.close()
    man["synrecv_peers"] = syn
    wait_state(46400, "03", sum(syn.values()))

    # Listeners by process: srv-a has 3, srv-b 2 (one shared with a forked
    # child also named srv-b: counted once), srv-c 1.
    man["srv"] = {}
    man["srv"]["srv-a"] = hold(b"srv-a", lambda: [listen("127.0.0.1", p) for p in (46501, 46502, 46503)])

    def srv_b():
        keep = [listen("127.0.0.1", 46511), listen("127.0.0.1", 46512)]
        if os.fork() == 0:
            signal.pause()
            os._exit(0)
        return keep
    man["srv"]["srv-b"] = hold(b"srv-b", srv_b)
    man["srv"]["srv-c"] = hold(b"srv-c", lambda: [listen("127.0.0.1", 46521)])
    man["srv_listeners"] = {"srv-a": 3, "srv-b": 2, "srv-c": 1}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("golden", "pipelines"):
        sys.exit("usage: outfarm.py golden|pipelines MANIFEST")
    man = {"farm": os.getpid()}
    try:
        (golden if sys.argv[1] == "golden" else pipelines)(man)
        with open(sys.argv[2] + ".tmp", "w") as f:
            json.dump(man, f, indent=1, sort_keys=True)
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        print("READY", flush=True)
        # Hold until stdin closes.
        while True:
            select.select([sys.stdin], [], [])
            if not os.read(sys.stdin.fileno(), 4096):
                break
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass


if __name__ == "__main__":
    main()
