#!/bin/sh
# The analyst path on the labelled sample capture, driven in tmux and checked against
# independent oracles (the sample's labels, tshark, mmdblookup): the top flagged domain is a
# labelled flux domain; each detail tab shows what must be there (verdict and reasons, the
# timeline's TTLs and addresses as tshark decodes them, ASNs as mmdblookup reads them, NS names);
# pivot from an address to its domains and back; search, sort, filter, theme, marks, resize to
# 80x24, quit.
. "$(dirname "$0")/lib/tui.sh"
PCAP=samples/flux-demo.pcap
LABELS=samples/flux-demo.labels.csv
ASNDB=samples/demo-asn.mmdb
GEODB=samples/demo-geo.mmdb
for t in tshark mmdblookup; do
	command -v $t >/dev/null || { echo "FAIL: $t is needed (scripts/deps.sh test installs it)"; exit 1; }
done

label_of() { awk -F, -v d="$1" '$1 == d { print $2 }' "$LABELS"; }
# Field N (1-based, blank-separated) of screen line L (a mark ● in the first column is not a field).
field() { tui_line "$1" | sed 's/^●//' | awk -v n="$2" '{ print $n }'; }
# The title's position "C/N of T" → C
cursor_pos() { tui_line 0 | sed -n 's|.* \([0-9,]*\)/[0-9,]* of [0-9,]*$|\1|p' | tr -d ,; }
# Wait (up to 5 s) until the cursor position is N; true if it got there.
pos_is() { n=100; while [ "$n" -gt 0 ]; do [ "$(cursor_pos)" = "$1" ] && return 0; sleep 0.05; n=$((n - 1)); done; return 1; }
# The first screen line (0-based) that contains TEXT
line_of() { tui_screen | grep -nF -- "$1" | head -1 | cut -d: -f1 | awk '{ print $1 - 1 }'; }

tui_start 120 40 --geoip "$GEODB" --geoip "$ASNDB" "$PCAP"
tui_wait "Loaded" 20 || exit 1
tui_wait "flagged 1/"
tui_wait_gone "(scoring)"

# --- the home list: flagged domains by score; the top one is labelled flux
top=$(field 2 4)
verdict=$(field 2 1)
check "top row is a flux verdict ($verdict $top)" sh -c 'case "$1" in single-flux|double-flux) exit 0;; esac; exit 1' sh "$verdict"
class=$(label_of "$top")
check "the top flagged domain $top is labelled flux (label: $class)" sh -c 'case "$1" in single-flux|double-flux|flux-ns) exit 0;; esac; exit 1' sh "$class"
nflag=$(tui_line 38 | sed -n 's/.* \([0-9]*\) flagged.*/\1/p')
report="$BUILD/e2e/tui-report-$$.json"
"$FLUXSCOPE" -r "$PCAP" --geoip "$GEODB" --geoip "$ASNDB" --report --json >"$report" 2>/dev/null
nrep=$(grep -c '"kind":"domain"' "$report")
check "status bar counts the flagged domains --report lists ($nflag = $nrep)" test "${nflag:-0}" -eq "$nrep" -a "$nrep" -gt 10
check "the top row's verdict is --report's for $top" sh -c 'grep -F "\"domain\":\"$2\"" "$1" | grep -qF "\"verdict\":\"$3\""' sh "$report" "$top" "$verdict"
rm -f "$report"
check "status bar names the GeoIP databases" line_has 38 'GeoLite2-ASN'
check "no benign-labelled domain among the shown flagged rows" sh -c '
	for d in $(tmux -L "$1" capture-pane -p -t "$2" | sed -n "3,37p" | awk "{print \$4}"); do
		c=$(awk -F, -v d="$d" "\$1 == d { print \$2 }" "$3")
		[ "$c" = benign ] && { echo "benign: $d"; exit 1; }
	done; exit 0' sh "$TUI_SOCK" "$TUI_T" "$LABELS"

# --- Summary: verdict, both scores, reasons, terms
tui_keys Enter
tui_wait "Summary 1/5"
tui_wait "Verdict      $verdict"
check "breadcrumb shows the domain" line_has 0 "domains › $top"
check "Summary shows the Holz flux-score" screen_has 'Holz flux-score [0-9-]'
check "Summary lists reasons in words and numbers" sh -c 'tmux -L "$1" capture-pane -p -t "$2" | grep -A1 "^ Reasons" | grep -qE "^   - .*[0-9]+ addresses"' sh "$TUI_SOCK" "$TUI_T"
check "Summary lists score terms" screen_has 'addr_count +[0-9]+ addresses +\+[0-9.]+'

