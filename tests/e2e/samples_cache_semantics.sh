#!/bin/sh
# The labelled test capture behaves like traffic at real caching resolvers (checked from the
# packets with tshark, independently of the generator): per resolver, name and type, a repeat
# answer carries the same RRset with the TTL counted down by the time elapsed, and a different
# RRset appears only after the cached one has expired. Also: every response answers a query,
# TCP and IPv6 transport are present, and the labels cover every queried name.
set -e
: "${BUILD:=build}"
out="$BUILD/e2e/samples-cache"
mkdir -p "$out"
pcap=tests/data/flux/flux-small.pcap
tshark -r "$pcap" -Y 'dns' -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
	-e frame.time_epoch -e eth.src -e dns.flags.response -e dns.qry.name -e dns.qry.type \
	-e dns.resp.name -e dns.resp.type -e dns.resp.ttl -e dns.a -e dns.aaaa -e dns.count.answers \
	-e tcp.stream -e ipv6.src >"$out/fields.txt"
python3 - "$out/fields.txt" tests/data/flux/flux-small.labels.csv <<'PY'
import csv, sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
labels = {r["domain"] for r in csv.DictReader(open(sys.argv[2]))}
state, same, changed, checked = {}, 0, 0, 0
queries, responses, tcp, v6 = 0, 0, 0, 0
unlabelled = set()
bad = []
for (ts, mac, resp, qname, qtype, rnames, rtypes, ttls, a, aaaa, nans, tstream, v6src) in rows:
    if tstream:
        tcp += 1
    if v6src:
        v6 += 1
    flags = resp.split(",")          # a TCP segment may carry several messages
    queries += flags.count("0")
    responses += flags.count("1")
    if flags != ["1"]:
        continue
    if qname not in labels and qtype in ("1", "28"):
        unlabelled.add(qname)
    if qtype not in ("1", "28") or not nans or int(nans.split(",")[0]) == 0:
        continue
    n = int(nans.split(",")[0])
    names, types, tl = rnames.split(","), rtypes.split(","), ttls.split(",")
    # answer-section records only, owner == qname (no CNAME in between)
    if any(names[i] != qname for i in range(n)) or any(types[i] != qtype for i in range(n)):
        continue
    addrs = frozenset((a if qtype == "1" else aaaa).split(",")[:n])
    ttl = int(tl[0])
    t = float(ts)
    key = (mac, qname, qtype)
    prev = state.get(key)
    state[key] = (t, ttl, addrs)
    if prev is None:
        continue
    t0, ttl0, addrs0 = prev
    el = t - t0
    checked += 1
    if addrs == addrs0 and ttl <= ttl0 and abs((ttl0 - ttl) - el) <= 1.5:
        same += 1      # the cached set, counted down
    elif el >= ttl0 - 1.0 and addrs != addrs0:
        changed += 1   # a new set after the old one expired
    elif el >= ttl0 - 1.0 and addrs == addrs0:
        same += 1      # refetched, same answer
    else:
        bad.append((qname, qtype, mac, t0, ttl0, t, ttl, sorted(addrs0), sorted(addrs)))
print("responses %d, queries %d, pairs checked %d: %d cached, %d renewed after expiry, %d wrong"
      % (responses, queries, checked, same, changed, len(bad)))
print("TCP packets %d, IPv6 packets %d" % (tcp, v6))
for b in bad[:10]:
    print("WRONG", b)
assert responses == queries, "every query answered"
assert checked > 1000 and same > 300 and changed > 300
assert not bad, "cache semantics broken"
assert tcp > 50 and v6 > 500
assert not unlabelled, "unlabelled names: %s" % sorted(unlabelled)[:5]
PY
