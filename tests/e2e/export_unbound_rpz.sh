#!/bin/sh
# The exported RPZ in a real Unbound resolver on loopback (unprivileged port, no network):
# Unbound resolves "test." through a stub to a tiny authoritative BIND that serves the flux
# domains, and loads the export as its rpz: zone. dig then shows that
#   - an exported domain and its subdomain get NXDOMAIN (then the sinkhole answer),
#   - names resolving to exported rpz-ip addresses (IPv4, IPv6, CIDR) are blocked,
#   - a delegation to an exported double-flux nameserver (rpz-nsdname) or to one of its
#     addresses (rpz-nsip) is blocked,
#   - an allowlisted domain is answered, even one that shares a flux address or lies under an
#     exported domain whose subdomains are blocked,
#   - a benign domain is answered.
# Everything started here is stopped by the trap.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
. tests/e2e/lib/unbound.sh
FIX="$BUILD/tests/e2e/export_fixture"
W="$BUILD/e2e/export-unbound"
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
AUTH_PID=""
UB_PID=""
stop() {
	for p in $UB_PID $AUTH_PID; do
		kill "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $UB_PID $AUTH_PID; do
		kill -9 "$p" 2>/dev/null
	done
	UB_PID=""
	AUTH_PID=""
}
trap stop EXIT INT TERM

base=$((30000 + $$ % 10000))
AUTH_PORT=$base
UB_PORT=$((base + 1))

# ---- the authoritative side: zone test. ---------------------------------------------------
cat >"$W/test.zone" <<EOF
\$TTL 60
@               IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60
@               IN NS  ns.test.
ns              IN A   127.0.0.1
evil-flux       IN A   192.0.2.10
www.evil-flux   IN A   192.0.2.11
safe.evil-flux  IN A   192.0.2.12
ipflux          IN A   192.0.2.66
ipflux6         IN AAAA 2001:db8::66
cidrflux        IN A   198.51.100.9
allowed         IN A   192.0.2.20
shared.allowed  IN A   192.0.2.66
benign          IN A   192.0.2.30
; delegations to the exported double-flux nameserver (by name) and to an address of it
victim          IN NS  ns1.dbl-flux.test.
ns1.dbl-flux    IN A   127.0.0.2
victim2         IN NS  ns2.elsewhere.test.
ns2.elsewhere   IN A   203.0.113.53
EOF
cat >"$W/auth.conf" <<EOF
options {
	directory "$W";
	pid-file "$W/auth.pid";
	listen-on port $AUTH_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
};
controls { };
logging { channel f { file "$W/auth.log"; severity info; }; category default { f; }; };
zone "test" { type primary; file "$W/test.zone"; };
EOF
named-checkconf "$W/auth.conf" || bad "auth named.conf"
named-checkzone -q test "$W/test.zone" || bad "test.zone"
named -c "$W/auth.conf" -f -4 -n 1 >"$W/auth.stderr" 2>&1 &
AUTH_PID=$!

wait_dns() { # port name
	for i in $(seq 1 100); do
		dig +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" SOA >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
wait_dns "$AUTH_PORT" test || { bad "authoritative named did not start"; cat "$W/auth.stderr"; exit 1; }
ok "authoritative BIND for test. on 127.0.0.1:$AUTH_PORT"

start_unbound() { # rpz-file
	{ unbound_server "$UB_PORT" "$W"; cat <<EOF
	module-config: "respip iterator"
	do-not-query-localhost: no
	qname-minimisation: no
	local-zone: "test." nodefault
	# no network here: never ask the root
	root-hints: ""
	target-fetch-policy: "0 0 0 0 0"
	harden-referral-path: no
stub-zone:
	name: "test."
	stub-addr: 127.0.0.1@$AUTH_PORT
rpz:
	name: "rpz.fluxscope.local."
	zonefile: "$1"
	rpz-log: yes
	rpz-log-name: "fluxscope"
remote-control:
	control-enable: no
EOF
	} >"$W/unbound.conf"
	unbound-checkconf "$W/unbound.conf" >"$W/ucheck" 2>&1 || { bad "unbound-checkconf:"; cat "$W/ucheck"; return 1; }
	unbound -d -c "$W/unbound.conf" >"$W/unbound.stderr" 2>&1 &
	UB_PID=$!
	wait_dns "$UB_PORT" benign.test || { bad "unbound did not start"; cat "$W/unbound.stderr" "$W/unbound.log"; return 1; }
	ok "unbound on 127.0.0.1:$UB_PORT with $(basename "$1") as its rpz zone"
}
stop_unbound() {
	kill "$UB_PID" 2>/dev/null
	for i in $(seq 1 30); do kill -0 "$UB_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$UB_PID" 2>/dev/null
	UB_PID=""
}

# q NAME TYPE -> "STATUS answer-data..."
q() {
	out=$(dig +time=2 +tries=1 -p "$UB_PORT" @127.0.0.1 "$1" "$2")
	st=$(echo "$out" | grep -o 'status: [A-Z]*' | cut -d' ' -f2)
	ans=$(echo "$out" | awk '/^;; ANSWER SECTION:/{a=1;next} /^;;/{a=0} a && NF>=5 && $4 != "RRSIG" {print $5, $NF}' | tr '\n' ' ')
	echo "$st ${ans% }"
}
expect() { # name type expected-status [expected-answer-substring]
	r=$(q "$1" "$2")
	case "$r" in
	"$3"*) if [ -z "${4:-}" ] || echo "$r" | grep -q -- "$4"; then ok "$1 $2 -> $r"; else bad "$1 $2 -> $r (wanted $4)"; fi ;;
	*) bad "$1 $2 -> $r (wanted $3 ${4:-})" ;;
	esac
}

