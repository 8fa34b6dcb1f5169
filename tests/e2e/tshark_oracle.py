#!/usr/bin/env python3
"""tshark as the oracle for fluxscope --dump.

For each capture: the multiset of (question name, owner, type, TTL, data) of the A, AAAA, CNAME
and NS records in the answer and authority sections of DNS responses on port 53, as
`fluxscope -r F --dump` writes it and as tshark decodes it (IP defragmentation and TCP
reassembly on), must be equal. A difference is accepted only where it is listed in EXCEPTIONS
below, with the reason tshark is wrong and the exact records expected on each side; an
exception that no longer matches fails the test too.

usage: tshark_oracle.py FLUXSCOPE PCAP...
"""
import collections
import concurrent.futures
import json
import subprocess
import sys
import unicodedata

TYPES = {1: "A", 28: "AAAA", 5: "CNAME", 2: "NS"}
DATA_FIELD = {1: "dns.a", 28: "dns.aaaa", 5: "dns.cname", 2: "dns.ns"}
TSHARK_OPTS = [
    "-o", "ip.defragment:TRUE",
    "-o", "ipv6.defragment:TRUE",
    "-o", "tcp.desegment_tcp_streams:TRUE",
    "-o", "tcp.reassemble_out_of_order:TRUE",
    "-o", "dns.desegment_dns_messages:TRUE",
]

# Differences that are tshark's fault, per file: the reason, and the exact records that only
# tshark reports ("tshark_only") and that only fluxscope reports ("fluxscope_only"), as
# (question name, owner, type, TTL, data) in the normal form below. Both must match exactly.
EXCEPTIONS = {
    "ndpi-malformed-dns.pcap": {
        "reason": "4 CNAME targets longer than 255 octets (RFC 1035 §3.1): tshark prints its "
                  "placeholder '<Name too long>' (packet-dns.c) as if it were the target, "
                  "fluxscope shows the RDATA octets in RFC 3597 generic form",
        "tshark_only": [("www.xt.com", "www.xt.com", "CNAME", 0, "<name too long>")] * 4,
        "fluxscope_only": [("www.xt.com", "www.xt.com", "CNAME", 0,
                            "\\# 76 034141413f30303030313030303230303131303031323030323130"
                            "3032323031303130323031313130313132303132313031323230323032313130"
                            "323132303232313032050000000000c0ff")] * 4,
    },
}


def ascii_lower(s):
    return s.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def unescape(pres):
    """fluxscope's presentation name (RFC 1035 escapes) -> list of labels as bytes."""
    if pres == ".":
        return []
    labels, cur, i = [], bytearray(), 0
    while i < len(pres):
        c = pres[i]
        if c == "\\":
            if pres[i + 1:i + 4].isdigit() and len(pres[i + 1:i + 4]) == 3:
                cur.append(int(pres[i + 1:i + 4]))
                i += 4
            else:
                cur.append(ord(pres[i + 1]))
                i += 2
        elif c == ".":
            labels.append(bytes(cur))
            cur = bytearray()
            i += 1
        else:
            cur.append(ord(c))
            i += 1
    labels.append(bytes(cur))
    return labels


C_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}


def tshark_text(raw):
    """How Wireshark 4.0 shows label octets (epan format_text): UTF-8 decoded, invalid octets as
    U+FFFD, ASCII controls as C escapes or \\ooo, other non-printable characters as \\uXXXX,
    everything else (dots, backslashes and quotes inside labels too) as it is."""
    out = []
    for ch in raw.decode("utf-8", errors="replace"):
        o = ord(ch)
        if o < 0x20 or o == 0x7f:
            out.append(C_ESCAPES.get(o, "\\%03o" % o))
        elif o >= 0x80 and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn"):
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out)


def norm_ours(name):
    """fluxscope name -> the normal form: tshark's rendering of the same octets, ASCII
    lower-cased, root as '.'."""
    if name is None:
        return None
    labels = unescape(name)
    if not labels:
        return "."
    return ascii_lower(".".join(tshark_text(l) for l in labels))


def norm_tshark(name):
    if name is None:
        return None
    if name == "<Root>":
        return "."
    return ascii_lower(name)


def first(v):
    """A field's value; fields that repeat inside one record (the NSEC type bitmap reuses
    dns.resp.type) come as lists whose first element is the record's own."""
    return v[0] if isinstance(v, list) else v


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def tshark_records(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "json", "--no-duplicate-keys",
           "-J", "ip ipv6 udp tcp dns", "-Y", "dns.flags.response == 1"] + TSHARK_OPTS
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        sys.exit("tshark failed on %s: %s" % (path, res.stderr.decode(errors="replace")))
    out = collections.Counter()
    frames = json.loads(res.stdout or b"[]")
    for fr in frames:
        layers = fr["_source"]["layers"]
        # the innermost transport carries the DNS (VXLAN frames have two UDP layers)
        tr = (as_list(layers.get("udp")) + as_list(layers.get("tcp")))
        ports = set()
        for t in tr[-1:]:
            for k in ("udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport"):
                if k in t:
                    ports.add(int(t[k]))
        if 53 not in ports:
            continue
        for dns in as_list(layers.get("dns")):
            if dns.get("dns.flags_tree", {}).get("dns.flags.response") != "1":
                continue
            qname = None
            for q in as_list(dns.get("Queries")):
                for _, v in q.items():
                    v = as_list(v)[0]
                    qname = norm_tshark(first(v.get("dns.qry.name")))
                    break
                break
            for sec in ("Answers", "Authoritative nameservers"):
                for block in as_list(dns.get(sec)):
                    for _, recs in block.items():
                        for r in as_list(recs):
                            t = int(first(r.get("dns.resp.type", "0")))
                            if t not in TYPES:
                                continue
                            data = first(r.get(DATA_FIELD[t]))
                            if t in (5, 2):
                                data = norm_tshark(data)
                            out[(qname, norm_tshark(first(r.get("dns.resp.name"))), TYPES[t],
                                 int(first(r["dns.resp.ttl"])), data)] += 1
    return out


def fluxscope_records(binary, path):
    res = subprocess.run([binary, "-r", path, "--dump"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        sys.exit("fluxscope --dump failed on %s (status %d): %s"
                 % (path, res.returncode, res.stderr.decode(errors="replace")))
    out = collections.Counter()
    for line in res.stdout.decode("ascii").splitlines():
        m = json.loads(line)
        if m["qr"] != 1 or 53 not in (m["sport"], m["dport"]):
            continue
        qname = norm_ours(m["qname"])
        for sec in ("answers", "authority"):
            for r in m[sec]:
                if r["type"] not in TYPES.values():
                    continue
                data = r["data"]
                if r["type"] in ("CNAME", "NS") and not data.startswith("\\# "):
                    data = norm_ours(data)
                out[(qname, norm_ours(r["name"]), r["type"], r["ttl"], data)] += 1
    return out


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    failed = 0
    total_t = total_f = 0
    # one tshark and one fluxscope run per file, two files at a time
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: (tshark_records(p), fluxscope_records(binary, p)), files))
    unused = set(EXCEPTIONS) - {p.rsplit("/", 1)[-1] for p in files}
    if unused:
        print("FAIL exceptions name files that are not tested: %s" % sorted(unused))
        failed += 1
    for path, (t, f) in zip(files, results):
        base = path.rsplit("/", 1)[-1]
        total_t += sum(t.values())
        total_f += sum(f.values())
        only_t = t - f
        only_f = f - t
        exc = EXCEPTIONS.get(base)
        if exc is not None:
            want_t = collections.Counter(exc["tshark_only"])
            want_f = collections.Counter(exc["fluxscope_only"] or [])
            if only_t != want_t or only_f != want_f:
                failed += 1
                print("FAIL %s: the named exception no longer matches (%s)" % (base, exc["reason"]))
                print("  expected tshark only: %s\n  got tshark only:      %s"
                      % (sorted(want_t.elements()), sorted(only_t.elements())))
                print("  expected fluxscope only: %s\n  got fluxscope only:      %s"
                      % (sorted(want_f.elements()), sorted(only_f.elements())))
                continue
            print("ok   %-46s %5d records agree; %d differ as documented: %s"
                  % (base, sum((t & f).values()), sum(only_t.values()) + sum(only_f.values()),
                     exc["reason"]))
            continue
        if only_t or only_f:
            failed += 1
            print("FAIL %s: %d records only in tshark, %d only in fluxscope"
                  % (base, sum(only_t.values()), sum(only_f.values())))
            for r in sorted(only_t.elements(), key=repr)[:20]:
                print("  tshark only:    %r" % (r,))
            for r in sorted(only_f.elements(), key=repr)[:20]:
                print("  fluxscope only: %r" % (r,))
            continue
        print("ok   %-46s %5d records agree" % (base, sum(t.values())))
    print("tshark oracle: %d files, %d records from tshark, %d from fluxscope, %d failures"
          % (len(files), total_t, total_f, failed))
    if total_t < 1000:
        print("FAIL only %d records compared: the captures or the filters are not what they were"
              % total_t)
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
