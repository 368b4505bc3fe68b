#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the hand-made trees: crafted/net (malformed and edge-case lines, the
expected values are asserted in tests/unit/procnet/test_procnet.c) and
no6/net (real files with tcp6/udp6/raw6/packet/sockstat6 missing)."""
import os, shutil

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "crafted", "net")
os.makedirs(out, exist_ok=True)
H4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
H6 = ("  sl  local_address                         remote_address                        st tx_queue "
      "rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
TAIL = " 00:00000000 00000000     0        0"
def w(name, text):
    with open(os.path.join(out, name), "wb") as f:
        f.write(text.encode("latin-1"))

w("tcp", H4 +
  # valid: listener, uid 1000, backlog 5
  "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000005 00:00000000 00000000  1000        0 101 1 0000000000000000 100 0 0 10 0\n"
  # valid: extra spaces and a tab; retransmit timer 300 ticks, 3 retransmits
  "   1:    0100007F:0016     0100007F:C350   01   00000010:00000020 \t 01:0000012C   00000003   1000   0   102\n"
  # malformed: missing inode / inode overflows u64 / 5-digit port / 9-digit queue /
  # uid > u32 / truncated / 7-digit address / state 0 / timer 5 / negative queue
  "   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000" + TAIL + "\n"
  "   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000" + TAIL + " 99999999999999999999999\n"
  "   4: 0100007F:10000 00000000:0000 0A 00000000:00000000" + TAIL + " 104\n"
  "   5: 0100007F:1F90 00000000:0000 0A 100000000:00000000" + TAIL + " 105\n"
  "   6: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 4294967296 0 106\n"
  "   7: 0100007F:1F90 00000000:0000 0A 00000000:0000\n"
  "   8: 100007F:1F90 00000000:0000 0A 00000000:00000000" + TAIL + " 108\n"
  "   9: 0100007F:1F90 00000000:0000 00 00000000:00000000" + TAIL + " 109\n"
  "  10: 0100007F:1F90 00000000:0000 0A 00000000:00000000 05:00000000 00000000     0        0 110\n"
  "  11: 0100007F:1F90 00000000:0000 0A -0000001:00000000" + TAIL + " 111\n"
  # valid: zero-window probe timer with a huge expiry, 7 probes, largest inode
  "  12: 0100007F:1F90 0100007F:0050 01 00000000:00000000 04:FFFFFFFFFFFFFFFF 00000000     0        7 18446744073709551615\n"
  "garbage\n"
  "\n"
  # valid, last line without a newline: TIME-WAIT, 3000 ticks
  "  13: 0100007F:1F90 0100007F:0051 06 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0000000000000000")

w("tcp6", H6 +
  # ::1 port 22 listening
  "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000" + TAIL + " 201 1 0\n"
  # ::ffff:127.0.0.1:443 <-> ::ffff:127.0.0.2:54321
  "   1: 0000000000000000FFFF00000100007F:01BB 0000000000000000FFFF00000200007F:D431 01 00000000:00000000" + TAIL + " 202 1 0\n"
  # 2001:db8:1234:5678:9abc:def0:1357:2468 port 8080
  "   2: B80D012078563412F0DEBC9A68245713:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000" + TAIL + " 203 1 0\n"
  # malformed: IPv4-sized address in tcp6; 30-digit address; non-hex digit
  "   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000" + TAIL + " 204\n"
  "   4: 000000000000000000000000010000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000" + TAIL + " 205\n"
  "   5: 0000000000000000000000000100000G:0016 00000000000000000000000000000000:0000 0A 00000000:00000000" + TAIL + " 206\n")

w("udp",
  "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
  "  123: 00000000:0035 00000000:0000 07 00000000:00000340 00:00000000 00000000   101        0 601 2 0000000000000000 0\n"
  "  124: 0100007F:8E51 0100007F:0035 01 00000100:00000000 00:00000000 00000000     0        0 602 2 0000000000000000 0\n")

long_path = "/" + "p" * 107                      # 108 bytes: the most sun_path holds
too_long = "/" + "q" * 108                       # 109 bytes
def U(flags, typ, st, ino, path=None):
    s = "0000000000000000: 00000002 00000000 %08X %04X %02X %5d" % (flags, typ, st, ino)
    return s + (" " + path if path is not None else "") + "\n"
w("unix", "Num       RefCount Protocol Flags    Type St Inode Path\n" +
  U(0x10000, 1, 1, 301, "/run/a.sock") +                 # stream listener
  U(0, 2, 1, 302, "/tmp/two") + "lines\n" + "and a third\n" +  # path with two newlines
  U(0, 1, 3, 303) +                                      # connected, unbound
  "orphan text after an unbound socket\n" +              # malformed: nothing to continue
  U(0, 2, 1, 304, "/tmp/empty-next") + "\n" +            # path ending in a newline
  U(0, 5, 1, 305, "@abstract name") +                    # abstract, with a space
  U(0, 5, 1, 306, "@") +                                 # abstract, empty name
  U(0, 1, 1, 307, "/tmp/forge") +                        # a path continuing with a
  U(0x10000, 1, 1, 999, "/fake") +                       #  well-formed line: a record
  U(0, 2, 1, 308, "/x") + "y" * 200 + "\n" + "zzz\n" +   # too long to continue: 2 malformed
  U(0, 3, 1, 390, "/raw") +                              # malformed: type 3
  U(0, 1, 7, 391, "/st7") +                              # malformed: St 07
  U(0, 1, 2, 0, "/run/a.sock") +                         # embryo (inode 0): skipped
  "0000000000000000:   00000002  00000000 00000000 0001 01   309 /tmp/sp\n" +  # extra spaces
  U(0, 2, 1, 310, long_path) +
  U(0, 2, 1, 311, too_long) +                            # malformed: > 108 bytes
  U(0, 1, 4, 312))                                       # disconnecting: CLOSE

w("packet",
  "sk               RefCnt Type Proto  Iface R Rmem   User   Inode   Drops\n"
  "ffff888000000001 3      3    0003   0     1 0      0      401     0\n"
  "ffff888000000002 3      2    88cc   2     0 1280   1000   402\n"
  "ffff888000000003 3      2    0800   -1    1 0      0      403\n"      # malformed: ifindex
  "ffff888000000004 3      10   0003   0     1 0      0      404\n"      # SOCK_PACKET: p_raw
  "ffff888000000005 3      2    0800   1     1 0      0\n")              # malformed: no inode

w("netlink",
  "sk       Eth Pid    Groups   Rmem     Wmem     Dump     Locks     Drops     Inode\n"
  "ffff880000000001 0   4242       00000011 832      0        0     2        5        501\n"
  "ffff880000000002 16  4294967295 ffffffff -1       0        0     2        0        502\n"
  "ffff880000000003 0   4294967296 00000000 0        0        0     2        0        503\n"  # malformed
  "ffff880000000004 0   1 00000000 0 0 0 2 0\n")                                          # malformed

w("sockstat",
  "sockets: used 12\n"
  "TCP: inuse 3 orphan 1 tw 2 alloc 4 mem 5\n"
  "UDP: inuse x mem 2\n"
  "UDPLITE: inuse\n"
  "RAW: inuse 99999999999999999999\n"
  "FRAG: inuse 0 memory 0 newfield 7\n"
  "NEWPROTO: inuse 3\n")

# no6: real files minus the optional ones
no6 = os.path.join(here, "no6", "net")
os.makedirs(no6, exist_ok=True)
for f in ["tcp", "udp", "raw", "unix", "netlink", "sockstat"]:
    shutil.copy(os.path.join(here, "real", "net", f), os.path.join(no6, f))
