#!/bin/sh
# Regenerate every committed sample artefact; the generator and the mmdb writer are
# deterministic, so the result is byte-for-byte what is committed.
#   samples/regen.sh            rewrite samples/ and tests/data/flux/ in place
#   samples/regen.sh --check D  regenerate into folder D and compare with the committed files
set -e
export PYTHONDONTWRITEBYTECODE=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
check=""
if [ "${1:-}" = "--check" ]; then
	check=1
	out=${2:?usage: regen.sh --check DIR}
	mkdir -p "$out/samples" "$out/tests"
	s="$out/samples"; td="$out/tests"
else
	s="$here"; td="$root/tests/data/flux"
	mkdir -p "$td"
fi

# The demo: what `make run` opens (client side), its upstream side, labels, GeoIP source.
python3 "$here/fluxgen" --profile demo --seed 1 --out "$s/flux-demo" --upstream \
	--geo-source "$s/demo-geo.tsv"
perl "$here/build-mmdb.pl" "$s/demo-geo.tsv" "$s/demo-asn.mmdb" "$s/demo-geo.mmdb"
# The small labelled capture the detection end-to-end test scores.
python3 "$here/fluxgen" --profile small --seed 2 --out "$td/flux-small" --truth

if [ -n "$check" ]; then
	bad=0
	for f in flux-demo.pcap flux-demo-upstream.pcap flux-demo.labels.csv demo-geo.tsv \
		demo-asn.mmdb demo-geo.mmdb; do
		if cmp -s "$s/$f" "$here/$f"; then echo "same  samples/$f"; else echo "DIFF  samples/$f"; bad=1; fi
	done
	for f in flux-small.pcap flux-small.labels.csv flux-small.truth.csv.gz; do
		if cmp -s "$td/$f" "$root/tests/data/flux/$f"; then echo "same  tests/data/flux/$f"
		else echo "DIFF  tests/data/flux/$f"; bad=1; fi
	done
	exit $bad
fi
