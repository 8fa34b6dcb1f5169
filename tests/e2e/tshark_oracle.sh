#!/bin/sh
# tshark is the oracle for --dump: on every capture in tests/data/pcaps, the A/AAAA/CNAME/NS
# records of the answer and authority sections of responses on port 53 must be the same
# multiset (question name, owner, type, TTL, data) in both, and the DNS messages on port 53 as
# many, differences allowed only where tests/e2e/tshark_oracle.py names tshark's error.
# The same on captures made here from those files (editcap, installed with tshark):
# - cut to several snapshot lengths (editcap -s): records from the bytes present;
# - without the fragment that completes each fragmented datagram: decoded from the first
#   fragment's bytes;
# - DNS over TCP whose length prefix travels in a segment of its own, cut: bounded between
#   tshark and the uncut capture, because tshark misreads it (see tshark_oracle.py).
# scripts/deps.sh test installs tshark.
set -e
: "${FLUXSCOPE:?FLUXSCOPE must name the binary under test}"
: "${BUILD:=build}"
for t in tshark editcap; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "tshark_oracle: $t is not installed (run scripts/deps.sh test)"
		exit 1
	fi
done
tshark --version | head -n 1
P=tests/data/pcaps
W="$BUILD/e2e/tshark_oracle"
rm -rf "$W"
mkdir -p "$W"

set -- $P/*.pcap $P/*.pcapng
# UDP over IPv4 and IPv6, IPv4 and IPv6 fragments, DNS over TCP one message per segment
for src in dnscap-dns.pcap ndpi-dns-fragmented.pcap zeek-var-services-std-ports.pcap \
           tcpdump-dns-tcp.pcap; do
	for snap in 64 80 96 128 192 256 512; do
		editcap -s $snap $P/$src "$W/cut$snap-$src"
		set -- "$@" "nodefrag6:$W/cut$snap-$src"
	done
done
for snap in 80 100 160 256; do
	editcap -s $snap $P/dnscap-dnso1tcp.pcap "$W/cut$snap-dnscap-dnso1tcp.pcap"
	set -- "$@" "within:$P/dnscap-dnso1tcp.pcap:$W/cut$snap-dnscap-dnso1tcp.pcap"
done
for src in godnscollector-ip4-fragmented-udp.pcap godnscollector-ip6-fragmented-udp.pcap \
           ndpi-dns-fragmented.pcap; do
	# the frames in which tshark completes a datagram
	last=$(tshark -n -r $P/$src -o ip.defragment:TRUE -o ipv6.defragment:TRUE \
	       -Y 'ip.fragments || ipv6.fragments' -T fields -e frame.number 2>/dev/null)
	[ -n "$last" ] || { echo "FAIL tshark finds no reassembled datagram in $src"; exit 1; }
	editcap $P/$src "$W/incomplete-$src" $last
	set -- "$@" "nodefrag:$W/incomplete-$src"
done
exec python3 tests/e2e/tshark_oracle.py "$FLUXSCOPE" "$@"
