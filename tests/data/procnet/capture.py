#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Capture real /proc/net files with a known set of sockets.

Run inside a private namespace (nothing else on the network side):
  unshare --net --pid --fork --mount-proc sh -c \
    'ip link set lo up && python3 capture.py OUTDIR'
Writes OUTDIR/net/{tcp,tcp6,udp,udp6,raw,raw6,unix,packet,netlink,sockstat,sockstat6},
OUTDIR/ss.txt (ss -ae oracle) and OUTDIR/expect.txt (what the sockets are).
"""
import os, socket, struct, subprocess, sys, tempfile, time

out = sys.argv[1]
os.makedirs(out + "/net", exist_ok=True)
keep, expect = [], []

def note(fmt, *a):
    expect.append(fmt % a)

FULL6 = "2001:db8:1234:5678:9abc:def0:1357:2468"
subprocess.run(["ip", "addr", "add", FULL6 + "/128", "dev", "lo", "nodad"], check=True)
time.sleep(0.2)

def ino(s):
    return os.fstat(s.fileno()).st_ino

# tcp v4: listener with one unaccepted connection, one accepted + data pending
l4 = socket.socket(); l4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l4.bind(("127.0.0.1", 8080)); l4.listen(16); keep.append(l4)
note("tcp LISTEN 127.0.0.1:8080 inode=%d", ino(l4))
c1 = socket.create_connection(("127.0.0.1", 8080)); keep.append(c1)
a1, _ = l4.accept(); keep.append(a1)
c1.sendall(b"x" * 1000)   # a1 has 1000 bytes in its receive queue
note("tcp ESTAB 127.0.0.1:%d->8080 inode=%d", c1.getsockname()[1], ino(c1))
note("tcp ESTAB 127.0.0.1:8080<-%d inode=%d rq=1000", c1.getsockname()[1], ino(a1))
c2 = socket.create_connection(("127.0.0.1", 8080)); keep.append(c2)  # left in backlog
note("tcp listener 8080 backlog=1 (client inode=%d)", ino(c2))
# TIME-WAIT: active close on a connection to a second listener
l4b = socket.socket(); l4b.bind(("127.0.0.1", 8081)); l4b.listen(4); keep.append(l4b)
tw = socket.create_connection(("127.0.0.1", 8081)); twa, _ = l4b.accept()
tw.close(); time.sleep(0.05); twa.close()
note("tcp TIME-WAIT or FIN_WAIT2 127.0.0.1:?->8081")
# keepalive timer
ka = socket.create_connection(("127.0.0.1", 8080)); keep.append(ka)
ka.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
ka.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 600)
note("tcp keepalive client inode=%d", ino(ka))

# tcp v6: ::1 listener + connection, full address listener, dual-stack with v4-mapped peer
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 9090)); l6.listen(8); keep.append(l6)
c6 = socket.create_connection(("::1", 9090)); keep.append(c6)
a6, _ = l6.accept(); keep.append(a6)
note("tcp6 LISTEN [::1]:9090 inode=%d", ino(l6))
lf = socket.socket(socket.AF_INET6); lf.bind((FULL6, 9191)); lf.listen(8); keep.append(lf)
note("tcp6 LISTEN [%s]:9191 inode=%d", FULL6, ino(lf))
ld = socket.socket(socket.AF_INET6); ld.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
ld.bind(("::", 9292)); ld.listen(8); keep.append(ld)
cd = socket.create_connection(("127.0.0.1", 9292)); keep.append(cd)
ad, _ = ld.accept(); keep.append(ad)
note("tcp6 ESTAB [::ffff:127.0.0.1]:9292 inode=%d", ino(ad))

# udp
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4.bind(("127.0.0.1", 5353)); keep.append(u4)
u4c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4c.connect(("127.0.0.1", 5353)); keep.append(u4c)
u4c.send(b"y" * 100)
note("udp UNCONN 127.0.0.1:5353 inode=%d (rx pending)", ino(u4))
note("udp ESTAB ->5353 inode=%d", ino(u4c))
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::", 5354)); keep.append(u6)
note("udp6 UNCONN [::]:5354 inode=%d", ino(u6))

# raw
r4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); keep.append(r4)
note("raw icmp inode=%d", ino(r4))
r6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6); keep.append(r6)
note("raw6 icmpv6 inode=%d", ino(r6))

# unix
d = tempfile.mkdtemp(prefix="sks-capture-")
p1 = d + "/stream.sock"
us = socket.socket(socket.AF_UNIX); us.bind(p1); us.listen(4); keep.append(us)
note("u_str LISTEN %s inode=%d", p1, ino(us))
uc = socket.socket(socket.AF_UNIX); uc.connect(p1); keep.append(uc)
ua, _ = us.accept(); keep.append(ua)
ue = socket.socket(socket.AF_UNIX); ue.connect(p1); keep.append(ue)  # embryo stays unaccepted
note("u_str client inode=%d accepted=%d embryo-client=%d", ino(uc), ino(ua), ino(ue))
ab = socket.socket(socket.AF_UNIX); ab.bind(b"\0sks-abstract"); ab.listen(1); keep.append(ab)
note("u_str LISTEN @sks-abstract inode=%d", ino(ab))
an = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); an.bind(b"\0with\0nul"); keep.append(an)
note("u_dgr @with@nul inode=%d", ino(an))
pn = d + "/new\nline"
unl = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); unl.bind(pn); keep.append(unl)
note("u_dgr %r inode=%d", pn, ino(unl))
sq = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); sq.bind(d + "/seq"); sq.listen(1); keep.append(sq)
note("u_seq LISTEN inode=%d", ino(sq))
sp = socket.socketpair(); keep.extend(sp)
note("u_str socketpair inodes=%d,%d", ino(sp[0]), ino(sp[1]))
sp_path = d + "/has space"
usp = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); usp.bind(sp_path); keep.append(usp)
note("u_dgr %r inode=%d", sp_path, ino(usp))

# packet
pk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003)); keep.append(pk)
note("p_raw ETH_P_ALL inode=%d", ino(pk))
pd = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
pd.bind(("lo", 0x0800)); keep.append(pd)
note("p_dgr ETH_P_IP lo inode=%d", ino(pd))

# netlink
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
nl.bind((0, 1 | 0x10)); keep.append(nl)
note("nl rtnl portid=%d groups=0x11 inode=%d", nl.getsockname()[0], ino(nl))
ng = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 16); ng.bind((4242, 0)); keep.append(ng)
note("nl genl portid=4242 inode=%d", ino(ng))

time.sleep(0.1)
for f in ["tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix", "packet", "netlink",
          "sockstat", "sockstat6"]:
    with open("/proc/net/" + f, "rb") as src, open(out + "/net/" + f, "wb") as dst:
        dst.write(src.read())
with open(out + "/ss.txt", "wb") as f:
    f.write(subprocess.run(["ss", "-aeon", "-A", "all"], capture_output=True).stdout)
with open(out + "/expect.txt", "w") as f:
    f.write("\n".join(expect) + "\n")
for s in keep:
    s.close()
for p in os.listdir(d):
    os.unlink(os.path.join(d, p))
os.rmdir(d)
