#!/bin/sh
# The domain detail (tracker issue 18, detail side), driven in tmux:
# - one figure per computation: a clustered flux domain's cluster number and size, its count of
#   flagged domains sharing infrastructure and its answer-set changes read the same in Summary,
#   Reasons, Timeline, Related and --report --json (the figures come from the JSON report);
# - the CNAME tree of a name answered through three alternative chains (generated capture);
# - the Nameservers tab's heading, column titles and first NS set reachable at 80x24;
# - Timeline actions: tshark on the row's frame (checked against tshark's own decoding of the
#   file), copy (OSC 52 into tmux's paste buffer), fold/unfold;
# - layout at 200 columns: long organisation names whole, accented city names aligned.
. "$(dirname "$0")/lib/tui.sh"
PCAP=samples/flux-demo.pcap
ASNDB=samples/demo-asn.mmdb
GEODB=samples/demo-geo.mmdb
FX="$BUILD/fixtures/geo"
command -v tshark >/dev/null || { echo "FAIL: tshark is needed (scripts/deps.sh test installs it)"; exit 1; }
for f in "$FX/accents-asn.mmdb" "$FX/accents-city.mmdb"; do
	[ -s "$f" ] || { echo "FAIL: $f missing (make unit builds the GeoIP fixtures)"; exit 1; }
done
CN="$BUILD/e2e/cname-tree-$$.pcap"
REP="$BUILD/e2e/detail-report-$$.json"
mkdir -p "$BUILD/e2e"
python3 tests/e2e/cname_tree_gen.py "$CN" || { echo "FAIL: cname_tree_gen.py"; exit 1; }
trap 'tui_cleanup; rm -f "$CN" "$REP"' EXIT INT TERM

# ---- the same figures everywhere: the first clustered domain of --report --json
"$FLUXSCOPE" -r "$PCAP" --geoip "$GEODB" --geoip "$ASNDB" --report --json >"$REP" 2>/dev/null
set -- $(python3 - "$REP" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("kind") == "domain" and o.get("cluster", 0) > 0 and o.get("shared_flagged", 0) > 0:
        print(o["domain"], o["cluster"], o["cluster_size"], o["shared_flagged"], o["rrset_changes"], o["rrsets"])
        break
PY
)
dom=$1 cl=$2 csize=$3 shared=$4 chg=$5 sets=$6
check "--report --json has a clustered domain ($dom #$cl of $csize, $shared shared, $chg changes)" test -n "$6"
tui_start 120 50 --geoip "$GEODB" --geoip "$ASNDB" "$PCAP"
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys ':'
tui_type "domain $dom"
tui_keys Enter
tui_wait "Summary 1/5"
check "Summary: cluster #$cl of $csize domains" screen_has "^ Cluster +#$cl: $csize domains"
check "Summary: $shared other flagged domains shared" screen_has "^ Shared +$shared other flagged domains"
check "Summary: $chg answer-set changes over $sets sets" screen_has "$chg answer-set changes over $sets"
tui_keys G
check "Reasons: shares with $shared other flagged domains" screen_has "with $shared other flagged domains"
check "Reasons: in cluster #$cl of $csize domains" screen_has "in cluster #$cl of $csize domains"
check "Reasons: $chg of N answers changed" screen_has " $chg of [0-9]+ answers changed"
tui_keys 2
tui_wait "Timeline 2/5"
check "Timeline: $chg answer-set changes over $sets sets" screen_has "$chg answer-set changes over $sets sets"
tui_keys 5
tui_wait "Related 5/5"
check "Related: cluster #$cl: $csize domains" screen_has "Cluster #$cl: $csize domains"
check "Related: $shared other flagged domains shared" screen_has "^ $shared other flagged domains shared"
# the cluster's members listed under its heading: csize - 1 lines before the blank line
nmem=$(tui_screen | awk '/^ Cluster #/ { on = 1; next } on && /^ *$/ { exit } on { n++ } END { print n + 0 }')
check "Related lists the $((csize - 1)) other members ($nmem)" test "$nmem" -eq $((csize - 1))

