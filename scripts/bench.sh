#!/bin/sh
# make bench: every benchmark in its own section. Timings live here, never in tests.
# Environment: BUILD (build dir holding bench/ binaries).
set -u
B=${BUILD:-build}
section() { printf '\n== %s\n' "$1"; }

# -- Ingest: a generated capture of at least one million DNS packets (bench/gen_capture.c;
#    queries/responses, A/AAAA/CNAME/NS/NXDOMAIN, EDNS, 2% over TCP), read by a bare libpcap
#    loop (the floor) and by fluxscope's capture source, packet path, decoder and ingest
#    driver. Later sections may reuse $CAP (the same file) for their own lines.
CAP="$B/bench/dns-1m.pcap"
if [ -x "$B/bench/gen_capture" ] && { [ ! -s "$CAP" ] || [ "$B/bench/gen_capture" -nt "$CAP" ]; }; then
  "$B/bench/gen_capture" -n 1000000 -o "$CAP" || exit 1
fi
if [ -x "$B/bench/bench_ingest" ] && [ -s "$CAP" ]; then
  section "ingest (bench/bench_ingest.c over $CAP)"
  "$B/bench/bench_ingest" -r 3 "$CAP"
fi

# -- Issue 11: the whole job against dnstop, tshark and tcpdump on one generated capture (500k
#    packets), as ratios with peak RSS beside each, and the memory per name (also of a
#    random-subdomain flood). The peers come from scripts/deps.sh bench. BENCH_PEERS=0 skips.
if [ "${BENCH_PEERS:-1}" != 0 ] && [ -x "$B/bench/gen_capture" ] && [ -x "$B/tests/e2e/gen_subdomains" ]; then
  section "peers: the whole job against dnstop, tshark, tcpdump (scripts/bench-peers.py)"
  python3 scripts/bench-peers.py "$B/fluxscope" "$B/bench/gen_capture" "$B/tests/e2e/gen_subdomains" "$B/bench"
fi

# -- Issue 11: the TUI loading a 10-million-packet capture against the headless report:
#    first flagged rows while loading, key-to-frame times, load time ratio
#    (scripts/bench-tui-load.sh; BENCH_TUI_LOAD_PACKETS, 0 skips).
if [ "${BENCH_TUI_LOAD_PACKETS:-10000000}" != 0 ] && [ -x "$B/bench/gen_capture" ]; then
  section "TUI loading a large capture (scripts/bench-tui-load.sh)"
  BUILD="$B" sh scripts/bench-tui-load.sh
fi

