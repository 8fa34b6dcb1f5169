#!/bin/sh
# --log FILE: the debug log of a report run names the capture with its frame count, the
# decoded messages, the skip counters, the detector run with the flagged count the report
# shows, timings and the exit status; an unwritable log file is one sentence and status 2.
set -u
: "${FLUXSCOPE:=$PWD/build/fluxscope}" "${BUILD:=build}"
d=$BUILD/e2e/log; rm -rf "$d"; mkdir -p "$d"
fail=0
"$FLUXSCOPE" -r samples/flux-demo.pcap --report --json --no-geoip --log "$d/run.log" >"$d/report.jsonl" 2>/dev/null
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: report with --log exited $rc"; fail=1; }
frames=$("$FLUXSCOPE" -r samples/flux-demo.pcap --stats | awk '$1 == "packets" { print $2 }')
msgs=$("$FLUXSCOPE" -r samples/flux-demo.pcap --stats | awk '$1 == "dns-messages" { print $2 }')
empty=$("$FLUXSCOPE" -r samples/flux-demo.pcap --stats | awk '$1 == "skipped:empty" { print $2 }')
flagged=$(grep -c '"kind":"domain"' "$d/report.jsonl")
check() { grep -q -- "$1" "$d/run.log" || { echo "FAIL: log lacks: $1"; fail=1; }; }
check "capture: opened samples/flux-demo.pcap"
check "capture: samples/flux-demo.pcap: $frames frames"
check "decode: $frames packets, $msgs DNS messages"
check "skip: empty: $empty ("
check "detect: run over .* ($flagged flagged)"
check "timing: reading and decoding took"
check "end: exit status 0"
# every line: time, +seconds, topic
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \+[0-9]+\.[0-9]{3} [a-z]+: ' "$d/run.log")
[ "$bad" -eq 0 ] || { echo "FAIL: $bad malformed log lines"; fail=1; }
# appends
"$FLUXSCOPE" -r samples/flux-demo.pcap --stats --log "$d/run.log" >/dev/null
[ "$(grep -c 'start: fluxscope' "$d/run.log")" -eq 2 ] || { echo "FAIL: second run did not append"; fail=1; }
# an unwritable log file
"$FLUXSCOPE" -r samples/flux-demo.pcap --report --log "$d/nonexistent/x.log" >/dev/null 2>"$d/err"
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: unwritable log gave status $rc"; fail=1; }
grep -q "cannot write the log file $d/nonexistent/x.log" "$d/err" || { echo "FAIL: error: $(cat "$d/err")"; fail=1; }
[ $fail -eq 0 ] && echo "log: ok ($frames frames, $flagged flagged)"
exit $fail
