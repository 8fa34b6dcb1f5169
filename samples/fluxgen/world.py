"""The synthetic Internet the samples live in: countries and cities, autonomous systems with
their prefixes, and the word lists names are made from.

The world is built from its own fixed seed (WORLD_SEED), independent of the traffic seed, so the
committed demo GeoIP databases cover every capture the generator writes, whatever --seed says.
Real CDN, cloud and DNS-hosting networks keep their real ASNs, organisations and well-known
prefixes (a detector's list of CDN networks must work on the demo as it would in the field);
every other network (residential ISPs, hosting, bulletproof hosting, universities) is invented:
public-looking ASNs and prefixes from the address blocks of the right regional registry, with
invented organisation names. None of it is real-world attribution.
"""

import ipaddress
import random

WORLD_SEED = 20250403  # the advisory AA25-093A date; changing it changes the demo databases

# country -> (region, corporate suffix, [(city, lat, lon), ...])
COUNTRIES = {
    "DE": ("EU", "GmbH", [("Berlin", 52.5200, 13.4050), ("Frankfurt am Main", 50.1109, 8.6821),
                          ("Munich", 48.1351, 11.5820), ("Hamburg", 53.5511, 9.9937),
                          ("Cologne", 50.9375, 6.9603)]),
    "NL": ("EU", "B.V.", [("Amsterdam", 52.3676, 4.9041), ("Rotterdam", 51.9244, 4.4777),
                          ("Utrecht", 52.0907, 5.1214)]),
    "FR": ("EU", "SAS", [("Paris", 48.8566, 2.3522), ("Marseille", 43.2965, 5.3698),
                         ("Lyon", 45.7640, 4.8357), ("Roubaix", 50.6942, 3.1746)]),
    "GB": ("EU", "Ltd", [("London", 51.5074, -0.1278), ("Manchester", 53.4808, -2.2426),
                         ("Birmingham", 52.4862, -1.8904)]),
    "PL": ("EU", "Sp. z o.o.", [("Warsaw", 52.2297, 21.0122), ("Krakow", 50.0647, 19.9450)]),
    "IT": ("EU", "S.p.A.", [("Milan", 45.4642, 9.1900), ("Rome", 41.9028, 12.4964)]),
    "ES": ("EU", "S.L.", [("Madrid", 40.4168, -3.7038), ("Barcelona", 41.3874, 2.1686)]),
    "SE": ("EU", "AB", [("Stockholm", 59.3293, 18.0686), ("Gothenburg", 57.7089, 11.9746)]),
    "RO": ("EU", "SRL", [("Bucharest", 44.4268, 26.1025), ("Cluj-Napoca", 46.7712, 23.6236)]),
    "UA": ("EU", "LLC", [("Kyiv", 50.4501, 30.5234), ("Kharkiv", 49.9935, 36.2304),
                         ("Odesa", 46.4825, 30.7233)]),
    "RU": ("EU", "LLC", [("Moscow", 55.7558, 37.6173), ("Saint Petersburg", 59.9311, 30.3609),
                         ("Novosibirsk", 55.0084, 82.9357), ("Yekaterinburg", 56.8389, 60.6057)]),
    "TR": ("EU", "A.S.", [("Istanbul", 41.0082, 28.9784), ("Ankara", 39.9334, 32.8597)]),
    "CZ": ("EU", "s.r.o.", [("Prague", 50.0755, 14.4378), ("Brno", 49.1951, 16.6068)]),
    "BG": ("EU", "EOOD", [("Sofia", 42.6977, 23.3219), ("Plovdiv", 42.1354, 24.7453)]),
    "MD": ("EU", "SRL", [("Chisinau", 47.0105, 28.8638)]),
    "LT": ("EU", "UAB", [("Vilnius", 54.6872, 25.2797)]),
    "US": ("NA", "Inc.", [("Ashburn", 39.0438, -77.4874), ("New York", 40.7128, -74.0060),
                          ("Chicago", 41.8781, -87.6298), ("Dallas", 32.7767, -96.7970),
                          ("Los Angeles", 34.0522, -118.2437), ("Seattle", 47.6062, -122.3321),
                          ("Miami", 25.7617, -80.1918), ("Atlanta", 33.7490, -84.3880)]),
    "CA": ("NA", "Inc.", [("Toronto", 43.6532, -79.3832), ("Montreal", 45.5017, -73.5673),
                          ("Vancouver", 49.2827, -123.1207)]),
    "MX": ("NA", "S.A. de C.V.", [("Mexico City", 19.4326, -99.1332), ("Monterrey", 25.6866, -100.3161)]),
    "PA": ("NA", "S.A.", [("Panama City", 8.9824, -79.5199)]),
    "BZ": ("NA", "Ltd", [("Belize City", 17.5046, -88.1962)]),
    "BR": ("SA", "Ltda", [("Sao Paulo", -23.5505, -46.6333), ("Rio de Janeiro", -22.9068, -43.1729),
                          ("Fortaleza", -3.7319, -38.5267)]),
    "AR": ("SA", "S.A.", [("Buenos Aires", -34.6037, -58.3816), ("Cordoba", -31.4201, -64.1888)]),
    "CL": ("SA", "SpA", [("Santiago", -33.4489, -70.6693)]),
    "CO": ("SA", "S.A.S.", [("Bogota", 4.7110, -74.0721), ("Medellin", 6.2442, -75.5812)]),
    "SG": ("AP", "Pte Ltd", [("Singapore", 1.3521, 103.8198)]),
    "JP": ("AP", "K.K.", [("Tokyo", 35.6762, 139.6503), ("Osaka", 34.6937, 135.5023)]),
    "HK": ("AP", "Limited", [("Hong Kong", 22.3193, 114.1694)]),
    "IN": ("AP", "Pvt Ltd", [("Mumbai", 19.0760, 72.8777), ("Delhi", 28.7041, 77.1025),
                             ("Bengaluru", 12.9716, 77.5946), ("Chennai", 13.0827, 80.2707)]),
    "AU": ("AP", "Pty Ltd", [("Sydney", -33.8688, 151.2093), ("Melbourne", -37.8136, 144.9631)]),
    "KR": ("AP", "Co., Ltd.", [("Seoul", 37.5665, 126.9780), ("Busan", 35.1796, 129.0756)]),
    "VN": ("AP", "JSC", [("Hanoi", 21.0278, 105.8342), ("Ho Chi Minh City", 10.8231, 106.6297)]),
    "TH": ("AP", "Co., Ltd.", [("Bangkok", 13.7563, 100.5018)]),
    "ID": ("AP", "Tbk", [("Jakarta", -6.2088, 106.8456), ("Surabaya", -7.2575, 112.7521)]),
    "PH": ("AP", "Inc.", [("Manila", 14.5995, 120.9842), ("Cebu City", 10.3157, 123.8854)]),
    "CN": ("AP", "Co., Ltd.", [("Beijing", 39.9042, 116.4074), ("Shanghai", 31.2304, 121.4737),
                               ("Guangzhou", 23.1291, 113.2644)]),
    "TW": ("AP", "Co., Ltd.", [("Taipei", 25.0330, 121.5654)]),
    "PK": ("AP", "Pvt Ltd", [("Karachi", 24.8607, 67.0011), ("Lahore", 31.5204, 74.3587)]),
    "KZ": ("AP", "JSC", [("Almaty", 43.2220, 76.8512), ("Astana", 51.1605, 71.4704)]),
    "ZA": ("AF", "(Pty) Ltd", [("Johannesburg", -26.2041, 28.0473), ("Cape Town", -33.9249, 18.4241)]),
    "EG": ("AF", "S.A.E.", [("Cairo", 30.0444, 31.2357), ("Alexandria", 31.2001, 29.9187)]),
    "NG": ("AF", "Limited", [("Lagos", 6.5244, 3.3792), ("Abuja", 9.0765, 7.3986)]),
    "KE": ("AF", "Limited", [("Nairobi", -1.2921, 36.8219)]),
    "SC": ("AF", "Ltd", [("Victoria", -4.6191, 55.4513)]),
    "IR": ("ME", "PJSC", [("Tehran", 35.6892, 51.3890), ("Mashhad", 36.2605, 59.6168)]),
    "AE": ("ME", "FZ-LLC", [("Dubai", 25.2048, 55.2708)]),
    "IL": ("ME", "Ltd", [("Tel Aviv", 32.0853, 34.7818)]),
}

