#!/usr/bin/env python3
"""Checks for tests/e2e/live_capture.sh (each prints what it compared; exit 1 on a mismatch).

  live_compare.py pick-addrs TSV N
      N IPv4 addresses from the demo GeoIP source, each in a different ASN (the answers the
      test resolver rotates through).
  live_compare.py frames DISPLAY_FILTER SENT.pcap[,SENT2.pcap...] WRITTEN.pcap[,...]
      The frames the -w files hold that match DISPLAY_FILTER, decoded by tshark, equal the
      frames that were sent (the replayed captures, in the order replayed): per frame the
      length, addresses, ports, DNS id, question, answers and TTLs, in order.
  live_compare.py digs PORT ANSWERS.txt WRITTEN.pcap[,...]
      The DNS responses on PORT in the -w files, as (question, sorted A records), equal the
      multiset of answers the dig/kdig clients printed (ANSWERS.txt: "qname addr,addr,...").
  live_compare.py report LIVE.json SAMPLE_OFFLINE.json EXPECT.txt
      The live --report --json --all output against what was sent: every domain of the
      replayed capture (read offline) has the same addresses live; the test resolver's names
      carry exactly the addresses it served (EXPECT.txt: "name verdict-class addr,addr,...",
      verdict-class = flagged|benign).
"""
import collections
import json
import subprocess
import sys

TSHARK_OPTS = ["-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
               "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "dns.desegment_dns_messages:TRUE"]
FRAME_FIELDS = ["frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport",
                "udp.dstport", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "ip.frag_offset",
                "dns.id", "dns.flags.response", "dns.qry.name", "dns.a", "dns.aaaa",
                "dns.cname", "dns.ns", "dns.resp.ttl"]


def tshark(files, dfilter, fields, extra=()):
    rows = []
    for f in files:
        cmd = ["tshark", "-n", "-r", f] + TSHARK_OPTS + list(extra) + ["-T", "fields", "-E", "separator=\t",
                                                         "-E", "occurrence=a", "-E", "aggregator=,"]
        if dfilter:
            cmd += ["-Y", dfilter]
        for fl in fields:
            cmd += ["-e", fl]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows += [tuple(line.split("\t")) for line in out.splitlines()]
    return rows


def pick_addrs(tsv, n):
    seen, out = set(), []
    for line in open(tsv):
        if line.startswith("#"):
            continue
        net, asn = line.split("\t")[:2]
        if ":" in net or asn in seen:
            continue
        base = net.split("/")[0].split(".")
        seen.add(asn)
        out.append("%s.%s.%s.%d" % (base[0], base[1], base[2], int(base[3]) + 7))
        if len(out) == n:
            break
    print(" ".join(out))
    return 0


def frames(dfilter, sent, written):
    a = tshark(sent.split(","), None, FRAME_FIELDS)
    b = tshark(written.split(","), dfilter, FRAME_FIELDS)
    print("frames sent: %d, frames in the -w files matching '%s': %d" % (len(a), dfilter, len(b)))
    if a == b:
        print("identical, in order (%d with DNS answers)" % sum(1 for r in a if r[14] or r[15]))
        return 0
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print("first difference at frame %d:\n  sent    %s\n  written %s" % (i + 1, x, y))
            break
    return 1


def digs(port, answers, written):
    want = collections.Counter()
    for line in open(answers):
        q, _, addrs = line.strip().partition(" ")
        want[(q, tuple(sorted(a for a in addrs.split(",") if a)))] += 1
    got = collections.Counter()
    # the test resolver's port, on 127.0.0.1 (the replayed capture may use it as a client port)
    flt = ("ip.src == 127.0.0.1 && (udp.srcport == %s || tcp.srcport == %s) && "
           "dns.flags.response == 1" % (port, port))
    decode_as = ["-d", "udp.port==%s,dns" % port, "-d", "tcp.port==%s,dns" % port]
    for row in tshark(written.split(","), flt, ["dns.qry.name", "dns.a"], decode_as):
        names = row[0].split(",")
        addrs = row[1].split(",") if len(row) > 1 and row[1] else []
        got[(names[0], tuple(sorted(addrs)))] += 1
    print("client answers: %d; responses on port %s in the -w files: %d"
          % (sum(want.values()), port, sum(got.values())))
    if want == got:
        print("identical multisets of (question, answers)")
        return 0
    print("only printed by the clients: %s" % dict(want - got))
    print("only in the -w files: %s" % dict(got - want))
    return 1


def load_report(path):
    out = {}
    for line in open(path):
        if line.strip():
            o = json.loads(line)
            if o.get("kind") in ("zone", "run"):
                continue
            out[o["domain"]] = o
    return out


FLAGGED = {"suspicious", "single-flux", "double-flux"}


def report(live_path, offline_path, expect_path):
    live, off = load_report(live_path), load_report(offline_path)
    bad = 0
    for d, o in off.items():
        lo = live.get(d)
        if lo is None:
            print("missing live: %s" % d)
            bad += 1
        elif sorted(lo["addresses"]) != sorted(o["addresses"]):
            print("addresses differ for %s: live %d, sent %d" % (d, len(lo["addresses"]),
                                                                len(o["addresses"])))
            bad += 1
    flagged = sorted(d for d, o in live.items() if o["verdict"] in FLAGGED)
    print("replayed capture: %d domains, all with the same addresses live: %s; %d flagged live"
          % (len(off), "yes" if bad == 0 else "NO (%d differ)" % bad, len(flagged)))
    for line in open(expect_path):
        name, cls, addrs = line.split()
        o = live.get(name)
        want = sorted(addrs.split(","))
        if o is None:
            print("missing live: %s" % name)
            bad += 1
            continue
        is_flagged = o["verdict"] in FLAGGED
        ok = sorted(o["addresses"]) == want and is_flagged == (cls == "flagged")
        print("%s %s: %s, %d addresses (%d served)%s" % ("ok  " if ok else "FAIL", name,
              o["verdict"], len(o["addresses"]), len(want), "" if ok else " %s" % o["addresses"]))
        bad += not ok
    return 1 if bad else 0


def main(argv):
    if argv[1] == "pick-addrs":
        return pick_addrs(argv[2], int(argv[3]))
    if argv[1] == "frames":
        return frames(argv[2], argv[3], argv[4])
    if argv[1] == "digs":
        return digs(argv[2], argv[3], argv[4])
    if argv[1] == "report":
        return report(argv[2], argv[3], argv[4])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
