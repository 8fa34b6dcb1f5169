#!/usr/bin/env python3
"""Check what `fluxscope --lookup` prints against the reference tools, field by field.

  enrich_oracle.py mmdb   ADDRS JSONL DB... [-- JSONL DB...]...   every field vs `mmdblookup -v`
  enrich_oracle.py libloc ADDRS JSONL DB     asn/as_org/country/network vs `location lookup`
  enrich_oracle.py rows dump|report OUT ADDRS JSONL   rows of --dump / --report --json output
                                             (checked for consistency) for the modes above

ADDRS has one address per line, FLUXSCOPE_JSONL the JSON lines fluxscope printed for them (in
order). For several MaxMind-format databases the expected values follow the precedence that
include/fluxscope/enrich.h documents: ASN from the first ASN-kind database (then "other") that
has a number, country/city/coordinates from the first non-ASN database (City, Country, other)
that has any of them, the network of the ASN record if there is one, else of the geo record.
IPv4-mapped addresses are looked up as IPv4 (fluxscope's documented normalisation).
Exit status 0 when everything agrees; each disagreement is printed.
"""
import ipaddress
import json
import subprocess
import sys


_memo = {}


def mmdb_record(db, addr):
    """Parse `mmdblookup -v`: metadata type, record prefix length and the record (a dict)."""
    if (db, addr) not in _memo:
        _memo[(db, addr)] = _mmdb_record(db, addr)
    return _memo[(db, addr)]


def _mmdb_record(db, addr):
    p = subprocess.run(["mmdblookup", "-v", "-f", db, "-i", addr], capture_output=True,
                       text=True, errors="replace")
    meta_type, prefix, found = None, None, p.returncode == 0
    lines = p.stdout.splitlines()
    body = []
    for ln in lines:
        s = ln.strip()
        if s.startswith("Type:"):
            meta_type = s[len("Type:"):].strip()
        elif s.startswith("Record prefix length:"):
            prefix = int(s.split(":")[1])
        elif meta_type is not None and prefix is not None:
            body.append(ln)
    if not found or "Could not find an entry" in p.stdout + p.stderr:
        return meta_type, prefix, None
    return meta_type, prefix, parse_body(body)


def parse_body(lines):
    """mmdblookup prints one token per line: {, }, [, ], "key": or `value <type>`."""
    toks = [ln.strip() for ln in lines if ln.strip()]
    pos = 0

    def value():
        nonlocal pos
        t = toks[pos]
        pos += 1
        if t == "{":
            d = {}
            while toks[pos] != "}":
                k = toks[pos]
                assert k.endswith(":"), k
                k = k[:-1].strip()
                assert k.startswith('"') and k.endswith('"'), k
                pos += 1
                d[k[1:-1]] = value()
            pos += 1
            return d
        if t == "[":
            a = []
            while toks[pos] != "]":
                a.append(value())
            pos += 1
            return a
        v, _, typ = t.rpartition(" <")
        typ = typ.rstrip(">")
        if typ == "utf8_string":
            return v[1:-1]            # printed raw between quotes: no escapes to undo
        if typ in ("double", "float"):
            return float(v)
        if typ == "boolean":
            return v == "true"
        try:
            return int(v)
        except ValueError:
            return v

    return value() if toks else {}


def dig(rec, *path):
    for k in path:
        if not isinstance(rec, dict) or k not in rec:
            return None
        rec = rec[k]
    return rec


def kind_of(t):
    if t is None:
        return "other"
    if "ASN" in t or "-ISP" in t:
        return "asn"
    if "City" in t or "Location" in t or "Enterprise" in t:
        return "city"
    if "Country" in t:
        return "country"
    return "other"


RANK = {"asn": 0, "city": 1, "country": 2, "other": 3}


def network(addr, prefix):
    return str(ipaddress.ip_network("%s/%d" % (addr, prefix), strict=False))


def normalise(addr):
    a = ipaddress.ip_address(addr)
    if a.version == 6 and a.ipv4_mapped is not None:
        return str(a.ipv4_mapped)
    return str(a)


def fmt6(x):
    return None if x is None else "%.6f" % x


