#!/bin/sh
# --dump: every line of every test capture is one valid, ASCII-only JSON object with the
# documented keys, one per DNS message (--stats counts the same messages), and the decoding
# of names, escapes, forward pointers, extended rcodes and timestamps is what the bytes say.
set -e
: "${FLUXSCOPE:?FLUXSCOPE must name the binary under test}"
: "${BUILD:=build}"
out="$BUILD/e2e/dump"
mkdir -p "$out"
P=tests/data/pcaps

for f in $P/*.pcap $P/*.pcapng; do
	b=$(basename "$f")
	"$FLUXSCOPE" -r "$f" --dump > "$out/$b.jsonl"
	n=$("$FLUXSCOPE" -r "$f" --stats | awk '$1 == "dns-messages" { print $2 }')
	python3 - "$out/$b.jsonl" "$n" <<'PY'
import json, sys
path, want = sys.argv[1], int(sys.argv[2])
keys = ["ts", "src", "dst", "sport", "dport", "transport", "id", "qr", "opcode", "rcode",
        "flags", "qname", "qtype", "answers", "authority", "additional", "malformed"]
n = 0
for raw in open(path, "rb"):
    raw.decode("ascii")
    m = json.loads(raw)
    assert list(m.keys()) == keys, (path, list(m.keys()))
    assert m["transport"] in ("udp", "tcp") and m["qr"] in (0, 1)
    assert isinstance(m["ts"], float) and 0 <= m["sport"] < 65536 and 0 <= m["id"] < 65536
    for sec in ("answers", "authority", "additional"):
        for r in m[sec]:
            # A/AAAA records carry the enrichment (README: "Dump format")
            extra = ["asn", "country"] if r["type"] in ("A", "AAAA") else []
            assert list(r.keys()) == ["name", "type", "ttl", "data"] + extra, r
            assert not (sec == "additional" and r["type"] == "OPT")
    n += 1
assert n == want, "%s: %d lines, --stats counts %d messages" % (path, n, want)
print("ok  %-48s %d messages" % (path.rsplit("/", 1)[-1], n))
PY
done

# names that need RFC 1035 escapes (PacketQ's sample), in presentation form as ldns prints them
python3 - "$out/packetq-sample-rfc1035escape.pcap.jsonl" <<'PY'
import json, sys
got = [json.loads(l)["qname"] for l in open(sys.argv[1])]
want = ["test", "'", '"', "$", "\\\\", "\\000", "\\255",
        "_test.all.54.non-escaped.characters.abcdefghijklmnopqrstuvwxyz."
        "abcdefghijklmnopqrstuvwxyz.0123456789.test",
        "dot\\.embeded.in.a.label.test"]
assert got == want, got
print("ok  escapes: %d names" % len(got))
PY

# the first question of the query points forward at the second: followed, as ldns and
# Wireshark do; timestamps keep their microseconds
python3 - "$out/suricata-dns-forward-pointer.pcap.jsonl" <<'PY'
import json, sys
q, r = [json.loads(l) for l in open(sys.argv[1])]
assert q["qname"] == "codemonkey.net" and not q["malformed"], q
assert repr(r["ts"]) == "1779223218.254496", r["ts"]
answers = [{k: v for k, v in a.items() if k not in ("asn", "country")} for a in r["answers"]]
assert answers == [{"name": "codemonkey.net", "type": "A", "ttl": 300,
                    "data": "152.53.82.239"}], r["answers"]
print("ok  forward pointer")
PY

# extended rcodes from OPT: BADVERS (16) and BADCOOKIE (23)
grep -q '"rcode":"BADVERS"' "$out/zeek-dns-extended-rcode-rawip4.pcap.jsonl"
grep -q '"rcode":"BADCOOKIE"' "$out/tcpdump-dns-badcookie-null.pcap.jsonl"
echo "ok  extended rcodes"

# a message with over-long names keeps the records that are framed (the A after them)
python3 - "$out/ndpi-malformed-dns.pcap.jsonl" <<'PY'
import json, sys
ms = [json.loads(l) for l in open(sys.argv[1])]
resp = [m for m in ms if m["qr"] == 1]
assert len(resp) == 4 and all(m["malformed"] for m in resp)
for m in resp:
    answers = [{k: v for k, v in a.items() if k not in ("asn", "country")} for a in m["answers"]]
    assert {"name": "www.xt.com", "type": "A", "ttl": 0, "data": "66.66.66.66"} in answers
print("ok  malformed names: records after them kept")
PY

# errors: one sentence naming the file, non-zero status
if "$FLUXSCOPE" -r "$out/does-not-exist.pcap" --dump > "$out/err.out" 2> "$out/err.txt"; then
	echo "FAIL: a missing file did not fail"; exit 1
fi
grep -q "does-not-exist.pcap" "$out/err.txt"
[ ! -s "$out/err.out" ]
echo "ok  missing file: $(cat "$out/err.txt")"
