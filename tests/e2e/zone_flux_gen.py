#!/usr/bin/env python3
"""Write the zone-verdict test capture (Python 3 standard library, the project's own wire
encoder in samples/fluxgen/wire.py): a client-side capture of one resolver over 3 minutes.

  flux zone   rnd-flux.com: 40 random labels, each asked once, one address per answer
              (TTL 0), every address in a different /16 of public space (wildcard flux)
  control 1   hosting.net: 30 names each asked once, all answered from one /24 (one hoster)
  control 2   company.org: www, mail, vpn, api, shop, each asked three times over the capture
              and always given the same address, in five different networks (static hosts);
              its answers carry the zone's NS set, and ns1 and ns2 share an address
  small zone  small-flux.cc: www asked three times, each answer four new addresses in four
              /16s (flux on its own); the apex asked once (one address) and mail twice from
              the cache (one address): too few names for a zone verdict but for www (an anchor);
              the apex takes the zone's verdict, mail (one answer set each time) keeps its own
  control 3   mirror-net.org: six names, each with two to four addresses in as many /16s
              (mirrors on university networks), TTL 300, each asked through two resolvers
              within its TTL and given the same set by both (the second from its cache): the
              siblings' different hosts are no rotation

Usage: zone_flux_gen.py OUT.pcap"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "samples"))
from fluxgen import wire  # noqa: E402

T0 = 1794985200.0
rng = random.Random(20261207)
CLIENT, RES, RES2 = "100.64.0.10", "192.0.2.53", "192.0.2.54"
CMAC, RMAC = bytes.fromhex("00163e000001"), bytes.fromhex("525400100053")
FIRST = [5, 31, 37, 46, 62, 77, 79, 80, 81, 82, 83, 84, 85, 86, 87, 89, 91, 92, 93, 94, 95,
         109, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217, 24, 50, 63, 64, 65, 66, 67,
         68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99]


def frame(src_mac, dst_mac, src, dst, sport, dport, payload):
    return wire.udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload,
                          ident=rng.getrandbits(16))


def exchange(out, t, name, addrs, ttl, ns=(), ar=(), res=RES):
    ident, sport = rng.getrandbits(16), rng.randrange(32768, 61000)
    q = wire.message(ident, name, "A", edns=1232)
    out.append((t, frame(CMAC, RMAC, CLIENT, res, sport, 53, q)))
    an = [(name, "A", ttl, a) for a in addrs]
    r = wire.message(ident, name, "A", qr=True, ra=True, an=an, ns=ns, ar=ar, edns=1232)
    out.append((t + 0.004, frame(RMAC, CMAC, res, CLIENT, 53, sport, r)))


def main():
    pkts = []
    nets = rng.sample([(a, b) for a in FIRST for b in range(1, 250)], 200)
    for i in range(40):
        label = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        a, b = nets[i]
        exchange(pkts, T0 + 4.0 * i, label + ".rnd-flux.com",
                 ["%d.%d.%d.%d" % (a, b, rng.randrange(256), rng.randrange(1, 255))], 0)
    for i in range(30):
        exchange(pkts, T0 + 1.0 + 5.0 * i, "site%d.hosting.net" % i,
                 ["203.0.113.%d" % (10 + i)], 300)
    fixed = {}
    for k, host in enumerate(["www", "mail", "vpn", "api", "shop"]):
        a, b = nets[100 + k]
        fixed[host] = "%d.%d.7.%d" % (a, b, 10 + k)
    for rep in range(3):
        for k, host in enumerate(["www", "mail", "vpn", "api", "shop"]):
            # BIND-style authority: ns1 and ns2 on one host, so their glue repeats an address
            # (--report lists it once in ns_addresses)
            exchange(pkts, T0 + 2.0 + 60.0 * rep + k, host + ".company.org", [fixed[host]], 30,
                     ns=[("company.org", "NS", 86400, "ns1.company.org"),
                         ("company.org", "NS", 86400, "ns2.company.org")],
                     ar=[("ns1.company.org", "A", 86400, "198.51.100.7"),
                         ("ns2.company.org", "A", 86400, "198.51.100.7"),
                         ("ns2.company.org", "A", 86400, "198.51.100.8")])
    for rep in range(3):
        addrs = []
        for k in range(4):
            a, b = nets[150 + 4 * rep + k]
            addrs.append("%d.%d.%d.%d" % (a, b, rng.randrange(256), rng.randrange(1, 255)))
        exchange(pkts, T0 + 3.0 + 61.0 * rep, "www.small-flux.cc", addrs, 60)
    a, b = nets[170]
    exchange(pkts, T0 + 40.0, "small-flux.cc", ["%d.%d.1.2" % (a, b)], 180)
    a, b = nets[171]
    exchange(pkts, T0 + 50.0, "mail.small-flux.cc", ["%d.%d.3.4" % (a, b)], 180)
    exchange(pkts, T0 + 90.0, "mail.small-flux.cc", ["%d.%d.3.4" % (a, b)], 140)
    for k, host in enumerate(["www", "ftp", "security", "bugs", "packages", "wiki"]):
        addrs = []
        for j in range(2 + k % 3):
            a, b = nets[180 + 3 * k + j]
            addrs.append("%d.%d.%d.%d" % (a, b, 20 + k, 1 + j))
        exchange(pkts, T0 + 5.0 + 20.0 * k, host + ".mirror-net.org", addrs, 300)
        exchange(pkts, T0 + 60.0 + 20.0 * k, host + ".mirror-net.org", addrs, 245, res=RES2)
    wire.write_pcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
