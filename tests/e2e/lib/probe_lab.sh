# A DNS lab on loopback for the probe tests (sourced; POSIX sh). Needs $W (a scratch folder,
# absolute) and $P (an unprivileged port every server of the lab listens on, each on its own
# 127.x.y.z address; Linux routes all of 127.0.0.0/8 to lo, so no interface is configured).
#
#   Knot "parent" (127.0.0.10 and 127.0.0.20): zone probe-lab. delegating flux.probe-lab. and
#                 stable.probe-lab., and serving stable.probe-lab. itself (on 127.0.0.20)
#   Knot "child"  (127.11.0.1 … 127.16.0.1, six /16s): zone flux.probe-lab., whose apex A set is
#                 replaced by a dynamic update (knsupdate) every 2 s with four addresses in four
#                 networks, and whose NS set rotates through ns1…ns6 at the same time
#   tc server     (127.0.0.21): ns-tc.stable.probe-lab., truncates every UDP answer, answers over
#                 TCP by relaying to the parent Knot (tests/e2e/probe_testsrv.py)
#   silent server (127.0.0.22): ns-silent.stable.probe-lab., never answers
#   nothing       (127.0.0.23): ns-dead.stable.probe-lab., port closed (unreachable)
#   Unbound       (127.0.0.1:$UB): the resolver, with stub zones for the three zones
#
#   lab_start / lab_stop (also on EXIT through the caller's trap); LAB_PIDS holds every process.
. tests/e2e/lib/unbound.sh
LAB_PIDS=""

lab_wait_dns() { # addr port name
	for i in $(seq 1 100); do
		if dig +time=1 +tries=1 -p "$2" @"$1" "$3" SOA >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

lab_knot() { # name listen-list zones(name:file ...)
	d="$W/knot-$1"
	mkdir -p "$d/db"
	{
		echo "server:"
		echo "    rundir: \"$d\""
		echo "    listen: [ $2 ]"
		echo "database:"
		echo "    storage: \"$d/db\""
		echo "log:"
		echo "  - target: stderr"
		echo "    any: info"
		echo "control:"
		echo "    listen: \"$d/knot.sock\""
		echo "acl:"
		echo "  - id: lab_update"
		echo "    address: 127.0.0.0/8"
		echo "    action: update"
		echo "template:"
		echo "  - id: default"
		echo "    storage: \"$d\""
		echo "    semantic-checks: off"
		echo "    zonefile-sync: -1"
		echo "    acl: lab_update"
		echo "zone:"
		for z in $3; do
			echo "  - domain: ${z%%:*}"
			echo "    file: \"${z#*:}\""
		done
	} >"$d/knot.conf"
	knotd -c "$d/knot.conf" >"$d/knotd.log" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
}

lab_update_loop() { # rotates the child's A and NS sets every 2 s until killed
	n=0
	cur="1 2 3"
	while :; do
		n=$((n + 1))
		sleep 2
		# four addresses in four networks, new ones each time (never contacted: data only)
		a1="45.$((n % 200 + 1)).$((n % 7)).10"; a2="62.$((n % 190 + 3)).1.$((n % 250 + 1))"
		a3="91.$((n * 3 % 200 + 1)).9.20"; a4="185.$((n * 7 % 200 + 2)).4.$((n % 240 + 5))"
		nxt="$(((n % 6) + 1)) $((((n + 1) % 6) + 1)) $((((n + 2) % 6) + 1))"
		{
			echo "server 127.11.0.1 $P"
			echo "zone flux.probe-lab."
			echo "update delete flux.probe-lab. A"
			for a in $a1 $a2 $a3 $a4; do echo "update add flux.probe-lab. 2 A $a"; done
			for k in $nxt; do echo "update add flux.probe-lab. 5 NS ns$k.flux.probe-lab."; done
			for k in $cur; do
				case " $nxt " in *" $k "*) ;; *) echo "update delete flux.probe-lab. NS ns$k.flux.probe-lab." ;; esac
			done
			echo "send"
		} | knsupdate -t 3 >>"$W/knsupdate.log" 2>&1
		cur=$nxt
	done
}

