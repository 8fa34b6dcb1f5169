#!/usr/bin/env python3
"""Compare the report of a capture with the report of a resolver log made from it.

feeds_compare.py CAPTURE_REPORT LOG_REPORT MODE
  MODE full:   same domains, and for each the same verdict, answer addresses and responses.
  MODE answers: the log keeps answers but no authority records (Zeek dns.log, EVE v1, EVE v2
        "grouped"): every domain that was asked has the same answer addresses, responses and
        verdict, except where the NS layer (NS names, NS-set changes) differs: it came from
        authority records the log does not keep (double-flux may become single-flux, say);
        the domains missing are exactly those known only as owners of NS records (never asked).
Prints what it compared; exits 1 on any difference.
"""
import json
import sys


def load(path):
    out = {}
    for line in open(path):
        o = json.loads(line)
        if o.get("kind") != "domain":
            continue
        ns = o["ns_names"] if isinstance(o["ns_names"], list) else []
        out[o["domain"]] = (o["verdict"], tuple(sorted(s["address"] for s in o.get("spread") or [])),
                            o["responses"], (tuple(sorted(map(str, ns))), o.get("ns_changes")))
    return out


def main():
    cap, log, mode = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
    bad = []
    extra = sorted(set(log) - set(cap))
    missing = sorted(set(cap) - set(log))
    if extra:
        bad.append("domains only in the log: %s" % extra[:5])
    if mode == "full" and missing:
        bad.append("domains missing from the log: %s" % missing[:5])
    if mode == "answers":
        asked = [d for d in missing if cap[d][2] > 0]
        if asked:
            bad.append("asked domains missing from the log: %s" % asked[:5])
    nv = 0
    for d in sorted(set(cap) & set(log)):
        c, l = cap[d], log[d]
        if c[1] != l[1]:
            bad.append("%s: answers %s in the capture, %s in the log" % (d, c[1][:4], l[1][:4]))
        if c[2] != l[2]:
            bad.append("%s: %d responses in the capture, %d in the log" % (d, c[2], l[2]))
        if mode == "full" and c[3] != l[3]:
            bad.append("%s: NS layer %s in the capture, %s in the log" % (d, c[3], l[3]))
        if c[0] != l[0]:
            if mode == "answers" and c[3] != l[3]:
                nv += 1   # the NS layer came from authority records the log does not keep
            else:
                bad.append("%s: %s in the capture, %s in the log" % (d, c[0], l[0]))
    flagged = sum(1 for d in cap if cap[d][0] in ("single-flux", "double-flux", "suspicious"))
    print("%d domains in the capture (%d flagged), %d in the log; %d answer sets compared; "
          "%d zone-only domains absent; %d verdicts differ where the NS layer is lost" %
          (len(cap), flagged, len(log), len(set(cap) & set(log)), len(missing), nv))
    for b in bad[:20]:
        print("DIFF " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
