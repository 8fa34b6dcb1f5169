#!/bin/sh
# Detection targets of issue 3 on the small seeded labelled capture in tests/data/flux:
# single-flux recall >= 99% with <= 0.1% of benign names flagged, double-flux recall >= 95% and
# told apart from single flux, no CDN/multi-CDN/pool/round-robin flagged as flux, adversarial
# recall >= Holz + 20 points, median time to detect <= 3 TTL periods.
set -e
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
export PYTHONDONTWRITEBYTECODE=1
out="$BUILD/e2e/detect-eval"
mkdir -p "$out"
d=tests/data/flux
set -- --geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb
"$FLUXSCOPE" -r "$d/flux-small.pcap" "$@" --report --json --all >"$out/report.json"
python3 scripts/eval_score.py --labels "$d/flux-small.labels.csv" \
	--truth "$d/flux-small.truth.csv.gz" --report "$out/report.json" \
	--pcap "$d/flux-small.pcap" --fluxscope "$FLUXSCOPE" "$@" \
	--json-out "$out/summary.json" --quiet-ttd --strict
