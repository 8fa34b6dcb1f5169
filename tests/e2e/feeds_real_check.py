#!/usr/bin/env python3
"""Independent readings of resolver logs, compared with `fluxscope -r FILE --dump` (JSON Lines).

  feeds_real_check.py eve    FILE DUMP   Suricata EVE dns events v1/v2/v3: every DNS message the
      file describes, the port-53 side as the server, question, rcode, time and the
      A/AAAA/CNAME/NS/PTR/DNAME records by section (v1: records joined by flow, DNS id and time,
      the question from the query event of that flow and id, NS records of a non-NS question in
      the authority section; v2 "grouped": CNAMEs chained from the question, TTL 0)
  feeds_real_check.py zeek   FILE DUMP   Zeek dns.log as JSON lines (plain or gzip): per row the
      query and, with an rcode, the response at ts + rtt with its addresses and their TTLs; an
      empty name is the root; rows on no port 53 are left out (fluxscope counts them not-dns)
  feeds_real_check.py dnstap FILE DUMP   a Frame Streams file read with its own varint and
      protobuf walk: per message time, addresses, ports, transport, DNS id and QR bit

Python 3 standard library only. Prints one summary line (and the first differences); exit
status 1 on any difference."""
import gzip
import ipaddress
import json
import re
import struct
import sys
from collections import Counter
from datetime import datetime

KEEP = {'A', 'AAAA', 'CNAME', 'NS', 'PTR', 'DNAME'}


def iso(s):
    if isinstance(s, (int, float)):
        return s
    return datetime.strptime(s.replace('Z', '+0000'), '%Y-%m-%dT%H:%M:%S.%f%z').timestamp()


def norm(t, d):
    return str(ipaddress.ip_address(d)) if t in ('A', 'AAAA') else d.rstrip('.').lower()


def unesc(name):
    return re.sub(r'\\(\d{3})', lambda x: chr(int(x.group(1))), name)


def dump_rrs(g, sec):
    return sorted((unesc(r['name']).lower(), r['type'], r['ttl'], norm(r['type'], r['data']))
                  for r in g[sec] if r['type'] in KEEP)


def eve(path, dump):
    def side(ev, qr):
        a = (str(ipaddress.ip_address(ev['src_ip'])), ev.get('src_port', 0))
        b = (str(ipaddress.ip_address(ev['dest_ip'])), ev.get('dest_port', 0))
        if (a[1] == 53) != qr and (b[1] == 53) == qr:
            a, b = b, a
        return a, b

    def rec(r):
        return (r['rrname'].lower(), r['rrtype'], r.get('ttl', 0), norm(r['rrtype'], r['rdata']))

    exp, queries, v1 = [], {}, {}
    for line in open(path, errors='replace'):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict) or ev.get('event_type') != 'dns':
            continue
        d = ev['dns']
        qr = d.get('type') in ('answer', 'response')
        if not qr and d.get('type') not in ('query', 'request'):
            continue
        q = (d.get('queries') or [d])[0]
        src, dst = side(ev, qr)
        m = {'qr': int(qr), 'src': src, 'dst': dst, 'id': d.get('id', 0), 'ts': round(iso(ev['timestamp']), 6),
             'qname': q.get('rrname', ''), 'qtype': q.get('rrtype'), 'rcode': d.get('rcode', 'NOERROR'),
             'an': [], 'au': []}
        if not qr:
            queries[(ev.get('flow_id'), m['id'])] = m
            exp.append(m)
            continue
        if 'version' in d or 'queries' in d or 'answers' in d or 'grouped' in d:
            m['an'] = [rec(r) for r in d.get('answers', []) if r.get('rrtype') in KEEP and r.get('rdata')]
            if not d.get('answers') and d.get('grouped'):
                g, own = d['grouped'], m['qname']
                for c in g.get('CNAME', []):
                    m['an'].append((own.lower(), 'CNAME', 0, c.lower()))
                    own = c
                for t, vals in g.items():
                    if t in KEEP and t != 'CNAME':
                        m['an'] += [((m['qname'] if t in ('NS', 'PTR') else own).lower(), t, 0, norm(t, v)) for v in vals]
            m['au'] = [rec(r) for r in d.get('authorities', []) if r.get('rrtype') in KEEP and r.get('rdata')]
            exp.append(m)
            continue
        key = (ev.get('flow_id'), m['id'], m['ts'], src, dst)
        if key not in v1:
            v1[key] = m
            exp.append(m)
        if d.get('rrtype') in KEEP and d.get('rdata'):
            v1[key]['an'].append(rec(d))
    for (flow, i, _, _, _), m in v1.items():
        q = queries.get((flow, i))
        if q:
            m['qname'], m['qtype'] = q['qname'], q['qtype']
        elif not m['qname'] and m['an']:
            m['qname'] = m['an'][0][0]
        if m['qtype'] not in ('NS', 'ANY'):
            m['au'] += [r for r in m['an'] if r[1] == 'NS']
            m['an'] = [r for r in m['an'] if r[1] != 'NS']

    def key(m):
        return (m['qr'], m['id'], m['ts'], m['src'], m['dst'])
    got = {}
    for line in open(dump):
        g = json.loads(line)
        m = {'qr': g['qr'], 'src': (g['src'], g['sport']), 'dst': (g['dst'], g['dport']), 'id': g['id'],
             'ts': round(g['ts'], 6), 'qname': g['qname'], 'rcode': g['rcode'],
             'an': dump_rrs(g, 'answers'), 'au': dump_rrs(g, 'authority')}
        got.setdefault(key(m), []).append(m)
    bad = missing = 0
    for m in exp:
        gs = got.get(key(m))
        if not gs:
            missing += 1
            if missing <= 5:
                print('not made by fluxscope:', m['qr'], m['src'], m['dst'], m['id'], m['qname'])
            continue
        g = gs.pop(0)
        for k in ('qname', 'rcode'):
            if unesc(g[k]).lower() != str(m[k]).lower():
                bad += 1
                print('differs:', k, 'file', m[k], 'fluxscope', g[k])
        for k in ('an', 'au'):
            if g[k] != sorted(m[k]):
                bad += 1
                if bad <= 8:
                    print('differs:', k, m['qname'], 'file', sorted(m[k]), 'fluxscope', g[k])
    extra = sum(len(v) for v in got.values())
    return len(exp), missing, extra, bad


def zeek(path, dump):
    op = gzip.open if path.endswith('.gz') else open
    exp = []
    for line in op(path, 'rt'):
        r = json.loads(line)
        if 53 not in (r.get('id.resp_p'), r.get('id.orig_p')) or 'query' not in r:
            continue
        c, s = (r['id.orig_h'], r['id.orig_p']), (r['id.resp_h'], r['id.resp_p'])
        ts, name = iso(r['ts']), (r['query'] or '.').lower()
        exp.append((0, c, s, r.get('trans_id', 0), round(ts, 6), name, ()))
        if 'rcode' in r:
            addrs = []
            for i, a in enumerate(r.get('answers', [])):
                try:
                    ip = str(ipaddress.ip_address(a))
                except ValueError:
                    continue
                ttls = r.get('TTLs', [])
                addrs.append((ip, int(ttls[i]) if i < len(ttls) else 0))
            exp.append((1, s, c, r.get('trans_id', 0), round(ts + (r.get('rtt') or 0), 6), name, tuple(sorted(addrs))))
    got = []
    for line in open(dump):
        g = json.loads(line)
        addrs = tuple(sorted((norm(a['type'], a['data']), a['ttl']) for a in g['answers'] if a['type'] in ('A', 'AAAA')))
        got.append((g['qr'], (g['src'], g['sport']), (g['dst'], g['dport']), g['id'], round(g['ts'], 6),
                    unesc(g['qname']).lower(), addrs))
    e, g = Counter(exp), Counter(got)
    miss, extra = e - g, g - e
    for m in list(miss)[:5]:
        print('not made by fluxscope:', m)
    for m in list(extra)[:5]:
        print('not in the file:', m)
    return len(exp), sum(miss.values()), sum(extra.values()), 0


def dnstap(path, dump):
    def varint(b, i):
        v = s = 0
        while True:
            c = b[i]
            i += 1
            v |= (c & 0x7f) << s
            s += 7
            if c < 0x80:
                return v, i

    def fields(b):
        i, out = 0, {}
        while i < len(b):
            k, i = varint(b, i)
            f, w = k >> 3, k & 7
            if w == 0:
                v, i = varint(b, i)
            elif w == 2:
                n, i = varint(b, i)
                v, i = b[i:i + n], i + n
            elif w == 5:
                v, i = struct.unpack('<I', b[i:i + 4])[0], i + 4
            elif w == 1:
                v, i = struct.unpack('<Q', b[i:i + 8])[0], i + 8
            else:
                raise ValueError('wire type %d' % w)
            out.setdefault(f, []).append(v)
        return out

    data, i, exp = open(path, 'rb').read(), 0, []
    while i + 4 <= len(data):
        n = struct.unpack('>I', data[i:i + 4])[0]
        i += 4
        if n == 0:   # a control frame: its length, then its bytes
            i += 4 + struct.unpack('>I', data[i:i + 4])[0]
            continue
        d, i = fields(data[i:i + n]), i + n
        if d.get(15, [0])[0] != 1 or 14 not in d:
            continue
        m = fields(d[14][0])
        resp = m[1][0] in (2, 4, 6, 8, 10, 12, 14) and 14 in m
        dns = m[14][0] if resp else m.get(10, [b''])[0]
        if not dns:
            continue
        qa, ra = m.get(4, [b''])[0], m.get(5, [b''])[0]
        qp, rp = m.get(6, [0])[0], m.get(7, [0])[0]
        if resp and 12 in m:
            ts = m[12][0] + m.get(13, [0])[0] // 1000 / 1e6
        else:
            ts = m.get(8, [0])[0] + m.get(9, [0])[0] // 1000 / 1e6
        ip = str(ipaddress.ip_address(ra if resp else qa))
        exp.append((round(ts, 6), ip, rp if resp else qp, qp if resp else rp,
                    'udp' if m.get(3, [1])[0] == 1 else 'tcp', struct.unpack('>H', dns[:2])[0], dns[2] >> 7))
    got = []
    for line in open(dump):
        g = json.loads(line)
        got.append((round(g['ts'], 6), g['src'], g['sport'], g['dport'], g['transport'], g['id'], g['qr']))
    bad = sum(1 for a, b in zip(exp, got) if a != b)
    for a, b in [(a, b) for a, b in zip(exp, got) if a != b][:5]:
        print('differs: file', a, 'fluxscope', b)
    return len(exp), max(0, len(exp) - len(got)), max(0, len(got) - len(exp)), bad


if __name__ == '__main__':
    kind, path, dump = sys.argv[1:4]
    n, missing, extra, bad = {'eve': eve, 'zeek': zeek, 'dnstap': dnstap}[kind](path, dump)
    print('%s: %d messages in the file; %d not made, %d made that the file does not hold, %d differing'
          % (path, n, missing, extra, bad))
    sys.exit(1 if missing or extra or bad else 0)