# --- Timeline: the first response as tshark decodes it (TTL and addresses)
tui_keys 2
tui_wait "Timeline 2/5"
tui_wait "answer-set changes"
# every response on its own row (c), so that the first row is the first response
tui_keys c
tui_wait "every response on its own row"
hdr=$(line_of "time (UTC)")
row=$((hdr + 1))
ttl=$(field $row 4)
frame=$(field $row 5 | tr -d '#')
addrs=$(tui_line $row | awk '{ for (i = 6; i <= NF; i++) if ($i ~ /^[0-9a-f.:]+$/ && $i ~ /[.:]/) print $i }' | head -n -1)
first=$(tshark -r "$PCAP" -Y "dns.flags.response==1 && dns.qry.name==\"$top\"" -T fields -e dns.a -e dns.aaaa -e dns.resp.ttl -e frame.number 2>/dev/null | head -1)
check "first timeline TTL $ttl is the first response's TTL per tshark" sh -c 'echo "$1" | cut -f3 | tr , "\n" | grep -qx "$2"' sh "$first" "$ttl"
check "first timeline frame #$frame is that response's frame per tshark" sh -c 'test "$(echo "$1" | cut -f4)" = "$2"' sh "$first" "$frame"
check "first timeline addresses are in that response per tshark" sh -c '
	[ -n "$2" ] || exit 1
	for a in $2; do echo "$1" | cut -f1,2 | tr ",\t" "\n\n" | grep -qx "$a" || { echo "not in tshark: $a"; exit 1; }; done' sh "$first" "$addrs"
check "Timeline has a sparkline of distinct addresses" screen_has 'distinct per interval'

# --- Spread: ASNs as mmdblookup reads them; bars by ASN and country
tui_keys 3
tui_wait "Spread 3/5"
tui_wait "By country"
arow=$(($(line_of "address   ") + 1))
addr=$(field $arow 1)
asn=$(field $arow 2)
want=$(mmdblookup --file "$ASNDB" --ip "$addr" autonomous_system_number 2>/dev/null | awk '/uint32/ { print $1 }')
check "ASN of $addr on screen ($asn) is mmdblookup's (AS$want)" test "$asn" = "AS$want"
check "bars by ASN" screen_has '^   AS[0-9]+ .* [0-9.]+% '

# --- pivot from that address to the domains that use it, and back: / finds the address line
tui_keys /
tui_type "$addr"
tui_keys Enter
tui_wait_gone "/$addr"
tui_keys Enter
tui_wait "› $addr"
tui_wait "use $addr"
check "the pivot lists the domain we came from" sh -c 'tmux -L "$1" capture-pane -p -t "$2" | sed -n "3,37p" | grep -qF " $3"' sh "$TUI_SOCK" "$TUI_T" "$top"
tui_keys h
tui_wait "Spread 3/5"
check "back returns to the Spread tab" line_has 0 "› $top"

# --- Related
tui_keys 5
tui_wait "Related 5/5"
check "Related lists domains sharing infrastructure" screen_has ' [1-9][0-9]* domains share at least one address or nameserver'

# --- a double-flux domain's nameservers, checked against tshark's NS records
tui_keys Escape
tui_wait "flagged "
tui_keys ':'
tui_type 'filter verdict=double-flux'
tui_keys Enter
tui_wait "filter: verdict=double-flux"
check "the filter leaves only double-flux rows" sh -c 'tmux -L "$1" capture-pane -p -t "$2" | sed -n "3,37p" | awk "NF { print \$1 }" | grep -qv "^double-flux$" && exit 1; exit 0' sh "$TUI_SOCK" "$TUI_T"
dd=$(field 2 4)
tui_keys Enter 4
tui_wait "Nameservers 4/5"
zone=$(tui_screen | sed -n 's/.*Delegated by \([^ ]*\) to.*/\1/p')
check "NS changes are highlighted" screen_has '^ \* .* \+'
# Long NS-set histories (the best-ranked double-flux domain has dozens) push the section down:
# search brings it into view.
tui_keys /
tui_type "Nameservers with their"
tui_keys Enter
tui_wait "Nameservers with their addresses"
nsline=$(($(line_of "Nameservers with their addresses") + 1))
ns=$(field $nsline 1)
tsns=$(tshark -r "$PCAP" -Y "dns.flags.response==1 && dns.qry.name==\"$dd\"" -T fields -e dns.ns 2>/dev/null | tr , '\n' | sort -u)
check "NS name $ns of $dd is in tshark's NS records" sh -c 'echo "$1" | grep -qx "$2"' sh "$tsns" "$ns"
tui_keys Escape
tui_keys F
tui_wait_gone "filter: verdict"