# ---- run 1: NXDOMAIN action ---------------------------------------------------------------
RPZ="$W/flux-nxdomain.rpz"
if [ -n "${EXPORT_FROM_SAMPLE:-}" ]; then
	"$FLUXSCOPE" -r "$EXPORT_FROM_SAMPLE" --export rpz -o "$RPZ" || bad "fluxscope --export rpz"
else
	"$FIX" rpz "$RPZ" set=both >"$W/fix.out" 2>&1 || bad "export_fixture rpz: $(cat "$W/fix.out")"
fi
if start_unbound "$RPZ"; then
	expect benign.test A NOERROR "192.0.2.30"
	expect evil-flux.test A NXDOMAIN
	expect www.evil-flux.test A NXDOMAIN
	expect safe.evil-flux.test A NOERROR "192.0.2.12"
	expect dbl-flux.test A NXDOMAIN
	expect ipflux.test A NXDOMAIN
	expect ipflux6.test AAAA NXDOMAIN
	expect cidrflux.test A NXDOMAIN
	expect allowed.test A NOERROR "192.0.2.20"
	expect shared.allowed.test A NOERROR "192.0.2.66"
	expect host.victim.test A NXDOMAIN
	expect host.victim2.test A NXDOMAIN
	n=$(grep -c "rpz: applied \[fluxscope\]" "$W/unbound.log")
	ok "unbound logged $n rpz actions"
	grep -q "applied \[fluxscope\] nsdname ns1.dbl-flux.test" "$W/unbound.log" || bad "no rpz-nsdname action in the log"
	grep -q "applied \[fluxscope\] nsip 203.0.113.53" "$W/unbound.log" || bad "no rpz-nsip action in the log"
	grep -q "applied \[fluxscope\] 2001:db8::66/128" "$W/unbound.log" || bad "no IPv6 rpz-ip action in the log"
	stop_unbound
	if grep "error:" "$W/unbound.log"; then bad "unbound logged errors loading or applying the RPZ"; fi
fi

# ---- run 2: sinkhole action ----------------------------------------------------------------
RPZ="$W/flux-sinkhole.rpz"
"$FIX" rpz "$RPZ" set=both action=sinkhole sinkhole=192.0.2.250 >"$W/fix2.out" 2>&1 ||
	bad "export_fixture rpz sinkhole: $(cat "$W/fix2.out")"
if start_unbound "$RPZ"; then
	expect evil-flux.test A NOERROR "192.0.2.250"
	expect www.evil-flux.test A NOERROR "192.0.2.250"
	expect safe.evil-flux.test A NOERROR "192.0.2.12"
	expect ipflux.test A NOERROR "192.0.2.250"
	expect benign.test A NOERROR "192.0.2.30"
	expect allowed.test A NOERROR "192.0.2.20"
	expect ipflux6.test AAAA NXDOMAIN
	stop_unbound
	if grep "error:" "$W/unbound.log"; then bad "unbound logged errors loading or applying the RPZ"; fi
fi
stop
exit $fail
