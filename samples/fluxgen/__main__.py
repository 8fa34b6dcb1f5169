"""fluxgen: fluxscope's seeded sample generator (Python 3 standard library only).

  python3 samples/fluxgen --profile demo --seed 7 --out samples/flux-demo [--upstream]
      [--truth] [--geo-source samples/demo-geo.tsv]

writes OUT.pcap (client side of three caching resolvers), OUT.labels.csv (domain,class,...),
optionally OUT-upstream.pcap (the resolvers' referrals and authoritative answers),
OUT.truth.csv.gz (one row per client response; the sparse profile adds each response's
addresses) and the readable GeoIP source that
samples/build-mmdb.pl turns into the demo databases."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fluxgen import sim as simmod  # noqa: E402
from fluxgen import world as worldmod  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog="fluxgen", description=__doc__.split("\n")[0])
    ap.add_argument("--profile", choices=sorted(simmod.PROFILES), default="demo")
    ap.add_argument("--seed", default="1", help="traffic seed (any string; default 1)")
    ap.add_argument("--out", help="output prefix, e.g. samples/flux-demo")
    ap.add_argument("--upstream", action="store_true", help="also write OUT-upstream.pcap")
    ap.add_argument("--truth", action="store_true", help="also write OUT.truth.csv.gz")
    ap.add_argument("--geo-source", metavar="PATH", help="write the demo GeoIP source (TSV)")
    ap.add_argument("--hours", type=float, help="override the profile's capture length")
    ap.add_argument("--minutes", type=float,
                    help="the same in minutes (e.g. --profile sparse --minutes 5)")
    a = ap.parse_args(argv)
    if not a.out and not a.geo_source:
        ap.error("nothing to do: give --out and/or --geo-source")
    if a.hours and a.minutes:
        ap.error("give --hours or --minutes, not both")
    if a.hours:
        simmod.PROFILES[a.profile]["hours"] = a.hours
    if a.minutes:
        simmod.PROFILES[a.profile]["hours"] = a.minutes / 60.0
    t = time.time()
    w = worldmod.World()
    if a.out:
        s = simmod.Sim(w, a.seed, a.profile, a.out + ".pcap.tmp",
                       a.out + "-upstream.pcap.tmp" if a.upstream else None)
        n_ev, n_q, n_cli, n_up = s.run()
        os.replace(a.out + ".pcap.tmp", a.out + ".pcap")
        if a.upstream:
            os.replace(a.out + "-upstream.pcap.tmp", a.out + "-upstream.pcap")
        s.write_labels(a.out + ".labels.csv")
        if a.truth:
            s.write_truth(a.out + ".truth.csv.gz")
        classes = {}
        for name, (cls, sl, fam, role, ttl) in s.labels.items():
            if role == "query":
                classes[cls] = classes.get(cls, 0) + 1
        print("fluxgen: %s seed %s: %d query names (%s), %d client events, %d queries, "
              "%d client-side packets, %d upstream packets, %.1f s"
              % (a.profile, a.seed, sum(classes.values()),
                 ", ".join("%s %d" % kv for kv in sorted(classes.items())), n_ev, n_q, n_cli,
                 n_up, time.time() - t), file=sys.stderr)
    else:
        s = simmod.Sim(w, a.seed, a.profile, None)
    if a.geo_source:
        s.write_geo_source(a.geo_source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
