#!/bin/sh
# --probe (issue 17) against real authoritative servers on loopback (tests/e2e/lib/probe_lab.sh):
# two Knot instances serve a parent zone, a stable sibling zone and a delegated child whose A
# set is replaced by dynamic update every 2 s and whose NS set rotates; Unbound resolves in
# front; a test server truncates every UDP answer (answers over TCP), another never answers and
# one address has nothing listening. From probe data alone:
#   - the child is double flux, the stable sibling benign (through the resolver, and
#     iteratively from root hints);
#   - the truncating, silent and closed servers are reported answering (over TCP), no-answer
#     and unreachable; queries carry EDNS; no server gets two queries closer than the rate limit;
#   - without --probe-allow-private the lab's loopback nameservers are refused and not asked;
#   - --probe-resolver-only contacts no nameserver;
#   - --probe combines with -r FILE and with --export; --no-probe refuses.
# Every server the test starts listens on loopback and is stopped on exit.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
W="$BUILD/e2e/probe"
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
for t in knotd knsupdate unbound dig python3; do
	command -v "$t" >/dev/null || { bad "$t is missing (scripts/deps.sh test installs it)"; exit 1; }
done
. tests/e2e/lib/probe_lab.sh
trap lab_stop EXIT
trap 'lab_stop; exit 1' INT TERM
P=$((20000 + $$ % 9000))
UB=$((P + 1))
lab_start || { bad "the lab did not start"; exit 1; }
ok "lab up: Knot parent and child, tc/silent test servers, Unbound on port $UB (servers on port $P)"

LAB="--probe-port $P --probe-allow-private --probe-timeout 800 --no-geoip"
RES="--resolver 127.0.0.1:$UB"

verdict() { # json-file domain
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("kind") == "domain" and r["domain"] == sys.argv[2]:
        print(r["verdict"], r["ns_changes"], r["responses"], r["counts"]["addresses"]); break
else:
    print("absent")' "$1" "$2"
}

# ---- the flux child through the resolver ------------------------------------------------------
"$FLUXSCOPE" --probe flux.probe-lab $RES $LAB --probe-count 6 --probe-interval 2 --report --json --all \
	>"$W/flux.json" 2>"$W/flux.err"
rc=$?
[ $rc -eq 0 ] && ok "--probe flux.probe-lab --report --json exits 0" || bad "exit $rc: $(cat "$W/flux.err")"
set -- $(verdict "$W/flux.json" flux.probe-lab)
if [ "${1:-}" = double-flux ] && [ "${2:-0}" -ge 2 ] && [ "${4:-0}" -ge 8 ]; then
	ok "flux.probe-lab is double-flux from probe data alone ($2 NS-set changes, $3 responses, $4 addresses)"
else
	bad "flux.probe-lab: verdict/ns_changes/responses/addresses = $*"
fi
n_auth=$(grep -c 'probe: ns[1-6]\.flux\.probe-lab 127\.1[1-6]\.0\.1 port '"$P"': answering' "$W/flux.err")
[ "$n_auth" -ge 4 ] && ok "$n_auth rotating nameservers of the child asked and answering" ||
	bad "only $n_auth child nameservers answering: $(grep probe: "$W/flux.err")"
grep -q "probe: (resolver) 127.0.0.1 port $UB: answering" "$W/flux.err" &&
	ok "the resolver was asked too" || bad "no resolver line: $(grep probe: "$W/flux.err")"

# ---- the stable sibling: benign; the misbehaving servers reported as such ----------------------
"$FLUXSCOPE" --probe stable.probe-lab $RES $LAB --probe-count 3 --probe-interval 1 --report --json --all \
	>"$W/stable.json" 2>"$W/stable.err"
rc=$?
[ $rc -eq 0 ] && ok "--probe stable.probe-lab exits 0" || bad "exit $rc: $(cat "$W/stable.err")"
set -- $(verdict "$W/stable.json" stable.probe-lab)
[ "${1:-}" = benign ] && [ "${3:-0}" -ge 6 ] && ok "stable.probe-lab is benign ($3 responses)" ||
	bad "stable.probe-lab: $*"
line() { grep "probe: $1 " "$W/stable.err"; }
case "$(line ns-tc.stable.probe-lab)" in
	*": answering ("*" 0 truncated"*) bad "ns-tc: $(line ns-tc.stable.probe-lab)" ;;
	*": answering ("*) ok "truncating server: answers over TCP ($(line ns-tc.stable.probe-lab | sed 's/.*(//'))" ;;
	*) bad "ns-tc: $(line ns-tc.stable.probe-lab)" ;;
