#!/usr/bin/env python3
"""Write the CNAME-tree test capture (Python 3 standard library, the project's own wire encoder
in samples/fluxgen/wire.py): a client-side capture of one resolver over 40 minutes in which
www.shop.test is answered through a steering name that points, in turn, at three alternative
CDNs, each answering its own addresses:

  www.shop.test -> steer.shop.test -> shop.akamaiedge.test   -> 198.51.100.10-13
                                   -> d1.cloudfront.test     -> 203.0.113.20-23
                                   -> shop.llnwd.test        -> 192.0.2.30-33

minutes 0-9 Akamai (4 responses), 10-19 CloudFront (4), 20-29 Limelight (4), 30-39 Akamai
again (4). The GeoIP fixtures tests/data/geo/accents-city.json and accents-asn.json locate those
networks in cities with accented names (São Paulo, Zürich, Kraków) and name their operators
with long organisation names, for the layout checks.

Usage: cname_tree_gen.py OUT.pcap"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "samples"))
from fluxgen import wire  # noqa: E402

T0 = 1794985200.0
rng = random.Random(20261218)
CLIENT, RES = "100.64.0.10", "192.0.2.53"
CMAC, RMAC = bytes.fromhex("00163e000001"), bytes.fromhex("525400100053")
QNAME, STEER = "www.shop.test", "steer.shop.test"
CDNS = [("shop.akamaiedge.test", "198.51.100.%d", 10),
        ("d1.cloudfront.test", "203.0.113.%d", 20),
        ("shop.llnwd.test", "192.0.2.%d", 30)]


def frame(src_mac, dst_mac, src, dst, sport, dport, payload):
    return wire.udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload,
                          ident=rng.getrandbits(16))


def main():
    pkts = []
    for slot, cdn in enumerate([0, 1, 2, 0]):
        name, fmt, base = CDNS[cdn]
        for k in range(4):
            t = T0 + slot * 600 + k * 120
            ident, sport = rng.getrandbits(16), rng.randrange(32768, 61000)
            q = wire.message(ident, QNAME, "A", edns=1232)
            pkts.append((t, frame(CMAC, RMAC, CLIENT, RES, sport, 53, q)))
            addrs = [fmt % (base + (k + j) % 4) for j in range(2)]
            an = [(QNAME, "CNAME", 300, STEER), (STEER, "CNAME", 60, name)]
            an += [(name, "A", 20, a) for a in addrs]
            r = wire.message(ident, QNAME, "A", qr=True, ra=True, an=an, edns=1232)
            pkts.append((t + 0.004, frame(RMAC, CMAC, RES, CLIENT, 53, sport, r)))
    wire.write_pcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