COUNTRY_NAMES = {
    "DE": "Germany", "NL": "Netherlands", "FR": "France", "GB": "United Kingdom", "PL": "Poland",
    "IT": "Italy", "ES": "Spain", "SE": "Sweden", "RO": "Romania", "UA": "Ukraine", "RU": "Russia",
    "TR": "Turkey", "CZ": "Czechia", "BG": "Bulgaria", "MD": "Moldova", "LT": "Lithuania",
    "US": "United States", "CA": "Canada", "MX": "Mexico", "PA": "Panama", "BZ": "Belize",
    "BR": "Brazil", "AR": "Argentina", "CL": "Chile", "CO": "Colombia", "SG": "Singapore",
    "JP": "Japan", "HK": "Hong Kong", "IN": "India", "AU": "Australia", "KR": "South Korea",
    "VN": "Vietnam", "TH": "Thailand", "ID": "Indonesia", "PH": "Philippines", "CN": "China",
    "TW": "Taiwan", "PK": "Pakistan", "KZ": "Kazakhstan", "ZA": "South Africa", "EG": "Egypt",
    "NG": "Nigeria", "KE": "Kenya", "SC": "Seychelles", "IR": "Iran", "AE": "United Arab Emirates",
    "IL": "Israel",
}
# MaxMind continent codes
CONTINENT = {cc: {"EU": "EU", "NA": "NA", "SA": "SA", "AF": "AF", "ME": "AS", "AP": "AS"}[v[0]]
             for cc, v in COUNTRIES.items()}
