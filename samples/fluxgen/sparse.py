"""What the `sparse` profile adds to the simulation: two more resolvers, query counts from a
Zipf popularity law, random-subdomain and wildcard flux zones, CDNs and NTP-style pools under
names no allowlist knows.

Every method here runs only when the profile says `sparse=True` and draws from its own
rng_for() keys, so the other profiles' output does not change. No new networks are made: the
unknown CDNs rent edges in the world's existing hosting networks (or sit in a listed CDN's
edge blocks under a name of their own), so the demo GeoIP databases cover them."""

import ipaddress
import string

from .auth import CnameNode, EdgeNode, FluxNode, StaticNode, VolunteerPoolNode, Zone
from .resolver import Resolver
from .world import COUNTRIES, REGION_NEAR, REGIONS

TTL_RANDSUB = [30, 60, 60, 90, 120, 150, 180, 300]
CDN_SUBS = ["www", "cdn", "static", "img", "media", "assets", "files", "dl", "video", "images",
            "shop", "app", "content", "s"]
CDN_WORDS = ["edge", "cdn", "cache", "delivery", "fast", "net", "serve", "speed", "swift", "flow"]
POOL_VENDORS = ["debian", "ubuntu", "fedora", "android", "openwrt", "centos", "freebsd", "arch"]
POOL_CONTINENTS = {"europe": "EU", "north-america": "NA", "asia": "AP", "south-america": "SA",
                   "africa": "AF"}
ALNUM = string.ascii_lowercase + string.digits


def _rand_label(rng, lo, hi):
    s = rng.choice(string.ascii_lowercase) + "".join(rng.choice(ALNUM)
                                                     for _ in range(rng.randint(lo, hi) - 1))
    return s


