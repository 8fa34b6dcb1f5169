#!/bin/sh
# Zone verdicts in few networks (issue 10): a zone whose names hand out six new addresses an
# answer in two hosting networks no list names, and whose re-asked names were given another set
# by a second resolver, is flux as a zone (a bulletproof hoster's flux), with a reason saying
# so, and the RPZ export blocks it. Three controls of the same size in the same networks are
# not flux: the same names given one set by both resolvers (static hosts), the same rotation
# behind CNAME aliases (load balancers are named so), and a hoster's round robin (two addresses
# an answer from a pool of four). A zone of two names both rotating there is flux too (their own
# rotation stands in for more names); the same pair given one set is not. The demo GeoIP databases bundled in samples/ give the ASNs.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
W="$BUILD/e2e/zone-hosted"
rm -rf "$W"
mkdir -p "$W"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
set -- --geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb

python3 tests/e2e/zone_hosted_gen.py "$W/zone.pcap" || { echo "FAIL: generator"; exit 1; }
"$FLUXSCOPE" -r "$W/zone.pcap" "$@" --report --json --all >"$W/report.json" 2>"$W/report.err" ||
	bad "report: $(cat "$W/report.err")"

python3 - "$W/report.json" <<'PY' || fail=1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
zones = {r["domain"]: r for r in rows if r.get("kind") == "zone"}
names = {r["domain"]: r for r in rows if r.get("kind") == "domain"}
FLUX = ("single-flux", "double-flux")
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad |= not cond
z = zones.get("bp-host.top")
check(z is not None and z["verdict"] in FLUX,
      "zone bp-host.top (two unlisted networks, names rotating) is flux (%s)" % (z and z["verdict"]))
check(z is not None and z["counts"]["asns"] == 2,
      "its answers are in two ASNs (%s)" % (z and z["counts"]["asns"]))
check(z is not None and any("rotate there" in x and "4 of 4 re-asked names" in x for x in z["reasons"]),
      "its reasons say its names rotate in few networks (4 of 4 re-asked)")
members = [r for n, r in names.items() if n.endswith(".bp-host.top")]
check(len(members) == 7 and all(r["verdict"] in FLUX or r["zone_verdict"] in FLUX for r in members),
      "its seven names are under its flux verdict")
z = zones.get("bp-pair.top")
check(z is not None and z["verdict"] in FLUX,
      "small zone bp-pair.top (2 names, both rotating) is flux (%s)" % (z and z["verdict"]))
check(z is not None and any("they rotate on their own: 2 of 2 re-asked names" in x
                            for x in z["reasons"]),
      "its reasons say its two names rotate on their own")
for zn, why in (("bp-static.net", "static hosts"), ("lb-alias.com", "CNAME aliases"),
                ("elb-host.net", "the aliases' targets"), ("rr-shop.com", "round robin"),
                ("static-pair.net", "two static hosts")):
    zr = zones.get(zn)
    check(zr is not None and zr["verdict"] not in FLUX,
          "control zone %s (%s) is not flux (%s)" % (zn, why, zr and zr["verdict"]))
    check(not any(r["verdict"] in FLUX for n, r in names.items() if n.endswith("." + zn)),
          "no name of %s is flux" % zn)
sys.exit(bad)
PY

"$FLUXSCOPE" -r "$W/zone.pcap" "$@" --export rpz --rpz-origin rpz.test -o "$W/flux.rpz" \
	2>"$W/export.err" || bad "export: $(cat "$W/export.err")"
if grep -q '^bp-host\.top[[:space:]]' "$W/flux.rpz" && grep -q '^\*\.bp-host\.top[[:space:]]' "$W/flux.rpz"; then
	ok "the RPZ blocks bp-host.top and its wildcard"
else
	bad "the RPZ has no zone and wildcard entry for bp-host.top: $(grep bp-host "$W/flux.rpz" | head -3)"
fi
if grep -Eq 'bp-static\.net|lb-alias\.com|elb-host\.net|rr-shop\.com' "$W/flux.rpz"; then
	bad "a control zone is in the RPZ: $(grep -E 'bp-static|lb-alias|elb-host|rr-shop' "$W/flux.rpz" | head -3)"
else
	ok "no control zone in the RPZ"
fi
if command -v named-checkzone >/dev/null; then
	if named-checkzone -i local rpz.test "$W/flux.rpz" >"$W/check" 2>&1; then
		ok "named-checkzone accepts the RPZ"
	else
		bad "named-checkzone: $(tail -3 "$W/check")"
	fi
fi
exit $fail