CONTINENT.update({"AU": "OC", "RU": "EU", "KZ": "AS", "EG": "AF"})

# Regions the resolvers (and so the CDN and pool GeoDNS answers) are in, and the countries
# each region's GeoDNS maps to.
REGIONS = ("EU", "NA", "AP")
REGION_NEAR = {"EU": ("EU", "ME", "AF"), "NA": ("NA", "SA"), "AP": ("AP",)}

# Registry blocks by region (first octets that regional registries hand out), used to make the
# invented networks look like they belong where their country is.
V4_OCTETS = {
    "EU": [5, 31, 37, 46, 62, 77, 79, 80, 81, 82, 83, 84, 85, 86, 87, 89, 91, 92, 93, 94, 95,
           109, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217],
    "ME": [5, 31, 37, 46, 79, 85, 91, 94, 176, 185, 188, 217],
    "NA": [24, 50, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 107,
           108, 162, 164, 165, 166, 168, 170, 173, 174, 184, 199, 204, 206, 207, 208, 209, 216],
    "SA": [177, 179, 181, 186, 187, 189, 190, 191, 200, 201],
    "AP": [1, 14, 27, 36, 39, 42, 43, 49, 58, 59, 60, 61, 101, 103, 106, 110, 111, 112, 113, 114,
           115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 175, 180, 182, 183, 202, 203,
           210, 211, 218, 219, 220, 221, 222],
    "AF": [41, 102, 105, 154, 196, 197],
}
V6_PREFIX = {"EU": ["2a0{}", "2a1{}", "2001:6{}"], "ME": ["2a0{}"], "NA": ["260{}", "2602"],
             "SA": ["280{}"], "AP": ["240{}", "2001:e{}"], "AF": ["2c0f", "2001:4{}"]}
ASN_RANGES = {
    "EU": [(3200, 9100), (12300, 35800), (39000, 62000), (196600, 213000)],
    "ME": [(42000, 58000), (197000, 212000)],
    "NA": [(6000, 11900), (13000, 33000), (393000, 401000)],
    "SA": [(27600, 28700), (52000, 53400), (262000, 270000)],
    "AP": [(4600, 4860), (9200, 10200), (17400, 18400), (45000, 46000), (131000, 141000)],
    "AF": [(36800, 37700), (327600, 329000)],
}

