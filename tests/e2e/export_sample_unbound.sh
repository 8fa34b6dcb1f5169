#!/bin/sh
# The real pipeline end to end: `fluxscope -r samples/flux-demo.pcap --export rpz` loaded as
# the rpz: zone of a real Unbound on loopback. The DNS world of the capture (every A/AAAA/CNAME
# answer in it, from `--dump`) is served by a tiny authoritative BIND as a private root zone,
# so Unbound resolves the sample's names with no network. dig shows that
#   - exported flux domains (single and double flux) and a subdomain of one get NXDOMAIN,
#   - a name resolving to an exported flux-agent address (rpz-ip) is blocked,
#   - a flux domain put on the allowlist is not exported and still resolves,
#   - a benign domain resolves.
# Everything started here is stopped by the trap.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
. tests/e2e/lib/unbound.sh
S=samples/flux-demo.pcap
GEO="--geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb"
W="$BUILD/e2e/export-sample"
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
AUTH_PID=""
UB_PID=""
stop() {
	for p in $UB_PID $AUTH_PID; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $UB_PID $AUTH_PID; do kill -9 "$p" 2>/dev/null; done
	UB_PID=""; AUTH_PID=""
}
trap stop EXIT INT TERM

[ -f "$S" ] || { bad "$S is missing"; exit 1; }

# ---- what fluxscope flags, and one flux domain to allowlist --------------------------------
"$FLUXSCOPE" -r "$S" $GEO --export json -o "$W/flux.json" 2>"$W/json.err" || { bad "export json: $(cat "$W/json.err")"; exit 1; }
# The DNS world of the capture, decoded by tshark (the project's decoding oracle): every
# record of every response, as name, type and data.
tshark -r "$S" -Y "dns.flags.response==1" -T fields -E separator=/t -E aggregator=, \
	-e dns.resp.name -e dns.resp.type -e dns.a -e dns.aaaa -e dns.cname >"$W/world.tsv" 2>/dev/null ||
	{ bad "tshark could not read $S"; exit 1; }
$PY - "$W" <<'EOF' || { bad "could not pick test names from the export"; exit 1; }
import json, sys, collections
w = sys.argv[1]
j = json.load(open(w + "/flux.json"))
doms = [i for i in j["indicators"] if i["kind"] == "domain"]
single = [d["value"] for d in doms if d["verdict"] == "single-flux"]
double = [d["value"] for d in doms if d["verdict"] == "double-flux"]
addrs = {i["value"]: i["source"] for i in j["indicators"] if i["kind"] == "address" and ":" not in i["value"]}
assert single and double and addrs, (len(single), len(double), len(addrs))
# The world: A/AAAA/CNAME data per owner name. tshark lists every record's name and type
# in order, and the A, AAAA and CNAME data each in their own list, in the same order.
rr = collections.defaultdict(set)
for line in open(w + "/world.tsv"):
    f = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
    names, types = f[0].split(","), f[1].split(",")
    data = {"1": f[2].split(",") if f[2] else [], "28": f[3].split(",") if f[3] else [],
            "5": f[4].split(",") if f[4] else []}
    for n, t in zip(names, types):
        if t in data and data[t]:
            v = data[t].pop(0)
            rr[n.lower()].add(({"1": "A", "28": "AAAA", "5": "CNAME"}[t], v.lower()))
def plain(n):
    return all(c.isalnum() or c in "-._" for c in n)
flagged = set(d["value"] for d in doms)
benign = sorted(n for n in rr if n not in flagged and plain(n) and any(t == "A" for t, _ in rr[n])
                and not any(v in addrs for t, v in rr[n]))
allow = single[-1]                     # a flux domain the analyst allowlists
assert benign
with open(w + "/pick.sh", "w") as f:
    f.write("SINGLE=%s\nDOUBLE=%s\nALLOW=%s\nBENIGN=%s\nADDR=%s\nN_DOM=%d\nN_ADDR=%d\n" % (
        single[0], double[0], allow, benign[0], sorted(addrs)[0], len(doms), len(addrs)))
with open(w + "/allow.txt", "w") as f:
    f.write("domain %s  e2e: allowlisted by the analyst\n" % allow)
# A private root zone with the capture's answers, and probes.
with open(w + "/root.zone", "w") as f:
    f.write("$TTL 60\n. IN SOA a.root.probe. hostmaster.probe. 1 3600 600 86400 60\n")
    f.write(". IN NS a.root.probe.\na.root.probe. IN A 127.0.0.1\n")
    for n, recs in sorted(rr.items()):
        if not plain(n):
            continue
        cn = [v for t, v in recs if t == "CNAME"]
        if cn:
            f.write("%s. IN CNAME %s.\n" % (n, sorted(cn)[0]))
            continue
        for t, v in sorted(recs):
            f.write("%s. IN %s %s\n" % (n, t, v))
    f.write("probe.%s. IN A 192.0.2.123\n" % single[0])
    f.write("ipprobe.probe. IN A %s\n" % sorted(addrs)[0])
