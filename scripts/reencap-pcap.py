#!/usr/bin/env python3
"""Re-encapsulate the frames of an Ethernet pcap under another link type, byte for byte.

Used to make the test captures of link types no public capture with DNS was found for (see
tests/data/pcaps/SOURCES.md); tshark then checks fluxscope on them like on any other capture.
Everything above the link layer (IP, UDP, TCP, DNS) is copied unchanged; timestamps too.

  fddi    LINKTYPE_FDDI (10): frame control 0x50 (asynchronous LLC), the Ethernet frame's
          destination and source, LLC/SNAP (AA AA 03, OUI 0) with its EtherType.
  pktap   LINKTYPE_PKTAP (258): Apple's 108-byte PKTAP header (little-endian: length, record
          type 1 = packet, DLT 1, interface "en0", process "dig"), then the Ethernet frame.
  arcnet  LINKTYPE_ARCNET_BSD (7): source and destination station, RFC 1201 protocol ID (212 for
          IPv4), split flag 0 and a sequence number, then the IP packet. Frames that are not
          IPv4 (ARP) are left out: ARCNET's ARP is not Ethernet's.

usage: scripts/reencap-pcap.py fddi|pktap|arcnet IN.pcap OUT.pcap
"""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        sys.exit("%s: not a pcap file (pcapng is not handled)" % path)
    lt = struct.unpack(e + "IHHiIII", data[:24])[6]
    if lt != 1:
        sys.exit("%s: link type %d, not Ethernet (1)" % (path, lt))
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        yield sec, frac, orig, data[off + 16:off + 16 + incl]
        off += 16 + incl


def header(path):
    with open(path, "rb") as f:
        data = f.read(24)
    magic = struct.unpack("<I", data[:4])[0]
    return magic in (0xA1B23C4D, 0x4D3CB2A1)   # nanosecond timestamps


def fddi(frame):
    return bytes([0x50]) + frame[0:12] + b"\xaa\xaa\x03\x00\x00\x00" + frame[12:]


def pktap(frame):
    hdr = struct.pack("<III24sIIIIi20sIHHi20s", 108, 1, 1, b"en0", 0, 2, 14, 0, 4242, b"dig",
                      0, 6, 0, 4242, b"dig")
    assert len(hdr) == 108
    return hdr + frame


def arcnet(frame, seq=[0]):
    if frame[12:14] != b"\x08\x00":
        return None
    seq[0] = (seq[0] + 1) & 0xFFFF
    return bytes([frame[11], frame[5], 212, 0]) + struct.pack(">H", seq[0]) + frame[14:]


def main():
    kind, src, dst = sys.argv[1:4]
    conv, lt = {"fddi": (fddi, 10), "pktap": (pktap, 258), "arcnet": (arcnet, 7)}[kind]
    nano = header(src)
    out = [struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 262144, lt)]
    n = 0
    for sec, frac, orig, frame in frames(src):
        new = conv(frame)
        if new is None:
            continue
        grow = len(new) - len(frame)
        out.append(struct.pack("<IIII", sec, frac, len(new), orig + grow) + new)
        n += 1
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    print("%s: %d frames as link type %d" % (dst, n, lt))


if __name__ == "__main__":
    main()
