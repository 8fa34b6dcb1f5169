#!/bin/sh
# tshark is the oracle for --dump: on every capture in tests/data/pcaps, the A/AAAA/CNAME/NS
# records of the answer and authority sections of responses on port 53 must be the same
# multiset (question name, owner, type, TTL, data) in both, differences allowed only where
# tests/e2e/tshark_oracle.py names tshark's error. scripts/deps.sh test installs tshark.
set -e
: "${FLUXSCOPE:?FLUXSCOPE must name the binary under test}"
if ! command -v tshark >/dev/null 2>&1; then
	echo "tshark_oracle: tshark is not installed (run scripts/deps.sh test)"
	exit 1
fi
tshark --version | head -n 1
exec python3 tests/e2e/tshark_oracle.py "$FLUXSCOPE" tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng
