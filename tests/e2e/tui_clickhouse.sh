#!/bin/sh
# Drill-down on a ClickHouse window in the TUI (issue 15), driven through tmux against a real
# clickhouse-server (tests/e2e/lib/clickhouse.sh: Debian's, on 127.0.0.1 with its own
# configuration and data folder, stopped by the trap). A sensor writes the flux sample; the
# window loads only the candidates and their neighbours. Names the window left out are found
# by comparing ClickHouse's rows per query name with what the window holds (--dump):
#  - a name the window did not load at all: `:domain NAME` fetches its rows on the feed's
#    thread and opens its detail when they arrive; the timeline holds as many responses as
#    ClickHouse has rows for it;
#  - a name the window loaded in part (a neighbour): opening it fetches the rest; the timeline
#    goes from the loaded count to ClickHouse's;
#  - opening it again fetches nothing twice (the count stays), and ClickHouse's row count for
#    a candidate is what its timeline shows after opening it (no duplicates).
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=$PWD/fluxscope}"
F=$FLUXSCOPE
W="$BUILD/e2e/tui-clickhouse"
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
D=$(mktemp -d "${TMPDIR:-/tmp}/fx-tch.XXXXXX")
S=samples/flux-demo.pcap
WIN="--since 2026-11-18T00:00:00Z --until 2026-11-19T00:00:00Z"
for t in tmux python3 curl; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing (scripts/deps.sh test installs it)"; exit 1; }
done
TUI_ENV="XDG_STATE_HOME=$W/state"
. tests/e2e/lib/tui.sh
. tests/e2e/lib/clickhouse.sh
trap 'tui_cleanup; ch_stop; rm -rf "$D"' EXIT
trap 'tui_cleanup; ch_stop; rm -rf "$D"; exit 1' INT TERM
[ -x "$CH" ] || { echo "FAIL: clickhouse-server is missing (scripts/deps.sh test installs it)"; exit 1; }
ch_setup
ch_start || exit 1
"$F" --sink "$U/fx" --sink-init --sensor s1 --spool "$D/spool" -r "$S" >/dev/null 2>"$D/sink.err" \
	|| { echo "FAIL: sensor: $(cat "$D/sink.err")"; exit 1; }
# rows per query name in ClickHouse and in the window; names with rows as owners of other
# names' records are left out of the choice (their timeline also holds CNAME entries)
q "SELECT qname, count() FROM fx.fluxscope_obs GROUP BY qname FORMAT TSV" >"$D/all.tsv"
q "SELECT DISTINCT arrayJoin(rr_name) FROM fx.fluxscope_obs WHERE has(rr_name, qname) = 0 FORMAT TSV" >"$D/owners.tsv"
"$F" --source "$U/fx" $WIN --dump --no-geoip >"$D/win.jsonl" 2>"$D/win.err" || { echo "FAIL: window dump: $(cat "$D/win.err")"; exit 1; }
python3 - "$D" <<'PY' >"$D/pick" || { echo "FAIL: no name the window left out"; exit 1; }
import collections, json, sys
d = sys.argv[1]
win = collections.Counter(json.loads(l)["qname"] for l in open(d + "/win.jsonl"))
owners = set(l.strip() for l in open(d + "/owners.tsv"))
absent, partial, full = [], [], []
for l in open(d + "/all.tsv"):
    n, c = l.rstrip("\n").split("\t"); c = int(c)
    if n in owners or "\\" in n:
        continue
    (absent if win[n] == 0 else partial if win[n] < c else full).append((c, win[n], n))
if not absent or not partial:
    sys.exit(1)
absent.sort(reverse=True); partial.sort(reverse=True); full.sort(reverse=True)
for k, v in (("absent", absent[0]), ("partial", partial[0]), ("full", full[0])):
    print(k, v[2], v[0], v[1])
PY
read -r _ ABS ABS_N _ <<EOF2
$(grep '^absent ' "$D/pick")
EOF2
read -r _ PART PART_N PART_W <<EOF2
$(grep '^partial ' "$D/pick")
EOF2
read -r _ FULL FULL_N _ <<EOF2
$(grep '^full ' "$D/pick")
EOF2
echo "left out entirely: $ABS ($ABS_N rows); in part: $PART ($PART_W of $PART_N rows); loaded: $FULL ($FULL_N rows)"

# the number in "N responses in M rows" of the timeline tab, empty when not shown
responses() { tui_screen | sed -n 's/^ *\([0-9][0-9]*\) responses in [0-9]* rows.*/\1/p' | head -1; }
wait_responses() {   # wait_responses N: the timeline shows N responses (polled, 15 s)
	n=0
	while [ "$n" -lt 300 ] && [ "$(responses)" != "$1" ]; do sleep 0.05; n=$((n + 1)); done
	[ "$(responses)" = "$1" ]
}

tui_start 160 45 --source "$U/fx" $WIN --no-geoip
tui_wait "Loaded" 30
tui_keys :; tui_type "show all"; tui_keys Enter
# 1. a name the window did not load: :domain fetches it and opens it when its rows are in
check "$ABS is not in the window's list" sh -c "! tmux -L $TUI_SOCK capture-pane -p -t $TUI_T | grep -qw $ABS"
tui_keys :; tui_type "domain $ABS timeline"; tui_keys Enter
tui_wait "$ABS: $ABS_N more rows of its history from ClickHouse" 15 && echo "ok: $ABS_N rows of $ABS fetched"
tui_wait " responses in " 15
check "$ABS: its detail opened with $ABS_N responses" wait_responses "$ABS_N"
check "the detail's trail names $ABS" line_has 0 "$ABS"
tui_keys Escape
# 2. a neighbour the window loaded in part: opening it fetches the rest
tui_keys :; tui_type "domain $PART timeline"; tui_keys Enter
check "$PART: the timeline went from $PART_W to $PART_N responses" wait_responses "$PART_N"
tui_wait "$PART: $((PART_N - PART_W)) more row" 15 && echo "ok: $((PART_N - PART_W)) more row(s) of $PART"
tui_keys Escape
# 3. opened again: nothing fetched twice
tui_keys :; tui_type "domain $PART timeline"; tui_keys Enter
tui_wait " responses in " 10
sleep 1
check "$PART again: still $PART_N responses" wait_responses "$PART_N"
tui_keys Escape
# 4. a candidate the window loaded whole: opening it adds nothing
tui_keys :; tui_type "domain $FULL timeline"; tui_keys Enter
tui_wait "$FULL: 0 more rows of its history" 15 && echo "ok: nothing more for $FULL"
check "$FULL: $FULL_N responses" wait_responses "$FULL_N"
tui_keys :; tui_type "quit -f"; tui_keys Enter
st=$(tui_dead 10)
[ "$st" = 0 ] && echo "ok: quit with status 0" || { echo "FAIL: exit status $st"; TUI_FAILS=$((TUI_FAILS + 1)); }
[ "$TUI_FAILS" -eq 0 ]