esac
grep -q ' tcp ' "$W/tc.log" && grep -q ' udp ' "$W/tc.log" && ok "the truncating server saw UDP then TCP" ||
	bad "tc.log: $(cat "$W/tc.log")"
line ns-silent.stable.probe-lab | grep -q ': no-answer (' && ok "silent server reported no-answer" ||
	bad "ns-silent: $(line ns-silent.stable.probe-lab)"
line ns-dead.stable.probe-lab | grep -q ': unreachable (' && ok "closed port reported unreachable" ||
	bad "ns-dead: $(line ns-dead.stable.probe-lab)"
line ns1.stable.probe-lab | grep -q ': answering (' && ok "the working server answering" ||
	bad "ns1.stable: $(line ns1.stable.probe-lab)"
# --json: one object per server asked, beside the domain records, each as its stderr line says
python3 - "$W/stable.json" "$W/stable.err" <<'PY' && ok "--json: one probe-server object per server, as standard error says" || bad "--json probe-server objects"
import json, re, sys
objs = [o for o in map(json.loads, open(sys.argv[1])) if o.get("kind") == "probe-server"]
lines = [l for l in open(sys.argv[2]) if l.startswith("fluxscope: probe: ")]
pat = re.compile(r"probe: (\S+) \[?([^\] ]+)\]? port (\d+): (\S+) \((\d+) sent, (\d+) answers, (\d+) timeouts, (\d+) truncated and asked over TCP, (\d+) over TCP")
want = sorted(pat.search(l).groups() for l in lines)
got = sorted((o["name"], o["address"], str(o["port"]), o["state"], str(o["queries"]), str(o["answers"]),
              str(o["timeouts"]), str(o["truncated"]), str(o["tcp_answers"])) for o in objs)
by = {o["name"]: o for o in objs}
print(f"{len(objs)} probe-server objects, {len(lines)} stderr lines")
ok = (len(objs) == len(lines) >= 4 and got == want and all(o["probe"] == "stable.probe-lab" for o in objs)
      and sum(o["resolver"] for o in objs) == 1 and by["(resolver)"]["resolver"]
      and by["ns-tc.stable.probe-lab"]["truncated"] > 0 and by["ns-tc.stable.probe-lab"]["tcp_answers"] > 0
      and by["ns-silent.stable.probe-lab"]["state"] == "no-answer" and by["ns-silent.stable.probe-lab"]["timeouts"] > 0
      and by["ns-dead.stable.probe-lab"]["state"] == "unreachable"
      and any(o.get("kind") == "domain" for o in map(json.loads, open(sys.argv[1]))))
if not ok:
    print("objects:", objs); print("lines:", lines)
sys.exit(0 if ok else 1)
PY
# EDNS on every UDP query, and the per-server limit (2 queries/s): no two queries to one
# server less than 0.45 s apart (the probe sleeps at least 0.5 s between them)
python3 - "$W/tc.log" "$W/silent.log" <<'PY' || fail=1
import sys
bad = 0
for path in sys.argv[1:]:
    rows = [l.split() for l in open(path) if l.strip()]
    ts = sorted(float(r[0]) for r in rows)
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    udp_edns = [r[3] == "1" for r in rows if r[1] == "udp"]
    ok = len(rows) >= 3 and min(gaps) >= 0.45 and all(udp_edns)
    print("%s: %s: %d queries, smallest gap %.3f s, EDNS on %d of %d UDP queries"
          % ("ok" if ok else "FAIL", path.rsplit("/", 1)[1], len(rows), min(gaps) if gaps else -1,
             sum(udp_edns), len(udp_edns)))
    bad |= not ok
sys.exit(bad)
PY

# ---- iteratively from root hints (the parent server as the only hint) ----------------------
printf '; lab root hints\nns.probe-lab. 3600 IN A 127.0.0.10\n' >"$W/hints"
"$FLUXSCOPE" --probe flux.probe-lab --root-hints "$W/hints" $LAB --probe-count 5 --probe-interval 2 \
	--report --json --all >"$W/iter.json" 2>"$W/iter.err"
rc=$?
set -- $(verdict "$W/iter.json" flux.probe-lab)
if [ $rc -eq 0 ] && [ "${1:-}" = double-flux ]; then
	ok "iterative from root hints: flux.probe-lab double-flux ($2 NS-set changes, $3 responses)"
else
	bad "iterative: exit $rc, $*: $(cat "$W/iter.err")"
fi
grep -q "(resolver)" "$W/iter.err" && bad "iterative mode asked the resolver" || ok "iterative mode never asks the resolver"

# ---- private destinations refused without --probe-allow-private -----------------------------
before=$(wc -l <"$W/silent.log")
"$FLUXSCOPE" --probe stable.probe-lab $RES --probe-port $P --no-geoip --probe-count 1 --report \
	>"$W/priv.out" 2>"$W/priv.err"
after=$(wc -l <"$W/silent.log")
n_ref=$(grep -c ': refused-private (0 sent' "$W/priv.err")
if [ "$n_ref" -eq 4 ] && [ "$before" -eq "$after" ]; then
	ok "without --probe-allow-private the 4 loopback nameservers are refused and not asked"
else
	bad "refused-private lines $n_ref, silent server queries $before -> $after: $(cat "$W/priv.err")"
fi
"$FLUXSCOPE" --probe flux.probe-lab --root-hints "$W/hints" --probe-port $P --report >"$W/priv2.out" 2>"$W/priv2.err"
rc=$?
[ $rc -ne 0 ] && grep -q 'probe-allow-private' "$W/priv2.err" && ok "loopback root hints refused in one sentence ($(cat "$W/priv2.err"))" ||
	bad "private hints: exit $rc: $(cat "$W/priv2.err")"

# ---- --probe-resolver-only: the nameservers are never contacted by fluxscope ----------------
# (Unbound reaches stable.probe-lab. only through its stub 127.0.0.20, so the truncating and
# silent servers hear from nobody else)
b_tc=$(wc -l <"$W/tc.log"); b_si=$(wc -l <"$W/silent.log")
"$FLUXSCOPE" --probe stable.probe-lab $RES $LAB --probe-resolver-only --probe-count 2 --probe-interval 1 \
	--report >"$W/ronly.out" 2>"$W/ronly.err"
rc=$?
n_na=$(grep -c ': not-asked (0 sent' "$W/ronly.err")
if [ $rc -eq 0 ] && [ "$n_na" -eq 4 ] && [ "$(wc -l <"$W/tc.log")" -eq "$b_tc" ] &&
   [ "$(wc -l <"$W/silent.log")" -eq "$b_si" ] && grep -q '(resolver).*: answering' "$W/ronly.err"; then
	ok "--probe-resolver-only asks only the resolver (4 nameservers not asked, none heard a query)"
else
	bad "--probe-resolver-only: exit $rc, $n_na not-asked: $(cat "$W/ronly.err")"
fi

# ---- with a capture, and --export ------------------------------------------------------------
PCAP=tests/data/pcaps/dnscap-dns.pcap
"$FLUXSCOPE" -r "$PCAP" --no-geoip --report --json --all >"$W/cap.json" 2>/dev/null
"$FLUXSCOPE" -r "$PCAP" --probe flux.probe-lab $RES $LAB --probe-count 4 --probe-interval 2 \
	--report --json --all >"$W/both.json" 2>"$W/both.err"
n_cap=$(grep -c '"kind":"domain"' "$W/cap.json")
n_both=$(grep -c '"kind":"domain"' "$W/both.json")
set -- $(verdict "$W/both.json" flux.probe-lab)
if [ "$n_cap" -gt 0 ] && [ "$n_both" -gt "$n_cap" ] && [ "${1:-}" = double-flux ]; then
	ok "-r FILE with --probe: the capture's $n_cap domains and the probed one ($1), $n_both in all"
else
	bad "-r with --probe: capture $n_cap domains, combined $n_both, probed: $*"
fi
"$FLUXSCOPE" --probe flux.probe-lab $RES $LAB --probe-count 4 --probe-interval 2 --export rpz \
	-o "$W/flux.rpz" 2>"$W/export.err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^flux\.probe-lab[[:space:]]' "$W/flux.rpz"; then
	ok "--probe --export rpz blocks flux.probe-lab"
else
	bad "export: exit $rc: $(cat "$W/export.err"; head -20 "$W/flux.rpz" 2>/dev/null)"
fi

# ---- refusals --------------------------------------------------------------------------------
out=$("$FLUXSCOPE" --probe flux.probe-lab --no-probe --report 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'no-probe' && ok "--no-probe refuses: $out" || bad "--no-probe: exit $rc: $out"
out=$("$FLUXSCOPE" -r "$PCAP" --probe-count 3 --report 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'needs --probe' && ok "probe options alone refused: $out" || bad "exit $rc: $out"
out=$("$FLUXSCOPE" --probe 'bad..name' --report 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "option --probe" && ok "a bad name refused: $out" || bad "exit $rc: $out"
out=$("$FLUXSCOPE" --probe flux.probe-lab --resolver 300.1.1.1 --report 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "option --resolver" && ok "a bad resolver refused: $out" || bad "exit $rc: $out"

exit $fail