lab_start() {
	mkdir -p "$W"
	cat >"$W/probe-lab.zone" <<EOF
\$TTL 300
@                 IN SOA ns.probe-lab. hostmaster.probe-lab. 1 3600 600 86400 60
@                 IN NS  ns.probe-lab.
ns                IN A   127.0.0.10
flux              IN NS  ns1.flux
flux              IN NS  ns2.flux
flux              IN NS  ns3.flux
ns1.flux          IN A   127.11.0.1
ns2.flux          IN A   127.12.0.1
ns3.flux          IN A   127.13.0.1
stable            IN NS  ns1.stable
stable            IN NS  ns-tc.stable
stable            IN NS  ns-silent.stable
stable            IN NS  ns-dead.stable
ns1.stable        IN A   127.0.0.20
ns-tc.stable      IN A   127.0.0.21
ns-silent.stable  IN A   127.0.0.22
ns-dead.stable    IN A   127.0.0.23
EOF
	cat >"$W/stable.zone" <<EOF
\$TTL 3600
@                 IN SOA ns1.stable.probe-lab. hostmaster.probe-lab. 1 3600 600 86400 60
@                 IN NS  ns1
@                 IN NS  ns-tc
@                 IN NS  ns-silent
@                 IN NS  ns-dead
@           600   IN A   93.184.216.34
@           600   IN A   93.184.216.35
ns1               IN A   127.0.0.20
ns-tc             IN A   127.0.0.21
ns-silent         IN A   127.0.0.22
ns-dead           IN A   127.0.0.23
EOF
	cat >"$W/flux.zone" <<EOF
\$TTL 5
@                 IN SOA ns1.flux.probe-lab. hostmaster.probe-lab. 1 3600 600 86400 2
@                 IN NS  ns1
@                 IN NS  ns2
@                 IN NS  ns3
@           2     IN A   45.1.0.10
@           2     IN A   62.3.1.1
@           2     IN A   91.1.9.20
@           2     IN A   185.2.4.5
ns1               IN A   127.11.0.1
ns2               IN A   127.12.0.1
ns3               IN A   127.13.0.1
ns4               IN A   127.14.0.1
ns5               IN A   127.15.0.1
ns6               IN A   127.16.0.1
EOF
	lab_knot parent "127.0.0.10@$P, 127.0.0.20@$P" \
		"probe-lab.:$W/probe-lab.zone stable.probe-lab.:$W/stable.zone"
	lab_knot child "127.11.0.1@$P, 127.12.0.1@$P, 127.13.0.1@$P, 127.14.0.1@$P, 127.15.0.1@$P, 127.16.0.1@$P" \
		"flux.probe-lab.:$W/flux.zone"
	python3 tests/e2e/probe_testsrv.py tc 127.0.0.21 "$P" 127.0.0.20 "$P" "$W/tc.log" \
		>"$W/tc.stderr" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	python3 tests/e2e/probe_testsrv.py silent 127.0.0.22 "$P" "$W/silent.log" \
		>"$W/silent.stderr" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	lab_wait_dns 127.0.0.10 "$P" probe-lab || { echo "FAIL: parent knotd did not start"; cat "$W/knot-parent/knotd.log"; return 1; }
	lab_wait_dns 127.11.0.1 "$P" flux.probe-lab || { echo "FAIL: child knotd did not start"; cat "$W/knot-child/knotd.log"; return 1; }
	{ unbound_server "$UB" "$W"; cat <<EOF
	module-config: "iterator"
	do-not-query-localhost: no
	qname-minimisation: no
	root-hints: ""
	target-fetch-policy: "0 0 0 0 0"
	harden-referral-path: no
	infra-host-ttl: 5
stub-zone:
	name: "probe-lab."
	stub-addr: 127.0.0.10@$P
stub-zone:
	name: "flux.probe-lab."
	stub-addr: 127.11.0.1@$P
	stub-addr: 127.12.0.1@$P
	stub-addr: 127.13.0.1@$P
stub-zone:
	name: "stable.probe-lab."
	stub-addr: 127.0.0.20@$P
remote-control:
	control-enable: no
EOF
	} >"$W/unbound.conf"
	unbound-checkconf "$W/unbound.conf" >"$W/ucheck" 2>&1 || { echo "FAIL: unbound-checkconf"; cat "$W/ucheck"; return 1; }
	unbound -d -c "$W/unbound.conf" >"$W/unbound.stderr" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	lab_wait_dns 127.0.0.1 "$UB" flux.probe-lab || { echo "FAIL: unbound did not start"; cat "$W/unbound.stderr" "$W/unbound.log"; return 1; }
	lab_update_loop &
	LAB_PIDS="$LAB_PIDS $!"
	return 0
}

lab_stop() {
	for p in $LAB_PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $LAB_PIDS; do kill -9 "$p" 2>/dev/null; done
	LAB_PIDS=""
}
