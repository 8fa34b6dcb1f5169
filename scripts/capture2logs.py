#!/usr/bin/env python3
"""Write the DNS traffic of a capture as the logs a Zeek or Suricata sensor would have written.

Input: the JSON Lines of `fluxscope -r CAPTURE --dump --no-geoip` (one object per DNS message).
Output, each optional:
  --zeek-tsv FILE    Zeek dns.log, TSV with Zeek's header (one line per query/response pair)
  --zeek-json FILE   the same as Zeek's JSON lines (LogAscii::use_json)
  --eve-v1 FILE      Suricata EVE dns events, version 1 (a query event, one answer event per record)
  --eve-v2 FILE      Suricata EVE dns events, version 2 (one answer event with "answers" and
                     "authorities" in the detailed format)
  --eve-v2-grouped FILE  version 2 with only the "grouped" answer format

What each format keeps follows the sensors: Zeek logs the answer section's data and TTLs in order,
without owners or types, and no authority records; EVE keeps owners, types and TTLs. Queries are
paired with their responses by client, ports and DNS id, as Zeek does.

Used by tests/e2e/feeds_logs.sh: the logs read back with `fluxscope -r` must give the same domains,
answers and verdicts as the capture. Standard library only.
"""
import argparse
import datetime
import json
import sys

ZEEK_FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id",
               "rtt", "query", "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name",
               "AA", "TC", "RD", "RA", "Z", "answers", "TTLs", "rejected"]
ZEEK_TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "count", "interval", "string",
              "count", "string", "count", "string", "count", "string", "bool", "bool", "bool", "bool",
              "count", "vector[string]", "vector[interval]", "bool"]
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33,
         "DNAME": 39, "DS": 43, "RRSIG": 46, "DNSKEY": 48, "SVCB": 64, "HTTPS": 65, "ANY": 255, "CAA": 257}
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
          "NXRRSET", "NOTAUTH", "NOTZONE"]


def type_num(t):
    if t in TYPES:
        return TYPES[t]
    if t and t.startswith("TYPE") and t[4:].isdigit():
        return int(t[4:])
    return 0


def rcode_num(r):
    if r in RCODES:
        return RCODES.index(r)
    if r and r.startswith("RCODE") and r[5:].isdigit():
        return int(r[5:])
    return 0


def iso(ts):
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+0000"


def zeek_escape(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch in "\t," or o < 0x20 or o >= 0x7f or ch == "\\":
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "".join(out)


def pair(messages):
    """(query, response) pairs in time order; either may be None."""
    pending = {}
    out = []
    for m in messages:
        if m["qr"] == 0:
            key = (m["src"], m["sport"], m["dst"], m["dport"], m["id"], m["transport"])
            entry = [m, None]
            pending.setdefault(key, []).append(entry)
            out.append(entry)
        else:
            key = (m["dst"], m["dport"], m["src"], m["sport"], m["id"], m["transport"])
            waiting = pending.get(key)
            if waiting:
                entry = waiting.pop(0)
                entry[1] = m
            else:
                out.append([None, m])
    return out


def write_zeek(pairs, tsv, js):
    if tsv:
        tsv.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
                  "#path\tdns\n#open\t2000-01-01-00-00-00\n")
        tsv.write("#fields\t" + "\t".join(ZEEK_FIELDS) + "\n")
        tsv.write("#types\t" + "\t".join(ZEEK_TYPES) + "\n")
    for n, (q, r) in enumerate(pairs):
        first = q or r
        client, cport = (q["src"], q["sport"]) if q else (r["dst"], r["dport"])
        server, sport = (q["dst"], q["dport"]) if q else (r["src"], r["sport"])
        qname = first["qname"]
        if qname is None:
            continue
        rec = {
            "ts": first["ts"], "uid": "C%08d" % n, "id.orig_h": client, "id.orig_p": cport,
            "id.resp_h": server, "id.resp_p": sport, "proto": first["transport"],
            "trans_id": first["id"], "query": qname, "qclass": 1, "qclass_name": "C_INTERNET",
            "qtype": type_num(first["qtype"]), "qtype_name": first["qtype"],
        }
        if q and r:
            rec["rtt"] = max(0.0, r["ts"] - q["ts"])
        if r:
            rec["rcode"] = rcode_num(r["rcode"])
            rec["rcode_name"] = r["rcode"]
            flags = r["flags"]
            rec["AA"], rec["TC"], rec["RD"], rec["RA"] = ("aa" in flags, "tc" in flags, "rd" in flags,
                                                          "ra" in flags)
            rec["Z"] = 0
            if r["answers"]:
                rec["answers"] = [a["data"] for a in r["answers"]]
                rec["TTLs"] = [float(a["ttl"]) for a in r["answers"]]
            rec["rejected"] = False
        else:
            flags = q["flags"]
            rec["AA"], rec["TC"], rec["RD"], rec["RA"] = (False, False, "rd" in flags, False)
            rec["Z"] = 0
            rec["rejected"] = False
        if js:
            js.write(json.dumps(rec) + "\n")
        if tsv:
            cells = []
            for f in ZEEK_FIELDS:
                v = rec.get(f)
                if v is None:
                    cells.append("-")
                elif isinstance(v, bool):
                    cells.append("T" if v else "F")
                elif f == "ts":
                    cells.append("%.6f" % v)
                elif f == "rtt":
                    cells.append("%.6f" % v)
                elif f == "answers":
                    cells.append(",".join(zeek_escape(a) for a in v) if v else "(empty)")
                elif f == "TTLs":
                    cells.append(",".join("%.6f" % t for t in v) if v else "(empty)")
                elif isinstance(v, str):
                    cells.append(zeek_escape(v))
                else:
                    cells.append(str(v))
            tsv.write("\t".join(cells) + "\n")
    if tsv:
        tsv.write("#close\t2000-01-01-00-00-00\n")


