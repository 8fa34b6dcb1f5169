#!/usr/bin/env python3
"""Score a fluxscope report against the generator's labels (Python 3 standard library only).

  eval_score.py --labels L.csv --report R.json [--truth T.csv.gz]
                [--pcap P --fluxscope BIN [--geoip DB]... [--step 60]]   (time-to-detect replay)
                [--targets auto|issue3|issue10|both] [--json-out S.json] [--strict]

Prints per-class precision, recall and F1, the confusion matrix (label class -> verdict), the
false-positive rate on benign names, the Holz baseline (holz_score > 0 counts as flux), every
class/slice beside the Holz score, recall per adversarial slice, zone verdicts for the
random-subdomain and wildcard flux zones and the CDN/pool zones under unknown names, time to
detect for every flux domain, and PASS/FAIL against the issue's targets: issue 3's (the long
`eval` profile) or issue 10's (the short `sparse` profile; --targets auto picks by the labels).
--strict exits 1 when a target fails.

Zone rows: report objects with "kind": "zone" are zone verdicts ("domain" is the zone apex).
A name counts as covered by a zone verdict when an enclosing zone's row has a flux verdict, or
when an enclosing apex labelled with role `zone` (a zone nobody asks addresses of) has one as a
domain; an RPZ export of such a zone blocks the name. Figures "with zones" count these; the
name's own verdict is always shown beside them.

Time to detect comes from the report when the detector says when it first gave a flux verdict
(`first_flux` and friends, see TTD_KEYS); otherwise the capture is replayed: the report is run on
time-truncated prefixes of the pcap (every --step seconds of capture time) and a domain's time
is the first prefix end at which it is flagged (an upper bound, --step resolution)."""

import argparse
import csv
import gzip
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
from datetime import datetime

VERDICTS = ["benign", "cdn", "pool", "suspicious", "single-flux", "double-flux", "(absent)"]
FLUX = {"single-flux", "double-flux"}
EXPECT = {
    "benign": {"benign"},
    "dynamic-dns": {"benign"},
    "round-robin": {"pool", "benign"},
    "cdn": {"cdn", "benign"},
    "multi-cdn": {"cdn", "benign"},
    "pool": {"pool"},
    "single-flux": {"single-flux"},
    "double-flux": {"double-flux"},
    "flux-ns": {"single-flux", "double-flux"},
}
CLASS_ORDER = ["benign", "dynamic-dns", "round-robin", "cdn", "multi-cdn", "pool", "single-flux",
               "double-flux", "flux-ns"]
ADVERSARIAL = ["bulletproof", "low-slow", "ipv6-only"]
GUARDED = {"cdn", "multi-cdn", "pool", "round-robin"}
# Report fields that say when the detector first gave a flux verdict, in order of preference:
# (capture time of the flag, responses up to it, TTL periods since first seen).
TTD_KEYS = [("first_flux", "first_flux_resp", "first_flux_ttls"),
            ("first_flux_ts", "first_flux_responses", "first_flux_ttl_periods"),
            ("first_flagged", "first_flagged_resp", "first_flagged_ttls")]


# ---- inputs ------------------------------------------------------------------------------------

def read_labels(path):
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            out[r["domain"].lower().rstrip(".")] = r
    return out


def parse_objects(text):
    """A JSON array, an object holding the list, or JSON Lines: the list of objects."""
    text = text.strip()
    objs = None
    try:
        doc = json.loads(text)
        if isinstance(doc, list):
            objs = doc
        elif isinstance(doc, dict):
            for k in ("domains", "results", "report"):
                if isinstance(doc.get(k), list):
                    objs = doc[k]
                    break
            if objs is None and "domain" in doc:
                objs = [doc]
    except ValueError:
        objs = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict):
                objs.append(o)
    return [o for o in objs or [] if isinstance(o, dict) and isinstance(o.get("domain"), str)]


def parse_report(text):
    """Domain objects by name (zone rows, "kind": "zone", left out)."""
    return {o["domain"].lower().rstrip("."): o for o in parse_objects(text)
            if o.get("kind") != "zone"}


def parse_zones(text):
    """Zone rows ("kind": "zone") by apex; empty when the report has none."""
    return {o["domain"].lower().rstrip("."): o for o in parse_objects(text)
            if o.get("kind") == "zone"}


