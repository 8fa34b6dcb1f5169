#!/bin/sh
# The list side of issue 18, in the real TUI under tmux, against --report on the same data:
# the flagged list ranks as --report does (ties broken by evidence, not by name); names that
# only got NXDOMAIN under a zone whose nameservers rotate are not rows of their own; the
# cluster view's cluster size is the report's and the cluster list's; `/` on an address finds a
# domain answered with it; filters on asn, country and time give --report's counts; a missing
# value matches no comparison; the export dialog asks before overwriting and before writing a
# path whose extension names another format, and remembers format and path. The store is
# packed once the file is read, and the spare detector's results given back.
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-list"
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
PCAP=samples/flux-demo.pcap
G="--geoip samples/demo-asn.mmdb --geoip samples/demo-geo.mmdb"
TUI_ENV="XDG_STATE_HOME=$W/state"
# the domain column: the first field with a letter after the verdict, score and logit
dom_of() { printf '%s\n' "$1" | sed 's/^●//' | awk '{ print $4 }'; }
# the title's "C/N of T" → N (rows listed)
listed() { tui_line 0 | sed -n 's|.* [0-9,]*/\([0-9,]*\) of [0-9,]*$|\1|p' | tr -d ,; }
listed_is() { n=100; while [ "$n" -gt 0 ]; do [ "$(listed)" = "$1" ] && return 0; sleep 0.05; n=$((n - 1)); done; return 1; }

"$FLUXSCOPE" -r $PCAP $G --report --json >"$W/report.json" 2>/dev/null || { echo "FAIL: --report"; exit 1; }

tui_start 160 50 $G --log "$W/tui.log" $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
# once the file is read the loader packs the store before its final run (as the report does)
check "the store was packed when loading ended" \
	grep -qE 'tui: store packed: [1-9][0-9]* bytes given back' "$W/tui.log"
# and the spare detector's results (the snapshot before the final one) given back
n=50; until grep -q 'tui: spare detector [01]: results given back' "$W/tui.log" || [ $n -eq 0 ]; do
	sleep 0.1; n=$((n - 1)); done
check "the spare detector's results were given back" \
	grep -q 'tui: spare detector [01]: results given back' "$W/tui.log"

# --- ranking: the first 40 flagged rows in --report's order; most show score 100.0
tui_screen | sed -n '3,42p' | while IFS= read -r l; do dom_of "$l"; done >"$W/tui.order"
python3 - "$W/report.json" >"$W/report.order" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in [r for r in rows if r.get("kind") == "domain"][:40]:
    print(r["domain"])
PY
check "the TUI's first 40 flagged rows are --report's, in its order" cmp -s "$W/tui.order" "$W/report.order"
sat=$(tui_screen | sed -n '3,42p' | awk '$2 == "100.0"' | wc -l)
check "many rows show score 100.0 ($sat) and are still ranked" test "$sat" -ge 10
check "ties are not broken by name (the order is not alphabetical)" sh -c '! LC_ALL=C sort -c "$1" 2>/dev/null' sh "$W/tui.order"

# --- the cluster view: every cluster; cluster #1's size as the list and the report give it
tui_keys c
tui_wait "Cluster #1:" || exit 1
csize=$(tui_screen | sed -n 's/.*Cluster #1: \([0-9]*\) domains.*/\1/p' | head -1)
rsize=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(next(r["cluster_size"] for r in rows if r.get("kind") == "domain" and r["cluster"] == 1))' "$W/report.json")
check "cluster #1 has $csize domains in the cluster view and $rsize in the report" test "${csize:-x}" = "$rsize"
tui_keys Enter
check "Enter lists cluster #1's $csize members" listed_is "$csize"
tui_keys Escape
tui_keys Escape

# --- `/` on an address: a flux agent's address, which no name contains
addr=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
doms = [r for r in rows if r.get("kind") == "domain"]
for r in doms[5:]:
    for s in r["spread"]:
        a = s["address"]
        if ":" not in a and not any(a in d["domain"] for d in doms):
            print(a, r["domain"]); sys.exit(0)' "$W/report.json")