EOF
. "$W/pick.sh"
ok "export json: $N_DOM domains, $N_ADDR IPv4 flux agents; single $SINGLE, double $DOUBLE, allowlisting $ALLOW"

"$FLUXSCOPE" -r "$S" $GEO --allowlist "$W/allow.txt" --subdomains --export rpz -o "$W/flux.rpz" \
	2>"$W/rpz.err" || { bad "export rpz: $(cat "$W/rpz.err")"; exit 1; }
cat "$W/rpz.err"
named-checkzone -q rpz.fluxscope.local "$W/flux.rpz" && ok "named-checkzone accepts the sample RPZ" || bad "named-checkzone rejects the sample RPZ"
grep -q "^$ALLOW	CNAME	\.$" "$W/flux.rpz" && bad "allowlisted $ALLOW was exported"
grep -q "^$ALLOW	CNAME	rpz-passthru\.$" "$W/flux.rpz" && ok "allowlisted $ALLOW shares flux addresses: passthru rule written"
grep -q "^$SINGLE	CNAME	\.$" "$W/flux.rpz" || bad "$SINGLE not in the RPZ"
grep -q "^\*\.$SINGLE	CNAME	\.$" "$W/flux.rpz" || bad "no wildcard for $SINGLE"
grep -q "rpz-nsdname" "$W/flux.rpz" && ok "double-flux nameservers exported ($(grep -c 'rpz-nsdname' "$W/flux.rpz") rpz-nsdname)" || bad "no rpz-nsdname trigger"

# ---- servers ---------------------------------------------------------------------------------
base=$((40000 + $$ % 10000))
AUTH_PORT=$base
UB_PORT=$((base + 1))
named-checkzone -q . "$W/root.zone" || bad "root.zone"
cat >"$W/auth.conf" <<EOF
options { directory "$W"; pid-file "$W/auth.pid"; listen-on port $AUTH_PORT { 127.0.0.1; };
	listen-on-v6 { none; }; recursion no; dnssec-validation no;
	# a flux domain carries hundreds of addresses over the capture (9.18 caps at 100 by default)
	max-records-per-type 0; };
controls { };
logging { channel f { file "$W/auth.log"; severity info; }; category default { f; }; };
zone "." { type primary; file "$W/root.zone"; };
EOF
named -c "$W/auth.conf" -f -4 -n 1 >"$W/auth.stderr" 2>&1 &
AUTH_PID=$!
{ unbound_server "$UB_PORT" "$W"; cat <<EOF
	module-config: "respip iterator"
	do-not-query-localhost: no
	qname-minimisation: no
	root-hints: ""
	target-fetch-policy: "0 0 0 0 0"
	harden-referral-path: no
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$AUTH_PORT
rpz:
	name: "rpz.fluxscope.local."
	zonefile: "$W/flux.rpz"
	rpz-log: yes
	rpz-log-name: "fluxscope"
remote-control:
	control-enable: no
EOF
} >"$W/unbound.conf"
unbound-checkconf "$W/unbound.conf" >/dev/null || bad "unbound-checkconf"
unbound -d -c "$W/unbound.conf" >"$W/unbound.stderr" 2>&1 &
UB_PID=$!
up=0
for i in $(seq 1 100); do
	dig +time=1 +tries=1 -p "$UB_PORT" @127.0.0.1 "$BENIGN" A >/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
[ $up -eq 1 ] || { bad "servers did not start"; cat "$W/auth.stderr" "$W/unbound.stderr"; exit 1; }
ok "authoritative root on :$AUTH_PORT, unbound on :$UB_PORT with the exported RPZ"

q() {
	out=$(dig +time=2 +tries=1 -p "$UB_PORT" @127.0.0.1 "$1" A)
	st=$(echo "$out" | grep -o 'status: [A-Z]*' | cut -d' ' -f2)
	ans=$(echo "$out" | awk '/^;; ANSWER SECTION:/{a=1;next} /^;;/{a=0} a && NF>=5 {print $NF}' | head -3 | tr '\n' ' ')
	echo "$st ${ans% }"
}
expect() { r=$(q "$1"); case "$r" in "$2"*) ok "$1 -> $r" ;; *) bad "$1 -> $r (wanted $2)" ;; esac; }
# The authoritative side really has them (so a block is the RPZ's doing).
for n in "$SINGLE" "probe.$SINGLE" ipprobe.probe "$ALLOW"; do
	dig +time=2 +tries=1 +norec -p "$AUTH_PORT" @127.0.0.1 "$n" A | grep -q 'status: NOERROR' || bad "auth has no $n"
done
expect "$SINGLE" NXDOMAIN
expect "probe.$SINGLE" NXDOMAIN
expect "$DOUBLE" NXDOMAIN
expect ipprobe.probe NXDOMAIN
expect "$ALLOW" NOERROR
expect "$BENIGN" NOERROR
grep -q "applied \[fluxscope\] $ADDR/32" "$W/unbound.log" && ok "unbound applied the rpz-ip trigger for $ADDR" || bad "no rpz-ip action for $ADDR in the log"
if grep "error:" "$W/unbound.log"; then bad "unbound logged errors"; fi
stop
exit $fail
