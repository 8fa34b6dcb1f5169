#!/usr/bin/env python3
"""Write the hosted-flux zone test capture (Python 3 standard library, the project's own wire
encoder in samples/fluxgen/wire.py): a client-side capture of two resolvers over 8 minutes,
every address in two hosting networks of the bundled demo GeoIP databases
(samples/demo-*.mmdb) that no list names as CDN or cloud (two ASNs, two countries).

  hosted flux   bp-host.top: five names; every answer six new addresses in those two
                networks, TTL 300; www, api and login are
                each asked through both resolvers within their TTL and given different sets
                (the authoritative rotates per query), cdn and mail asked once. Few networks,
                but its names rotate there: flux as a zone.
  control 1     bp-static.net: the same shape in the same networks, but www, api and login are given
                the same set by both resolvers: static hosts of one network, not flux.
  control 2     lb-alias.com: the same shape as the flux zone, but every name is a CNAME alias
                of a host under elb-host.net (how load balancers are named): not flux.
  small zone    bp-pair.top: two names (fewer than a zone verdict needs), each answer six new
                addresses in the two networks, both asked through both resolvers and given
                different sets: their own rotation stands in for more names; flux as a zone.
  control 4     static-pair.net: the same pair given one set by both resolvers: not flux.
  control 3     rr-shop.com: www rotates over a recurring pool of four addresses (two per
                answer, different pairs for the two resolvers), shop, mail and api asked once,
                one address each, all in the same networks: a hoster's round robin, not flux.

Usage: zone_hosted_gen.py OUT.pcap"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "samples"))
from fluxgen import wire  # noqa: E402

T0 = 1794985200.0
rng = random.Random(20261208)
CLIENT, RES, RES2 = "100.64.0.10", "192.0.2.53", "192.0.2.54"
CMAC, RMAC = bytes.fromhex("00163e000001"), bytes.fromhex("525400100053")
USED = set()


def addr():
    """A new address, never handed out before, in one of two hosting networks no list names
    (samples/demo-geo.tsv: AS4646 60.50.0.0/17 in Japan, AS208805 79.215.192.0/18 in
    Czechia)."""
    while True:
        if rng.random() < 0.5:
            a = "60.50.%d.%d" % (rng.randrange(128), rng.randrange(1, 255))
        else:
            a = "79.215.%d.%d" % (rng.randrange(192, 256), rng.randrange(1, 255))
        if a not in USED:
            USED.add(a)
            return a


def frame(src_mac, dst_mac, src, dst, sport, dport, payload):
    return wire.udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload,
                          ident=rng.getrandbits(16))


def exchange(out, t, name, addrs, ttl, res=RES, alias=None):
    ident, sport = rng.getrandbits(16), rng.randrange(32768, 61000)
    q = wire.message(ident, name, "A", edns=1232)
    out.append((t, frame(CMAC, RMAC, CLIENT, res, sport, 53, q)))
    owner = alias or name
    an = [(name, "CNAME", ttl, alias)] if alias else []
    an += [(owner, "A", ttl, a) for a in addrs]
    r = wire.message(ident, name, "A", qr=True, ra=True, an=an, edns=1232)
    out.append((t + 0.004, frame(RMAC, CMAC, res, CLIENT, 53, sport, r)))


def shaped_zone(pkts, t0, zone, rotate, alias=False):
    """www, api and login through both resolvers (given new sets when rotate, else the same set from
    the second resolver's own fetch), cdn and mail once; six addresses an answer."""
    for k, host in enumerate(["www", "api", "login", "cdn", "mail", "shop", "pay"]):
        name = host + "." + zone
        target = "%s-%d.elb-host.net" % (zone.split(".")[0], k) if alias else None
        first = [addr() for _ in range(6)]
        exchange(pkts, t0 + 60.0 * k, name, first, 120, alias=target)
        if host in ("www", "api", "login", "shop"):
            second = [addr() for _ in range(6)] if rotate else first
            exchange(pkts, t0 + 60.0 * k + 40.0, name, second, 120, res=RES2, alias=target)


def main():
    pkts = []
    shaped_zone(pkts, T0, "bp-host.top", rotate=True)
    shaped_zone(pkts, T0 + 1.0, "bp-static.net", rotate=False)
    shaped_zone(pkts, T0 + 2.0, "lb-alias.com", rotate=True, alias=True)
    pool = [addr() for _ in range(4)]
    exchange(pkts, T0 + 3.0, "www.rr-shop.com", pool[0:2], 300)
    exchange(pkts, T0 + 20.0, "www.rr-shop.com", pool[2:4], 300, res=RES2)
    exchange(pkts, T0 + 340.0, "www.rr-shop.com", pool[1:3], 300)
    exchange(pkts, T0 + 350.0, "www.rr-shop.com", [pool[3], pool[0]], 300, res=RES2)
    for k, host in enumerate(["shop", "mail", "api"]):
        exchange(pkts, T0 + 40.0 + 50.0 * k, host + ".rr-shop.com", [addr()], 300)
    # two names only, both rotating through the two resolvers: fewer names than a zone
    # verdict needs, but their own rotation stands for them; and the same pair given one set
    for zone, rotate in (("bp-pair.top", True), ("static-pair.net", False)):
        for k, host in enumerate(["www", "api"]):
            first = [addr() for _ in range(6)]
            exchange(pkts, T0 + 5.0 + 90.0 * k, host + "." + zone, first, 120)
            second = [addr() for _ in range(6)] if rotate else first
            exchange(pkts, T0 + 35.0 + 90.0 * k, host + "." + zone, second, 120, res=RES2)
    pkts.sort(key=lambda p: p[0])
    wire.write_pcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
