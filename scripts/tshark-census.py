#!/usr/bin/env python3
"""Per capture: DNS messages and records on port 53 as fluxscope --dump and tshark see them.

A measurement aid (not a test): for each file prints the number of DNS messages on port 53 and
of resource records in their answer, authority and additional sections, for both tools. tshark
counts a record only when it decoded its TTL and RDATA length (a record cut before them is not
a record); frames whose DNS sits inside an ICMP error (a quoted packet, not an exchange) are
left out on the tshark side, as fluxscope does not read ICMP.

usage: scripts/tshark-census.py FLUXSCOPE PCAP...
"""
import json
import subprocess
import sys

TSHARK_OPTS = ["-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
               "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE",
               "-o", "dns.desegment_dns_messages:TRUE"]
SECTIONS = ("Answers", "Authoritative nameservers", "Additional records")


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def tshark_counts(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "json", "--no-duplicate-keys",
           "-J", "icmp icmpv6 udp tcp dns", "-Y", "dns"] + TSHARK_OPTS
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    msgs = recs = 0
    for fr in json.loads(res.stdout or b"[]"):
        layers = fr["_source"]["layers"]
        if "icmp" in layers or "icmpv6" in layers:
            continue
        tr = as_list(layers.get("udp")) + as_list(layers.get("tcp"))
        ports = set()
        for t in tr[-1:]:
            for k in ("udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport"):
                if k in t:
                    ports.add(int(t[k]))
        if 53 not in ports:
            continue
        for dns in as_list(layers.get("dns")):
            msgs += 1
            for sec in SECTIONS:
                for block in as_list(dns.get(sec)):
                    if not isinstance(block, dict):
                        continue   # a section tshark names but could not read at all
                    for _, rr in block.items():
                        for r in as_list(rr):
                            if isinstance(r, dict) and "dns.resp.ttl" in r and "dns.resp.len" in r:
                                recs += 1
    return msgs, recs


def fluxscope_counts(binary, path):
    res = subprocess.run([binary, "-r", path, "--dump"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=False)
    msgs = recs = 0
    for line in res.stdout.decode("ascii", errors="replace").splitlines():
        m = json.loads(line)
        if 53 not in (m["sport"], m["dport"]):
            continue
        msgs += 1
        recs += sum(len(m[s]) for s in ("answers", "authority", "additional"))
    return msgs, recs, res.returncode


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    print("%-46s %12s %12s %6s  %s" % ("file", "tshark m/r", "fluxscope m/r", "rc", ""))
    agree = 0
    for path in files:
        tm, tr = tshark_counts(path)
        fm, fr, rc = fluxscope_counts(binary, path)
        same = (tm, tr) == (fm, fr)
        agree += same
        print("%-46s %5d/%-6d %5d/%-6d %4d  %s" % (path.rsplit("/", 1)[-1], tm, tr, fm, fr, rc,
                                                   "" if same else "DIFFERS"))
    print("%d of %d files agree on messages and records" % (agree, len(files)))


if __name__ == "__main__":
    main()