# Real networks (ASN, organisation, kind, IPv4 prefixes, IPv6 prefixes). Geography for the CDN
# ones is spread over edge cities; the rest sit in the country given.
REAL = [
    (13335, "CLOUDFLARENET", "cdn", ["104.16.0.0/13", "172.64.0.0/13", "173.245.48.0/20"],
     ["2606:4700::/32"], "US"),
    (54113, "FASTLY", "cdn", ["151.101.0.0/16", "146.75.0.0/17"], ["2a04:4e42::/32"], "US"),
    (20940, "Akamai International B.V.", "cdn", ["23.32.0.0/11", "23.192.0.0/11", "2.16.0.0/13"],
     ["2a02:26f0::/29"], "NL"),
    (16625, "AKAMAI-AS", "cdn", ["23.0.0.0/12", "184.24.0.0/13"], ["2600:1400::/24"], "US"),
    (16509, "AMAZON-02", "cloud", ["13.32.0.0/15", "18.64.0.0/14", "3.64.0.0/12", "52.192.0.0/11"],
     ["2600:9000::/28", "2a05:d000::/25"], "US"),
    (14618, "AMAZON-AES", "cloud", ["54.144.0.0/12", "3.208.0.0/12"], ["2600:1f00::/24"], "US"),
    (8075, "MICROSOFT-CORP-MSN-AS-BLOCK", "cdn", ["13.107.0.0/16", "20.32.0.0/11"],
     ["2620:1ec::/36"], "US"),
    (15169, "GOOGLE", "cloud", ["142.250.0.0/15", "172.217.0.0/16"], ["2607:f8b0::/32"], "US"),
    (396982, "GOOGLE-CLOUD-PLATFORM", "cloud", ["34.64.0.0/10"], ["2600:1900::/28"], "US"),
    (24940, "Hetzner Online GmbH", "hosting", ["88.198.0.0/16", "78.46.0.0/15", "95.216.0.0/16"],
     ["2a01:4f8::/32"], "DE"),
    (16276, "OVH SAS", "hosting", ["51.68.0.0/16", "51.75.0.0/16", "54.36.0.0/16"],
     ["2001:41d0::/32"], "FR"),
    (14061, "DIGITALOCEAN-ASN", "hosting", ["159.89.0.0/16", "167.99.0.0/16", "164.90.0.0/16"],
     ["2a03:b0c0::/32"], "US"),
    (44273, "GoDaddy.com, LLC", "dns", ["97.74.0.0/16", "173.201.0.0/16"], ["2603:5:2100::/40"], "US"),
]

# Where CDN edges are, per provider: (region, country, city) lists.
CDN_EDGES = {
    20940: [("EU", "DE", "Frankfurt am Main"), ("EU", "NL", "Amsterdam"), ("EU", "GB", "London"),
            ("EU", "FR", "Paris"), ("EU", "SE", "Stockholm"), ("EU", "PL", "Warsaw"),
            ("NA", "US", "Ashburn"), ("NA", "US", "New York"), ("NA", "US", "Dallas"),
            ("NA", "US", "Los Angeles"), ("NA", "CA", "Toronto"),
            ("AP", "SG", "Singapore"), ("AP", "JP", "Tokyo"), ("AP", "HK", "Hong Kong"),
            ("AP", "IN", "Mumbai"), ("AP", "AU", "Sydney")],
    16625: [("EU", "DE", "Munich"), ("EU", "GB", "Manchester"), ("NA", "US", "Chicago"),
            ("NA", "US", "Seattle"), ("AP", "JP", "Osaka"), ("AP", "KR", "Seoul")],
    16509: [("EU", "DE", "Frankfurt am Main"), ("EU", "GB", "London"), ("EU", "FR", "Paris"),
            ("EU", "NL", "Amsterdam"), ("NA", "US", "Ashburn"), ("NA", "US", "Seattle"),
            ("NA", "US", "Atlanta"), ("AP", "SG", "Singapore"), ("AP", "JP", "Tokyo"),
            ("AP", "IN", "Chennai")],
    54113: [("EU", "DE", "Frankfurt am Main"), ("EU", "GB", "London"), ("EU", "NL", "Amsterdam"),
            ("NA", "US", "Ashburn"), ("NA", "US", "Chicago"), ("NA", "US", "Los Angeles"),
            ("AP", "SG", "Singapore"), ("AP", "JP", "Tokyo")],
    8075: [("EU", "NL", "Amsterdam"), ("EU", "GB", "London"),
           ("NA", "US", "Ashburn"), ("NA", "US", "Chicago"), ("AP", "SG", "Singapore"),
           ("AP", "HK", "Hong Kong")],
}

