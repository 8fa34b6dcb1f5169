#!/bin/sh
# The object views (`:view clusters|addresses|asns|nameservers`, built by the model's object
# lists) against --report --json --all on the same capture: as many clusters as the report's
# distinct cluster numbers, each cluster's line naming its members and the report's size, Enter
# on a cluster listing exactly its members; the address view lists every answer address of the
# report; the ASN and nameserver views open with their column titles, and Enter on their first
# line pivots to the domains using it.
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-objects"
rm -rf "$W"; mkdir -p "$W"
PCAP=tests/data/flux/flux-small.pcap
GEO="--geoip samples/demo-asn.mmdb --geoip samples/demo-geo.mmdb"

$FLUXSCOPE -r $PCAP $GEO --report --json --all >"$W/all.json" 2>"$W/all.err" ||
	{ echo "FAIL: --report --json --all: $(cat "$W/all.err")"; exit 1; }
# clusters: count, and the first cluster's number, size and members (sorted)
python3 -c '
import json, sys
cl, addrs = {}, set()
for o in map(json.loads, open(sys.argv[1])):
    if o.get("kind") != "domain":
        continue
    addrs.update(o.get("addresses") or [])
    if o.get("cluster"):
        cl.setdefault(o["cluster"], []).append((o["domain"], o["cluster_size"]))
first = min(cl)
print(len(cl), first, cl[first][0][1], len(addrs))
open(sys.argv[2], "w").write("\n".join(sorted(d for d, _ in cl[first])) + "\n")' "$W/all.json" "$W/members.txt" >"$W/want.txt" ||
	{ echo "FAIL: reading the report"; exit 1; }
read NCL FIRST SIZE NADDR <"$W/want.txt"
[ "$NCL" -gt 0 ] || { echo "FAIL: the capture has no clusters in the report"; exit 1; }

tui_start 160 60 $GEO $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"

tui_type ":view clusters"; tui_keys Enter
tui_wait "clusters" || exit 1
check "as many clusters as the report's cluster numbers ($NCL)" screen_has "› clusters .* $NCL clusters "
check "cluster #$FIRST first, with the report's size ($SIZE)" screen_has "^ Cluster #$FIRST: $SIZE domains \\("
# Enter on the cluster's line: its members, as the report lists them
tui_keys g Enter
tui_wait "cluster #$FIRST" || exit 1
sleep 0.3
tui_screen >"$W/cluster.txt"
n_ok=0
while read -r m; do
	grep -qF " $m" "$W/cluster.txt" && n_ok=$((n_ok + 1))
done <"$W/members.txt"
check "Enter lists the $SIZE members of cluster #$FIRST ($n_ok of them on screen)" test "$n_ok" = "$SIZE"
check "and says how many" screen_has "$SIZE domains? in cluster #$FIRST"
tui_keys Escape

tui_type ":view addresses"; tui_keys Enter
tui_wait "AS organisation" || exit 1
check "every answer address of the report listed ($NADDR)" screen_has "› addresses .* $NADDR addresses "
tui_screen >"$W/addrs.txt"
# rows: address, domains, flagged, ...; flagged never grows down the page
order=$(sed -n '3,58p' "$W/addrs.txt" | awk 'NF >= 3 { if (seen && $3 > last) bad = 1; last = $3; seen++ } END { print (seen > 10 && !bad) ? "ok" : "bad" }')
check "most flagged domains first" test "$order" = ok

tui_type ":view asns"; tui_keys Enter
tui_wait "addresses domains flagged" || exit 1
tui_screen >"$W/asns.txt"
asn=$(sed -n 3p "$W/asns.txt" | awk '{ print $1 }')
check "the ASN view lists ASNs ($asn first)" sh -c 'printf "%s\n" "$1" | grep -qE "^AS[0-9]+$"' sh "$asn"
tui_keys g j Enter
tui_wait "use $asn" || exit 1

tui_type ":view nameservers"; tui_keys Enter
tui_wait "zones domains flagged addresses" || exit 1
check "the nameserver view counts them" screen_has "› nameservers .* [0-9]+ nameservers "
tui_done