# -- Enrichment: geo_lookup over one million answer records, cold and cached, for the
#    databases at hand (libloc is real-world sized; the MaxMind test and demo databases small).
if [ -x "$B/bench/bench_enrich" ]; then
  section "enrichment (bench/bench_enrich.c)"
  sets=""
  for d in /var/lib/location/database.db /usr/share/libloc-location/location.db; do
    [ -r "$d" ] && { sets="libloc=$d"; break; }
  done
  sets="$sets maxmind-test=tests/data/geoip/GeoLite2-ASN-Test.mmdb,tests/data/geoip/GeoIP2-City-Test.mmdb"
  [ -r samples/demo-asn.mmdb ] && [ -r samples/demo-geo.mmdb ] &&
    sets="$sets demo=samples/demo-asn.mmdb,samples/demo-geo.mmdb"
  for d in /usr/share/GeoIP /var/lib/GeoIP; do
    ls "$d"/*.mmdb >/dev/null 2>&1 && sets="$sets system-$(basename "$d")=$(ls "$d"/*.mmdb | paste -sd,)"
  done
  # shellcheck disable=SC2086
  "$B/bench/bench_enrich" -n 1000000 -u 100000 $sets
fi

# -- The observation store.
if [ -x "$B/bench/bench_store" ]; then
  section "store (bench/bench_store.c)"
  # Also the store's cost on decoded traffic: the generated one-million-packet capture (or
  # BENCH_PCAP), read through the ingest driver without and with the store.
  SCAP=${BENCH_PCAP:-$CAP}
  if [ -s "$SCAP" ]; then
    "$B/bench/bench_store" -r "$SCAP" | tee "$B/bench/bench_store.out"
  else
    "$B/bench/bench_store"
  fi
fi

# -- DNS decoding and --dump over the generated capture: dns_parse against ldns_wire2pkt (and
#    ldns with every record as a string) on the same messages, and the whole --dump without and
#    with the enrichment of A/AAAA records (the default databases), as per-packet CPU time
#    beside the libpcap read loop (the floor).
CAP="$B/bench/dns-1m.pcap"
if [ -x "$B/bench/bench_dns" ]; then
  section "DNS decoding and --dump (bench/bench_dns.c)"
  [ -r "$CAP" ] || { [ -x "$B/bench/gen_capture" ] && "$B/bench/gen_capture" -o "$CAP" >/dev/null; }
  if [ -r "$CAP" ]; then
    "$B/bench/bench_dns" -r 3 "$CAP" | tee "$B/bench/bench_dns.out"
    python3 - "$B/fluxscope" "$CAP" "$B/bench/bench_dns.out" <<'PY'
import resource, subprocess, sys
fs, cap, out = sys.argv[1:4]
kv = dict(l.split(None, 1) for l in open(out) if l.strip())
floor, pkts = float(kv["floor-ns"]), int(kv["packets"])
for label, extra in (("fluxscope --dump --no-geoip", ["--no-geoip"]),
                     ("fluxscope --dump (+ geo)", [])):
    best = None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([fs, "-r", cap, "--dump"] + extra, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = cpu if best is None else min(best, cpu)
    ns = best * 1e9 / pkts
    print("%-28s %8.1f ns/packet %10.0f packets/s  %6.2fx floor" % (label, ns, 1e9 / ns, ns / floor))
PY
  else
    echo "skipped: no generated capture at $CAP (bench/gen_capture writes it)"
  fi
fi

# -- The TUI: one keystroke (view-model update + canvas render, no terminal) with one million
#    domains in the store; target under 50 ms. BENCH_TUI_DOMAINS overrides the count.
# -- Detection: one det_run over the store of a labelled flux capture (the eval-sized one when
#    make eval has made it, else the small test capture), with the demo GeoIP databases.
if [ -x "$B/bench/bench_detect" ]; then
  section "detection (bench/bench_detect.c)"
  DCAP=tests/data/flux/flux-small.pcap
  [ -s "$B/eval/eval-20251118.pcap" ] && DCAP="$B/eval/eval-20251118.pcap"
  "$B/bench/bench_detect" -n 3 -g samples/demo-asn.mmdb -g samples/demo-geo.mmdb "$DCAP"
  # Re-scoring as data arrives (the TUI, feeds): det_run after each 1% (and 0.1%) more of
  # the peers capture's messages, recomputing everything against keeping what did not change
  # (src/detect/incr.c); the generated 500k-packet capture of the peers section when present.
  ICAP="$B/bench/peers-500000.pcap"
  [ -s "$ICAP" ] || ICAP="$DCAP"
  for pct in 1 0.1; do
    "$B/bench/bench_detect" -i "$pct" -s 5 -g samples/demo-asn.mmdb -g samples/demo-geo.mmdb "$ICAP"
  done
  # Re-scoring after ageing (the TUI under --max-memory): a new detector against the kept one
  # after each 5% of the time range aged out; and detection's memory per domain by kind (the
  # ageing budget's estimate, src/cli/live.h) on the same capture and on a flood.
  "$B/bench/bench_detect" -a 5 -s 5 -g samples/demo-asn.mmdb -g samples/demo-geo.mmdb "$ICAP"
  "$B/bench/bench_detect" -m "$ICAP"
  FCAP="$B/bench/flood-200000.pcap"
  [ -s "$FCAP" ] && "$B/bench/bench_detect" -m "$FCAP"
fi

# -- The export indicator set: adds (half merging) and name lookups over its hash index.
if [ -x "$B/bench/bench_export" ]; then
  section "export indicator set (bench/bench_export.c)"
  "$B/bench/bench_export" -n 500000 -r 3
fi

if [ -x "$B/bench/bench_tui" ]; then
  section "TUI keystrokes (bench/bench_tui.c)"
  "$B/bench/bench_tui" -n "${BENCH_TUI_DOMAINS:-1000000}"
fi

# -- Issue 2's summary, from this run: per-packet CPU cost over the same generated capture of
#    the libpcap floor, the decoder, --dump, ingest into the store, and tshark, as ratios.
if [ -r "$B/bench/bench_dns.out" ] && [ -r "$CAP" ]; then
  section "summary: per-packet cost over $CAP, as ratios to the libpcap floor"
  python3 - "$B/fluxscope" "$CAP" "$B/bench/bench_dns.out" "$B/bench/bench_store.out" <<'PY'
import re, resource, shutil, subprocess, sys
fs, cap, dns_out, store_out = sys.argv[1:5]
kv = dict(l.split(None, 1) for l in open(dns_out) if l.strip() and len(l.split(None, 1)) == 2)
floor, pkts = float(kv["floor-ns"]), int(kv["packets"])
rows = [("libpcap read loop (floor)", floor)]
def cpu_of(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
for l in open(dns_out):
    m = re.match(r"(\+ dns_parse|\+ ldns_wire2pkt|decoder \+ dns_parse)\s+([\d.]+) ns/packet", l)
    if m:
        rows.append((m.group(1), float(m.group(2))))
rows.append(("fluxscope --dump --no-geoip", cpu_of([fs, "-r", cap, "--dump", "--no-geoip"]) * 1e9 / pkts))
try:
    m = re.search(r"(\d+) DNS messages; read\+decode ([\d.]+) ns/msg, \+store ([\d.]+) ns/msg", open(store_out).read())
    if m:
        msgs, total = int(m.group(1)), float(m.group(3))
        rows.append(("ingest into the store", total * msgs / pkts))
except OSError:
    pass
if shutil.which("tshark"):
    rows.append(("tshark -T fields (dns)", cpu_of(["tshark", "-n", "-r", cap, "-T", "fields", "-e", "dns.qry.name", "-e", "dns.a"]) * 1e9 / pkts))
for label, ns in rows:
    print("%-30s %9.1f ns/packet %8.2fx floor" % (label, ns, ns / floor))
PY
fi

# -- Live capture soak (issue 7): rate ladder on lo (root) and memory after an hour of simulated
#    traffic under --max-memory; scripts/bench-live.sh explains both and its environment.
if [ -x "$B/fluxscope" ]; then
  section "live capture soak (scripts/bench-live.sh)"
  BUILD="$B" sh scripts/bench-live.sh
fi

# -- ClickHouse (issue 15): sensor insert rate, bytes per row on disk, the workstation's time to
#    load a window with its row count; scripts/bench-clickhouse.sh (a separable part).
if [ -x "$B/fluxscope" ]; then
  section "ClickHouse sensor and workstation (scripts/bench-clickhouse.sh)"
  BUILD="$B" CAP="$CAP" sh scripts/bench-clickhouse.sh
fi