set -- $addr
tui_keys g
tui_keys /
tui_type "$1"
tui_keys Enter
sleep 0.3
users=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(r["domain"] for r in rows if r.get("kind") == "domain" and sys.argv[2] in r["addresses"]))' "$W/report.json" "$1")
pos=$(tui_line 0 | sed -n 's|.* \([0-9,]*\)/[0-9,]* of [0-9,]*$|\1|p' | tr -d ,)
row=$(tui_line $((pos + 1)))
check "/$1 puts the cursor on a domain answered with it ($(dom_of "$row"))" sh -c 'for d in $2; do [ "$d" = "$1" ] && exit 0; done; exit 1' sh "$(dom_of "$row")" "$users"

# --- filters on asn, country and time: --report's counts
for f in "asn=AS135544" "country=RU" "first_seen>2026-11-18T08:30" "address=${1%.*}.0/24"; do
	want=$("$FLUXSCOPE" -r $PCAP $G --report --json --filter "$f" 2>/dev/null | grep -c '"kind":"domain"')
	tui_keys f
	tui_type "$f"
	tui_keys Enter
	check "filter $f lists $want rows, as --report --filter" listed_is "$want"
	check "... and $want is not 0" test "$want" -gt 0
	tui_keys F
done

# --- a missing value never matches: no Holz score without ASN data, even for holz<1000
tui_keys q
tui_dead >/dev/null
tui_start 160 50 --no-geoip $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys a
tui_keys f
tui_type "holz<1000"
tui_keys Enter
check "holz<1000 without ASN data lists nothing (the Holz score is missing)" listed_is 0
tui_keys F
tui_keys f
tui_type "addrs<1000"
tui_keys Enter
sleep 0.5
check "... while addrs<1000 lists rows (the filter itself works: $(listed))" test "$(listed)" -gt 100
tui_keys F

# --- the export dialog: an existing file is not overwritten without a yes
printf 'keep me\n' >"$W/out.rpz"
tui_keys e
tui_wait "Export" || exit 1
tui_keys p
tui_keys C-u
tui_type "$W/out.rpz"
tui_keys Enter
tui_keys Enter
check "writing over an existing file asks first" screen_has 'out.rpz exists \([0-9]+ bytes\): overwrite it\? y/n'
tui_keys n
check "n keeps the file" sh -c 'test "$(cat "$1")" = "keep me"' sh "$W/out.rpz"
tui_keys Enter
tui_wait "overwrite it?" || true
tui_keys y
tui_wait "wrote " || true
check "y overwrites it with the RPZ zone" grep -q 'SOA' "$W/out.rpz"
# a path whose extension is another format's: asked too
tui_keys e
tui_wait "Export" || exit 1
check "the dialog remembers the path" screen_has "out\\.rpz"
tui_keys p
tui_keys C-u
tui_type "$W/blocked.hosts"
tui_keys Enter
tui_keys Enter
check "a .hosts path with the rpz format asks first" screen_has 'blocked.hosts ends in .hosts but the format is rpz'
tui_keys n
check "... and n writes nothing" test ! -e "$W/blocked.hosts"
check "addresses and nameservers are off by default" screen_has '\[ \] flux addresses and double-flux nameservers'
tui_keys Escape
tui_keys q
tui_dead >/dev/null

# --- NXDOMAIN-only labels under a zone whose nameservers rotate: not rows of their own
python3 tests/e2e/nx_zone_gen.py "$W/nx.pcap" || { echo "FAIL: generator"; exit 1; }
tui_start 160 50 --no-geoip "$W/nx.pcap"
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
nl=$(tui_screen | sed -n '3,47p' | grep -cE '[0-9a-z]{12}\.rot-ns\.com')
check "no random NXDOMAIN label among the flagged rows ($nl)" test "$nl" -eq 0
check "the flagged list holds the zone's names with answers" screen_has 'www\.rot-ns\.com'
tui_keys r
check "grouped: rot-ns.com is one flagged row" screen_has 'double-flux .* rot-ns\.com'
tui_keys q
tui_dead >/dev/null
tui_done