# --- search: the cursor follows as you type; Enter keeps it; n moves on
tui_keys g
tui_wait "flagged 1/"
target=$(field 8 4)
want=$(tui_screen | sed -n '3,37p' | awk '{ print $4 }' | grep -nF -- "$target" | head -1 | cut -d: -f1)
tui_keys /
tui_type "$target"
tui_wait "/$target"
check "incremental search moves the cursor to row $want ($target)" pos_is "$want"
tui_keys Enter
tui_wait_gone "/$target"
check "Enter keeps the match" pos_is "$want"
# n and N walk the matches of a text that several names contain
tui_keys g
tui_wait "flagged 1/"
word=$(tui_screen | sed -n '3,37p' | awk '{ print $4 }' | awk -F. 'NF > 2 { print $(NF-1) "." $NF }' | sort | uniq -d | head -1)
m1=$(tui_screen | sed -n '3,37p' | awk '{ print $4 }' | grep -nF -- "$word" | sed -n 1p | cut -d: -f1)
m2=$(tui_screen | sed -n '3,37p' | awk '{ print $4 }' | grep -nF -- "$word" | sed -n 2p | cut -d: -f1)
tui_keys /
tui_type "$word"
tui_keys Enter
tui_wait_gone "/$word"
check "/$word goes to its first match (row $m1)" pos_is "$m1"
tui_keys n
check "n goes to the next match (row $m2)" pos_is "$m2"
tui_keys N
check "N goes back (row $m1)" pos_is "$m1"
tui_keys g

# --- the next column is the logit, in the ranking's order; then the domain name: A to Z
tui_keys s
tui_wait "logit▼"
tui_keys s
tui_wait "domain▲"
sorted=$(tui_screen | sed -n '3,37p' | awk 'NF { print $4 }')
check "rows are sorted by name" sh -c 'printf "%s\n" "$1" | LC_ALL=C sort -c' sh "$sorted"
tui_keys S
tui_wait "domain▼"

# --- theme switch, live
before=$(tui_screen_esc | head -1)
tui_keys ':'
tui_type 'theme high-contrast'
tui_keys Enter
tui_wait "theme high-contrast"
check "the theme changes colours on screen" title_differs "$before"

# --- marks, then resize to 80x24, then quit (asks because of the mark)
tui_keys g m
tui_wait "1 marked"
marked=$(field 2 4)
tmux_ resize-window -t fs -x 80 -y 24
tui_wait_gone "last seen"
w=$(tui_screen | LC_ALL=C.UTF-8 wc -L)
check "80x24: nothing wider than 80 ($w)" test "$w" -le 80
check "80x24: status bar on line 22" line_has 22 'flagged'
tui_keys Enter
tui_wait "Summary 1/5"
check "80x24: the detail fits" line_has 1 '5 Related'
tui_keys Escape q
tui_wait "Quit anyway? (y/n)"
tui_keys n
tui_wait "cancelled"
tmux_ resize-window -t fs -x 120 -y 40
tui_wait "last seen"

# --- export dialog: preview and count, format, path, atomic write of the marked domain
out="$BUILD/e2e/tui-export-$$.txt"
rm -f "$out"
tui_keys e
tui_wait "Export the marked domains"
tui_wait "1 domains selected"
check "the RPZ preview names the marked domain" screen_has "$marked.* CNAME "
tui_keys Tab
tui_wait "[domains]"
tui_keys p C-u
tui_type "$out"
tui_keys Enter
tui_wait "$out"
tui_keys w
tui_wait "wrote 1 entries to $out"
check "the export file holds the marked domain" sh -c 'grep -qx "$1" "$2"' sh "$marked" "$out"
tui_keys ':'
tui_type "export rpz $BUILD/e2e/no/such/dir/x.rpz"
tui_keys Enter
tui_wait "cannot write"
check "a failed write keeps the dialog (and the marks)" screen_has 'Export the marked domains'
tui_keys Escape
tui_wait "export cancelled"
rm -f "$out"

# exported: q quits without asking
tui_keys q
st=$(tui_dead 5)
check "quit after exporting the marks exits 0 without asking (got $st)" test "$st" = 0

# --- q while loading stops the load and keeps what was read; the TUI stays up
pipe="$BUILD/e2e/tui-fifo-$$"
rm -f "$pipe"; mkfifo "$pipe"
tui_start 120 40 --geoip "$GEODB" --geoip "$ASNDB" -r - "<$pipe"
(cat "$PCAP"; sleep 30) >"$pipe" &
feeder=$!
tui_wait "Loading" 10
tui_wait "17,355 pkts" 20
tui_keys q
tui_wait "Stopped after 17,355 packets"
check "the TUI stays up after the stop" line_has 0 'fluxscope'
tui_wait "flagged 1/" 20
tui_keys q
st=$(tui_dead 5)
check "then q quits (got $st)" test "$st" = 0
kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null
rm -f "$pipe"

tui_done