def eve_base(m, n):
    return {"timestamp": iso(m["ts"]), "flow_id": 1000 + n, "event_type": "dns", "src_ip": m["src"],
            "src_port": m["sport"], "dest_ip": m["dst"], "dest_port": m["dport"],
            "proto": m["transport"].upper()}


def eve_flags(m):
    f = 0x8000 if m["qr"] else 0
    for name, bit in (("aa", 0x400), ("tc", 0x200), ("rd", 0x100), ("ra", 0x80)):
        if name in m["flags"]:
            f |= bit
    return f | rcode_num(m["rcode"]) & 0xf


def rr(a):
    return {"rrname": a["name"], "rrtype": a["type"], "ttl": a["ttl"], "rdata": a["data"]}


def write_eve(pairs, v1, v2, v2g):
    for n, (q, r) in enumerate(pairs):
        for m in (q, r):
            if m is None or m["qname"] is None:
                continue
            if m["qr"] == 0:
                ev = eve_base(m, n)
                ev["dns"] = {"type": "query", "id": m["id"], "rrname": m["qname"], "rrtype": m["qtype"],
                             "tx_id": 0}
                for f in (v1, v2, v2g):
                    if f:
                        f.write(json.dumps(ev) + "\n")
                continue
            if v1:
                recs = m["answers"] or [None]
                for a in recs:
                    ev = eve_base(m, n)
                    d = {"type": "answer", "id": m["id"], "rcode": m["rcode"]}
                    if a is None:
                        d["rrname"] = m["qname"]
                    else:
                        d.update(rr(a))
                    ev["dns"] = d
                    v1.write(json.dumps(ev) + "\n")
            for f, grouped in ((v2, False), (v2g, True)):
                if not f:
                    continue
                ev = eve_base(m, n)
                d = {"version": 2, "type": "answer", "id": m["id"], "flags": "%x" % eve_flags(m),
                     "qr": True, "rrname": m["qname"], "rrtype": m["qtype"], "rcode": m["rcode"]}
                for name in ("aa", "tc", "rd", "ra"):
                    if name in m["flags"]:
                        d[name] = True
                if m["answers"]:
                    if grouped:
                        g = {}
                        for a in m["answers"]:
                            g.setdefault(a["type"], []).append(a["data"])
                        d["grouped"] = g
                    else:
                        d["answers"] = [rr(a) for a in m["answers"]]
                if m["authority"] and not grouped:
                    d["authorities"] = [rr(a) for a in m["authority"]]
                ev["dns"] = d
                f.write(json.dumps(ev) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dump", help="fluxscope --dump output ('-' for standard input)")
    for o in ("zeek-tsv", "zeek-json", "eve-v1", "eve-v2", "eve-v2-grouped"):
        ap.add_argument("--" + o, metavar="FILE")
    a = ap.parse_args()
    src = sys.stdin if a.dump == "-" else open(a.dump)
    msgs = [json.loads(line) for line in src if line.strip()]
    msgs.sort(key=lambda m: m["ts"])
    pairs = pair(msgs)
    opened = {k: open(getattr(a, k.replace("-", "_")), "w") if getattr(a, k.replace("-", "_")) else None
              for k in ("zeek-tsv", "zeek-json", "eve-v1", "eve-v2", "eve-v2-grouped")}
    write_zeek(pairs, opened["zeek-tsv"], opened["zeek-json"])
    write_eve(pairs, opened["eve-v1"], opened["eve-v2"], opened["eve-v2-grouped"])
    for f in opened.values():
        if f:
            f.close()


if __name__ == "__main__":
    main()
