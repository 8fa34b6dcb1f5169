"""Authoritative behaviour: zones (with their NS sets and SOA) and the names in them, one node
class per answering style. A node answers (qtype, time, resolver region) the way the real
service would: a static site, a dynamic-DNS host, a load-balanced pool, a CDN edge that answers
by region, a volunteer NTP pool, a fast-flux agent set."""

import random


def period_rng(*key):
    """A generator that is the same for the same key in every run (str seeds hash with SHA-512)."""
    return random.Random("|".join(str(k) for k in key))


class Node:
    ttl = 300
    ttl6 = None

    def cname(self, t, region):
        return None

    def a(self, t, region):
        return []

    def aaaa(self, t, region):
        return []

    def lookup(self, qtype, t, region):
        c = self.cname(t, region)
        if c is not None:
            return ("cname", c[0], c[1])
        if qtype == "A":
            v = self.a(t, region)
            ttl = self.ttl
        elif qtype == "AAAA":
            v = self.aaaa(t, region)
            ttl = self.ttl6 or self.ttl
        else:
            v = []
            ttl = 0
        if v:
            return ("rrset", v, ttl)
        return ("nodata",)


class StaticNode(Node):
    """Addresses that change only at scheduled moments (site migration, DHCP renumbering)."""

    def __init__(self, ttl, sched4, sched6=None):
        self.ttl = ttl
        self.s4 = sched4 or []   # [(from_time, [addr...])] sorted
        self.s6 = sched6 or []

    @staticmethod
    def _at(s, t):
        cur = []
        for t0, v in s:
            if t0 <= t:
                cur = v
            else:
                break
        return list(cur)

    def a(self, t, region):
        return self._at(self.s4, t)

    def aaaa(self, t, region):
        return self._at(self.s6, t)


class CnameNode(Node):
    def __init__(self, target, ttl):
        self.target = target
        self.ttl = ttl

    def cname(self, t, region):
        return (self.target, self.ttl)