WORDS = """
able acorn active adapt agile alpine amber anchor angel apex apple arc arctic arrow ash aspen
atlas atom aura autumn azure badge bakery bamboo banner barn basil bay beacon bear bee berry
birch bison blade blaze bloom blue boat bold bolt bond boost border bottle boulder bow brave
bread breeze brick bridge bright brook buffalo bunny butter cabin cactus cake calm camel camp
canal candle canyon capital captain cargo carrot castle cedar cell chalk charm chef cherry chess
cider circle city clay clever cliff cloud clover coast cobalt coffee comet compass coral corner
cosmic cotton craft crane creek crest crisp crown crystal cube cyber daily daisy dawn delta
desert dial diamond digit dingo dock dolphin dome dragon dream drift drum eagle earth echo edge
elm ember emerald engine epic equal falcon farm feather fern fiber field fig finch fire fjord
flame flash fleet flint flora focus forest forge fox frame fresh frost fruit galaxy garden gate
gem giant ginger glacier glass globe gold grain granite grape green grove gull harbor harvest
hawk hazel heart hedge helix hero hill hive honey horizon hub hunter ice indigo iris iron island
ivory jade jasmine jet jewel jolly journey jungle karma kayak kettle key kind kite koala lab lake
lamp lantern lark laser lava leaf legend lemon level light lilac lime linen lion lotus lucky
lunar magnet mango maple marble market matrix meadow melon mesa meteor metro mint mirror mist
moon moss motion mountain nectar neon nest nimble noble nomad north nova oak oasis ocean olive
omega onyx opal orange orbit orchid otter owl palm panda paper path peak pearl pebble pepper
phoenix pilot pine pioneer pixel planet plum polar pond poppy prairie prime prism pulse quartz
quest quick radar rain ranch raven reef ridge river robin rocket rose ruby sage sail salmon
sand sapphire scout sea shadow shell shore sierra silk silver sky slate smart snow solar sonic
spark spice spirit spring spruce square star stone storm stream summit sun swan swift tango
terra thunder tiger timber titan topaz torch tower trail tree tribe tulip tundra turbo twin
unity urban valley vapor vector velvet venture violet vista vivid volt voyage walnut wave
willow wind wing winter wolf wonder zen zephyr zinc
""".split()

COMMERCE = """
shop store market deals outlet buy sale price trade bazaar mart depot supply goods express
pharma meds health care clinic loan credit bank pay wallet crypto coin token finance invest
secure login account verify update support service help cloud host net web online digital
media news tv stream video game play bet casino lotto win prize bonus gift
""".split()

RU_WORDS = """
mir dom zoloto tovar novosti kupit skidka magazin tsena dengi bank kredit zdorovie apteka
sever vostok zvezda luch sila volna reka les gorod sad more
""".split()

TLDS_WEIGHTED = [("com", 42), ("net", 10), ("org", 6), ("ru", 7), ("xyz", 5), ("top", 5),
                 ("info", 4), ("io", 3), ("de", 3), ("online", 2), ("site", 2), ("shop", 2),
                 ("cc", 2), ("co", 2), ("su", 1), ("biz", 1), ("club", 1), ("pw", 1), ("uk", 1)]

SUBDOMAINS = ["www", "m", "api", "cdn", "img", "static", "mail", "login", "secure", "shop",
              "app", "portal", "account", "update", "get", "my", "dl", "news", "blog", "auth",
              "id", "pay", "support", "files", "web", "online", "go", "service"]

