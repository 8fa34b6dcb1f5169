"""Caching recursive resolvers and the two capture points: the client side (queries from
clients, answers from the cache with TTLs counting down) and the upstream side (referrals from
the parent zones with NS and glue, authoritative answers)."""

import heapq
import math

from . import wire


class Entry:
    __slots__ = ("exp", "ttl", "kind", "data", "soa", "rot")

    def __init__(self, exp, ttl, kind, data, soa=None):
        self.exp, self.ttl, self.kind, self.data, self.soa = exp, ttl, kind, data, soa
        self.rot = 0


class Tap:
    """Packets in time order: a small heap drained as simulated time passes."""

    def __init__(self, path):
        self.w = wire.PcapWriter(path) if path else None
        self.heap = []
        self.seq = 0

    def put(self, ts, frame):
        if self.w is None:
            return
        self.seq += 1
        heapq.heappush(self.heap, (ts, self.seq, frame))

    def drain(self, upto):
        h = self.heap
        while h and h[0][0] <= upto:
            ts, _, fr = heapq.heappop(h)
            self.w.write(ts, fr)

    def close(self):
        if self.w is None:
            return 0
        self.drain(float("inf"))
        self.w.close()
        return self.w.count


class Resolver:
    def __init__(self, sim, name, region, addr4, addr6, mac, minimal):
        self.sim = sim
        self.name = name
        self.region = region
        self.addr4, self.addr6 = addr4, addr6
        self.mac = mac
        self.minimal = minimal     # Unbound-like: answer section only
        self.cache = {}
        self.rng = sim.rng_for("resolver", name)
        self.fetches = 0

    # ---- cache ----------------------------------------------------------------------------
    def get(self, key, now):
        e = self.cache.get(key)
        if e is None or e.exp - now <= 0:
            return None
        return e

    @staticmethod
    def remaining(e, now):
        return max(0, min(e.ttl, math.ceil(e.exp - now - 1e-9)))

    def put(self, key, now, ttl, kind, data, soa=None):
        if int(ttl) <= 0:
            # TTL 0 (only the sparse profile's wildcard flux has it): handed to the query in
            # flight with TTL 0, never reused by a later one
            self.cache[key] = Entry(now + 0.01, 0, kind, data, soa)
            return
        ttl = max(1, int(ttl))
        self.cache[key] = Entry(now + ttl, ttl, kind, data, soa)

    # ---- resolution ------------------------------------------------------------------------
    def resolve(self, qname, qtype, t, depth=0):
        """Answer qname/qtype at time t from the cache, fetching what is missing or expired.
        Returns (rcode, answer RRs, owner of the final RRset, delay, negative SOA RR)."""
        an = []
        name = qname
        delay = 0.0
        for _ in range(24):
            now = t + delay
            e = self.get((name, "CNAME"), now)
            if e is not None:
                an.append((name, "CNAME", self.remaining(e, now), e.data))
                name = e.data
                if len(an) > 8:
                    return "SERVFAIL", an, name, delay, None
                continue
            e = self.get((name, qtype), now) or self.get((name, "NX"), now)
            if e is None:
                if depth > 6:
                    return "SERVFAIL", an, name, delay, None
                delay += self.fetch(name, qtype, now, depth)
                continue
            rem = self.remaining(e, now)
            if e.kind == "nx" or e.kind == "nodata":
                soa = e.soa
                soa_rr = (soa[0], "SOA", rem, soa[3]) if soa else None
                return ("NXDOMAIN" if e.kind == "nx" else "NOERROR"), an, name, delay, soa_rr
            data = e.data
            if len(data) > 1:
                # cyclic rrset-order, as BIND and Unbound (rrset-roundrobin) hand records out
                e.rot += 1
                i = e.rot % len(data)
                data = data[i:] + data[:i]
            for d in data:
                an.append((name, qtype, rem, d))
            return "NOERROR", an, name, delay, None
        return "SERVFAIL", an, name, delay, None

    def addresses(self, host, now, depth):
        """Addresses of a nameserver host: from the cache (glue) or resolved."""
        e = self.get((host, "A"), now)
        if e is not None and e.kind == "rrset":
            return e.data, 0.0
        rcode, an, _, d, _ = self.resolve(host, "A", now, depth + 1)
        addrs = [r[3] for r in an if r[1] == "A"]
        return addrs, d

    def ensure_ns(self, zone, now, depth, qname, qtype):
        """Make sure the zone's NS set is cached: if not, ask a server of the parent zone,
        which answers with a referral (NS in authority, glue in additional)."""
        e = self.get((zone.apex, "NS"), now)
        if e is not None and e.kind == "rrset":
            return 0.0
        sim = self.sim
        parent = sim.parent_of(zone)
        delay = 0.0
        if isinstance(parent, str):          # a TLD: its servers are primed
            tld = sim.tlds[parent]
            host, a4, a6 = tld.servers[self.rng.randrange(len(tld.servers))]
            server = a4
            region = tld.region
            deleg_ttl = tld.deleg_ttl
        else:
            delay += self.ensure_ns(parent, now, depth + 1, qname, qtype)
            server, d = self.pick_server(parent, now + delay, depth + 1)
            delay += d
            region = parent.region
            deleg_ttl = parent.ns_ttl
        t0 = now + delay
        ns = zone.ns(t0)
        rtt = sim.rtt(self.region, region)
        nsrrs = [(zone.apex, "NS", zone.parent_ttl or deleg_ttl, h) for h in ns]
        glue = self.glue_rrs(zone, ns, t0, in_bailiwick_only=True)
        self.upstream(t0, rtt, server, qname, qtype, aa=False, an=(), ns=nsrrs, ar=glue)
        t1 = t0 + rtt
        # child-centric: the child's own NS TTL is what the cache keeps (the child's answer
        # replaces the referral data as soon as it is seen)
        self.put((zone.apex, "NS"), t1, zone.ns_ttl, "rrset", list(ns))
        for (h, typ, ttl, addr) in glue:
            key = (h, typ)
            cur = self.cache.get(key)
            if cur is None or cur.exp - t1 <= 0:
                self.put(key, t1, ttl, "rrset", [r[3] for r in glue if r[0] == h and r[1] == typ])
        return delay + rtt

    def glue_rrs(self, zone, ns, t, in_bailiwick_only):
        out = []
        for h in ns:
            if in_bailiwick_only and not self.sim.glue_ok(zone, h):
                continue
            node = self.sim.names.get(h)
            if node is None:
                continue
            for a in node.a(t, "NA"):
                out.append((h, "A", node.ttl, a))
            for a in node.aaaa(t, "NA"):
                out.append((h, "AAAA", node.ttl6 or node.ttl, a))
        return out

    def pick_server(self, zone, now, depth):
        e = self.get((zone.apex, "NS"), now)
        hosts = list(e.data) if e and e.kind == "rrset" else list(zone.ns(now))
        self.rng.shuffle(hosts)
        delay = 0.0
        for h in hosts:
            addrs, d = self.addresses(h, now + delay, depth)
            delay += d
            if addrs:
                return addrs[self.rng.randrange(len(addrs))], delay
        return "192.0.2.1", delay      # unreachable: never happens with the generated zones

    def fetch(self, name, qtype, now, depth):
        """One authoritative exchange for name/qtype; caches what comes back."""
        sim = self.sim
        self.fetches += 1
        zone = sim.zone_of(name)
        if zone is None:
            soa = None
            self.put((name, "NX"), now, 900, "nx", None, soa)
            return 0.0
        delay = self.ensure_ns(zone, now, depth, name, qtype)
        server, d = self.pick_server(zone, now + delay, depth)
        delay += d
        t0 = now + delay
        rtt = sim.rtt(self.region, zone.region)
        t1 = t0 + rtt
        node = sim.names.get(name)
        ns_now = zone.ns(t0)
        auth_ns = [(zone.apex, "NS", zone.ns_ttl, h) for h in ns_now] if zone.full_auth else []
        auth_ar = self.glue_rrs(zone, ns_now, t0, True) if zone.full_auth else []
        if qtype == "NS" and name == zone.apex:
            res = ("rrset", list(ns_now), zone.ns_ttl)
        elif node is None and name == zone.apex:
            res = ("nodata",)
        elif node is None:
            res = ("nx",)
        else:
            res = node.lookup(qtype, t0, self.region)
        if res[0] in ("nx", "nodata"):
            soa = zone.soa(t0)
            self.upstream(t0, rtt, server, name, qtype, aa=True,
                          rcode="NXDOMAIN" if res[0] == "nx" else "NOERROR", an=(), ns=[soa], ar=())
            key = (name, "NX") if res[0] == "nx" else (name, qtype)
            self.put(key, t1, zone.neg_ttl, res[0], None, soa)
            return delay + rtt
        an = []
        if res[0] == "cname":
            an.append((name, "CNAME", res[2], res[1]))
            self.put((name, "CNAME"), t1, res[2], "cname", res[1])
            # a target inside the same zone is answered in the same message
            tgt = res[1]
            tnode = sim.names.get(tgt)
            if tnode is not None and sim.zone_of(tgt) is zone:
                r2 = tnode.lookup(qtype, t0, self.region)
                if r2[0] == "rrset":
                    an.extend((tgt, qtype, r2[2], a) for a in r2[1])
                    self.put((tgt, qtype), t1, r2[2], "rrset", list(r2[1]))
        else:
            an.extend((name, qtype, res[2], a) for a in res[1])
            self.put((name, qtype), t1, res[2], "rrset", list(res[1]))
        self.upstream(t0, rtt, server, name, qtype, aa=True, an=an, ns=auth_ns, ar=auth_ar)
        if zone.full_auth and self.get((zone.apex, "NS"), t1) is None:
            self.put((zone.apex, "NS"), t1, zone.ns_ttl, "rrset", list(ns_now))
        return delay + rtt

    # ---- the upstream capture ---------------------------------------------------------------
    def upstream(self, t0, rtt, server, qname, qtype, aa, an=(), ns=(), ar=(), rcode="NOERROR"):
        tap = self.sim.up
        if tap.w is None:
            return
        sim = self.sim
        q = qname
        ident = self.rng.getrandbits(16)
        sport = self.rng.randrange(1024, 65535)
        src = self.addr4 if ":" not in server else self.addr6
        qmsg = wire.message(ident, q, qtype, rd=False, edns=1232)
        rmsg = wire.message(ident, q, qtype, qr=True, aa=aa, rd=False, rcode=rcode,
                            an=an, ns=ns, ar=ar, edns=1232)
        tap.put(t0, sim.frame(self.mac, sim.gw_mac, src, server, sport, 53, qmsg, 64))
        tap.put(t0 + rtt, sim.frame(sim.gw_mac, self.mac, server, src, 53, sport, rmsg, 52))

    # ---- what a client gets -----------------------------------------------------------------
    def respond(self, qname, qtype, t, limit):
        """Full client answer: (rcode, an, ns, ar, delay). Non-minimal resolvers add the
        zone's NS set and the nameservers' addresses they hold, with their remaining TTLs."""
        rcode, an, owner, delay, soa = self.resolve(qname, qtype, t)
        now = t + delay
        ns, ar = [], []
        if soa is not None:
            ns = [soa]
        elif rcode == "NOERROR" and not self.minimal and an:
            zone = self.sim.zone_of(owner)
            e = self.get((zone.apex, "NS"), now) if zone else None
            if e is not None:
                rem = self.remaining(e, now)
                ns = [(zone.apex, "NS", rem, h) for h in e.data]
                for h in e.data:
                    for typ in ("A", "AAAA"):
                        g = self.get((h, typ), now)
                        if g is not None and g.kind == "rrset":
                            r = self.remaining(g, now)
                            ar.extend((h, typ, r, a) for a in g.data)
        return rcode, an, ns, ar, delay