def read_truth(path):
    """(qname -> sorted list of (ts, n_addr) for client responses, qname -> set of answer
    addresses, qname -> {qtype: set of distinct answer sets}); the last two are None when the
    truth file has no `addrs` column (only the sparse profile writes it)."""
    if not path:
        return {}, None, None
    opener = gzip.open if path.endswith(".gz") else open
    out = {}
    addrs = sets = None
    with opener(path, "rt", newline="") as f:
        rd = csv.DictReader(f)
        if "addrs" in (rd.fieldnames or []):
            addrs, sets = {}, {}
        for r in rd:
            out.setdefault(r["qname"], []).append((float(r["ts"]), int(r["n_addr"])))
            if addrs is not None and r["addrs"]:
                a = r["addrs"].split()
                addrs.setdefault(r["qname"], set()).update(a)
                sets.setdefault(r["qname"], {}).setdefault(r["qtype"], set()).add(frozenset(a))
    for v in out.values():
        v.sort()
    return out, addrs, sets


def as_time(v):
    if v is None or v == 0 or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v) / 1e6 if v > 1e14 else float(v)   # seconds (or microseconds)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def verdict_of(o):
    if o is None:
        return "(absent)"
    v = str(o.get("verdict", "")).lower()
    return v if v in VERDICTS else ("(absent)" if not v else v)


def holz_of(o):
    if o is None:
        return None
    v = o.get("holz_score")
    return float(v) if isinstance(v, (int, float)) else None


# ---- replay --------------------------------------------------------------------------------------

def pcap_offsets(path):
    """(ts, byte offset after the record) for every record of a classic pcap."""
    out = []
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            end, nano = "<", magic == 0xA1B23C4D
        else:
            end, nano = ">", struct.unpack(">I", hdr[:4])[0] == 0xA1B23C4D
        pos = 24
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            sec, frac, incl, _ = struct.unpack(end + "IIII", rh)
            f.seek(incl, 1)
            pos += 16 + incl
            out.append((sec + frac / (1e9 if nano else 1e6), pos))
    return out


def run_report(fluxscope, geoip, pcap):
    cmd = [fluxscope, "-r", pcap, "--report", "--json", "--all"]
    for g in geoip:
        cmd += ["--geoip", g]
    if not geoip:
        cmd.append("--no-geoip")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode,
                                                   p.stderr.decode(errors="replace").strip()))
    return parse_report(p.stdout.decode(errors="replace"))


def replay(args, wanted):
    """First prefix end (capture time) at which each wanted domain gets a flux verdict."""
    offs = pcap_offsets(args.pcap)
    if not offs:
        return {}, 0
    t0, t_end = offs[0][0], offs[-1][0]
    found = {}
    runs = 0
    with open(args.pcap, "rb") as f:
        whole = f.read()
    with tempfile.TemporaryDirectory() as td:
        cut = os.path.join(td, "prefix.pcap")
        t = t0 + args.step
        i = 0
        while wanted - set(found) and t < t_end + args.step:
            while i < len(offs) and offs[i][0] <= t:
                i += 1
            if i == 0:
                t += args.step
                continue
            with open(cut, "wb") as o:
                o.write(whole[: offs[i - 1][1]])
            rep = run_report(args.fluxscope, args.geoip, cut)
            runs += 1
            for d in wanted - set(found):
                if verdict_of(rep.get(d)) in FLUX:
                    found[d] = min(t, t_end)
            t += args.step
    return found, runs


# ---- scoring -------------------------------------------------------------------------------------

def pct(a, b):
    return 100.0 * a / b if b else float("nan")


def fmt(x, nd=1):
    return "  n/a" if x != x else ("%5.*f" % (nd, x))