ISP_WORDS = ["Nord", "Sky", "Star", "Blue", "Green", "Alpha", "Vega", "Orion", "Delta", "Nova",
             "Terra", "Unity", "Metro", "Pulse", "Swift", "Bright", "Apex", "Zenith", "Comet",
             "Aurora", "Polar", "Vertex", "Quantum", "Prime", "Summit", "Horizon", "Stellar",
             "Atlas", "Titan", "Lumen", "Coral", "Falcon", "Eagle", "Condor", "Kestrel", "Vista"]
RES_KINDS = ["Telecom", "Broadband", "Cable", "Fiber", "Net", "Communications", "Telekom",
             "Online", "Connect", "Networks"]
HOST_KINDS = ["Hosting", "Host", "Datacenter", "Cloud Servers", "VPS", "Server Solutions",
              "Colocation", "Data Systems", "Web Services", "IT Solutions"]


class Network:
    """One prefix of one AS, split into geo rows (sub-prefixes with a city each)."""
    __slots__ = ("net", "asn", "rows")

    def __init__(self, net, asn):
        self.net = net
        self.asn = asn
        self.rows = []   # (sub-network, country, city, lat, lon)


class AS:
    __slots__ = ("asn", "org", "kind", "country", "region", "v4", "v6", "real")

    def __init__(self, asn, org, kind, country, real=False):
        self.asn = asn
        self.org = org
        self.kind = kind      # residential mobile hosting bulletproof university cloud cdn dns isp
        self.country = country
        self.region = COUNTRIES[country][0]
        self.v4 = []          # Network
        self.v6 = []
        self.real = real


def city_of(cc, name):
    for c in COUNTRIES[cc][2]:
        if c[0] == name:
            return c
    return COUNTRIES[cc][2][0]


