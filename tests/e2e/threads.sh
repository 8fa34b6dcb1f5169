#!/bin/sh
# Output does not depend on the threads: --report --json --all (with and without --spread),
# --dump and --export csv are byte for byte the same with FLUXSCOPE_THREADS=1 (decoding, the
# store, detection and output on one thread) and FLUXSCOPE_THREADS=2 (the ingest pipeline's
# second thread, detection sharded over two, the report's records made on two workers; the
# report also on three), over a labelled flux capture, a generated resolver capture of 60,000
# packets, a random-subdomain flood, several files merged by time, and standard input (which
# never pipelines). Each output must also hold what it should (domains, flux verdicts). The
# report's run object (when the run started; for standard input also its source) is left out.
set -e
: "${FLUXSCOPE:?FLUXSCOPE must name the binary under test}"
: "${BUILD:=build}"
out="$BUILD/e2e/threads"
mkdir -p "$out"
"$BUILD/bench/gen_capture" -n 60000 -o "$out/gen.pcap" >/dev/null
"$BUILD/tests/e2e/gen_subdomains" -n 20000 -o "$out/sub.pcap"
G="--geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb"

NOW='s/"started":[0-9.]+,"started_iso":"[^"]*"/"started":0/'
same() {   # label, then the command's arguments; $alts: the thread counts compared with one
	label=$1
	shift
	# the report's run object says when the run started: the one thing that may differ
	FLUXSCOPE_THREADS=1 "$FLUXSCOPE" "$@" 2>"$out/one.err" | sed -E "$NOW" > "$out/one.txt" || true
	for t in ${alts:-2}; do
		FLUXSCOPE_THREADS=$t "$FLUXSCOPE" "$@" 2>"$out/two.err" | sed -E "$NOW" > "$out/two.txt" || true
		if ! cmp -s "$out/one.txt" "$out/two.txt"; then
			echo "threads: $label differs between one and $t threads:" >&2
			diff "$out/one.txt" "$out/two.txt" | head -5 >&2
			exit 1
		fi
		cmp -s "$out/one.err" "$out/two.err" || { echo "threads: $label: stderr differs ($t threads)" >&2; exit 1; }
	done
	[ -s "$out/one.txt" ] || { echo "threads: $label wrote nothing" >&2; exit 1; }
}

for f in tests/data/flux/flux-small.pcap "$out/gen.pcap" "$out/sub.pcap"; do
	# The JSON records are made and formatted on FLUXSCOPE_THREADS workers and written in rank
	# order (report.c, write_records): two and three workers (more than this machine's cores:
	# they interleave) must give one thread's bytes, record for record.
	# shellcheck disable=SC2086
	alts="2 3" same "--report $f" -r "$f" $G --report --json --all
	grep -q '"verdict":"single-flux"\|"verdict":"double-flux"' "$out/one.txt" ||
		[ "$f" = "$out/sub.pcap" ] || { echo "threads: no flux verdict for $f" >&2; exit 1; }
	n=$(grep -c '"kind":"domain"' "$out/one.txt")
	[ "$n" -ge 10 ] || { echo "threads: only $n domains for $f" >&2; exit 1; }
	# the records in rank order: "rank" 1, 2, 3, ... as the domain records come
	grep '"kind":"domain"' "$out/one.txt" | grep -o '"rank":[0-9]*' | awk -F: '$2 != NR { print "rank " $2 " at record " NR; exit 1 }' ||
		{ echo "threads: $f: records not in rank order" >&2; exit 1; }
	# shellcheck disable=SC2086
	alts="2 3" same "--report --spread $f" -r "$f" $G --report --json --all --spread
	# shellcheck disable=SC2086
	[ "$f" = "$out/sub.pcap" ] || alts="2 3" same "--report flagged $f" -r "$f" $G --report --json
	same "--dump $f" -r "$f" --dump --no-geoip
	same "--export csv $f" -r "$f" $G --export csv -o -
done
# a resolver feed (dnstap file: messages with a vantage)
for f in tests/data/feeds/*.dnstap; do
	same "--dump $f" -r "$f" --dump --no-geoip
	same "--report $f" -r "$f" --no-geoip --report --json --all
done
# several files merged by capture time
# shellcheck disable=SC2086
same "merged report" -r tests/data/flux/flux-small.pcap -r "$out/gen.pcap" $G --report --json --all
same "merged dump" -r tests/data/pcaps/dnscap-dns.pcap -r tests/data/pcaps/tcpdump-dns-tcp.pcap --dump --no-geoip
# standard input: one thread reads it whatever FLUXSCOPE_THREADS says; the same output still
FLUXSCOPE_THREADS=2 "$FLUXSCOPE" -r - --report --json --all $G < tests/data/flux/flux-small.pcap |
	sed -E "$NOW" | grep -v '^{"kind":"run"' > "$out/stdin.txt"
# shellcheck disable=SC2086
FLUXSCOPE_THREADS=2 "$FLUXSCOPE" -r tests/data/flux/flux-small.pcap $G --report --json --all |
	sed -E "$NOW" | grep -v '^{"kind":"run"' > "$out/file.txt"
[ -s "$out/file.txt" ] || { echo "threads: the report of the file is empty" >&2; exit 1; }
cmp -s "$out/stdin.txt" "$out/file.txt" || { echo "threads: standard input differs from the file" >&2; exit 1; }
echo "threads: ok"
