#!/bin/sh
# make eval: generate a large seeded labelled capture, run the detector on it and score it
# (per-class precision/recall/F1, confusion matrix, benign false positives, Holz baseline,
# adversarial slices, time to detect, PASS/FAIL against the issue's targets).
# Environment: BUILD (scratch folder, default build), EVAL_SEED (default 20251118),
# EVAL_PROFILE (default eval), EVAL_STRICT=1 (exit 1 when a target fails),
# EVAL_NO_GEOIP=1 (also score a run without any GeoIP database).
set -e
export PYTHONDONTWRITEBYTECODE=1
: "${BUILD:=build}"
: "${EVAL_SEED:=20251118}"
: "${EVAL_PROFILE:=eval}"
bin=${FLUXSCOPE:-./fluxscope}
out="$BUILD/eval"
mkdir -p "$out"
set -- --geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb
# fail fast (before generating) when the binary has no working report mode
if ! "$bin" -r tests/data/flux/flux-small.pcap --no-geoip --report --json --all 2>/dev/null |
	grep -q '"verdict"'; then
	echo "eval: $bin --report --json gives no domain objects (is detection built in?)" >&2
	exit 2
fi
cap="$out/$EVAL_PROFILE-$EVAL_SEED"
# regenerate when missing or older than any part of the generator
if [ ! -s "$cap.pcap" ] || [ ! -s "$cap.truth.csv.gz" ] ||
	[ -n "$(find samples/fluxgen -name '*.py' -newer "$cap.pcap" 2>/dev/null)" ]; then
	python3 samples/fluxgen --profile "$EVAL_PROFILE" --seed "$EVAL_SEED" --out "$cap" --truth
fi
echo "eval: $("$bin" -r "$cap.pcap" --stats 2>/dev/null | awk '$1=="packets"||$1=="dns-responses"{printf "%s %s  ", $1, $2}')"
echo "eval: $bin -r $cap.pcap $* --report --json --all"
start=$(date +%s)
"$bin" -r "$cap.pcap" "$@" --report --json --all >"$cap.report.json"
echo "eval: report in $(( $(date +%s) - start )) s"
strict=""
[ "${EVAL_STRICT:-0}" = 1 ] && strict="--strict"
python3 scripts/eval_score.py --labels "$cap.labels.csv" --truth "$cap.truth.csv.gz" \
	--report "$cap.report.json" --pcap "$cap.pcap" --fluxscope "$bin" "$@" \
	--json-out "$cap.summary.json" $strict
if [ "${EVAL_NO_GEOIP:-0}" = 1 ]; then
	echo
	echo "eval: the same capture without GeoIP (--no-geoip)"
	"$bin" -r "$cap.pcap" --no-geoip --report --json --all >"$cap.nogeo.json"
	python3 scripts/eval_score.py --labels "$cap.labels.csv" --truth "$cap.truth.csv.gz" \
		--report "$cap.nogeo.json" --replay never --quiet-ttd --json-out "$cap.nogeo.summary.json"
fi
