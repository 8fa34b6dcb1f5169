#!/bin/sh
# Every field of the model's table (as docs/fields.md lists it; the unit test
# tests/unit/model/test_fields.c keeps that file equal to the table, and checks the filter's
# field list and the TUI's column choices) is a key of every --report --json domain record and
# a column of the --report --csv header, in table order; CSV and JSON agree on the values.
set -u
: "${FLUXSCOPE:=$PWD/build/fluxscope}" "${BUILD:=build}"
d=$BUILD/e2e/fields; rm -rf "$d"; mkdir -p "$d"
"$FLUXSCOPE" -r samples/flux-demo.pcap --report --json --all >"$d/r.jsonl" 2>/dev/null || { echo "FAIL: --json"; exit 1; }
"$FLUXSCOPE" -r samples/flux-demo.pcap --report --csv --all >"$d/r.csv" 2>/dev/null || { echo "FAIL: --csv"; exit 1; }
python3 - "$d/r.jsonl" "$d/r.csv" docs/fields.md <<'PY'
import csv, json, re, sys
allrecs = [json.loads(l) for l in open(sys.argv[1])]
# the first object describes the run; every record after it is a domain or a zone
recs = allrecs[1:]
run = allrecs[0]
rows = list(csv.reader(open(sys.argv[2], newline='')))
fields = []
for line in open(sys.argv[3]):
    m = re.match(r'\| `([^`]+)` \|[^|]*\|[^|]*\|[^|]*\| `([^`]+)`', line)
    if m:
        fields.append((m.group(1), m.group(2)))
fail = 0
assert len(fields) > 30, fields
if run.get('kind') != 'run' or any(r.get('kind') == 'run' for r in recs):
    print('FAIL: the first JSON object is not the only run object'); fail = 1
for k in ('version', 'started', 'started_iso', 'sources', 'databases', 'vantage', 'detector',
          'unavailable', 'domains', 'zones', 'verdicts'):
    if k not in run:
        print('FAIL: run object without %s' % k); fail = 1
doms = [r for r in recs if r['kind'] == 'domain']
# every time field has its ISO 8601 form beside the epoch seconds
iso = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')
import datetime
for r in doms:
    for k in [k for k in r if k + '_iso' in r]:
        v, t = r[k], r[k + '_iso']
        if (v is None) != (t is None) or (t is not None and (not iso.match(t) or abs(
                datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%S.%fZ').replace(
                    tzinfo=datetime.timezone.utc).timestamp() - v) > 1e-5)):
            print('FAIL: %s %s=%s but %s_iso=%s' % (r['domain'], k, v, k, t)); fail = 1; break
for k in ('first_seen', 'last_seen', 'first_flagged', 'first_flux'):
    if not all(k + '_iso' in r for r in doms):
        print('FAIL: %s_iso missing' % k); fail = 1
for key, jkey in fields:
    for r in doms:
        obj = r
        for part in jkey.split('.'):
            if not isinstance(obj, dict) or part not in obj:
                print('FAIL: JSON key %s (field %s) missing in %s' % (jkey, key, r['domain'])); fail = 1; break
            obj = obj[part]
        if fail: break
header = rows[0]
if header != [k for k, _ in fields]:
    print('FAIL: CSV header %s is not the field list %s' % (header, [k for k, _ in fields])); fail = 1
body = [dict(zip(header, r)) for r in rows[1:]]
if len(body) != len(recs):
    print('FAIL: %d CSV rows, %d JSON records' % (len(body), len(recs))); fail = 1
# the same values through both writers
for r, c in zip(recs, body):
    if c['name'] != r['domain'] or c['verdict'] != r['verdict'] or float(c['score']) != r['score']:
        print('FAIL: CSV and JSON differ at', r['domain']); fail = 1; break
    if r['kind'] == 'domain':
        if c['address'].split() != r['addresses'] or int(c['addrs']) != r['counts']['addresses']:
            print('FAIL: addresses differ at', r['domain']); fail = 1; break
        if (c['holz'] == '') != (r['holz_score'] is None):
            print('FAIL: holz missing differs at', r['domain']); fail = 1; break
print('fields: %d fields, %d JSON records, %d CSV rows' % (len(fields), len(recs), len(body)))
sys.exit(fail)
PY
