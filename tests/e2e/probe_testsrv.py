#!/usr/bin/env python3
"""Misbehaving nameservers for tests/e2e/probe.sh (loopback only, Python standard library).

  probe_testsrv.py tc ADDR PORT UPSTREAM_ADDR UPSTREAM_PORT LOG
      UDP: answers every query with an empty response whose TC bit is set (the question
      echoed, AA set), so a client must ask again over TCP. TCP: relays the query to the
      upstream server over TCP and the answer back (a real authoritative answer).
  probe_testsrv.py silent ADDR PORT LOG
      UDP: reads every query and never answers (a lame server that says nothing).

Each query is logged as "TIME TRANSPORT QID EDNS" (TIME from time.monotonic(), EDNS 1 when the
query carried an OPT record) so the test can check the probe's pacing and EDNS."""
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()


def log(path, transport, q):
    qid = struct.unpack("!H", q[:2])[0] if len(q) >= 2 else -1
    arcount = struct.unpack("!H", q[10:12])[0] if len(q) >= 12 else 0
    edns = 1 if arcount > 0 and b"\x00\x00\x29" in q[12:] else 0
    with LOCK, open(path, "a") as f:
        f.write("%.6f %s %d %d\n" % (time.monotonic(), transport, qid, edns))


def question_end(q):
    """Offset after the first question (uncompressed name in a query), or None."""
    i = 12
    while i < len(q):
        n = q[i]
        if n == 0:
            return i + 5 if i + 5 <= len(q) else None
        if n & 0xC0:
            return None
        i += 1 + n
    return None


def tc_answer(q):
    end = question_end(q)
    if len(q) < 12 or end is None:
        return None
    flags = struct.unpack("!H", q[2:4])[0]
    rd = flags & 0x0100
    # QR, AA, TC, opcode 0, RD copied, rcode 0; one question, nothing else
    hdr = q[:2] + struct.pack("!HHHHH", 0x8000 | 0x0400 | 0x0200 | rd, 1, 0, 0, 0)
    return hdr + q[12:end]


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def tcp_client(conn, up, logpath):
    try:
        conn.settimeout(5)
        while True:
            ln = struct.unpack("!H", recv_exact(conn, 2))[0]
            q = recv_exact(conn, ln)
            log(logpath, "tcp", q)
            with socket.create_connection(up, timeout=5) as u:
                u.sendall(struct.pack("!H", len(q)) + q)
                aln = struct.unpack("!H", recv_exact(u, 2))[0]
                a = recv_exact(u, aln)
            conn.sendall(struct.pack("!H", len(a)) + a)
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def main():
    mode = sys.argv[1]
    addr, port = sys.argv[2], int(sys.argv[3])
    if mode == "tc":
        up = (sys.argv[4], int(sys.argv[5]))
        logpath = sys.argv[6]
        ts = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ts.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ts.bind((addr, port))
        ts.listen(16)

        def accept_loop():
            while True:
                c, _ = ts.accept()
                threading.Thread(target=tcp_client, args=(c, up, logpath), daemon=True).start()
        threading.Thread(target=accept_loop, daemon=True).start()
    else:
        logpath = sys.argv[4]
    us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    us.bind((addr, port))
    while True:
        q, peer = us.recvfrom(65535)
        log(logpath, "udp", q)
        if mode == "tc":
            a = tc_answer(q)
            if a is not None:
                us.sendto(a, peer)


if __name__ == "__main__":
    main()