class SteeringNode(Node):
    """Multi-CDN steering: the CNAME target is chosen per query by region-dependent weights
    that drift over time (as NS1/Cedexis-style traffic steering does)."""

    def __init__(self, name, targets, ttl, rng):
        self.name = name
        self.targets = targets   # [target, target]
        self.ttl = ttl
        self.rng = rng
        self.bias = {r: rng.random() for r in ("EU", "NA", "AP")}

    def cname(self, t, region):
        hour = int(t // 1800)
        w = (self.bias[region] + 0.3 * period_rng(self.name, hour).random()) % 1.0
        return (self.targets[0] if self.rng.random() < w else self.targets[1], self.ttl)


class PoolRRNode(Node):
    """Round-robin: a fixed pool in one network, rotated or answered in subsets."""

    def __init__(self, ttl, pool4, pool6, mode, k, rng):
        self.ttl = ttl
        self.p4, self.p6 = pool4, pool6
        self.mode, self.k, self.rng = mode, k, rng
        self.n = 0

    def _pick(self, pool):
        if not pool:
            return []
        if self.mode == "rotate":
            self.n += 1
            i = self.n % len(pool)
            return pool[i:] + pool[:i]
        return self.rng.sample(pool, min(self.k, len(pool)))

    def a(self, t, region):
        return self._pick(self.p4)

    def aaaa(self, t, region):
        return self._pick(self.p6)


class EdgeNode(Node):
    """A CDN edge name: answers come from a cluster of the resolver's region, clusters switch
    now and then (load, maintenance), each cluster has a bounded set of hosts."""

    def __init__(self, ttl, clusters, k4, k6, rng, sticky=0.75):
        self.ttl = ttl
        self.clusters = clusters   # region -> [(hosts4, hosts6)]
        self.k4, self.k6, self.rng, self.sticky = k4, k6, rng, sticky
        self.cur = {}

    def _cluster(self, region):
        cl = self.clusters.get(region) or next(iter(self.clusters.values()))
        c = self.cur.get(region)
        if c is None or self.rng.random() > self.sticky:
            c = self.rng.randrange(len(cl))
            self.cur[region] = c
        return cl[c]

    def a(self, t, region):
        h4, _ = self._cluster(region)
        return self.rng.sample(h4, min(self.rng.randint(*self.k4), len(h4)))

    def aaaa(self, t, region):
        if self.k6 is None:
            return []
        _, h6 = self._cluster(region)
        if not h6:
            return []
        return self.rng.sample(h6, min(self.rng.randint(*self.k6), len(h6)))


class VolunteerPoolNode(Node):
    """pool.ntp.org style: four servers per answer drawn from the volunteers of the zone's
    scope (a country, a continent, or the resolver's own continent for global names)."""

    def __init__(self, ttl, cands4, cands6, rng, by_region=None):
        self.ttl = ttl
        self.c4, self.c6 = cands4, cands6
        self.by_region = by_region   # region -> (c4, c6) for GeoDNS'd global names
        self.rng = rng

    def _cands(self, region, v6):
        if self.by_region is not None:
            c = self.by_region.get(region)
            if c is not None:
                return c[1] if v6 else c[0]
        return self.c6 if v6 else self.c4

    def a(self, t, region):
        c = self._cands(region, False)
        return self.rng.sample(c, min(4, len(c)))

    def aaaa(self, t, region):
        c = self._cands(region, True)
        return self.rng.sample(c, min(4, len(c))) if c else []


class Botnet:
    """Flux agents: compromised hosts (or a bulletproof block) that come and go."""

    def __init__(self, name, bots):
        self.name = name
        self.bots = bots          # [(addr4 or None, addr6 or None, uptime 0..1)]
        self.with4 = [b for b in bots if b[0]]
        self.with6 = [b for b in bots if b[1]]

    def online(self, bot, t):
        # each agent is up or down per half hour, the same for every resolver
        return period_rng(self.name, bot[0] or bot[1], int(t // 1800)).random() < bot[2]

    def sample(self, rng, k, t, v6=False):
        pool = self.with6 if v6 else self.with4
        out, seen = [], set()
        tries = 0
        while len(out) < k and tries < 20 * k + 40:
            tries += 1
            b = pool[rng.randrange(len(pool))]
            addr = b[1] if v6 else b[0]
            if addr in seen:
                continue
            if tries < 10 * k and not self.online(b, t):
                continue
            seen.add(addr)
            out.append(addr)
        return out


class FluxNode(Node):
    """A fast-flux name: k agents per answer; a new set on every authoritative query
    ("fetch") or every `period` seconds ("period", the same set for every resolver)."""

    def __init__(self, name, ttl, botnet, kmin, kmax, rng, mode="fetch", period=None,
                 v4=True, v6=False):
        self.name = name
        self.ttl = ttl
        self.b = botnet
        self.kmin, self.kmax = kmin, kmax
        self.rng, self.mode, self.period = rng, mode, period
        self.v4, self.v6 = v4, v6

    def _set(self, t, v6):
        if self.mode == "period":
            r = period_rng(self.name, v6, int(t // self.period))
        else:
            r = self.rng
        return self.b.sample(r, r.randint(self.kmin, self.kmax), t, v6)

    def a(self, t, region):
        return self._set(t, False) if self.v4 else []

    def aaaa(self, t, region):
        return self._set(t, True) if self.v6 else []


class Zone:
    """A delegated zone. ns(t) gives the NS set at time t; its hosts are nodes in Sim.names."""

    def __init__(self, apex, ns_names, ns_ttl, region, neg_ttl=900, parent_ttl=None,
                 full_auth=True, ns_fn=None):
        self.apex = apex
        self.ns_names = ns_names
        self.ns_ttl = ns_ttl
        self.region = region
        self.neg_ttl = neg_ttl
        self.parent_ttl = parent_ttl
        self.full_auth = full_auth   # authoritative answers carry NS + glue
        self.ns_fn = ns_fn
        self.serial = 2026111800 + (sum(map(ord, apex)) % 97)

    def ns(self, t):
        return self.ns_fn(t) if self.ns_fn else self.ns_names

    def soa(self, t):
        ns = self.ns(t)
        return (self.apex, "SOA", self.neg_ttl,
                (ns[0], "hostmaster." + self.apex, self.serial, 7200, 3600, 1209600, self.neg_ttl))


class Tld:
    def __init__(self, name, servers, deleg_ttl):
        self.name = name
        self.servers = servers      # [(host, addr4, addr6)]
        self.deleg_ttl = deleg_ttl
        self.region = "NA"
