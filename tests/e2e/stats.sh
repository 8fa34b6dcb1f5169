#!/bin/sh
# fluxscope --stats: counters on real captures (also one cut by a snapshot length), and
# one-sentence errors with a non-zero exit for a missing file, a file that is not a capture, a
# truncated capture and a bad --dns-port.
set -u
: "${FLUXSCOPE:?}" "${BUILD:=build}"
D=tests/data/pcaps
T="$BUILD/e2e/stats.tmp"
mkdir -p "$T"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
val() { awk -v k="$1" '$1 == k { print $2 }'; }

out=$("$FLUXSCOPE" -r $D/dnscap-dns.pcap --stats) || bad "--stats on dnscap-dns.pcap exited $?"
[ "$(echo "$out" | val dns-messages)" = 82 ] || bad "dnscap-dns: dns-messages is not 82"
[ "$(echo "$out" | val packets)" = 133 ] || bad "dnscap-dns: packets is not 133"
# tshark: the other 51 frames are 10 ARP and 41 ICMP.
[ "$(echo "$out" | val skipped:not-ip)" = 10 ] || bad "dnscap-dns: skipped:not-ip is not 10"
[ "$(echo "$out" | val skipped:not-udp-tcp)" = 41 ] || bad "dnscap-dns: skipped:not-udp-tcp is not 41"

out=$("$FLUXSCOPE" -r $D/dnscap-dnso1tcp.pcap --stats) || bad "--stats on dnscap-dnso1tcp exited $?"
[ "$(echo "$out" | val dns-tcp)" = 82 ] || bad "dnso1tcp: dns-tcp is not 82"

# Several files are read together, and stdin works as "-".
out=$("$FLUXSCOPE" -r $D/dnscap-dns.pcap -r - --stats < $D/dnscap-vlan11.pcap) || bad "two sources exited $?"
[ "$(echo "$out" | val dns-messages)" = 164 ] || bad "two sources: dns-messages is not 164"
out=$(cat $D/ndpi-alexa-app.pcapng | "$FLUXSCOPE" -r - --stats) || bad "pcapng through a pipe exited $?"
[ "$(echo "$out" | val dns-messages)" = 62 ] || bad "pcapng pipe: dns-messages is not 62"

# --dns-port: mDNS on 5353 counts once asked for.
out=$("$FLUXSCOPE" -r $D/ndpi-iphone.pcap --dns-port 53,5353 --stats) || bad "--dns-port exited $?"
[ "$(echo "$out" | val dns-messages)" -gt 38 ] || bad "--dns-port 53,5353 did not add mDNS"

# A capture cut to 96 bytes a frame: every message still counted, and those whose end the
# snapshot length cut (as tshark sees them: DNS in a frame shorter than on the wire) in dns-cut.
editcap -s 96 $D/dnscap-dns.pcap "$T/cut96.pcap"
want=$(tshark -n -r "$T/cut96.pcap" -Y 'dns && !icmp && frame.cap_len < frame.len' \
       -T fields -e frame.number 2>/dev/null | wc -l)
out=$("$FLUXSCOPE" -r "$T/cut96.pcap" --stats) || bad "--stats on the cut capture exited $?"
[ "$want" -gt 0 ] || bad "tshark finds no cut DNS frame in the capture cut to 96 bytes"
[ "$(echo "$out" | val dns-cut)" = "$want" ] || bad "cut96: dns-cut is $(echo "$out" | val dns-cut), tshark shows $want cut DNS frames"
[ "$(echo "$out" | val dns-messages)" = 82 ] || bad "cut96: dns-messages is not 82"
[ "$(echo "$out" | val skipped:truncated)" = 0 ] || bad "cut96: frames counted as truncated"

# Errors: one line on stderr naming the file, non-zero status.
check_err() {  # expected-status-nonzero, pattern, args...
  pat="$1"; shift
  "$FLUXSCOPE" "$@" >"$T/out" 2>"$T/err"; rc=$?
  [ $rc -ne 0 ] || bad "'$*' exited 0"
  [ "$(wc -l < "$T/err")" -eq 1 ] || bad "'$*' printed $(wc -l < "$T/err") error lines"
  grep -q -- "$pat" "$T/err" || bad "'$*': stderr lacks '$pat': $(cat "$T/err")"
}
check_err "no-such.pcap" -r "$T/no-such.pcap" --stats
printf 'hello, this is text\n' > "$T/text.pcap"
check_err "text.pcap' is not a capture file" -r "$T/text.pcap" --stats
: > "$T/empty.pcap"
check_err "empty.pcap' is empty" -r "$T/empty.pcap" --stats
check_err "dns-port" -r $D/dnscap-dns.pcap --dns-port 53,x --stats

# A capture cut in the middle of a packet: everything before the cut is counted, one
# sentence says so, and the exit status is non-zero.
size=$(wc -c < $D/dnscap-dns.pcap)
head -c $((size - 30)) $D/dnscap-dns.pcap > "$T/cut.pcap"
check_err "cut.pcap' is truncated" -r "$T/cut.pcap" --stats
[ "$(val packets < "$T/out")" = 132 ] || bad "truncated pcap: packets is not 132"
size=$(wc -c < $D/ndpi-alexa-app.pcapng)
head -c $((size / 2)) $D/ndpi-alexa-app.pcapng > "$T/cut.pcapng"
check_err "cut.pcapng' is truncated" -r "$T/cut.pcapng" --stats
n=$(val packets < "$T/out")
[ "${n:-0}" -gt 1000 ] || bad "truncated pcapng: only ${n:-0} packets before the cut"

rm -rf "$T"
exit $fail
