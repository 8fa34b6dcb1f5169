"""The simulation: builds the labelled domain population on top of the world, the clients and
the resolvers, then plays Poisson query arrivals through the resolvers' caches and writes the
packets, the labels and the per-response ground truth."""

import csv
import ipaddress
import math
import random
import string

from . import auth, wire
from .auth import (Botnet, CnameNode, EdgeNode, FluxNode, PoolRRNode, StaticNode, SteeringNode,
                   Tld, VolunteerPoolNode, Zone)
from .resolver import Resolver, Tap
from .sparse import SparseMixin
from .world import (CDN_EDGES, COMMERCE, CONTINENT, COUNTRIES, COUNTRY_NAMES, REGIONS, RU_WORDS, SUBDOMAINS,
                    TLDS_WEIGHTED, WORDS)

# Sizes per profile: capture hours, clients, and how many query names each class gets.
PROFILES = {
    "demo":  dict(hours=3.0, clients=260, benign=70, dyn=12, rr=16, cdn=24, mcdn=6, pool=24,
                  single=32, double=14, bulletproof=8, lowslow=6, v6only=6, volunteers=300,
                  rate=0.4, flux_rate=0.35),
    "small": dict(hours=2.5, clients=160, benign=60, dyn=10, rr=12, cdn=16, mcdn=5, pool=16,
                  single=30, double=12, bulletproof=8, lowslow=6, v6only=6, volunteers=220,
                  rate=0.3, flux_rate=0.6),
    "eval":  dict(hours=4.0, clients=1400, benign=1200, dyn=150, rr=200, cdn=260, mcdn=60,
                  pool=120, single=400, double=150, bulletproof=120, lowslow=100, v6only=100,
                  volunteers=800, rate=0.3, flux_rate=0.6),
    # A short, sparse capture as an investigation holds one (a sandbox run, an office's ten
    # minutes): five resolvers, query counts per name from a truncated Zipf law (SPARSE_ZIPF),
    # most flux names asked 1-5 times, plus random-subdomain and wildcard flux zones and CDNs
    # and NTP-style pools under names no allowlist knows. Everything this profile adds runs
    # only under `sparse` and draws from its own rng_for() keys.
    "sparse": dict(hours=10 / 60.0, clients=900, benign=1100, dyn=120, rr=120, cdn=240, mcdn=40,
                   pool=60, single=300, double=120, bulletproof=40, lowslow=0, v6only=40,
                   volunteers=800, rate=0.3, flux_rate=0.6, sparse=True, resolvers=5,
                   randsub=14, wildcard=18, ucdn=3, ucdn_customers=120, upool=2,
                   upool_names=70, upool_volunteers=1500),
}

# sparse profile: query events per name ~ k**-s for k = 1..kmax (a Zipf popularity law).
# (s, kmax) per class; names a builder gives a fixed count (random subdomains: 1) keep it.
SPARSE_ZIPF = {"benign": (1.2, 200), "dynamic-dns": (1.6, 20), "round-robin": (1.3, 100),
               "cdn": (1.2, 200), "multi-cdn": (1.2, 150), "pool": (1.3, 60),
               "single-flux": (1.5, 30), "double-flux": (1.5, 30)}

START = 1794985200.0   # 2026-11-18 07:00:00 UTC, a Wednesday morning

GTLD_SERVERS = [("a.gtld-servers.net", "192.5.6.30"), ("b.gtld-servers.net", "192.33.14.30"),
                ("c.gtld-servers.net", "192.26.92.30"), ("d.gtld-servers.net", "192.31.80.30")]
DELEG_TTL = {"com": 172800, "net": 172800, "org": 3600, "info": 3600, "biz": 7200, "ru": 345600,
             "su": 345600, "de": 86400, "uk": 172800, "io": 86400, "co": 3600, "cc": 172800}
DYN_PROVIDERS = ["duckdns.org", "ddns.net", "hopto.org", "zapto.org", "dynu.net", "freeddns.org",
                 "myftp.biz", "servebeer.com"]
TTL_BENIGN = [300, 300, 600, 900, 1200, 1800, 3600, 3600, 3600, 7200, 14400, 43200, 86400, 86400,
              60, 120, 3599, 21600]
TTL_FLUX = [60, 60, 90, 100, 120, 120, 150, 180, 180, 200, 240, 300, 300]
TTL_RR = [30, 60, 60, 120, 300, 300, 600, 1800, 3600]
NTP_VENDORS = ["debian", "ubuntu", "centos", "fedora", "android", "openwrt", "arch", "opensuse"]
NTP_CONTINENTS = {"europe": "EU", "north-america": "NA", "asia": "AP", "south-america": "SA",
                  "africa": "AF", "oceania": "AP"}


class Target:
    """A name clients query, with its popularity and the window it is active in."""
    __slots__ = ("name", "cls", "rate", "start", "end", "qtypes", "audience", "ns_probe",
                 "min_events", "count")

    def __init__(self, name, cls, rate, start, end, qtypes, audience=None):
        self.name, self.cls, self.rate = name, cls, rate
        self.start, self.end = start, end
        self.qtypes = qtypes      # "web", "a", "v6only", "ntp"
        self.audience = audience
        self.ns_probe = None
        self.min_events = 1
        self.count = None         # sparse profile: a fixed number of query events


class Client:
    __slots__ = ("addr4", "addr6", "res", "edns", "tcp", "dual", "browser", "ittl", "v6pref",
                 "weight")