class SparseMixin:
    """Methods Sim uses under the sparse profile (self is the Sim)."""

    # ---- resolvers -------------------------------------------------------------------------
    def _extra_resolvers(self):
        """Two more caching resolvers in existing access networks: an Unbound-style one in
        France (EU GeoDNS) and a BIND-style one in Canada (NA). Returns their home ASes."""
        w = self.w
        homes = []
        for i, (cc, reg, minimal) in enumerate((("FR", "EU", True), ("CA", "NA", False))):
            a = next(x for x in w.kind("residential") if x.country == cc)
            net = a.v4[0].net
            a4 = str(net.network_address + 53 + 256 * (i + 1))
            a6 = str(a.v6[0].net.network_address + 0x53)
            mac = bytes([0x52, 0x54, 0x00, 0x10, 0x00, 0x56 + i])
            self.resolvers.append(Resolver(self, "res-%s2" % reg.lower(), reg, a4, a6, mac,
                                           minimal=minimal))
            homes.append(a)
        return homes

    # ---- traffic ---------------------------------------------------------------------------
    def sparse_events(self):
        """Each name gets a number of query events from its class's truncated Zipf law (or the
        count its builder fixed), spread over its window or, for a third of the names asked
        more than once, packed into one burst of up to two minutes (a sandbox run, a page
        load)."""
        from .sim import SPARSE_ZIPF
        rng = self.rng_for("sparse-events")
        cum = {}
        for cls, (s, kmax) in SPARSE_ZIPF.items():
            acc, c = 0.0, []
            for k in range(1, kmax + 1):
                acc += k ** -s
                c.append(acc)
            cum[cls] = c
        ev = []
        for ti, tg in enumerate(self.targets):
            n = tg.count
            if n is None:
                role = self.labels.get(tg.name, ("", "", "", "query"))[3]
                if role == "noise":
                    n = rng.choice([1, 1, 2, 3])
                else:
                    c = cum.get(tg.cls) or cum["benign"]
                    n = rng.choices(range(1, len(c) + 1), cum_weights=c)[0]
            start, end = tg.start, tg.end
            if n > 1 and rng.random() < 0.33:
                b0 = rng.uniform(start, end)
                span = rng.uniform(5, 120)
                ts = [b0] + [min(end, b0 + rng.uniform(0, span)) for _ in range(n - 1)]
            else:
                ts = [rng.uniform(start, end) for _ in range(n)]
            for t in ts:
                ev.append((t, ti))
        ev.sort()
        return ev

    # ---- the added classes -----------------------------------------------------------------
    def build_sparse_extras(self):
        p = self.p
        self.build_randsub(p["randsub"])
        self.build_wildcard(p["wildcard"])
        self.build_unknown_cdn(p["ucdn"], p["ucdn_customers"])
        self.build_unknown_pool(p["upool"], p["upool_names"], p["upool_volunteers"])

    def _throwaway_zone(self, rng, family, double, slice_):
        bn = self.botnet(rng, family, rng.randint(200, 3000), 0.3)
        apex = self.registrable(rng)
        z = self._flux_zone(rng, apex, double, bn, family)
        cls = "double-flux" if double else "single-flux"
        # the zone row: the apex is seen as the owner of NS records (and scored as a zone)
        self.label(apex, cls, slice_, family, "zone", z.ns_ttl)
        return apex, bn, cls

    def build_randsub(self, nzones):
        """Random-subdomain flux (spam-URL generators): every name is a fresh random label
        under the zone, asked exactly once; one address per answer in some zones, several in
        others."""
        rng = self.rng_for("randsub")
        for zi in range(nzones):
            family = "randsub-%d" % (zi + 1)
            double = rng.random() < 0.3
            apex, bn, cls = self._throwaway_zone(rng, family, double, "random-subdomain")
            one = rng.random() < 0.4
            ttl = rng.choice(TTL_RANDSUB)
            kmin = 1 if one else rng.randint(1, 3)
            kmax = 1 if one else rng.randint(max(2, kmin), 8)
            two = rng.random() < 0.2          # some generators use two random labels
            aud = self.audience(rng, rng.randint(20, 200))
            for _ in range(rng.randint(12, 40)):
                while True:
                    lab = _rand_label(rng, 5, 12)
                    if two:
                        lab += "." + _rand_label(rng, 3, 6)
                    nm = lab + "." + apex
                    if nm not in self.names:
                        break
                self.names[nm] = FluxNode(nm, ttl, bn, kmin, kmax, self.rng_for("flux", nm),
                                          "fetch", v4=True, v6=rng.random() < 0.05)
                self.label(nm, cls, "random-subdomain", family, "query", ttl)
                tg = self.target(nm, cls, 1.0, (self.t0, self.t1), "web", aud)
                tg.count = 1

    def build_wildcard(self, nzones):
        """Wildcard flux: every name under the zone answers, TTL 0, one agent per answer (a new
        one on every query); sibling names each asked once or twice."""
        rng = self.rng_for("wildcard")
        for zi in range(nzones):
            family = "wildcard-%d" % (zi + 1)
            double = rng.random() < 0.25
            apex, bn, cls = self._throwaway_zone(rng, family, double, "wildcard")
            aud = self.audience(rng, rng.randint(10, 120))
            style = rng.random()
            for _ in range(rng.randint(5, 20)):
                while True:
                    if style < 0.4:
                        lab = _rand_label(rng, 6, 10)
                    elif style < 0.7:
                        lab = self.label_word(rng, "com")
                    else:
                        lab = rng.choice(["mail", "www", "shop", "login", "secure", "update",
                                          "img", "cdn", "my", "pay"]) + str(rng.randrange(1, 999))
                    nm = lab + "." + apex
                    if nm not in self.names:
                        break
                self.names[nm] = FluxNode(nm, 0, bn, 1, 1, self.rng_for("flux", nm), "fetch")
                self.label(nm, cls, "wildcard", family, "query", 0)
                tg = self.target(nm, cls, 1.0, (self.t0, self.t1), "web", aud)
                tg.count = rng.choice([1, 1, 2])

    # ---- CDNs nobody listed ----------------------------------------------------------------
    def _ucdn_clusters(self, rng, kind):
        """Edge clusters per resolver region: (hosts4, hosts6) lists shared by every name of
        the provider, so edge addresses recur across its names."""
        w = self.w
        out = {}
        if kind == "cdn-asn":
            asn = 54113
            for reg, pops in w.cdn_pops[asn].items():
                lst = []
                for (c24, c48, cc, city) in pops:
                    h4 = [str(c24.network_address + x) for x in rng.sample(range(2, 254), 12)]
                    h6 = [str(c48.network_address + rng.randrange(1, 1 << 16)) for _ in range(6)] \
                        if c48 is not None else []
                    lst.append((h4, h6))
                out[reg] = lst
            return out
        hosting = w.kind("hosting")
        for reg in REGIONS:
            near = [a for a in hosting if a.region in REGION_NEAR[reg]]
            extra = {"EU": [24940, 16276], "NA": [14061], "AP": []}[reg]
            cands = [w.by_asn[x] for x in extra] + near
            ases = rng.sample(cands, min(len(cands), rng.randint(2, 3)))
            lst = []
            for a in ases:
                for _ in range(2):
                    net = rng.choice(a.v4).net
                    base = int(net.network_address) + (rng.randrange(net.num_addresses >> 8) << 8)
                    h4 = [str(ipaddress.IPv4Address(base + x))
                          for x in rng.sample(range(2, 254), rng.randint(8, 16))]
                    h6 = []
                    if a.v6:
                        n6 = a.v6[0].net
                        b6 = int(n6.network_address) + (rng.getrandbits(16) << 80)
                        h6 = [str(ipaddress.IPv6Address(b6 + rng.randrange(1, 0x2000)))
                              for _ in range(rng.randint(3, 6))]
                    lst.append((h4, h6))
            out[reg] = lst
        return out

    def _ucdn_zone(self, rng, i):
        for _ in range(1000):
            x = i % 3
            if x == 0:
                base = rng.choice(self._words()) + rng.choice(CDN_WORDS)
            elif x == 1:
                base = rng.choice(self._words()) + "-" + rng.choice(CDN_WORDS)
            else:
                base = rng.choice(self._words()) + rng.choice(self._words())
            name = base + "." + rng.choice(["net", "com", "io"])
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name space exhausted")

    def _words(self):
        from .world import WORDS
        return WORDS

    def build_unknown_cdn(self, ncdn, ncust):
        """CDN providers under names absent from the allowlist: customers' names from many
        unrelated registrable domains CNAME into <hash>.<provider zone> (one hop, or two inside
        the provider's zone), answered per resolver region from recurring edge clusters."""
        for i in range(ncdn):
            rng = self.rng_for("ucdn", i)
            kind = "cdn-asn" if i % 3 == 2 else "hosting"
            sl = "unknown-cdn-asn" if kind == "cdn-asn" else "unknown-cdn"
            zone = self._ucdn_zone(rng, i)
            clusters = self._ucdn_clusters(rng, kind)
            ns_as = self.w.by_asn[24940] if kind == "hosting" else rng.choice(self.w.kind("hosting"))
            ns = self.ns_for(rng, zone, "own", ns_as)
            z = self.add_zone(Zone(zone, ns, rng.choice([3600, 86400]), "EU", neg_ttl=300,
                                   full_auth=True))
            self.label(zone, "cdn", sl, zone, "zone", z.ns_ttl)
            ttl = [60, 20, 30][i % 3]
            k4 = [(1, 2), (2, 4), (1, 4)][i % 3]
            two_hop = i % 3 == 1
            for j in range(ncust):
                apex = self.registrable(rng)
                cz = self.add_zone(Zone(apex, self.ns_for(rng, apex, None),
                                        rng.choice([3600, 86400, 172800]), rng.choice(REGIONS),
                                        neg_ttl=rng.choice([300, 3600])))
                _ = cz
                subs = rng.sample(CDN_SUBS, rng.choice([1, 1, 2, 2, 3]))
                direct = rng.random() < 0.2
                for sub in subs:
                    nm = sub + "." + apex
                    while True:
                        h = _rand_label(rng, 8, 14)
                        edge = h + (".x." if two_hop else ".") + zone
                        if edge not in self.names:
                            break
                    cl = {reg: rng.sample(lst, min(2, len(lst))) for reg, lst in clusters.items()}
                    self.names[edge] = EdgeNode(ttl, cl, k4, k4, self.rng_for("uedge", edge),
                                                sticky=0.8)
                    self.label(edge, "cdn", sl, zone, "cname-target", ttl)
                    first = edge
                    if two_hop:
                        first = apex.replace(".", "-") + "-" + sub + "." + zone
                        self.names[first] = CnameNode(edge, 3600)
                        self.label(first, "cdn", sl, zone, "cname-target", 3600)
                    self.names[nm] = CnameNode(first, rng.choice([300, 600, 3600]))
                    self.label(nm, "cdn", sl, apex, "query", ttl)
                    self.target(nm, "cdn", 1.0, (self.t0, self.t1))
                    if direct:
                        # the edge name itself is asked too (assets embedded by hostname)
                        self.labels[edge] = ("cdn", sl, zone, "query", ttl)
                        self.target(edge, "cdn", 1.0, (self.t0, self.t1))
                        direct = False

    # ---- NTP-style pools nobody listed -----------------------------------------------------
    def build_unknown_pool(self, npools, nnames, nvol):
        """pool.ntp.org look-alikes under invented names: global, numbered, vendor, country and
        continent names drawing from one large volunteer population; country names answer
        from that country, the global and vendor names by the resolver's region."""
        w = self.w
        for pi in range(npools):
            rng = self.rng_for("upool", pi)
            reg_apex = self.registrable(rng, rng.choice(["org", "net", "org"]))
            self.add_zone(Zone(reg_apex, self.ns_for(rng, reg_apex, None), 86400, "EU",
                               neg_ttl=3600))
            papex = ["pool", "ntp", "time"][pi % 3] + "." + reg_apex
            hosts = ["%s.ns.%s" % (c, reg_apex) for c in "abcdef"[:rng.randint(3, 6)]]
            self._static_hosts(reg_apex, hosts, rng.choice(w.kind("university") + w.kind("hosting")),
                               rng, 86400)
            for h in hosts:
                self.label(h, "benign", "nameserver", reg_apex, "ns-host", 86400)
            self.add_zone(Zone(papex, hosts, 3600, "EU", neg_ttl=600, full_auth=True))
            kinds = ["residential"] * 3 + ["hosting"] * 4 + ["university"] * 2 + \
                [24940, 16276, 14061] + ["mobile"]
            servers = []
            seen = set()
            while len(servers) < nvol:
                a = self._addr_as(rng, kinds)
                v4 = w.host4(a, rng)
                if v4 in seen:
                    continue
                seen.add(v4)
                v6 = w.host6(a, rng) if a.v6 and rng.random() < 0.4 else None
                cc = self._country_of(a, v4)
                servers.append((v4, v6, cc, COUNTRIES[cc][0]))
            by_cc, by_reg = {}, {}
            for s in servers:
                by_cc.setdefault(s[2], []).append(s)
                by_reg.setdefault(s[3], []).append(s)
            geo = {reg: [s for s in servers if s[3] in REGION_NEAR[reg]] or servers
                   for reg in REGIONS}
            ttl = rng.choice([60, 130, 150, 150])
            # the global and numbered names, four vendor zones, three continents, and as
            # many countries (with at least 8 volunteers) as the name budget leaves
            chosen = [(papex, "global")] + [("%d.%s" % (i, papex), "numbered") for i in range(4)]
            for v in rng.sample(POOL_VENDORS, 4):
                chosen += [("%d.%s.%s" % (i, v, papex), "vendor") for i in range(4)]
            for cont in rng.sample(sorted(POOL_CONTINENTS), 3):
                chosen += [("%s.%s" % (cont, papex), "continent")]
                chosen += [("%d.%s.%s" % (i, cont, papex), "continent") for i in range(4)]
            ccs = sorted((c for c in by_cc if len(by_cc[c]) >= 8), key=lambda c: (-len(by_cc[c]), c))
            rest = []
            for cc in ccs:
                rest += [("%s.%s" % (cc.lower(), papex), "country")]
                rest += [("%d.%s.%s" % (i, cc.lower(), papex), "country") for i in range(4)]
            chosen += rng.sample(rest, min(len(rest), max(0, nnames - len(chosen))))
            for nm, kind in chosen:
                parts = nm[: -len(papex) - 1].split(".") if nm != papex else []
                v6 = bool(parts) and parts[0] == "2"
                scope = parts[-1] if parts and not parts[-1].isdigit() else None
                r = self.rng_for("upoolnode", nm)
                if kind in ("global", "numbered", "vendor"):
                    node = VolunteerPoolNode(ttl, [], [], r, by_region={
                        reg: ([s[0] for s in g], [s[1] for s in g if s[1]] if v6 else [])
                        for reg, g in geo.items()})
                elif kind == "continent":
                    near = by_reg.get(POOL_CONTINENTS[scope]) or servers
                    node = VolunteerPoolNode(ttl, [s[0] for s in near],
                                             [s[1] for s in near if s[1] and v6], r)
                else:
                    near = by_cc[scope.upper()]
                    node = VolunteerPoolNode(ttl, [s[0] for s in near],
                                             [s[1] for s in near if s[1] and v6], r)
                self.names[nm] = node
                self.label(nm, "pool", "unknown-pool-" + kind, papex, "query", ttl)
                self.target(nm, "pool", 1.0, (self.t0, self.t1), "a")