# ---- Nameservers at 80x24: heading, column titles and first NS set reachable
ns=$(python3 - "$REP" <<'PY'
import json, sys
best = None
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("kind") == "domain" and o.get("verdict") == "double-flux":
        if best is None or o["ns_changes"] > best[1]:
            best = (o["domain"], o["ns_changes"])
print(best[0], best[1])
PY
)
nsdom=${ns% *}; nschg=${ns#* }
tui_start 80 24 --geoip "$GEODB" --geoip "$ASNDB" "$PCAP"
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys ':'
tui_type "domain $nsdom nameservers"
tui_keys Enter
tui_wait "Nameservers 4/5"
check "NS tab of $nsdom ($nschg NS-set changes): heading on open" screen_has "^ Delegated by "
check "NS tab: column titles on open" screen_has "time \(UTC\) +zone +TTL +nameservers"
check "NS tab: * and +/- explained" screen_has "\* the set changed +\+name: new in this set +-name: gone"
tui_keys G
tui_wait_gone "Delegated by"
tui_keys g
check "NS tab: back at the heading after G g" screen_has "^ Delegated by "
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do tui_keys j; done
tui_wait_gone "Delegated by"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50; do tui_keys k; done
check "NS tab: heading reachable with k after j" screen_has "^ Delegated by "
check "NS tab: the first NS set line reachable" screen_has "^ +[0-9:]+ +[a-z0-9.-]+ +[0-9]+  [a-z0-9.-]+"
check "footer shows the detail's keys, not the list's" line_has 23 "Tab/1-5 tabs"
check "footer has no list keys in the detail" sh -c '! tmux -L "$1" capture-pane -p -t "$2" | tail -1 | grep -q "a all/flagged"' sh "$TUI_SOCK" "$TUI_T"

# ---- CNAME tree, Timeline actions, layout (generated capture, accented GeoIP fixtures)
tui_start 200 50 --geoip "$FX/accents-asn.mmdb" --geoip "$FX/accents-city.mmdb" "$CN"
tmux_ set-option -s set-clipboard on
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys ':'
tui_type "domain www.shop.test timeline"
tui_keys Enter
tui_wait "Timeline 2/5"
tui_wait "CNAME chains"
scr=$(tui_screen)
check "CNAME tree: the alternatives are branches" text_has "$scr" "(alternatives answered"
check "CNAME tree: root www.shop.test" sh -c 'printf "%s\n" "$1" | grep -qE "^   www\.shop\.test$"' sh "$scr"
check "CNAME tree: steer.shop.test under it, 16 responses" sh -c 'printf "%s\n" "$1" | grep -qE "^   └─ steer\.shop\.test  .* 16 responses"' sh "$scr"
check "CNAME tree: Akamai branch, 8 responses" sh -c 'printf "%s\n" "$1" | grep -qE "^      ├─ shop\.akamaiedge\.test  07:00:00 to 07:36:00, 8 responses"' sh "$scr"
check "CNAME tree: CloudFront branch, 4 responses" sh -c 'printf "%s\n" "$1" | grep -qE "^      ├─ d1\.cloudfront\.test  07:10:00 to 07:16:00, 4 responses"' sh "$scr"
check "CNAME tree: Limelight branch last, 4 responses" sh -c 'printf "%s\n" "$1" | grep -qE "^      └─ shop\.llnwd\.test  07:20:00 to 07:26:00, 4 responses"' sh "$scr"
# the first row: its frame number is the frame tshark shows for the first response
hdr=$(tui_screen | grep -nF "time (UTC)" | head -1 | cut -d: -f1)
row=$(tui_line "$hdr")
frame=$(printf '%s\n' "$row" | grep -oE '#[0-9]+' | head -1 | tr -d '#')
want=$(tshark -r "$CN" -Y 'dns.flags.response==1' -T fields -e frame.number 2>/dev/null | head -1)
check "first Timeline row's frame #$frame is tshark's first response ($want)" test "$frame" = "$want"
check "the row shows qtype A, server 192.0.2.53 and the file" sh -c 'printf "%s" "$1" | grep -qE " A +NOERROR .* from 192\.0\.2\.53 cname-tree-"' sh "$row"
tui_keys w
tui_wait "tshark -r $CN -Y frame.number==$frame -O dns"
tui_wait "Frame $frame:" 20
check "tshark shows that frame's DNS response for www.shop.test" screen_has "www\.shop\.test: type CNAME|Name: www\.shop\.test"
tui_keys q
tui_wait_gone "frame.number==$frame"
tui_keys y
tui_wait "copied to the clipboard"
buf=$(tmux_ show-buffer 2>/dev/null)
check "y put the row on the clipboard (tmux buffer: $(printf '%s' "$buf" | cut -c1-50))" sh -c 'printf "%s" "$1" | grep -q "#$2 "' sh "$buf" "$frame"
# folding: 16 responses in 16 rows (every answer differs); c unfolds, c folds again
check "Timeline counts rows" screen_has "16 responses in 16 rows"
# the Spread at 200 columns: whole organisation names, accented cities aligned
tui_keys 3
tui_wait "Spread 3/5"
tui_wait "By country"
check "a 61-character organisation name is shown whole at 200 columns" screen_has "Companhia Brasileira de Redes de Distribuicao de Conteudo S\.A\. "
cols=$(tui_screen | python3 -c '
import sys, re
cols = set()
for line in sys.stdin:
    m = re.search(r"(São Paulo|Zürich|Kraków) +(\d\d:\d\d:\d\d)", line)
    if m:
        cols.add(line.index(m.group(2)))
print(len(cols), ",".join(str(c) for c in sorted(cols)))')
check "the first-seen column starts at one position after São Paulo, Zürich and Kraków ($cols)" test "${cols%% *}" = 1
ncity=$(tui_screen | grep -cE "São Paulo|Zürich|Kraków")
check "all 12 addresses listed with their city ($ncity)" test "$ncity" -ge 12
tui_keys q
tui_done