class Sim(SparseMixin):
    def __init__(self, world, seed, profile, client_pcap, upstream_pcap=None):
        self.w = world
        self.seed = seed
        self.p = dict(PROFILES[profile])
        self.profile = profile
        self.sparse = bool(self.p.get("sparse"))
        self.rng = random.Random("%s|%s|main" % (seed, profile))
        self.t0 = START
        self.t1 = START + self.p["hours"] * 3600
        self.zones = {}
        self.names = {}
        self.tlds = {}
        self.labels = {}
        self.targets = []
        self.used = set()
        self._zone_cache = {}
        self.cap = Tap(client_pcap)
        self.up = Tap(upstream_pcap)
        self.gw_mac = bytes.fromhex("00163e5a0c01")
        self.truth = []
        self._providers()

    # ---- helpers ---------------------------------------------------------------------------
    def rng_for(self, *key):
        return random.Random("|".join(str(k) for k in (self.seed, self.profile) + key))

    def label(self, name, cls, sl, family, role, ttl):
        if name not in self.labels:
            self.labels[name] = (cls, sl, family, role, ttl)

    def tld_of(self, name):
        return name.rsplit(".", 1)[-1]

    def ensure_tld(self, tld):
        if tld in self.tlds:
            return
        if tld in ("com", "net"):
            servers = [(h, a, None) for h, a in GTLD_SERVERS]
        else:
            r = self.rng_for("tld", tld)
            servers = [("%s.nic.%s" % (x, tld), self.w.host4(self.w.registry, r), None)
                       for x in "abc"]
        self.tlds[tld] = Tld(tld, servers, DELEG_TTL.get(tld, 3600))

    def add_zone(self, z):
        self.zones[z.apex] = z
        self.ensure_tld(self.tld_of(z.apex))
        self._zone_cache.clear()
        return z

    def zone_of(self, name):
        z = self._zone_cache.get(name, 0)
        if z != 0:
            return z
        parts = name.split(".")
        z = None
        for i in range(len(parts) - 1):
            z = self.zones.get(".".join(parts[i:]))
            if z is not None:
                break
        self._zone_cache[name] = z
        return z

    def parent_of(self, zone):
        parts = zone.apex.split(".")
        for i in range(1, len(parts) - 1):
            z = self.zones.get(".".join(parts[i:]))
            if z is not None:
                return z
        return parts[-1]

    def glue_ok(self, zone, host):
        if host == zone.apex or host.endswith("." + zone.apex):
            return True
        parent = self.parent_of(zone)
        if isinstance(parent, str):     # TLD servers hold glue for hosts under their TLD
            return self.tld_of(host) == parent or (parent in ("com", "net")
                                                   and self.tld_of(host) in ("com", "net"))
        return False

    def rtt(self, r1, r2):
        near = r1 == r2
        return self.rng.uniform(0.004, 0.03) if near else self.rng.uniform(0.07, 0.24)

    def frame(self, src_mac, dst_mac, src, dst, sport, dport, payload, ttl):
        et, pkt = wire.ip(src, dst, 17, wire.udp(src, dst, sport, dport, payload), ttl=ttl,
                          ident=self.rng.getrandbits(16))
        return wire.ether(dst_mac, src_mac, et, pkt)

    def tframe(self, src_mac, dst_mac, src, dst, sport, dport, seq, ack, flags, payload, ttl):
        et, pkt = wire.ip(src, dst, 6, wire.tcp(src, dst, sport, dport, seq, ack, flags, payload),
                          ttl=ttl, ident=self.rng.getrandbits(16), df=True)
        return wire.ether(dst_mac, src_mac, et, pkt)

    # ---- names -------------------------------------------------------------------------------
    def tld(self, rng, bias=None):
        items = TLDS_WEIGHTED if bias is None else bias
        tot = sum(w for _, w in items)
        x = rng.uniform(0, tot)
        for t, w in items:
            x -= w
            if x <= 0:
                return t
        return items[0][0]

    def label_word(self, rng, tld):
        x = rng.random()
        pool = RU_WORDS + WORDS if tld in ("ru", "su") and rng.random() < 0.6 else WORDS
        if x < 0.30:
            s = rng.choice(pool) + rng.choice(pool)
        elif x < 0.50:
            s = rng.choice(pool) + "-" + rng.choice(pool)
        elif x < 0.65:
            s = rng.choice(pool) + rng.choice(COMMERCE)
        elif x < 0.75:
            s = rng.choice(COMMERCE) + "-" + rng.choice(pool)
        elif x < 0.85:
            s = rng.choice(pool) + str(rng.randrange(2, 999))
        elif x < 0.93:
            s = rng.choice(pool) + rng.choice(pool) + rng.choice(["", "-" + rng.choice(COMMERCE)])
        else:
            n = rng.randint(5, 10)
            s = "".join(rng.choice(string.ascii_lowercase + string.digits * 2) for _ in range(n))
            if s[0].isdigit():
                s = rng.choice(string.ascii_lowercase) + s
        return s[:40]

    def registrable(self, rng, tld=None):
        for _ in range(1000):
            t = tld or self.tld(rng)
            base = self.label_word(rng, t)
            name = base + "." + ("co.uk" if t == "uk" else t)
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name space exhausted")

    def hostnames(self, rng, apex, n):
        subs = rng.sample(SUBDOMAINS, min(n, len(SUBDOMAINS)))
        out = []
        if rng.random() < 0.5:
            out.append(apex)
        for s in subs:
            if len(out) >= n:
                break
            out.append(s + "." + apex)
        return out

    # ---- activity ----------------------------------------------------------------------------
    def window(self, rng, min_len, full_p=0.6):
        span = self.t1 - self.t0
        min_len = min(min_len, span)
        if rng.random() < full_p:
            return self.t0, self.t1
        start = self.t0 + rng.uniform(0, span - min_len)
        end = min(self.t1, start + rng.uniform(min_len, span))
        return start, end

    def rate(self, rng, median, sigma=0.9, lo=0.5, hi=300.0, scale=None):
        """Queries per hour, log-normal around the median (scaled by the profile)."""
        v = median * math.exp(rng.gauss(0, sigma)) * (self.p["rate"] if scale is None else scale)
        return max(lo, min(hi, v))

    def target(self, name, cls, rate, win, qtypes="web", audience=None):
        t = Target(name, cls, rate, win[0], win[1], qtypes, audience)
        self.targets.append(t)
        return t

    # ---- shared infrastructure ---------------------------------------------------------------
    def _static_hosts(self, zone_apex, hosts, asn_or_as, rng, ttl, v6=True):
        a = self.w.by_asn[asn_or_as] if isinstance(asn_or_as, int) else asn_or_as
        for h in hosts:
            s4 = [(self.t0 - 1e6, [self.w.host4(a, rng)])]
            s6 = [(self.t0 - 1e6, [self.w.host6(a, rng)])] if v6 and a.v6 else []
            self.names[h] = StaticNode(ttl, s4, s6)

    def _provider_zone(self, apex, hosts, asn, region, ns_ttl=172800, host_ttl=172800):
        rng = self.rng_for("provider", apex)
        z = self.add_zone(Zone(apex, hosts[:4], ns_ttl, region, neg_ttl=900, full_auth=True))
        self._static_hosts(apex, hosts, asn, rng, host_ttl)
        for h in hosts:
            self.label(h, "benign", "nameserver", apex, "ns-host", host_ttl)
        return z

    def _providers(self):
        """DNS hosting everyone uses (benign and malicious alike), plus the CDN zones."""
        w = self.w
        rng = self.rng_for("providers")
        self.ns_providers = []
        aws = []
        for m in (12, 27, 45, 61):
            for tld in ("com", "net", "org", "co.uk"):
                apex = "awsdns-%02d.%s" % (m, tld)
                hosts = ["ns-%d.%s" % (rng.randrange(0, 2048), apex) for _ in range(3)]
                self._provider_zone(apex, hosts, 16509, "NA")
                aws.append(hosts)
        self.ns_providers.append(("route53", lambda r: [r.choice(aws[i * 4 + j]) for i, j in
                                                        ((r.randrange(4), k) for k in range(4))]))
        cf_hosts = ["%s.ns.cloudflare.com" % n for n in
                    ("amir", "bonnie", "chad", "dana", "elle", "fred", "gina", "hank", "iris",
                     "jack", "kara", "lee", "mia", "noah", "olga", "pete")]
        self._provider_zone("cloudflare.com", cf_hosts, 13335, "NA", ns_ttl=86400, host_ttl=86400)
        self.ns_providers.append(("cloudflare", lambda r: sorted(r.sample(cf_hosts, 2))))
        gd = ["ns%02d.domaincontrol.com" % n for n in range(1, 80)]
        self._provider_zone("domaincontrol.com", gd, 44273, "NA", ns_ttl=3600, host_ttl=3600)
        self.ns_providers.append(("godaddy", lambda r: (lambda n: [gd[n], gd[n + 1]])(
            r.randrange(0, 78, 2))))
        hostus = w.kind("hosting")
        rs = ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
        self._provider_zone("registrar-servers.com", rs, hostus[6], "NA", ns_ttl=1800, host_ttl=1800)
        self.ns_providers.append(("namecheap", lambda r: list(rs)))
        small = []
        for i in range(6):
            apex = self.registrable(rng, rng.choice(["net", "com", "ru", "de", "org"]))
            hosts = ["ns1." + apex, "ns2." + apex, "ns3." + apex][:rng.choice([2, 3])]
            hp = rng.choice(hostus)
            self._provider_zone(apex, hosts, hp, hp.region if hp.region in REGIONS else "EU",
                                ns_ttl=rng.choice([3600, 86400]), host_ttl=rng.choice([3600, 86400]))
            small.append(hosts)
        self.ns_providers.append(("small", lambda r: list(r.choice(small))))
        # CDN zones
        self._provider_zone("akamaiedge.net", ["n%ddscb.akamaiedge.net" % i for i in range(4)],
                            20940, "EU", ns_ttl=4000, host_ttl=4000)
        self._provider_zone("edgekey.net", ["ns1.edgekey.net", "ns2.edgekey.net"], 20940, "NA")
        self._provider_zone("edgesuite.net", ["ns1.edgesuite.net", "ns2.edgesuite.net"], 16625, "NA")
        self._provider_zone("akamai.net", ["n0dscb.akamai.net", "n1dscb.akamai.net"], 16625, "NA",
                            ns_ttl=4000, host_ttl=4000)
        self._provider_zone("cloudfront.net", ["ns-%d.awsdns-%02d.net" % (rng.randrange(2048), 61)
                                               for _ in range(1)] + aws[13][:1], 16509, "NA")
        self._provider_zone("fastly.net", ["ns1.fastly.net", "ns2.fastly.net"], 54113, "NA")
        self._provider_zone("azureedge.net", ["ns1.azureedge.net", "ns2.azureedge.net"], 8075, "NA")
        self._provider_zone("t-msedge.net", ["ns1.t-msedge.net", "ns2.t-msedge.net"], 8075, "NA",
                            ns_ttl=3600, host_ttl=3600)
        self._provider_zone("cloudflare.net", ["ns1.cloudflare.net", "ns2.cloudflare.net"], 13335,
                            "NA", ns_ttl=86400, host_ttl=86400)
        self._provider_zone("amazonaws.com", aws[0][:2] + aws[5][:2], 16509, "NA", ns_ttl=86400)
        for p in DYN_PROVIDERS:
            hp = rng.choice(hostus)
            self._provider_zone(p, ["ns1." + p, "ns2." + p, "ns3." + p], hp, "NA" if
                                hp.region not in REGIONS else hp.region, ns_ttl=rng.choice([600, 3600]),
                                host_ttl=3600)
        # NTP pool: ntp.org delegates pool.ntp.org to the ntpns.org servers
        hu = w.kind("university")
        self._provider_zone("ntpns.org", ["%s.ntpns.org" % c for c in "abcdefgh"], hu[1], "NA",
                            ns_ttl=86400, host_ttl=86400)
        self._provider_zone("ntp.org", ["ns1.ntp.org", "ns2.ntp.org"], hu[2], "NA")
        self.add_zone(Zone("pool.ntp.org", ["%s.ntpns.org" % c for c in "abcdefgh"][:rng.choice([4, 6])],
                           3600, "NA", neg_ttl=3600, full_auth=True))

    def ns_for(self, rng, apex, kind, stable_as=None):
        """NS host list for a new zone: a hosting provider or its own nameservers."""
        x = rng.random()
        if kind == "own" or (kind is None and x < 0.25):
            hosts = ["ns1." + apex, "ns2." + apex]
            a = stable_as or rng.choice(self.w.kind("hosting"))
            self._static_hosts(apex, hosts, a, rng, rng.choice([3600, 86400, 172800]))
            for h in hosts:
                self.label(h, "benign", "nameserver", apex, "ns-host", 3600)
            return hosts
        name, fn = rng.choice(self.ns_providers)
        return fn(rng)

    # ---- classes ------------------------------------------------------------------------------
    def _addr_as(self, rng, kinds):
        k = rng.choice(kinds)
        if not isinstance(k, (int, str)):
            return k
        if isinstance(k, int):
            return self.w.by_asn[k]
        return rng.choice(self.w.kind(k))

    def build_benign(self, n):
        rng = self.rng_for("benign")
        made = 0
        while made < n:
            tld = self.tld(rng)
            apex = self.registrable(rng, tld)
            ns = self.ns_for(rng, apex, None)
            ttl = rng.choice(TTL_BENIGN)
            z = self.add_zone(Zone(apex, ns, rng.choice([3600, 86400, 172800, 300, 1800]),
                                   rng.choice(REGIONS), neg_ttl=rng.choice([300, 900, 3600]),
                                   full_auth=rng.random() < 0.7))
            host_as = self._addr_as(rng, ["hosting"] * 5 + [16509, 14618, 396982, 24940, 16276,
                                                            14061, "university", "residential"])
            k = 1 if rng.random() < 0.7 else 2
            base4 = [self.w.host4(host_as, rng) for _ in range(k)]
            base6 = [self.w.host6(host_as, rng) for _ in range(k)] if rng.random() < 0.35 and host_as.v6 else []
            names = self.hostnames(rng, apex, rng.choice([1, 1, 1, 2, 2, 3, 4]))
            if apex not in names and rng.random() < 0.5:
                names.append(apex)
            popular = rng.random() < 0.1
            for nm in names:
                if made >= n:
                    break
                sl = "static"
                own = rng.random() < 0.25 and nm != apex
                a4 = [self.w.host4(host_as, rng)] if own else list(base4)
                a6 = list(base6) if not own else []
                s4 = [(self.t0 - 1e6, a4)]
                s6 = [(self.t0 - 1e6, a6)] if a6 else []
                nt = ttl if rng.random() < 0.8 else rng.choice(TTL_BENIGN)
                if rng.random() < 0.06:
                    # the site moves once during the capture (new hosting, maybe a new ASN)
                    t_m = rng.uniform(self.t0 + 600, self.t1 - 600)
                    na = self._addr_as(rng, ["hosting", 16509, 24940, host_as])
                    s4.append((t_m, [self.w.host4(na, rng) for _ in a4]))
                    if a6 and na.v6:
                        s6.append((t_m, [self.w.host6(na, rng) for _ in a6]))
                    sl = "migrated"
                if nm.startswith("www.") and apex in names and rng.random() < 0.3:
                    self.names[nm] = CnameNode(apex, nt)
                    sl = "cname"
                else:
                    self.names[nm] = StaticNode(nt, s4, s6)
                self.label(nm, "benign", sl, apex, "query", nt)
                self.target(nm, "benign", self.rate(rng, 40 if popular else 4, 1.1),
                            self.window(rng, 1800, 0.85))
                made += 1
            # NXDOMAIN typos under real zones, a bit of noise every network has
            if rng.random() < 0.08:
                bad = rng.choice(["wpad", "autodiscover", "_dmarc", "isatap", "old", "test"]) + "." + apex
                self.label(bad, "benign", "nxdomain", apex, "noise", 0)
                self.target(bad, "benign", self.rate(rng, 3), self.window(rng, 1800), "a")

    def build_dyn(self, n):
        rng = self.rng_for("dyn")
        res = self.w.kind("residential") + self.w.kind("mobile")
        for i in range(n):
            if rng.random() < 0.8:
                prov = rng.choice(DYN_PROVIDERS)
                name = None
                while name is None or name in self.used:
                    name = self.label_word(rng, "com").replace("-", "") + \
                        rng.choice(["", "", str(rng.randrange(10, 99))]) + "." + prov
                self.used.add(name)
                ttl = rng.choice([60, 60, 60, 60, 30, 120])
            else:
                apex = self.registrable(rng, rng.choice(["de", "net", "org", "com", "co.uk"]))
                ns = self.ns_for(rng, apex, None)
                self.add_zone(Zone(apex, ns, 3600, "EU", neg_ttl=600))
                name = rng.choice(["home", "nas", "vpn", "cam", "router", "cloud"]) + "." + apex
                ttl = rng.choice([60, 60, 120, 300])
            isp = rng.choice(res)
            s4 = [(self.t0 - 1e5, [self.w.host4(isp, rng)])]
            t = self.t0 + rng.expovariate(1 / (8 * 3600.0))
            while t < self.t1:
                s4.append((t, [self.w.host4(isp, rng, rng.choice(isp.v4).net)]))
                t += rng.expovariate(1 / (10 * 3600.0))
            s6 = [(self.t0 - 1e5, [self.w.host6(isp, rng, residential=True)])] if rng.random() < 0.25 else []
            self.names[name] = StaticNode(ttl, s4, s6)
            self.label(name, "dynamic-dns", "renumbered" if len(s4) > 1 else "stable",
                       name.split(".", 1)[1], "query", ttl)
            aud = self.audience(rng, rng.randint(2, 12))
            self.target(name, "dynamic-dns", self.rate(rng, 6, 0.8, lo=1), self.window(rng, 3600, 0.8),
                        "a", aud)

    def build_rr(self, n):
        rng = self.rng_for("rr")
        for i in range(n):
            elb = rng.random() < 0.25
            if elb:
                reg = rng.choice(["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-1",
                                  "us-west-2"])
                name = "%s-%d.%s.elb.amazonaws.com" % (
                    self.label_word(rng, "com").replace(".", "")[:20], rng.randrange(10**9, 10**10), reg)
                a = self.w.by_asn[rng.choice([16509, 14618])]
                fam = "amazonaws.com"
            else:
                apex = self.registrable(rng)
                ns = self.ns_for(rng, apex, None)
                self.add_zone(Zone(apex, ns, rng.choice([3600, 86400]), rng.choice(REGIONS),
                                   neg_ttl=900))
                name = rng.choice(["api", "www", "app", "mx", "gw", "edge", "lb", "ftp", "time",
                                   "download"]) + "." + apex
                a = self._addr_as(rng, ["hosting", "hosting", "university", 24940, 16276, 14061,
                                        15169, "bulletproof"])
                fam = apex
            net = rng.choice(a.v4).net
            # a /24 (sometimes two) inside the provider's block
            base = int(net.network_address) + (rng.randrange(net.num_addresses >> 8) << 8)
            size = rng.randint(2, 8)
            hosts = sorted(rng.sample(range(2, 254), size))
            pool4 = [str(ipaddress.IPv4Address(base + h)) for h in hosts]
            if rng.random() < 0.2 and net.num_addresses > 512:
                base2 = base ^ 0x100
                pool4 = pool4[: size // 2 + 1] + [str(ipaddress.IPv4Address(base2 + h))
                                                   for h in hosts[size // 2 + 1:]]
            pool6 = [self.w.host6(a, rng) for _ in range(min(size, 4))] if rng.random() < 0.3 and a.v6 else []
            mode = "rotate" if rng.random() < 0.55 else "subset"
            k = rng.randint(1, max(1, size - 1))
            ttl = rng.choice(TTL_RR)
            self.names[name] = PoolRRNode(ttl, pool4, pool6, mode, k, self.rng_for("rrnode", name))
            self.label(name, "round-robin", mode, fam, "query", ttl)
            self.target(name, "round-robin", self.rate(rng, 12, 1.0), self.window(rng, 1800, 0.85))

    def _edge_clusters(self, asn, rng, per=10, v6=True, nclusters=2):
        """The clusters a CDN maps this hostname to, per region: a couple of nearby clusters,
        each with a bounded set of edge servers (so the addresses recur)."""
        out = {}
        for reg, pops in self.w.cdn_pops[asn].items():
            lst = []
            for (c24, c48, cc, city) in rng.sample(pops, min(nclusters, len(pops))):
                h4 = [str(c24.network_address + x) for x in rng.sample(range(2, 254), per)]
                h6 = [str(c48.network_address + rng.randrange(1, 1 << 16)) for _ in range(per // 2)] \
                    if (c48 is not None and v6) else []
                lst.append((h4, h6))
            out[reg] = lst
        return out

    def cdn_chain(self, rng, name, style, fam, cls):
        """Point `name` into a CDN in the given style; returns the (first) CNAME target."""
        lab = lambda n, ttl: self.label(n, cls, style, fam, "cname-target", ttl)
        brand = fam.split(".")[0].replace("-", "")
        if style == "akamai-edgekey":
            t1 = name + ".edgekey.net"
            t2 = "e%d.%s.akamaiedge.net" % (rng.randrange(1000, 99999), rng.choice(["a", "b", "dscx", "dscb", "g"]))
            self.names[t1] = CnameNode(t2, rng.choice([300, 3600, 21600]))
            self.names[t2] = EdgeNode(20, self._edge_clusters(20940, rng, 10), (1, 2), (1, 2),
                                      self.rng_for("edge", t2))
            lab(t1, 21600)
            lab(t2, 20)
            return t1, 21600
        if style == "akamai-edgesuite":
            t1 = name + ".edgesuite.net"
            t2 = "a%d.%s.akamai.net" % (rng.randrange(1, 1999), rng.choice(["dscb", "dscd", "g", "w10"]))
            self.names[t1] = CnameNode(t2, 21600)
            self.names[t2] = EdgeNode(20, self._edge_clusters(16625, rng, 8), (2, 2), (2, 2),
                                      self.rng_for("edge", t2))
            lab(t1, 21600)
            lab(t2, 20)
            return t1, rng.choice([300, 3600, 21600])
        if style == "cloudfront":
            t1 = "d%s.cloudfront.net" % "".join(rng.choice(string.ascii_lowercase + string.digits)
                                                 for _ in range(13))
            self.names[t1] = EdgeNode(60, self._edge_clusters(16509, rng, 16), (4, 8), (4, 8),
                                      self.rng_for("edge", t1), sticky=0.9)
            lab(t1, 60)
            return t1, rng.choice([60, 300, 3600])
        if style == "fastly":
            t1 = rng.choice(["%s.map.fastly.net", "dualstack.%s.map.fastly.net", "%s.global.ssl.fastly.net"]) % brand[:30]
            if t1 not in self.names:
                self.names[t1] = EdgeNode(30, self._edge_clusters(54113, rng, 8), (1, 4), (1, 4),
                                          self.rng_for("edge", t1), sticky=0.85)
            lab(t1, 30)
            return t1, rng.choice([300, 3600])
        if style == "azure":
            t1 = "%s.azureedge.net" % brand[:40]
            t2 = "%s.afd.azureedge.net" % brand[:40]
            t3 = "part-%04d.t-%04d.t-msedge.net" % (rng.randrange(1, 60), rng.randrange(1, 20))
            self.names[t1] = CnameNode(t2, 3600)
            self.names[t2] = CnameNode(t3, 60)
            if t3 not in self.names:
                self.names[t3] = EdgeNode(60, self._edge_clusters(8075, rng, 6), (1, 2), (1, 2),
                                          self.rng_for("edge", t3), sticky=0.8)
            lab(t1, 3600)
            lab(t2, 60)
            lab(t3, 60)
            return t1, 3600
        if style == "cloudflare-cname":
            t1 = name + ".cdn.cloudflare.net"
            cf = self.w.by_asn[13335]
            a4 = [self.w.host4(cf, rng, cf.v4[0].net), self.w.host4(cf, rng, cf.v4[1].net)]
            a6 = [self.w.host6(cf, rng) for _ in range(2)]
            self.names[t1] = StaticNode(300, [(self.t0 - 1e5, a4)], [(self.t0 - 1e5, a6)])
            lab(t1, 300)
            return t1, 300
        raise ValueError(style)

    CDN_STYLES = ["akamai-edgekey", "akamai-edgesuite", "cloudfront", "fastly", "azure",
                  "cloudflare-cname", "cloudflare-proxied", "cdn-direct"]

    def build_cdn(self, n):
        rng = self.rng_for("cdn")
        made = 0
        while made < n:
            style = rng.choice(self.CDN_STYLES)
            if style == "cdn-direct":
                # the CDN hostname itself is what clients ask for (embedded assets)
                s = rng.choice(["cloudfront", "akamai-edgekey", "fastly"])
                fam = self.registrable(rng)
                t1, _ = self.cdn_chain(rng, "static." + fam, s, fam, "cdn")
                self.labels[t1] = ("cdn", "cdn-direct", fam, "query", self.labels[t1][4])
                self.target(t1, "cdn", self.rate(rng, 25, 1.0), self.window(rng, 1800, 0.9))
                made += 1
                continue
            apex = self.registrable(rng)
            proxied = style == "cloudflare-proxied"
            ns = self.ns_for(rng, apex, None) if not proxied else self.ns_providers[1][1](rng)
            self.add_zone(Zone(apex, ns, rng.choice([3600, 86400, 172800]), rng.choice(REGIONS),
                               neg_ttl=rng.choice([300, 3600])))
            names = self.hostnames(rng, apex, rng.choice([1, 2, 2, 3]))
            popular = rng.random() < 0.35
            for nm in names:
                if made >= n:
                    break
                if proxied:
                    cf = self.w.by_asn[13335]
                    a4 = [self.w.host4(cf, rng, cf.v4[0].net), self.w.host4(cf, rng, cf.v4[1].net)]
                    a6 = [self.w.host6(cf, rng) for _ in range(2)]
                    self.names[nm] = StaticNode(300, [(self.t0 - 1e5, a4)], [(self.t0 - 1e5, a6)])
                    ttl = 300
                elif nm == apex:
                    # an apex cannot be a CNAME: it points at the CDN by ALIAS-style flattening
                    cf_style = rng.choice(["cloudfront", "akamai-edgekey"])
                    t1, _ = self.cdn_chain(rng, "apex." + apex, cf_style, apex, "cdn")
                    node = self.names[t1]
                    while isinstance(node, CnameNode):
                        node = self.names[node.target]
                    self.names[nm] = node
                    ttl = node.ttl
                    self.label(nm, "cdn", "apex-flattened", apex, "query", ttl)
                else:
                    t1, cttl = self.cdn_chain(rng, nm, style, apex, "cdn")
                    self.names[nm] = CnameNode(t1, cttl)
                    ttl = 20 if "akamai" in style else 60
                self.label(nm, "cdn", style, apex, "query", ttl)
                self.target(nm, "cdn", self.rate(rng, 30 if popular else 8, 1.0),
                            self.window(rng, 1800, 0.9))
                made += 1

    def build_mcdn(self, n):
        rng = self.rng_for("mcdn")
        for i in range(n):
            apex = self.registrable(rng)
            ns = self.ns_for(rng, apex, None)
            self.add_zone(Zone(apex, ns, 3600, rng.choice(REGIONS), neg_ttl=300))
            nm = rng.choice(["www", "cdn", "static", "media", "assets", "img"]) + "." + apex
            s1, s2 = rng.sample(["akamai-edgekey", "cloudfront", "fastly", "akamai-edgesuite",
                                 "azure"], 2)
            t1, _ = self.cdn_chain(rng, nm, s1, apex, "multi-cdn")
            t2, _ = self.cdn_chain(rng, nm + "-b" if s2.startswith("akamai") else nm, s2, apex,
                                   "multi-cdn")
            ttl = rng.choice([30, 60, 60, 120, 300])
            self.names[nm] = SteeringNode(nm, [t1, t2], ttl, self.rng_for("steer", nm))
            self.label(nm, "multi-cdn", s1 + "+" + s2, apex, "query", 60)
            self.target(nm, "multi-cdn", self.rate(rng, 40, 0.8), self.window(rng, 1800, 0.9))

    def build_pool(self, n):
        rng = self.rng_for("pool")
        w = self.w
        servers = []
        kinds = ["residential"] * 3 + ["hosting"] * 4 + ["university"] * 2 + [24940, 16276, 14061]
        for i in range(self.p["volunteers"]):
            a = self._addr_as(rng, kinds)
            v4 = w.host4(a, rng)
            v6 = w.host6(a, rng) if a.v6 and rng.random() < 0.45 else None
            cc = self._country_of(a, v4)
            servers.append((v4, v6, cc, COUNTRIES[cc][0]))
        by_cc, by_reg = {}, {}
        for s in servers:
            by_cc.setdefault(s[2], []).append(s)
            by_reg.setdefault(s[3], []).append(s)
        geo = {}
        for reg in REGIONS:
            near = [s for s in servers if s[3] == reg] or servers
            geo[reg] = ([s[0] for s in near], [s[1] for s in near if s[1]])
        names = ["pool.ntp.org"] + ["%d.pool.ntp.org" % i for i in range(4)]
        for v in NTP_VENDORS:
            names += ["%d.%s.pool.ntp.org" % (i, v) for i in range(4)]
        ccs = sorted(by_cc, key=lambda c: -len(by_cc[c]))
        for cc in ccs:
            names += ["%s.pool.ntp.org" % cc.lower()] + ["%d.%s.pool.ntp.org" % (i, cc.lower())
                                                         for i in range(4)]
        for cont in NTP_CONTINENTS:
            names += ["%s.pool.ntp.org" % cont] + ["%d.%s.pool.ntp.org" % (i, cont) for i in range(4)]
        # the global and vendor names always; then a sample of country and continent zones
        fixed = names[:5 + 4 * len(NTP_VENDORS)]
        rest = names[len(fixed):]
        chosen = fixed[: max(5, min(len(fixed), n // 2))] + rng.sample(rest, max(0, min(len(rest), n - min(len(fixed), max(5, n // 2)))))
        for nm in chosen:
            parts = nm.split(".")
            v6 = parts[0] == "2"
            scope = parts[1] if parts[0].isdigit() else parts[0]
            r = self.rng_for("poolnode", nm)
            if scope in ("pool",) or scope in NTP_VENDORS:
                node = VolunteerPoolNode(150, [], [], r, by_region=geo if not v6 else
                                         {k: (v[0], v[1]) for k, v in geo.items()})
                if not v6:
                    node.by_region = {k: (v[0], []) for k, v in geo.items()}
            elif scope in NTP_CONTINENTS:
                reg = NTP_CONTINENTS[scope]
                near = by_reg.get(reg) or servers
                node = VolunteerPoolNode(150, [s[0] for s in near], [s[1] for s in near if s[1] and v6], r)
            else:
                near = by_cc.get(scope.upper(), [])
                if len(near) < 4:
                    near = near + by_reg.get(COUNTRIES[scope.upper()][0], servers)
                node = VolunteerPoolNode(150, [s[0] for s in near], [s[1] for s in near if s[1] and v6], r)
            self.names[nm] = node
            kind = ("global" if scope == "pool" else scope if scope in NTP_VENDORS else
                    "continent" if scope in NTP_CONTINENTS else "country")
            self.label(nm, "pool", kind, "pool.ntp.org", "query", 150)
            self.target(nm, "pool", self.rate(rng, 10, 0.9, lo=2), self.window(rng, 3600, 0.9), "a")

    def _country_of(self, a, addr):
        ip = ipaddress.ip_address(addr)
        for n in a.v4 + a.v6:
            if ip in n.net:
                best = None
                for (s, cc, city, lat, lon) in n.rows:
                    if ip in s and (best is None or s.prefixlen > best[0]):
                        best = (s.prefixlen, cc)
                if best:
                    return best[1]
        return a.country

    # ---- flux --------------------------------------------------------------------------------
    def botnet(self, rng, name, size, v6share=0.35):
        w = self.w
        res = w.kind("residential") + w.kind("mobile")
        host = w.kind("hosting")
        # most botnets lean on a handful of countries, with a long tail
        hot = rng.sample(res, rng.randint(4, 10))
        bots = []
        seen = set()
        while len(bots) < size:
            x = rng.random()
            a = rng.choice(hot) if x < 0.5 else (rng.choice(res) if x < 0.85 else rng.choice(host))
            v4 = w.host4(a, rng)
            if v4 in seen:
                continue
            seen.add(v4)
            v6 = w.host6(a, rng, residential=a.kind != "hosting") if a.v6 and rng.random() < v6share else None
            bots.append((v4, v6, rng.uniform(0.35, 0.95)))
        return Botnet(name, bots)

    def bp_pool(self, rng, name):
        w = self.w
        ases = rng.sample(w.kind("bulletproof"), rng.randint(1, 3))
        size = rng.randint(110, 420)
        bots = []
        seen = set()
        nets = []
        for a in ases:
            for n in a.v4:
                for _ in range(rng.randint(8, 30)):
                    nets.append((a, int(n.net.network_address) + (rng.randrange(n.net.num_addresses >> 8) << 8)))
        while len(bots) < size:
            a, base = rng.choice(nets)
            v4 = str(ipaddress.IPv4Address(base + rng.randrange(2, 254)))
            if v4 in seen:
                continue
            seen.add(v4)
            v6 = w.host6(a, rng) if rng.random() < 0.3 else None
            bots.append((v4, v6, rng.uniform(0.8, 1.0)))
        return Botnet(name, bots)

    def audience(self, rng, k):
        return rng.sample(self.clients, min(k, len(self.clients)))

    def _flux_zone(self, rng, apex, double, bn, family, ns_apex=None):
        """Zone of a flux domain: stable NS (single flux) or rotating NS with fluxing glue."""
        if not double:
            kind = "own" if rng.random() < 0.35 else None
            stable = rng.choice(self.w.kind("bulletproof") + self.w.kind("hosting"))
            ns = self.ns_for(rng, apex, kind, stable)
            return self.add_zone(Zone(apex, ns, rng.choice([3600, 86400, 172800, 600]),
                                      rng.choice(REGIONS), neg_ttl=rng.choice([300, 600, 3600]),
                                      full_auth=rng.random() < 0.7))
        host_apex = ns_apex or apex
        pfx = rng.choice(["ns", "dns", "ns", "a.ns", "srv"])
        pool = ["%s%d.%s" % (pfx, i, host_apex) for i in range(1, rng.randint(5, 14))]
        if rng.random() < 0.4:
            pool = ["%s.%s" % (self.label_word(rng, "com").split("-")[0][:12], host_apex)
                    for _ in range(rng.randint(5, 12))]
            pool = sorted(set(pool))
        ns_ttl = rng.choice([60, 120, 180, 300, 300, 600, 900])
        rot = ns_ttl * rng.uniform(0.8, 2.5)
        m = rng.randint(2, min(4, len(pool) - 1))
        glue_ttl = rng.choice([60, 120, 180, 300])
        for h in pool:
            if h not in self.names:
                self.names[h] = FluxNode(h, glue_ttl, bn, 1, rng.choice([1, 1, 2]), rng,
                                         mode="period", period=glue_ttl * rng.uniform(0.8, 2.0))
                self.label(h, "flux-ns", "ns-host", family, "ns-host", glue_ttl)

        def ns_fn(t, pool=pool, apex=apex, m=m, rot=rot):
            return sorted(auth.period_rng(apex, "ns", int(t // rot)).sample(pool, m))
        return self.add_zone(Zone(apex, pool[:m], ns_ttl, rng.choice(REGIONS), neg_ttl=ns_ttl,
                                  parent_ttl=None, full_auth=True, ns_fn=ns_fn))

    def build_flux(self, n, double, slice_="classic"):
        tag = "double" if double else "single"
        rng = self.rng_for("flux", tag, slice_)
        made = 0
        fam_i = 0
        cls = "double-flux" if double else "single-flux"
        while made < n:
            fam_i += 1
            family = "%s-%s-%d" % (tag, slice_, fam_i)
            if slice_ == "bulletproof":
                bn = self.bp_pool(rng, family)
            else:
                bn = self.botnet(rng, family, rng.randint(150, 3000),
                                 0.9 if slice_ == "ipv6-only" else 0.35)
            regs = [self.registrable(rng) for _ in range(rng.choice([1, 1, 2, 3]))]
            ns_apex = None
            if double and rng.random() < 0.4:
                ns_apex = self.registrable(rng)
                self._flux_zone(rng, ns_apex, True, bn, family)
            use = "c2" if rng.random() < 0.5 else "lure"
            aud_size = rng.randint(6, 40) if use == "c2" else rng.randint(10, 80)
            for apex in regs:
                self._flux_zone(rng, apex, double, bn, family, ns_apex)
                names = self.hostnames(rng, apex, rng.choice([1, 2, 2, 3, 4, 5]))
                for nm in names:
                    if made >= n:
                        break
                    if slice_ == "low-slow":
                        ttl = rng.choice([1800, 1800, 1800, 1200, 2400])
                        kmin = kmax = 1
                    else:
                        ttl = rng.choice(TTL_FLUX)
                        kmin = rng.randint(1, 5)
                        kmax = rng.randint(kmin, 10)
                    mode = "fetch" if rng.random() < 0.6 else "period"
                    period = ttl * rng.uniform(0.5, 3.0)
                    v6 = slice_ == "ipv6-only" or rng.random() < 0.1
                    v4 = slice_ != "ipv6-only"
                    self.names[nm] = FluxNode(nm, ttl, bn, kmin, kmax, self.rng_for("flux", nm),
                                              mode, period, v4=v4, v6=v6)
                    self.label(nm, cls, slice_, family, "query", ttl)
                    min_len = max(1800, 6 * ttl) if slice_ != "low-slow" else 5 * ttl
                    # C2 names are polled by every bot that uses them (many queries per TTL);
                    # lure names (phishing, spam landing pages) are visited now and then
                    fr = self.p["flux_rate"]
                    if slice_ == "low-slow":
                        rate = self.rate(rng, 10, 0.5, lo=3, scale=1.0)
                    elif use == "c2":
                        rate = self.rate(rng, 90, 0.6, lo=10, scale=fr)
                    else:
                        rate = self.rate(rng, 20, 0.7, lo=4, scale=fr)
                    tg = self.target(nm, cls, rate, self.window(rng, min_len, 0.5),
                                     "v6only" if slice_ == "ipv6-only" else "web",
                                     self.audience(rng, aud_size))
                    tg.min_events = 6
                    made += 1

    # ---- clients and resolvers ---------------------------------------------------------------
    def build_network(self):
        rng = self.rng_for("network")
        w = self.w
        self.resolvers = []
        for i, reg in enumerate(REGIONS):
            home = w.home[reg]
            net = home.v4[0].net
            a4 = str(net.network_address + 53 + 256 * (i + 1))
            a6 = str(home.v6[0].net.network_address + 0x53)
            mac = bytes([0x52, 0x54, 0x00, 0x10, 0x00, 0x53 + i])
            self.resolvers.append(Resolver(self, "res-" + reg.lower(), reg, a4, a6, mac,
                                           minimal=(reg == "AP")))
        homes = [w.home[reg] for reg in REGIONS]
        if self.sparse:
            homes += self._extra_resolvers()
        self.clients = []
        for i in range(self.p["clients"]):
            c = Client()
            if self.sparse:
                ri = rng.choices(range(len(self.resolvers)),
                                 weights=[5, 3, 2, 3, 2][:len(self.resolvers)])[0]
            else:
                ri = rng.choices(range(3), weights=[5, 3, 2])[0]
            c.res = ri
            home = homes[ri]
            c.addr4 = str(ipaddress.IPv4Address((100 << 24) | (64 + ri) << 16 | rng.randrange(1, 65535)))
            c.addr6 = w.host6(home, rng, residential=True) if rng.random() < 0.35 else None
            c.edns = rng.choice([1232, 1232, 4096, 1400, 512]) if rng.random() < 0.9 else None
            c.tcp = rng.random() < 0.03
            c.dual = rng.random() < 0.55
            c.browser = rng.random() < 0.3
            c.ittl = rng.choice([64, 64, 128]) - rng.randint(1, 4)
            c.v6pref = 0.6
            c.weight = math.exp(rng.gauss(0, 1.0))
            self.clients.append(c)
        self.cum_weights = []
        s = 0.0
        for c in self.clients:
            s += c.weight
            self.cum_weights.append(s)

    def build(self):
        p = self.p
        self.build_network()
        self.build_benign(p["benign"])
        self.build_dyn(p["dyn"])
        self.build_rr(p["rr"])
        self.build_cdn(p["cdn"])
        self.build_mcdn(p["mcdn"])
        self.build_pool(p["pool"])
        self.build_flux(p["single"], False)
        self.build_flux(p["double"], True)
        self.build_flux(p["bulletproof"], False, "bulletproof")
        self.build_flux(p["lowslow"], False, "low-slow")
        self.build_flux(p["v6only"], False, "ipv6-only")
        if self.sparse:
            self.build_sparse_extras()
        rng = self.rng_for("noise")
        # browsers probing for DNS hijacking (random single labels, NXDOMAIN from the root)
        for i in range(max(3, p["clients"] // 60)):
            nm = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(7, 15)))
            self.label(nm, "benign", "probe", "-", "noise", 0)
            self.target(nm, "benign", 1.0, (self.t0, self.t1), "a")

    # ---- traffic -----------------------------------------------------------------------------
    def events(self):
        if self.sparse:
            return self.sparse_events()
        rng = self.rng_for("events")
        ev = []
        for ti, tg in enumerate(self.targets):
            lam = tg.rate / 3600.0
            t = tg.start + rng.expovariate(lam)
            phase = rng.uniform(0, 2 * math.pi)
            n = 0
            while t < tg.end:
                # gentle diurnal-ish modulation by thinning
                if rng.random() < 0.75 + 0.25 * math.sin(phase + (t - self.t0) / 7200.0):
                    ev.append((t, ti))
                    n += 1
                t += rng.expovariate(lam)
            while n < tg.min_events:
                # every labelled name is in the capture at least once, every flux name a few
                # times (a name seen once has no behaviour to judge)
                ev.append((rng.uniform(tg.start, tg.end), ti))
                n += 1
        ev.sort()
        return ev

    def qtypes(self, tg, c, rng):
        if tg.qtypes == "v6only":
            return ["A", "AAAA"] if rng.random() < 0.5 else ["AAAA"]
        out = ["A"]
        if c.dual:
            out.append("AAAA")
        if tg.qtypes == "web" and c.browser and rng.random() < 0.7:
            out.append("HTTPS")
        return out

    def run(self, truth_path=None):
        self.build()
        ev = self.events()
        rng = self.rng_for("run")
        n_q = 0
        for t, ti in ev:
            self.cap.drain(t)
            self.up.drain(t)
            tg = self.targets[ti]
            if tg.audience:
                c = tg.audience[rng.randrange(len(tg.audience))]
            else:
                c = rng.choices(self.clients, cum_weights=self.cum_weights)[0]
            res = self.resolvers[c.res]
            qts = self.qtypes(tg, c, rng)
            v6 = c.addr6 is not None and rng.random() < c.v6pref
            if c.tcp:
                self.tcp_exchange(t, c, res, [(tg.name, q) for q in qts], v6, rng)
            else:
                tq = t
                for q in qts:
                    self.udp_exchange(tq, c, res, tg.name, q, v6, rng)
                    tq += rng.uniform(0.0001, 0.003)
            n_q += len(qts)
            if rng.random() < 0.006:
                z = self.zone_of(tg.name)
                if z is not None:
                    self.udp_exchange(t + 0.01, c, res, z.apex, "NS", v6, rng)
        n_client = self.cap.close()
        n_up = self.up.close()
        return len(ev), n_q, n_client, n_up

    def _answer_msg(self, res, c, name, qtype, t, ident, limit, tcp):
        rcode, an, ns, ar, delay = res.respond(name, qtype, t, limit)
        edns = (c.edns and min(c.edns, 1232)) or None
        msg = wire.message(ident, name, qtype, qr=True, ra=True, rcode=rcode, an=an, ns=ns, ar=ar,
                           edns=edns)
        tc = False
        if not tcp and len(msg) > limit:
            msg = wire.message(ident, name, qtype, qr=True, ra=True, rcode=rcode, an=an, ns=ns,
                               edns=edns)
            if len(msg) > limit:
                msg = wire.message(ident, name, qtype, qr=True, ra=True, rcode=rcode, an=an,
                                   edns=edns)
            if len(msg) > limit:
                msg = wire.message(ident, name, qtype, qr=True, ra=True, tc=True, rcode=rcode,
                                   edns=edns)
                tc = True
        addrs = [r[3] for r in an if r[1] in ("A", "AAAA")]
        ttl = min((r[2] for r in an if r[1] in ("A", "AAAA")), default=-1)
        return msg, delay, tc, rcode, addrs, ttl

    def _truth(self, t, res, c, name, qtype, rcode, addrs, ttl, tcp):
        row = (round(t, 6), res.name, name, qtype, rcode, len(addrs), ttl, "tcp" if tcp else "udp")
        if self.sparse:
            # the sparse profile also records the answer addresses (distinct per name)
            row += (" ".join(addrs),)
        self.truth.append(row)

    def udp_exchange(self, t, c, res, name, qtype, v6, rng):
        ident = rng.getrandbits(16)
        sport = rng.randrange(32768, 61000)
        src = c.addr6 if v6 else c.addr4
        dst = res.addr6 if v6 else res.addr4
        q = wire.message(ident, name, qtype, edns=c.edns)
        self.cap.put(t, self.frame(self.gw_mac, res.mac, src, dst, sport, 53, q, c.ittl))
        limit = c.edns or 512
        msg, delay, tc, rcode, addrs, ttl = self._answer_msg(res, c, name, qtype, t, ident, limit, False)
        tr = t + delay + rng.uniform(0.00005, 0.0006)
        self.cap.put(tr, self.frame(res.mac, self.gw_mac, dst, src, 53, sport, msg, 64))
        if tc:
            self.tcp_exchange(tr + rng.uniform(0.0005, 0.003), c, res, [(name, qtype)], v6, rng)
        else:
            self._truth(tr, res, c, name, qtype, rcode, addrs, ttl, False)

    def tcp_exchange(self, t, c, res, queries, v6, rng):
        src = c.addr6 if v6 else c.addr4
        dst = res.addr6 if v6 else res.addr4
        sport = rng.randrange(32768, 61000)
        lrtt = rng.uniform(0.0003, 0.004)
        cs, ss = rng.getrandbits(32), rng.getrandbits(32)
        put, gw, rm = self.cap.put, self.gw_mac, res.mac
        put(t, self.tframe(gw, rm, src, dst, sport, 53, cs, 0, "S", b"", c.ittl))
        put(t + lrtt, self.tframe(rm, gw, dst, src, 53, sport, ss, cs + 1, "SA", b"", 64))
        t2 = t + lrtt * 2
        put(t2, self.tframe(gw, rm, src, dst, sport, 53, cs + 1, ss + 1, "A", b"", c.ittl))
        idents = [rng.getrandbits(16) for _ in queries]
        data = b"".join(_lp(wire.message(i, n, q, edns=c.edns)) for i, (n, q) in zip(idents, queries))
        cseq = cs + 1
        put(t2 + 0.00005, self.tframe(gw, rm, src, dst, sport, 53, cseq, ss + 1, "PA", data, c.ittl))
        cseq += len(data)
        sseq = ss + 1
        tr = t2
        for i, (n, q) in zip(idents, queries):
            msg, delay, _, rcode, addrs, ttl = self._answer_msg(res, c, n, q, t2, i, 65535, True)
            tr = max(tr, t2 + delay) + rng.uniform(0.00005, 0.0005)
            seg = _lp(msg)
            if rng.random() < 0.1:
                # the two-byte length on its own, then the message (seen from some stacks)
                put(tr, self.tframe(rm, gw, dst, src, 53, sport, sseq, cseq, "PA", seg[:2], 64))
                put(tr + 0.00002, self.tframe(rm, gw, dst, src, 53, sport, sseq + 2, cseq, "PA", seg[2:], 64))
            else:
                put(tr, self.tframe(rm, gw, dst, src, 53, sport, sseq, cseq, "PA", seg, 64))
            sseq += len(seg)
            self._truth(tr, res, c, n, q, rcode, addrs, ttl, True)
        t3 = tr + lrtt
        put(t3, self.tframe(gw, rm, src, dst, sport, 53, cseq, sseq, "FA", b"", c.ittl))
        put(t3 + lrtt, self.tframe(rm, gw, dst, src, 53, sport, sseq, cseq + 1, "FA", b"", 64))
        put(t3 + 2 * lrtt, self.tframe(gw, rm, src, dst, sport, 53, cseq + 1, sseq + 1, "A", b"", c.ittl))

    # ---- outputs -----------------------------------------------------------------------------
    def label_zones(self):
        """Zone apexes appear as NS owners (authority sections, NS queries) even when nobody
        asks for their addresses: label them with the class of the names they hold."""
        by_zone = {}
        for name, (cls, sl, fam, role, ttl) in sorted(self.labels.items()):
            if role in ("query", "cname-target"):
                z = self.zone_of(name)
                if z is not None:
                    by_zone.setdefault(z.apex, (cls, fam))
        for apex in sorted(self.zones):
            if apex in self.labels:
                continue
            cls, fam = by_zone.get(apex, ("benign", apex))
            if cls == "flux-ns":
                cls = "double-flux"
            if cls not in ("single-flux", "double-flux"):
                fam = apex
            self.label(apex, cls, "zone", fam, "zone", self.zones[apex].ns_ttl)

    def write_labels(self, path):
        self.label_zones()
        rows = sorted(self.labels.items())
        with open(path + ".tmp", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["domain", "class", "slice", "family", "role", "ttl"])
            for name, (cls, sl, fam, role, ttl) in rows:
                w.writerow([name, cls, sl, fam, role, ttl])
        _rename(path)

    def write_truth(self, path):
        import gzip
        import io
        with open(path + ".tmp", "wb") as raw, \
                gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, \
                io.TextIOWrapper(gz, newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["ts", "resolver", "qname", "qtype", "rcode", "n_addr", "ttl", "transport"]
                       + (["addrs"] if self.sparse else []))
            for row in self.truth:
                w.writerow(row)
        _rename(path)

    def write_geo_source(self, path):
        with open(path + ".tmp", "w") as f:
            f.write("# fluxscope demo GeoIP source, written by samples/fluxgen (world seed %d).\n"
                    "# Synthetic: invented networks and organisations, plus well-known CDN/cloud\n"
                    "# prefixes with their real ASNs. Not real-world attribution. Columns:\n"
                    "# network<TAB>asn<TAB>as_org<TAB>country<TAB>country_name<TAB>continent<TAB>city<TAB>"
                    "latitude<TAB>longitude\n"
                    "# build_epoch %d\n" % (self.w_seed(), int(START) - 2 * 86400))
            for (net, asn, org, cc, city, lat, lon) in self.w.geo_rows():
                f.write("%s\t%d\t%s\t%s\t%s\t%s\t%s\t%.4f\t%.4f\n" % (
                    net, asn, org, cc, COUNTRY_NAMES[cc], CONTINENT[cc], city, lat, lon))
        _rename(path)

    def w_seed(self):
        from .world import WORLD_SEED
        return WORLD_SEED


def _lp(msg):
    return len(msg).to_bytes(2, "big") + msg


def _rename(path):
    import os
    os.replace(path + ".tmp", path)