class World:
    def __init__(self, seed=WORLD_SEED):
        self.rng = random.Random(seed)
        self.ases = []
        self.by_asn = {}
        self.by_kind = {}
        self.used4 = []
        self.used6 = []
        self.cdn_pops = {}   # asn -> region -> [(ipv4 /24 network, ipv6 /48 or None, cc, city)]
        self._build()

    # ---- allocation -----------------------------------------------------------------------
    def _free4(self, net):
        return not any(net.overlaps(u) for u in self.used4)

    def _alloc4(self, region, plen):
        r = self.rng
        for _ in range(2000):
            o1 = r.choice(V4_OCTETS[region])
            o2 = r.randrange(0, 256)
            base = (o1 << 24) | (o2 << 16)
            if plen > 16:
                base |= r.randrange(0, 1 << (plen - 16)) << (32 - plen)
            net = ipaddress.IPv4Network((base, plen))
            if net.is_private or net.is_reserved or net.is_multicast or not net.is_global:
                continue
            if self._free4(net):
                self.used4.append(net)
                return net
        raise RuntimeError("address plan exhausted")

    def _alloc6(self, region):
        r = self.rng
        for _ in range(2000):
            pat = r.choice(V6_PREFIX[region])
            head = pat.format(r.randrange(0, 10)) if "{}" in pat else pat
            parts = head.split(":")
            if len(parts) == 1:
                txt = "%s:%04x::/32" % (parts[0], r.randrange(0x100, 0xffff))
            else:
                txt = "%s:%s%02x::/32" % (parts[0], parts[1], r.randrange(0, 256))
                if len(parts[1]) + 2 > 4:
                    continue
            net = ipaddress.IPv6Network(txt)
            if not any(net.overlaps(u) for u in self.used6):
                self.used6.append(net)
                return net
        raise RuntimeError("IPv6 plan exhausted")

    def _asn(self, region):
        r = self.rng
        while True:
            lo, hi = r.choice(ASN_RANGES[region])
            n = r.randrange(lo, hi)
            if n not in self.by_asn and not 64496 <= n <= 65535:
                return n

    def _add(self, a):
        self.ases.append(a)
        self.by_asn[a.asn] = a
        self.by_kind.setdefault(a.kind, []).append(a)

    def _geo_split(self, a, net, cities, parts):
        """Split net into `parts` equal sub-networks, each placed in one of cities."""
        n = Network(net, a.asn)
        bits = max(0, (parts - 1).bit_length())
        subs = list(net.subnets(prefixlen_diff=bits)) if bits else [net]
        for i, s in enumerate(subs):
            cc, (city, lat, lon) = cities[i % len(cities)]
            n.rows.append((s, cc, city, lat, lon))
        return n

    def _org_name(self, kind, cc):
        r = self.rng
        form = COUNTRIES[cc][1]
        w = r.choice(ISP_WORDS)
        if kind in ("residential", "mobile", "isp"):
            if kind == "mobile":
                k = r.choice(["Mobile", "Wireless", "Cellular"])
            else:
                k = r.choice(RES_KINDS)
            if r.random() < 0.3:
                w = COUNTRIES[cc][2][0][0].split()[0]
            return "%s %s %s" % (w, k, form)
        if kind == "university":
            city = r.choice(COUNTRIES[cc][2])[0]
            return r.choice(["University of %s", "%s Technical University", "%s Research Network"]) % city
        return "%s %s %s" % (w + r.choice(["", "", "Net", "Line", "Byte"]), r.choice(HOST_KINDS), form)

    def _synthetic(self, kind, cc, n4=1, plen=16, cities=None, v6=True):
        region = COUNTRIES[cc][0]
        asn = self._asn(region)
        org = self._org_name(kind, cc)
        while any(x.org == org for x in self.ases):
            org = self._org_name(kind, cc)
        a = AS(asn, org, kind, cc)
        if cities is None:
            cities = [(cc, c) for c in COUNTRIES[cc][2]]
        for _ in range(n4):
            net = self._alloc4(region, plen)
            a.v4.append(self._geo_split(a, net, cities, 8 if plen <= 16 else 2))
        if v6:
            net6 = self._alloc6(region)
            a.v6.append(self._geo_split(a, net6, cities, 8))
        self._add(a)
        return a

    def _build(self):
        r = self.rng
        for asn, org, kind, p4, p6, cc in REAL:
            a = AS(asn, org, kind, cc, real=True)
            for p in p4:
                net = ipaddress.IPv4Network(p)
                self.used4.append(net)
                a.v4.append(Network(net, asn))
            for p in p6:
                net = ipaddress.IPv6Network(p)
                self.used6.append(net)
                a.v6.append(Network(net, asn))
            self._add(a)
        # Geography of the real networks: CDN prefixes are cut into per-city edge blocks,
        # the rest sit in their home country (first city), cloud regions in a few.
        for a in list(self.ases):
            edges = CDN_EDGES.get(a.asn)
            if edges:
                self._place_edges(a, edges)
            else:
                cities = [(a.country, c) for c in COUNTRIES[a.country][2][:3]]
                for n in a.v4 + a.v6:
                    n.rows = self._geo_split(a, n.net, cities, 4).rows
        # The three ISPs whose resolvers the captures watch.
        self.home = {}
        for reg, cc in (("EU", "DE"), ("NA", "US"), ("AP", "SG")):
            self.home[reg] = self._synthetic("isp", cc, n4=1)
        # Residential and mobile access networks, weighted towards populous countries.
        heavy = {"US": 4, "DE": 3, "BR": 3, "IN": 4, "RU": 3, "CN": 3, "FR": 2, "GB": 2, "JP": 2,
                 "ID": 2, "VN": 2, "TR": 2, "UA": 2, "MX": 2, "IT": 2, "PL": 2, "KR": 2, "EG": 2}
        for cc in COUNTRIES:
            if cc in ("SC", "BZ", "PA"):
                continue
            for _ in range(heavy.get(cc, 1)):
                self._synthetic("residential", cc, n4=r.choice([1, 1, 2]))
            if cc in heavy or r.random() < 0.3:
                self._synthetic("mobile", cc, n4=1)
        # Hosting providers (ordinary VPS and dedicated hosting).
        for cc in ["DE", "DE", "NL", "NL", "FR", "GB", "US", "US", "US", "RU", "RU", "UA", "SG",
                   "HK", "BG", "RO", "TR", "LT", "SE", "PL", "CZ", "BR", "IN", "JP", "CA", "MD",
                   "KZ", "VN", "ZA", "IR"]:
            self._synthetic("hosting", cc, n4=1, plen=r.choice([16, 17, 18]),
                            cities=[(cc, r.choice(COUNTRIES[cc][2]))])
        # Bulletproof hosting: few ASNs, many addresses, sometimes registered offshore.
        for cc in ["RU", "NL", "MD", "SC", "UA", "BG", "HK", "PA", "BZ"]:
            self._synthetic("bulletproof", cc, n4=r.choice([1, 2]), plen=16,
                            cities=[(cc, r.choice(COUNTRIES[cc][2]))])
        # Universities and research networks (NTP volunteers, some benign sites).
        for cc in ["DE", "US", "US", "GB", "FR", "NL", "SE", "JP", "AU", "BR", "CA", "IT", "CZ",
                   "PL", "KR", "ZA", "IN"]:
            self._synthetic("university", cc, n4=1, plen=16)
        # TLD registry operators (the upstream capture's referral servers).
        self.registry = self._synthetic("registry", "US", n4=1, plen=18,
                                        cities=[("US", city_of("US", "Ashburn"))])
        self.registry.org = "Registry Services " + COUNTRIES["US"][1]

    def _place_edges(self, a, edges):
        """Give each edge city a /20 (IPv4) and a /40 (IPv6) of the CDN and remember a few
        /24 (/48) clusters per city that answers are drawn from."""
        r = self.rng
        pops = self.cdn_pops.setdefault(a.asn, {})
        v4_subs = []
        for n in a.v4:
            v4_subs.extend(n.net.subnets(new_prefix=20))
        v6_subs = []
        for n in a.v6:
            v6_subs.extend(list(n.net.subnets(new_prefix=40))[:64])
        r.shuffle(v4_subs)
        r.shuffle(v6_subs)
        home = {id(n): n for n in a.v4 + a.v6}
        used = []
        for i, (reg, cc, city) in enumerate(edges):
            c = city_of(cc, city)
            for k in range(2):   # two /20 per edge city
                s4 = v4_subs[2 * i + k]
                s6 = v6_subs[2 * i + k] if v6_subs else None
                used.append((s4, cc, c))
                if s6 is not None:
                    used.append((s6, cc, c))
                for j in range(2):
                    c24 = list(s4.subnets(new_prefix=24))[r.randrange(16)]
                    c48 = list(s6.subnets(new_prefix=48))[r.randrange(256)] if s6 else None
                    pops.setdefault(reg, []).append((c24, c48, cc, city))
        # Rows: the edge blocks with their cities; the rest of each prefix in the home country.
        for net, cc, (city, lat, lon) in used:
            for n in home.values():
                if net.version == n.net.version and net.subnet_of(n.net):
                    n.rows.append((net, cc, city, lat, lon))
        hc = COUNTRIES[a.country][2][0]
        for n in home.values():
            n.rows.append((n.net, a.country, hc[0], hc[1], hc[2]))

    # ---- queries ------------------------------------------------------------------------------
    def kind(self, k):
        return self.by_kind.get(k, [])

    def host4(self, a, rng, net=None):
        n = net if net is not None else rng.choice(a.v4).net
        size = n.num_addresses
        while True:
            off = rng.randrange(1, size - 1)
            ip = n.network_address + off
            last = int(ip) & 0xff
            if 0 < last < 255:
                return str(ip)

    def host6(self, a, rng, net=None, residential=False):
        n = net if net is not None else rng.choice(a.v6).net
        if residential:
            # a customer /56 and a privacy-style interface identifier
            sub = rng.getrandbits(n.max_prefixlen - n.prefixlen - 64) << 64
            iid = rng.getrandbits(64) | (1 << 57)
            return str(n.network_address + (sub | iid))
        sub = rng.getrandbits(16) << 64
        return str(n.network_address + (sub | rng.randrange(1, 0x400)))

    def geo_rows(self):
        """(network, asn, org, country, city, lat, lon) for every mapped network, with the
        most specific rows last so that they win when the tree is written in order."""
        rows = []
        for a in self.ases:
            for n in a.v4 + a.v6:
                for (s, cc, city, lat, lon) in n.rows:
                    rows.append((s, a.asn, a.org, cc, city, lat, lon))
        rows.sort(key=lambda x: (x[0].version, x[0].prefixlen, int(x[0].network_address)))
        return rows
