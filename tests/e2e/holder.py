#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hold sockets for the action tests (actions.py), then wait.

    holder.py OP...

Each OP, in order (sockets are numbered from 0 as they are made; fields are
separated by '/', so IPv6 addresses need no brackets):
  L/PROTO/ADDR/PORT[/OPT...]  bind, and listen for tcp; PROTO tcp, udp, or tcpbind
                              (bound, never listens); OPT ra (SO_REUSEADDR),
                              rp (SO_REUSEPORT), v6only, dual (IPV6_V6ONLY 0)
  C/ADDR/PORT                 connect a TCP socket
  U/PATH                      a listening UNIX stream socket at PATH
  UC/PATH                     connect a UNIX stream socket to PATH
  A                           print ACCEPTING, accept one connection on the last listener
  X/N                         close socket N
  F                           fork: the child holds the same sockets and waits too
  R                           print READY, block in recv() on the last socket,
                              print "RECV ERRNONAME" (or "RECV 0" at EOF) and exit
  S/FILE CMD...               (last) print READY, run CMD as a child (output to
                              FILE), print "RC N", then wait
  #ANYTHING                   ignored (hostile bytes for the command line)
Prints "READY PID [CHILD]" and waits until killed or stdin reaches EOF.
"""
import errno
import os
import socket
import subprocess
import sys


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def bind(kind, addr, port, opts):
    s = socket.socket(family(addr), socket.SOCK_DGRAM if kind == 'udp' else socket.SOCK_STREAM)
    if 'ra' in opts:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if 'rp' in opts:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if 'v6only' in opts:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    if 'dual' in opts:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((addr, port))
    if kind == 'tcp':
        s.listen(16)
    return s


def main(ops):
    socks = []
    child = None
    listener = None

    def ready():
        print(f'READY {os.getpid()}' + (f' {child}' if child else ''), flush=True)

    for i, op in enumerate(ops):
        f = op.split('/')
        if f[0] == 'L':
            socks.append(bind(f[1], f[2], int(f[3]), f[4:]))
            if f[1] == 'tcp':
                listener = socks[-1]
        elif f[0] == 'C':
            s = socket.socket(family(f[1]), socket.SOCK_STREAM)
            s.connect((f[1], int(f[2])))
            socks.append(s)
        elif f[0] == 'U':
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind('/'.join(f[1:]))
            s.listen(16)
            socks.append(s)
            listener = s
        elif f[0] == 'UC':
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect('/'.join(f[1:]))
            socks.append(s)
        elif f[0] == 'A':
            print('ACCEPTING', flush=True)
            socks.append(listener.accept()[0])
        elif f[0] == 'X':
            socks[int(f[1])].close()
        elif f[0] == 'F':
            child = os.fork()
            if child == 0:
                os.read(0, 1)
                os._exit(0)
        elif f[0] == 'R':
            ready()
            try:
                got = socks[-1].recv(1)
                print(f'RECV {len(got)}', flush=True)
            except OSError as e:
                print(f'RECV {errno.errorcode.get(e.errno, e.errno)}', flush=True)
            return
        elif f[0] == 'S':
            ready()
            with open(op[2:], 'wb') as out:
                rc = subprocess.run(ops[i + 1:], stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL).returncode
            print(f'RC {rc}', flush=True)
            os.read(0, 1)
            return
        elif op.startswith('#'):
            pass  # a comment: shows in the command line only
        else:
            sys.exit(f'holder: bad op {op!r}')
    ready()
    os.read(0, 1)


if __name__ == '__main__':
    main(sys.argv[1:])
