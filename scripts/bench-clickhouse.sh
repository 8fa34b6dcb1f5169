#!/bin/sh
# make bench, section "ClickHouse" (issue 15): a clickhouse-server of its own on 127.0.0.1
# (tests/e2e/lib/clickhouse.sh), the generated capture of the ingest section through a sensor
# (insert rate, rows, bytes on disk compressed and not), then the workstation's time to load
# the whole window (candidate step, row step, rows loaded) and to report on it.
# Environment: BUILD, CAP (default $BUILD/bench/dns-1m.pcap).
set -u
calc() { python3 -c "print(round($1, 2))"; }
B=${BUILD:-build}
F=$PWD/$B/fluxscope
CAP=${CAP:-$B/bench/dns-1m.pcap}
[ -x /usr/sbin/clickhouse-server ] || { echo "skipped: no clickhouse-server (scripts/deps.sh test)"; exit 0; }
[ -s "$CAP" ] || { echo "skipped: no capture at $CAP"; exit 0; }
D=$(mktemp -d "${TMPDIR:-/tmp}/fx-chbench.XXXXXX")
. tests/e2e/lib/clickhouse.sh
trap 'ch_stop; rm -rf "$D"' EXIT INT TERM
ch_setup
t0=$(date +%s.%N); ch_start || exit 1; t1=$(date +%s.%N)
echo "clickhouse-server $(q 'SELECT version()'): up in $(calc "$t1 - $t0") s"
el() { /usr/bin/time -f '%e %U %S %M' -o "$D/time" "$@"; }
el "$F" -r "$CAP" --stats --no-geoip >/dev/null
read -r w0 u0 s0 m0 <"$D/time"
el "$F" -r "$CAP" --sink "$U/bench" --sink-init --sensor bench --spool "$D/spool" --stats >"$D/sink.stats" 2>/dev/null
read -r w1 u1 s1 m1 <"$D/time"
rows=$(awk '$1 == "sink-rows-sent" { print $2 }' "$D/sink.stats")
batches=$(awk '$1 == "sink-batches-sent" { print $2 }' "$D/sink.stats")
echo "sensor: $rows rows in $batches batches in $w1 s wall ($u1 s user, $s1 s sys, peak RSS $((m1 / 1024)) MiB): $(calc "$rows / $w1") rows/s"
echo "        the same capture decoded alone (--stats): $w0 s wall; the sink adds $(calc "$w1 - $w0") s"
q "OPTIMIZE TABLE bench.fluxscope_obs FINAL" >/dev/null 2>&1
q "SELECT sum(data_compressed_bytes), sum(data_uncompressed_bytes) FROM system.columns WHERE database = 'bench' AND table = 'fluxscope_obs' FORMAT TSV" >"$D/bytes"
read -r comp uncomp <"$D/bytes"
echo "disk: $comp bytes compressed, $uncomp uncompressed: $(calc "$comp / $rows") and $(calc "$uncomp / $rows") bytes/row (ratio $(calc "$uncomp / $comp"))"
q "SELECT name, data_compressed_bytes, data_uncompressed_bytes FROM system.columns WHERE database = 'bench' AND table = 'fluxscope_obs' ORDER BY data_compressed_bytes DESC LIMIT 6 FORMAT TSV" | sed 's/^/  column /'
WIN="--since 2000-01-01T00:00:00Z --until 2100-01-01T00:00:00Z"
for mode in candidates all; do
  env FLUXSCOPE_CH_ALL=$([ $mode = all ] && echo 1 || echo 0) /usr/bin/time -f '%e %M' -o "$D/time" \
    "$F" --source "$U/bench" $WIN --stats --no-geoip >"$D/ws.stats" 2>/dev/null
  read -r w m <"$D/time"
  echo "workstation ($mode): $(awk '$1 ~ /^clickhouse-/ { printf "%s=%s ", substr($1, 12), $2 }' "$D/ws.stats")"
  echo "        window loaded and decoded (--stats) in $w s wall, peak RSS $((m / 1024)) MiB"
done
el "$F" --source "$U/bench" $WIN --report --no-geoip >/dev/null 2>&1
read -r w2 u2 s2 m2 <"$D/time"
el "$F" -r "$CAP" --report --no-geoip >/dev/null 2>&1
read -r w3 u3 s3 m3 <"$D/time"
echo "--report from ClickHouse: $w2 s wall (peak RSS $((m2 / 1024)) MiB); from the capture: $w3 s ($((m3 / 1024)) MiB)"