def issue10_targets(P, q, labels, rep, zones, truth, taddrs, fs_flux, fs_flux_z, holz_flux, zflag,
                    summary, sets_by_name=None):
    """Issue 10's targets on a short sparse capture. Names covered by a flux zone verdict count
    as flagged (an RPZ export blocks them); the own-verdict figure is printed beside."""
    flux = [d for d, r in q.items() if r["class"] in FLUX]
    answered = {d: sum(1 for _, k in truth.get(d, []) if k > 0) for d in q}
    if taddrs is not None:
        n_addr = {d: len(taddrs.get(d, ())) for d in q}
        addr_note = ""
    else:
        # no addrs column: the largest answer is a lower bound of the distinct addresses
        n_addr = {d: max((k for _, k in truth.get(d, [])), default=0) for d in q}
        addr_note = " (no addrs column in the truth: largest answer used)"
    eligible = [d for d in flux if answered[d] >= 2 or n_addr[d] >= 8]
    one_set = one_addr = 0
    if sets_by_name is not None:
        for d in eligible:
            if max((len(v) for v in sets_by_name.get(d, {}).values()), default=0) <= 1:
                one_set += 1
                one_addr += n_addr[d] <= 1
    r_el, r_el_own = pct(sum(1 for d in eligible if fs_flux_z(d)), len(eligible)), \
        pct(sum(1 for d in eligible if fs_flux(d)), len(eligible))
    r_all, r_all_own = pct(sum(1 for d in flux if fs_flux_z(d)), len(flux)), \
        pct(sum(1 for d in flux if fs_flux(d)), len(flux))
    r_holz = pct(sum(1 for d in flux if holz_flux(d)), len(flux))
    # every name that is not flux counts as benign here (CDN customers, pools, dynamic DNS ...)
    ben = [d for d, r in q.items() if r["class"] not in FLUX and r["class"] != "flux-ns"]
    ben_z = [d for d in ben if fs_flux_z(d)]
    ben_own = [d for d in ben if fs_flux(d)]
    fpr = pct(len(ben_z), len(ben))
    # CDNs and pools under unknown names: every labelled name (all roles) and their zone rows
    unk = [d for d, r in labels.items() if r["slice"].startswith("unknown-") and r["role"] != "noise"]
    unk_flux = [d for d in unk if fs_flux_z(d)]
    unk_zone_rows = [x for x in zones if x in labels and labels[x]["slice"].startswith("unknown-")
                     and verdict_of(zones[x]) in FLUX]
    n_unk_flux = len(set(unk_flux) | set(unk_zone_rows))
    dbl = [d for d, r in q.items() if r["class"] == "double-flux"]

    def named_double(d):
        if verdict_of(rep.get(d)) == "double-flux":
            return True
        z = zflag(d)
        return z is not None and z[0] == "double-flux"
    r_dbl = pct(sum(1 for d in dbl if named_double(d)), len(dbl))
    r_dbl_own = pct(sum(1 for d in dbl if verdict_of(rep.get(d)) == "double-flux"), len(dbl))
    # time to a flux verdict in answered responses (the truth's count up to the verdict; a name
    # whose zone was flagged before it was first asked counts 1)
    ttd, ttd_own, det = [], [], []
    for d in flux:
        t_own = as_time((rep.get(d) or {}).get("first_flux")) if fs_flux(d) else None
        z = zflag(d)
        t_z = z[1] if z is not None else None
        ts = [t for t in (t_own, t_z) if t is not None]
        if not ts or not truth.get(d):
            continue
        t = min(ts)
        n = max(1, sum(1 for x, k in truth[d] if x <= t + 1e-6 and k > 0))
        ttd.append(n)
        if t_own is not None:
            ttd_own.append(max(1, sum(1 for x, k in truth[d] if x <= t_own + 1e-6 and k > 0)))
            fr = (rep.get(d) or {}).get("first_flux_resp")
            if isinstance(fr, int) and fr > 0:
                det.append(fr)
    med = statistics.median(ttd) if ttd else float("nan")
    med_own = statistics.median(ttd_own) if ttd_own else float("nan")
    med_det = statistics.median(det) if det else float("nan")
    P("")
    P("Issue 10 figures: %d flux query names, %d of them with >= 2 answered responses or >= 8"
      % (len(flux), len(eligible)))
    P("distinct addresses%s; %d other names; own verdicts only: eligible %.1f%%, all %.1f%%,"
      % (addr_note, len(ben), r_el_own, r_all_own))
    P("benign flux %d, double-flux named %.1f%%, median %s responses to a flux verdict (the"
      % (len(ben_own), r_dbl_own, fmt(med_own)))
    P("detector's own first_flux_resp: median %s)" % fmt(med_det))
    if one_set:
        P("(%d of the %d eligible names saw one answer set only, e.g. twice from one cache; %d of"
          " them one address)" % (one_set, len(eligible), one_addr))
    for d in sorted(x for x in ben_z if not q[x]["slice"].startswith("unknown-"))[:10]:
        z = zflag(d)
        P("  flux verdict on %s %s (%s%s)" % (q[d]["class"], d, q[d]["slice"],
                                              ", by zone %s" % z[2] if z and not fs_flux(d) else ""))
    unk_all = sorted(set(unk_flux) | set(unk_zone_rows))
    by_sl = {}
    for d in unk_all:
        k = "%s/%s" % (labels[d]["slice"], labels[d]["role"])
        by_sl[k] = by_sl.get(k, 0) + 1
    if unk_all:
        P("  flux verdicts under unknown CDN/pool names (slice/role): %s"
          % ", ".join("%s %d" % kv for kv in sorted(by_sl.items())))
        for d in unk_all[:5]:
            P("    e.g. %s (%s, %s)" % (d, labels[d]["slice"], labels[d]["role"]))
    summary["issue10"] = {
        "flux_names": len(flux), "eligible": len(eligible), "eligible_recall": r_el,
        "eligible_recall_own": r_el_own, "recall_all": r_all, "recall_all_own": r_all_own,
        "holz_all": r_holz, "benign": len(ben), "benign_flux": len(ben_z),
        "benign_flux_own": len(ben_own), "unknown_cdn_pool_flux": n_unk_flux,
        "double_named": r_dbl, "double_named_own": r_dbl_own, "median_responses": med,
        "median_responses_own": med_own, "median_first_flux_resp": med_det}
    return [
        (">= 97% flux verdicts on flux names with >= 2 answers or >= 8 addresses", r_el >= 97.0,
         "%.1f%% (%d of %d)" % (r_el, sum(1 for d in eligible if fs_flux_z(d)), len(eligible))),
        ("flux recall over all flux names >= Holz + 15 points", r_all >= r_holz + 15.0,
         "%.1f%% vs Holz %.1f%%" % (r_all, r_holz)),
        ("benign names called flux <= 0.1%", fpr <= 0.1,
         "%.2f%% (%d of %d)" % (fpr, len(ben_z), len(ben))),
        ("no CDN or pool under an unknown name called flux", n_unk_flux == 0,
         "%d of %d names and zones" % (n_unk_flux, len(unk))),
        ("double flux named >= 90% (verdict double-flux)", r_dbl >= 90.0,
         "%.1f%% of %d" % (r_dbl, len(dbl))),
        ("median time to a flux verdict <= 2 responses", med <= 2.0,
         ("%.1f responses (%d flagged)" % (med, len(ttd))) if med == med else "not measured"),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", required=True)
    ap.add_argument("--report", required=True, help="report JSON (file or - for stdin)")
    ap.add_argument("--truth", help="the generator's per-response truth (csv or csv.gz)")
    ap.add_argument("--pcap", help="capture, for the time-to-detect replay")
    ap.add_argument("--fluxscope", help="binary, for the time-to-detect replay")
    ap.add_argument("--geoip", action="append", default=[])
    ap.add_argument("--step", type=float, default=60.0, help="replay step in seconds (default 60)")
    ap.add_argument("--replay", choices=["auto", "always", "never"], default="auto")
    ap.add_argument("--json-out", help="write the summary figures as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    ap.add_argument("--quiet-ttd", action="store_true", help="do not list every flux domain")
    ap.add_argument("--targets", choices=["auto", "issue3", "issue10", "both"], default="auto",
                    help="which targets to check (auto: issue 10's when the labels have the "
                    "sparse profile's slices, else issue 3's)")
    a = ap.parse_args(argv)

    labels = read_labels(a.labels)
    text = sys.stdin.read() if a.report == "-" else open(a.report).read()
    rep = parse_report(text)
    zones = parse_zones(text)
    truth, taddrs, tsets = read_truth(a.truth)
    if not rep:
        print("eval: the report has no domain objects (is --report --json implemented?)",
              file=sys.stderr)
        return 2

    q = {d: r for d, r in labels.items() if r["role"] == "query"}
    summary = {"n_labelled": len(q), "n_reported": len(rep)}
    P = print

    # --- confusion matrix, label class (and adversarial slice) -> verdict --------------------------
    rows = []
    for cls in CLASS_ORDER:
        names = [d for d, r in q.items() if r["class"] == cls]
        if cls == "single-flux":
            rows.append(("single-flux/classic", [d for d in names if q[d]["slice"] == "classic"]))
            for s in ADVERSARIAL:
                rows.append(("single-flux/" + s, [d for d in names if q[d]["slice"] == s]))
            for s in sorted({q[d]["slice"] for d in names} - set(ADVERSARIAL) - {"classic"}):
                rows.append(("single-flux/" + s, [d for d in names if q[d]["slice"] == s]))
        elif names:
            rows.append((cls, names))
    P("fluxscope evaluation: %d labelled query names, %d domains in the report" % (len(q), len(rep)))
    P("")
    P("Confusion matrix (rows: label class; columns: verdict)")
    head = "%-24s %6s" % ("class", "n") + "".join("%12s" % v for v in VERDICTS)
    P(head)
    conf = {}
    for name, names in rows:
        cnt = {v: 0 for v in VERDICTS}
        for d in names:
            v = verdict_of(rep.get(d))
            cnt[v if v in cnt else "(absent)"] += 1
        conf[name] = cnt
        P("%-24s %6d" % (name, len(names)) + "".join("%12d" % cnt[v] for v in VERDICTS))
    summary["confusion"] = conf

    # --- per-class precision / recall / F1 ----------------------------------------------------------
    P("")
    P("Per class (correct = verdict in the class's expected set; precision counts names of other")
    P("classes given one of this class's verdicts that their own class does not allow)")
    P("%-14s %6s %9s %9s %7s   expected" % ("class", "n", "precision", "recall", "F1"))
    per = {}
    for cls in CLASS_ORDER:
        names = [d for d, r in q.items() if r["class"] == cls]
        if not names:
            continue
        exp = EXPECT[cls]
        tp = sum(1 for d in names if verdict_of(rep.get(d)) in exp)
        fp = sum(1 for d, r in q.items() if r["class"] != cls
                 and verdict_of(rep.get(d)) in exp and verdict_of(rep.get(d)) not in EXPECT[r["class"]])
        prec, rec = pct(tp, tp + fp), pct(tp, len(names))
        f1 = 2 * prec * rec / (prec + rec) if (prec + rec) and prec == prec else float("nan")
        per[cls] = {"n": len(names), "tp": tp, "fp": fp, "precision": prec, "recall": rec, "f1": f1}
        P("%-14s %6d %8s%% %8s%% %7s   %s" % (cls, len(names), fmt(prec), fmt(rec), fmt(f1),
                                               "|".join(sorted(exp))))
    summary["per_class"] = per
    # where the errors are: class/slice with the verdicts the wrong ones got
    errs = {}
    for d, r in q.items():
        v = verdict_of(rep.get(d))
        if v not in EXPECT[r["class"]]:
            e = errs.setdefault((r["class"], r["slice"]), {})
            e[v] = e.get(v, 0) + 1
    if errs:
        P("Wrong verdicts by class/slice:")
        tot = {}
        for d, r in q.items():
            tot[(r["class"], r["slice"])] = tot.get((r["class"], r["slice"]), 0) + 1
        for k in sorted(errs, key=lambda k: (CLASS_ORDER.index(k[0]), k[1])):
            P("  %-36s %4d of %4d: %s" % ("%s/%s" % k, sum(errs[k].values()), tot[k],
                                          ", ".join("%s %d" % kv for kv in sorted(errs[k].items()))))

    # --- benign false positives ------------------------------------------------------------------
    benign = [d for d, r in q.items() if r["class"] in ("benign", "dynamic-dns")]
    ben_flux = [d for d in benign if verdict_of(rep.get(d)) in FLUX]
    ben_susp = [d for d in benign if verdict_of(rep.get(d)) == "suspicious"]
    ben_fpr = pct(len(ben_flux), len(benign))
    P("")
    P("Benign names (benign + dynamic-DNS): %d; flagged as flux %d (%.2f%%), suspicious %d"
      % (len(benign), len(ben_flux), ben_fpr, len(ben_susp)))
    for d in ben_flux[:10]:
        P("  flux verdict on benign: %s (%s, score %s)" % (d, q[d]["class"], rep[d].get("score")))
    # every name of a guarded class, CNAME targets and all, must stay out of flux
    guarded = [(d, r) for d, r in labels.items() if r["class"] in GUARDED and r["role"] != "noise"]
    g_flux = [(d, r) for d, r in guarded if verdict_of(rep.get(d)) in FLUX]
    P("CDN, multi-CDN, pool and round-robin names (all roles, %d in the report): flagged as flux %d"
      % (sum(1 for d, _ in guarded if d in rep), len(g_flux)))
    for d, r in g_flux[:10]:
        P("  flux verdict on %s: %s (%s, score %s)" % (r["class"], d, r["slice"], rep[d].get("score")))
    unl = [d for d in rep if d not in labels]
    unl_flux = [d for d in unl if verdict_of(rep.get(d)) in FLUX]
    P("Report domains without a label: %d (flux verdicts among them: %d%s)"
      % (len(unl), len(unl_flux), (": " + ", ".join(unl_flux[:5])) if unl_flux else ""))

    # --- flux recall, fluxscope vs Holz -------------------------------------------------------
    def recall(names, pred):
        return pct(sum(1 for d in names if pred(d)), len(names))

    fs_flux = lambda d: verdict_of(rep.get(d)) in FLUX
    holz_flux = lambda d: (holz_of(rep.get(d)) or -1.0) > 0
    have_holz = any(holz_of(o) is not None for o in rep.values())
    slices = {"single-flux/classic": [d for d, r in q.items() if r["class"] == "single-flux" and r["slice"] == "classic"],
              "double-flux": [d for d, r in q.items() if r["class"] == "double-flux"]}
    for s in ADVERSARIAL:
        slices["adversarial/" + s] = [d for d, r in q.items() if r["class"] == "single-flux" and r["slice"] == s]
    slices["adversarial (all)"] = [d for d, r in q.items() if r["class"] == "single-flux" and r["slice"] in ADVERSARIAL]
    P("")
    P("Flux recall (any flux verdict) beside the Holz baseline (holz_score > 0)%s"
      % ("" if have_holz else "  [no holz_score in the report]"))
    P("%-28s %6s %11s %8s" % ("slice", "n", "fluxscope", "Holz"))
    rec = {}
    for name, names in slices.items():
        r1, r2 = recall(names, fs_flux), recall(names, holz_flux)
        rec[name] = {"n": len(names), "fluxscope": r1, "holz": r2}
        P("%-28s %6d %10s%% %7s%%" % (name, len(names), fmt(r1), fmt(r2)))
    holz_ben = pct(sum(1 for d in benign if holz_flux(d)), len(benign))
    holz_guard = sum(1 for d, r in guarded if holz_flux(d))
    P("%-28s %6d %10s%% %7s%%" % ("benign flagged (FPR)", len(benign), fmt(ben_fpr, 2), fmt(holz_ben, 2)))
    P("%-28s %6d %11d %8d" % ("CDN/pool/RR flagged (count)", len(guarded), len(g_flux), holz_guard))
    summary["recall"] = rec
    summary["holz_benign_fpr"] = holz_ben

    # --- zones: verdicts on zone rows, and names covered by a flux zone verdict ----------------
    def zone_flag(d):
        """The closest enclosing zone (d itself included) with a flux verdict, as
        (verdict, first_flux time or None, apex, 'row'|'apex'), or None."""
        parts = d.split(".")
        for i in range(len(parts) - 1):
            x = ".".join(parts[i:])
            zr = zones.get(x)
            if zr is not None and verdict_of(zr) in FLUX:
                return verdict_of(zr), as_time(zr.get("first_flux")), x, "row"
            lab = labels.get(x)
            if lab is not None and lab["role"] == "zone" and verdict_of(rep.get(x)) in FLUX:
                return verdict_of(rep[x]), as_time(rep[x].get("first_flux")), x, "apex"
        return None

    zcache = {}

    def zflag(d):
        if d not in zcache:
            zcache[d] = zone_flag(d)
        return zcache[d]

    fs_flux_z = lambda d: fs_flux(d) or zflag(d) is not None
    summary["zone_rows"] = len(zones)

    # --- every class/slice beside the Holz score ----------------------------------------------
    def slice_key(r):
        return "%s/%s" % (r["class"], "(all)" if r["class"] == "multi-cdn" else r["slice"])

    groups = {}
    for d, r in q.items():
        groups.setdefault(slice_key(r), []).append(d)
    order = lambda k: (CLASS_ORDER.index(k.split("/")[0]) if k.split("/")[0] in CLASS_ORDER else 99, k)
    P("")
    P("Every class/slice (query names): correct = verdict in the class's expected set; flux = own")
    P("flux verdict; +zone = own or an enclosing zone's flux verdict (%d zone rows in the report);"
      % len(zones))
    P("Holz = holz_score > 0. For flux classes these are recall, for the others false positives.")
    P("%-40s %6s %9s %9s %9s %9s" % ("class/slice", "n", "correct", "flux", "+zone", "Holz"))
    per_slice = {}
    for k in sorted(groups, key=order):
        names = groups[k]
        cls = k.split("/")[0]
        c = recall(names, lambda d: verdict_of(rep.get(d)) in EXPECT.get(cls, set()))
        f1_, fz, hz = recall(names, fs_flux), recall(names, fs_flux_z), recall(names, holz_flux)
        per_slice[k] = {"n": len(names), "correct": c, "flux": f1_, "flux_with_zones": fz, "holz": hz}
        P("%-40s %6d %8s%% %8s%% %8s%% %8s%%" % (k, len(names), fmt(c), fmt(f1_), fmt(fz), fmt(hz)))
    summary["per_slice"] = per_slice

    zone_slices = {}
    for d, r in labels.items():
        if r["role"] == "zone" and (r["slice"] in ("random-subdomain", "wildcard")
                                    or r["slice"].startswith("unknown-")):
            zone_slices.setdefault("%s/%s" % (r["class"], r["slice"]), []).append(d)
    zone_sum = {}
    if zone_slices:
        P("")
        P("Zones (labelled zone apexes): detected = the zone row or the apex has a flux verdict;")
        P("double = that verdict is double-flux; names = their query names covered (own or zone)")
        P("%-36s %6s %9s %9s %9s %9s %8s" % ("zone class/slice", "zones", "detected", "by row",
                                             "double", "names", "n names"))
        for k in sorted(zone_slices, key=order):
            apexes = zone_slices[k]
            det = [x for x in apexes if (zones.get(x) is not None and verdict_of(zones[x]) in FLUX)
                   or verdict_of(rep.get(x)) in FLUX]
            by_row = [x for x in apexes if zones.get(x) is not None and verdict_of(zones[x]) in FLUX]
            dbl = [x for x in apexes if (verdict_of(zones.get(x)) if x in zones else verdict_of(rep.get(x))) == "double-flux"]
            members = [d for d in q if any(d.endswith("." + x) for x in apexes)]
            cov = recall(members, fs_flux_z)
            zone_sum[k] = {"zones": len(apexes), "detected": len(det), "by_row": len(by_row),
                           "double": len(dbl), "names": len(members), "names_covered": cov}
            P("%-36s %6d %9d %9d %9d %8s%% %8d" % (k, len(apexes), len(det), len(by_row), len(dbl),
                                                  fmt(cov), len(members)))
    summary["zones"] = zone_sum

    # --- time to detect -------------------------------------------------------------------------
    flux_names = [d for d, r in q.items() if r["class"] in ("single-flux", "double-flux")]
    ttd_src = None
    flagged_at = {}
    det_resp, det_ttls = {}, {}
    if a.replay != "always":
        for tk, rk, pk in TTD_KEYS:
            if any(tk in o for o in rep.values()):
                ttd_src = "report field %s" % tk
                for d in flux_names:
                    o = rep.get(d)
                    if o is None:
                        continue
                    t = as_time(o.get(tk))
                    if t is not None:
                        flagged_at[d] = t
                        det_resp[d] = o.get(rk)
                        det_ttls[d] = o.get(pk)
                break
    if ttd_src is None and a.replay != "never" and a.pcap and a.fluxscope:
        wanted = {d for d in flux_names if fs_flux(d)}
        flagged_at, runs = replay(a, wanted)
        ttd_src = "replay of %d prefixes, %g s steps (upper bounds)" % (runs, a.step)
    P("")
    ttd = []
    if ttd_src is None:
        P("Time to detect: not available (no first-flux field in the report and no --pcap/--fluxscope)")
    else:
        P("Time to detect (%s); responses and TTL periods counted from the first response%s"
          % (ttd_src, "" if truth else " (the report's first_seen and response counts: no --truth)"))
        if not a.quiet_ttd:
            P("%-48s %-22s %5s %9s %7s %8s" % ("domain", "class/slice", "ttl", "responses", "TTLs", "minutes"))
        for d in sorted(flux_names, key=lambda x: (q[x]["class"], q[x]["slice"], x)):
            r = q[d]
            resp = truth.get(d, [])
            first = next((ts for ts, n in resp if n > 0), None)
            if not truth:
                # no ground truth: the report's own first_seen and response count
                first = as_time((rep.get(d) or {}).get("first_seen"))
            t = flagged_at.get(d)
            ttl = float(r["ttl"]) or 1.0
            if t is None or first is None:
                row = (d, "%s/%s" % (r["class"], r["slice"]), r["ttl"], "-", "never" if first else "-", "-")
                ttd.append({"domain": d, "slice": r["slice"], "class": r["class"], "flagged": False})
            else:
                if truth:
                    n = sum(1 for ts, k in resp if ts <= t + 1e-6 and k > 0)
                else:
                    n = det_resp.get(d) if isinstance(det_resp.get(d), int) else -1
                periods = max(0.0, (t - first) / ttl)
                mins = max(0.0, (t - first) / 60.0)
                row = (d, "%s/%s" % (r["class"], r["slice"]), r["ttl"], str(n), "%.2f" % periods, "%.1f" % mins)
                ttd.append({"domain": d, "slice": r["slice"], "class": r["class"], "flagged": True,
                            "responses": n, "ttl_periods": periods, "minutes": mins,
                            "detector_responses": det_resp.get(d), "detector_ttls": det_ttls.get(d)})
            if not a.quiet_ttd:
                P("%-48s %-22s %5s %9s %7s %8s" % row)
    got = [x for x in ttd if x.get("flagged")]
    med_ttl = statistics.median([x["ttl_periods"] for x in got]) if got else float("nan")
    if got:
        P("Median over %d flagged flux domains (of %d): %.1f responses, %.2f TTL periods, %.1f minutes"
          % (len(got), len(ttd), statistics.median([x["responses"] for x in got]), med_ttl,
             statistics.median([x["minutes"] for x in got])))
        for s in ["classic"] + ADVERSARIAL:
            g = [x for x in got if x["slice"] == s]
            if g:
                P("  %-12s median %.2f TTL periods, %.1f minutes (%d domains)"
                  % (s, statistics.median([x["ttl_periods"] for x in g]),
                     statistics.median([x["minutes"] for x in g]), len(g)))
    summary["ttd"] = {"source": ttd_src, "median_ttl_periods": med_ttl, "n": len(got), "domains": ttd}

    # --- targets ----------------------------------------------------------------------------------
    sf = per.get("single-flux", {})
    sf_classic = slices["single-flux/classic"]
    sf_rec = recall(sf_classic, lambda d: verdict_of(rep.get(d)) == "single-flux")
    df_names = slices["double-flux"]
    df_rec = recall(df_names, lambda d: verdict_of(rep.get(d)) == "double-flux")
    all_single = [d for d, r in q.items() if r["class"] == "single-flux"]
    sf_as_df = pct(sum(1 for d in all_single if verdict_of(rep.get(d)) == "double-flux"), len(all_single))
    df_as_sf = pct(sum(1 for d in df_names if verdict_of(rep.get(d)) == "single-flux"), len(df_names))
    adv = rec["adversarial (all)"]
    targets = [
        ("single-flux recall >= 99% (classic slice, verdict single-flux)", sf_rec >= 99.0, "%.1f%%" % sf_rec),
        ("benign names flagged as flux <= 0.1%", ben_fpr <= 0.1, "%.2f%% (%d of %d)" % (ben_fpr, len(ben_flux), len(benign))),
        ("double-flux recall >= 95% (verdict double-flux)", df_rec >= 95.0, "%.1f%%" % df_rec),
        ("double told apart from single (<= 5% either way)", sf_as_df <= 5.0 and df_as_sf <= 5.0,
         "single->double %.1f%%, double->single %.1f%%" % (sf_as_df, df_as_sf)),
        ("no CDN, multi-CDN, pool or round-robin flagged as flux", not g_flux, "%d flagged" % len(g_flux)),
        ("adversarial recall >= Holz + 20 points", adv["fluxscope"] >= adv["holz"] + 20.0,
         "%.1f%% vs Holz %.1f%%" % (adv["fluxscope"], adv["holz"])),
        ("median time to detect <= 3 TTL periods", med_ttl <= 3.0,
         ("%.2f TTL periods" % med_ttl) if med_ttl == med_ttl else "not measured"),
    ]
    _ = sf
    which = a.targets
    if which == "auto":
        sparse_slices = any(r["slice"] in ("random-subdomain", "wildcard")
                            or r["slice"].startswith("unknown-") for r in labels.values())
        which = "issue10" if sparse_slices else "issue3"
    sets = []
    if which in ("issue3", "both"):
        sets.append(("issue 3", targets))
    if which in ("issue10", "both"):
        sets.append(("issue 10, short sparse captures", issue10_targets(
            P, q, labels, rep, zones, truth, taddrs, fs_flux, fs_flux_z, holz_flux, zflag,
            summary, tsets)))
    ok_all = True
    summary["targets"] = []
    for title, tl in sets:
        P("")
        P("Targets (%s)" % title)
        for text, ok, val in tl:
            ok_all &= bool(ok)
            P("  %s  %-62s %s" % ("PASS" if ok else "FAIL", text, val))
        summary["targets"] += [{"set": title, "target": t, "pass": bool(ok), "value": v}
                               for t, ok, v in tl]
    summary["pass"] = ok_all
    if a.json_out:
        with open(a.json_out + ".tmp", "w") as f:
            json.dump(summary, f, indent=1, default=str)
        os.replace(a.json_out + ".tmp", a.json_out)
    return 1 if (a.strict and not ok_all) else 0


if __name__ == "__main__":
    sys.exit(main())