def expect_mmdb(dbs, addr):
    q = normalise(addr)
    v4 = ipaddress.ip_address(q).version == 4
    e = {"asn": None, "as_org": None, "country": None, "city": None, "lat": None, "lon": None,
         "network": None, "asn_source": None, "geo_source": None}
    have_asn = have_geo = False
    asn_net = geo_net = None
    for db, typ, ipv6 in dbs:
        kind = kind_of(typ)
        if have_asn and have_geo:
            break
        if not v4 and not ipv6:
            continue
        t, prefix, rec = mmdb_record(db, q)
        if rec is None:
            continue
        if v4 and ipv6:
            prefix = max(prefix - 96, 0)
        if not have_asn and kind in ("asn", "other"):
            n = rec.get("autonomous_system_number")
            if isinstance(n, int) and n != 0:
                e["asn"] = n
                org = rec.get("autonomous_system_organization")
                e["as_org"] = org if org else None
                e["asn_source"] = typ
                asn_net = network(q, prefix)
                have_asn = True
        if not have_geo and kind != "asn":
            cc = None
            for path in (("country", "iso_code"), ("registered_country", "iso_code"),
                         ("country_code",)):
                c = dig(rec, *path)
                if isinstance(c, str) and len(c.encode()) == 2:
                    cc = c
                    break
            city = dig(rec, "city", "names", "en")
            lat, lon = dig(rec, "location", "latitude"), dig(rec, "location", "longitude")
            loc = isinstance(lat, float) and isinstance(lon, float)
            if cc or city or loc:
                e["country"] = cc
                e["city"] = city if city else None
                if loc:
                    e["lat"], e["lon"] = fmt6(lat), fmt6(lon)
                e["geo_source"] = typ
                geo_net = network(q, prefix)
                have_geo = True
    e["network"] = asn_net or geo_net
    e["found"] = have_asn or have_geo
    return e


def got_fields(j):
    """The fields of a fluxscope row. --lookup rows carry every field; rows taken from --dump
    or --report carry some: only those are compared."""
    g = {k: j.get(k) for k in ("found", "asn", "as_org", "country", "city", "network",
                               "asn_source", "geo_source") if k in j}
    for k in ("lat", "lon"):
        if k in j:
            g[k] = fmt6(j[k])
    if j.get("network") is not None and "prefix_len" in j:
        assert j["network"].endswith("/%d" % j["prefix_len"]), j
    return g


def db_meta(db):
    p = subprocess.run(["mmdblookup", "-v", "-f", db, "-i", "0.0.0.0"], capture_output=True,
                       text=True, errors="replace")
    typ, ipv6 = None, True
    for ln in p.stdout.splitlines():
        s = ln.strip()
        if s.startswith("Type:"):
            typ = s[5:].strip()
        if s.startswith("IP version:"):
            ipv6 = "IPv6" in s
    if typ is None:
        sys.exit("cannot read the metadata of %s with mmdblookup" % db)
    return db, typ, ipv6


def run_mmdb(addrs, results, dbs):
    metas = [db_meta(d) for d in dbs]
    metas = sorted(enumerate(metas), key=lambda x: (RANK[kind_of(x[1][1])], x[0]))
    metas = [m for _, m in metas]
    bad = checked = 0
    for addr, j in zip(addrs, results):
        exp = expect_mmdb(metas, addr)
        got = got_fields(j)
        for k in got:
            checked += 1
            if exp[k] != got[k]:
                bad += 1
                print("MISMATCH %s %s: fluxscope %r, mmdblookup %r" % (addr, k, got[k], exp[k]))
    return bad, checked


