#!/usr/bin/env python3
"""Write the NXDOMAIN-labels test capture (Python 3 standard library, the project's own wire
encoder in samples/fluxgen/wire.py): 30 minutes of a recursive resolver's upstream traffic, the
shape of a real server's capture where random labels are asked under a zone whose nameservers
rotate.

  rot-ns.com   every 15 s a random label, asked five times: each time the resolver asks the
               .com server (a referral whose NS set is 3 of 12 nameservers, a new draw each
               time, with glue in 12 different /16 networks), then one of those nameservers,
               which answers NXDOMAIN (AA, SOA in the authority section). www and mail are asked every 2 minutes and answered with
               one address each, from a set of four that rotates.
  quiet.org    a control: www and mail asked every 2 minutes, stable answers, a fixed NS set.

Usage: nx_zone_gen.py OUT.pcap"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "samples"))
from fluxgen import wire  # noqa: E402

T0 = 1794985200.0
rng = random.Random(20261218)
RES = "192.0.2.53"
TLD = "192.5.6.30"
RMAC, GMAC = bytes.fromhex("525400100053"), bytes.fromhex("00163e0000fe")
NETS = [(5, 9), (31, 44), (37, 120), (46, 17), (62, 201), (77, 88), (79, 3), (80, 240),
        (81, 99), (82, 14), (83, 150), (84, 77)]
NS = ["ns%d.rot-ns.com" % (i + 1) for i in range(12)]
NS_ADDR = {n: "%d.%d.%d.%d" % (NETS[i][0], NETS[i][1], 10 + i, 53) for i, n in enumerate(NS)}
WWW = ["%d.%d.1.%d" % (a, b, 20 + k) for k, (a, b) in enumerate(NETS[:4])]


def frame(src_mac, dst_mac, src, dst, sport, dport, payload):
    return wire.udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload,
                          ident=rng.getrandbits(16))


def ask(out, t, server, name, **kw):
    ident, sport = rng.getrandbits(16), rng.randrange(32768, 61000)
    q = wire.message(ident, name, "A", rd=False)
    out.append((t, frame(RMAC, GMAC, RES, server, sport, 53, q)))
    r = wire.message(ident, name, "A", qr=True, rd=False, **kw)
    out.append((t + 0.02, frame(GMAC, RMAC, server, RES, 53, sport, r)))


def referral(out, t, zone, name, ns_names, ns_addr):
    ask(out, t, TLD, name,
        ns=[(zone, "NS", 172800, n) for n in ns_names],
        ar=[(n, "A", 172800, ns_addr[n]) for n in ns_names])


def soa(zone):
    return [(zone, "SOA", 300, ("ns1." + zone, "hostmaster." + zone, 2026121801, 7200, 3600,
                                1209600, 300))]


def main():
    pkts = []
    for i in range(120):
        t = T0 + 15.0 * i
        label = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
        name = label + ".rot-ns.com"
        # asked five times (A, AAAA, retries), each through a fresh referral
        for k in range(5):
            nss = rng.sample(NS, 3)
            referral(pkts, t + k, "rot-ns.com", name, nss, NS_ADDR)
            ask(pkts, t + k + 0.05, NS_ADDR[nss[0]], name, aa=True, rcode="NXDOMAIN",
                ns=soa("rot-ns.com"))
    for i in range(15):
        t = T0 + 3.0 + 120.0 * i
        for k, host in enumerate(["www", "mail"]):
            name = host + ".rot-ns.com"
            nss = rng.sample(NS, 3)
            referral(pkts, t + k, "rot-ns.com", name, nss, NS_ADDR)
            ask(pkts, t + k + 0.05, NS_ADDR[nss[0]], name, aa=True,
                an=[(name, "A", 60, WWW[(i + k) % 4])])
        for k, host in enumerate(["www", "mail"]):
            name = host + ".quiet.org"
            referral(pkts, t + 5 + k, "quiet.org", name, ["a.ns.quiet.org", "b.ns.quiet.org"],
                     {"a.ns.quiet.org": "198.51.100.1", "b.ns.quiet.org": "198.51.100.2"})
            ask(pkts, t + 5 + k + 0.05, "198.51.100.1", name, aa=True,
                an=[(name, "A", 3600, "203.0.113.%d" % (10 + k))])
    wire.write_pcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
