"""DNS messages on the wire (RFC 1035 with name compression, EDNS0 OPT) inside Ethernet, IPv4 or
IPv6, UDP or TCP, written to classic pcap files. Checksums are computed, so tshark and the
kernel would accept every packet."""

import socket
import struct
import sys
from array import array

T = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
     "OPT": 41, "HTTPS": 65}
RCODE = {"NOERROR": 0, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5}
COMPRESSIBLE = ("NS", "CNAME", "PTR", "SOA", "MX")


def _name(buf, name, comp):
    """Append name, pointing at an earlier copy of any suffix (RFC 1035 4.1.4)."""
    labels = name.split(".") if name else []
    for i in range(len(labels)):
        suffix = ".".join(labels[i:]).lower()
        off = comp.get(suffix)
        if off is not None:
            buf += struct.pack(">H", 0xC000 | off)
            return
        if len(buf) < 0x3FFF:
            comp[suffix] = len(buf)
        lab = labels[i].encode("ascii")
        buf.append(len(lab))
        buf += lab
    buf.append(0)


def _rr(buf, comp, rr):
    name, rtype, ttl, data = rr
    _name(buf, name, comp)
    buf += struct.pack(">HHI", T[rtype], 1, ttl)
    at = len(buf)
    buf += b"\0\0"
    if rtype == "A":
        buf += socket.inet_pton(socket.AF_INET, data)
    elif rtype == "AAAA":
        buf += socket.inet_pton(socket.AF_INET6, data)
    elif rtype in ("NS", "CNAME", "PTR"):
        _name(buf, data, comp)
    elif rtype == "SOA":
        mname, rname, serial, refresh, retry, expire, minimum = data
        _name(buf, mname, comp)
        _name(buf, rname, comp)
        buf += struct.pack(">IIIII", serial, refresh, retry, expire, minimum)
    elif rtype == "MX":
        buf += struct.pack(">H", data[0])
        _name(buf, data[1], comp)
    elif rtype == "TXT":
        raw = data.encode()
        buf.append(len(raw))
        buf += raw
    else:
        raise ValueError(rtype)
    struct.pack_into(">H", buf, at, len(buf) - at - 2)


def message(ident, qname, qtype, *, qr=False, aa=False, tc=False, rd=True, ra=False,
            rcode="NOERROR", an=(), ns=(), ar=(), edns=None, do=False):
    """Encode one DNS message. edns is the advertised UDP payload size or None for no OPT."""
    flags = (0x8000 if qr else 0) | (0x0400 if aa else 0) | (0x0200 if tc else 0) \
        | (0x0100 if rd else 0) | (0x0080 if ra else 0) | RCODE[rcode]
    buf = bytearray(struct.pack(">HHHHHH", ident, flags, 1, len(an), len(ns),
                                len(ar) + (1 if edns else 0)))
    comp = {}
    _name(buf, qname, comp)
    buf += struct.pack(">HH", T[qtype], 1)
    for rr in an:
        _rr(buf, comp, rr)
    for rr in ns:
        _rr(buf, comp, rr)
    for rr in ar:
        _rr(buf, comp, rr)
    if edns:
        buf += b"\0" + struct.pack(">HHIH", T["OPT"], edns, 0x8000 if do else 0, 0)
    return bytes(buf)


# ---- layers 2 to 4 ---------------------------------------------------------------------------

_LITTLE = sys.byteorder == "little"


def _csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    # summing native words gives the byte-swapped sum on little-endian hosts (RFC 1071 2(B)),
    # so the result is written back in native order
    return struct.pack("=H", ~s & 0xFFFF)


def _ip_bytes(addr):
    return socket.inet_pton(socket.AF_INET6 if ":" in addr else socket.AF_INET, addr)


def udp(src, dst, sport, dport, payload):
    hdr = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0)
    seg = hdr + payload
    c = _csum(_pseudo(src, dst, 17, len(seg)) + seg)
    if c == b"\0\0":
        c = b"\xff\xff"
    return seg[:6] + c + seg[8:]


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=64240):
    fl = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
        if ch in flags:
            fl |= bit
    opts = b""
    if "S" in flags:
        opts = struct.pack(">BBH", 2, 4, 1460) + b"\x01\x03\x03\x07"  # MSS, NOP, wscale 7
    off = (20 + len(opts)) // 4
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off << 4, fl, window, 0, 0) + opts
    seg = hdr + payload
    c = _csum(_pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + c + seg[18:]


def _pseudo(src, dst, proto, length):
    s, d = _ip_bytes(src), _ip_bytes(dst)
    if len(s) == 4:
        return s + d + struct.pack(">BBH", 0, proto, length)
    return s + d + struct.pack(">IxxxB", length, proto)


def ip(src, dst, proto, payload, ttl=64, ident=0, df=False):
    s, d = _ip_bytes(src), _ip_bytes(dst)
    if len(s) == 4:
        hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF,
                          0x4000 if df else 0, ttl, proto, 0, s, d)
        hdr = hdr[:10] + _csum(hdr) + hdr[12:]
        return 0x0800, hdr + payload
    hdr = struct.pack(">IHBB16s16s", 0x60000000, len(payload), proto, ttl, s, d)
    return 0x86DD, hdr + payload


def ether(dst_mac, src_mac, ethertype, payload):
    return dst_mac + src_mac + struct.pack(">H", ethertype) + payload


def udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload, ident=0):
    """An Ethernet frame holding one UDP datagram over IPv4."""
    et, pkt = ip(src, dst, 17, udp(src, dst, sport, dport, payload), ident=ident)
    return ether(dst_mac, src_mac, et, pkt)


def write_pcap(path, pkts):
    """Write (time, frame) pairs to a pcap file in time order (a stable sort)."""
    w = PcapWriter(path)
    for t, f in sorted(pkts, key=lambda p: p[0]):
        w.write(t, f)
    w.close()


class PcapWriter:
    """Classic pcap, microsecond timestamps, Ethernet link type."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.count = 0

    def write(self, ts, frame):
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        if usec >= 1000000:
            sec, usec = sec + 1, usec - 1000000
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        self.f.write(frame)
        self.count += 1

    def close(self):
        self.f.close()