def location_batch(db, addrs, names, ref, missing):
    """One `location lookup` run; fills ref (address -> fields) and missing. Returns whether
    it made progress."""
    before = len(ref) + len(missing)
    p = subprocess.run(["location", "--database", db, "lookup"] + list(addrs),
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    cur = None
    for ln in p.stdout.splitlines():
        if not ln.startswith(" ") and ln.endswith(":"):
            cur = ref.setdefault(ln[:-1], {})
            continue
        key, _, val = ln.partition(":")
        key, val = key.strip(), val.strip()
        if key == "Network":
            cur["network"] = val
        elif key == "Country":
            cur["country"] = names.get(val, val)
        elif key == "Autonomous System":
            asn, _, org = val.partition(" - ")
            cur["asn"] = int(asn[2:])
            cur["as_org"] = org or None
    for ln in p.stderr.splitlines():
        if ln.startswith("Nothing found for "):
            missing.add(ln[len("Nothing found for "):].strip())
    return len(ref) + len(missing) > before


def run_libloc(addrs, results, db):
    names = {}
    p = subprocess.run(["location", "--database", db, "list-countries", "--show-name"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    for ln in p.stdout.splitlines():
        code, _, name = ln.partition(" ")
        names[name.strip()] = code
    ref, missing = {}, set()
    todo = list(addrs)
    errored = []
    while todo:
        done = location_batch(db, todo, names, ref, missing)
        rest = [a for a in todo if a not in ref and a not in missing]
        if not rest:
            break
        if done:
            todo = rest
            continue
        # location (this release) dies with a stale errno ("[Errno 25] Inappropriate ioctl
        # for device") instead of printing "Nothing found" when a run's first lookups miss.
        errored.append(rest[0])
        todo = rest[1:]
    # Confirm each such address is a miss: after an address location did find, it prints
    # "Nothing found" for it like for any other miss.
    if errored and ref:
        anchor = next(iter(ref))
        location_batch(db, [anchor] + errored, names, ref, missing)
    bad = checked = 0
    for addr, j in zip(addrs, results):
        if addr not in ref and addr not in missing:
            print("location printed nothing for %s" % addr)
            bad += 1
            continue
        r = ref.get(addr, {})
        exp = {"found": addr in ref and ("asn" in r or "country" in r),
               "asn": r.get("asn"), "as_org": r.get("as_org"), "country": r.get("country"),
               "network": r.get("network") if ("asn" in r or "country" in r) else None}
        got = {k: j[k] for k in exp if k in j}
        for k in got:
            checked += 1
            if exp[k] != got[k]:
                bad += 1
                print("MISMATCH %s %s: fluxscope %r, location %r" % (addr, k, got[k], exp[k]))
        for k in ("asn_source", "geo_source"):
            if j.get(k) is not None and j[k] != "libloc":
                bad += 1
                print("MISMATCH %s %s: %r is not libloc" % (addr, k, j[k]))
    return bad, checked


def rows_from(kind, path, out_addrs, out_jsonl):
    """Turn --dump or --report --json output into (address, fields) rows, one per distinct
    address, after checking that every row of an address says the same."""
    rows = {}
    bad = 0
    for ln in open(path):
        if not ln.strip():
            continue
        obj = json.loads(ln)
        if obj.get("kind") in ("zone", "run"):  # zone rows aggregate names, no spread; run header
            continue
        if kind == "dump":
            recs = [r for sec in ("answers", "authority", "additional") for r in obj[sec]
                    if r["type"] in ("A", "AAAA")]
            for r in recs:
                if "asn" not in r or "country" not in r:
                    print("dump record without asn/country: %r" % r)
                    bad += 1
                    continue
            items = [(r["data"], {"asn": r.get("asn"), "country": r.get("country")})
                     for r in recs if "asn" in r]
        else:
            items = []
            for r in obj.get("spread", []):
                f = {k: r[k] for k in ("asn", "as_org", "country", "city", "lat", "lon",
                                       "network")}
                items.append((r["address"], f))
        for a, f in items:
            f = dict(f, address=a)
            if a in rows and rows[a] != f:
                print("%s: rows disagree for %s: %r / %r" % (kind, a, rows[a], f))
                bad += 1
            rows[a] = f
    with open(out_addrs, "w") as fa, open(out_jsonl, "w") as fj:
        for a in sorted(rows):
            fa.write(a + "\n")
            fj.write(json.dumps(rows[a]) + "\n")
    print("%s %s: %d distinct addresses" % (kind, path, len(rows)))
    return bad


def main():
    if sys.argv[1] == "rows":
        # enrich_oracle.py rows dump|report OUTPUT ADDRS_OUT JSONL_OUT
        return 1 if rows_from(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]) else 0
    mode, addr_file = sys.argv[1:3]
    addrs = [a.strip() for a in open(addr_file) if a.strip()]
    groups, cur = [], []
    for a in sys.argv[3:] + ["--"]:
        if a == "--":
            if cur:
                groups.append(cur)
            cur = []
        else:
            cur.append(a)
    total_bad = 0
    for jsonl, *dbs in groups:
        results = [json.loads(ln) for ln in open(jsonl) if ln.strip()]
        if len(addrs) != len(results):
            sys.exit("%d addresses but %d fluxscope results" % (len(addrs), len(results)))
        for a, j in zip(addrs, results):
            if j["address"] != a:
                sys.exit("result for %s where %s was expected" % (j["address"], a))
        if mode == "mmdb":
            bad, checked = run_mmdb(addrs, results, dbs)
        else:
            bad, checked = run_libloc(addrs, results, dbs[0])
        found = sum(1 for j in results if j.get("found", j.get("asn") is not None or j.get("country") is not None))
        print("%s %s: %d addresses (%d found), %d fields compared, %d mismatches"
              % (mode, " + ".join(dbs), len(addrs), found, checked, bad))
        total_bad += bad
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
