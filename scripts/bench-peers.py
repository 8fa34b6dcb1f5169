#!/usr/bin/env python3
"""make bench, section "peers" (issue 11): the whole job against the tools analysts fall back
on, on the same generated capture, one after another, as ratios, with peak RSS beside each.

  fluxscope -r F --report --json --all   vs  dnstop -l 3 F  (counts only)
                                         vs  tshark -n -q -z dns,tree -r F
  fluxscope -r F --dump                  vs  tcpdump -nr F  (text to /dev/null)
and the memory of a random-subdomain flood (names that never had an address), and the report's
JSON bytes per domain (flagged ones with their spread rows, the others without).

Each command runs RUNS times (default 3); the best wall time is kept, with its user+sys CPU
time and the peak RSS of that process (wait4). Timings are figures, never pass/fail.
usage: bench-peers.py FLUXSCOPE GEN_CAPTURE GEN_SUBDOMAINS OUTDIR
Environment: BENCH_PEERS_PACKETS (default 500000), BENCH_PEERS_FLOOD (default 200000),
BENCH_PEERS_RUNS (default 3)."""
import json, os, shutil, subprocess, sys

fs, gen_cap, gen_sub, outdir = sys.argv[1:5]
packets = int(os.environ.get("BENCH_PEERS_PACKETS", "500000"))
flood = int(os.environ.get("BENCH_PEERS_FLOOD", "200000"))
runs = int(os.environ.get("BENCH_PEERS_RUNS", "3"))
os.makedirs(outdir, exist_ok=True)
cap = os.path.join(outdir, "peers-%d.pcap" % packets)
sub = os.path.join(outdir, "flood-%d.pcap" % flood)
if not os.path.exists(cap):
    subprocess.run([gen_cap, "-n", str(packets), "-o", cap], check=True, stdout=subprocess.DEVNULL)
if not os.path.exists(sub):
    subprocess.run([gen_sub, "-n", str(flood), "-o", sub], check=True, stderr=subprocess.DEVNULL)
npk = packets
try:
    for l in subprocess.run([fs, "-r", cap, "--stats"], capture_output=True, text=True).stdout.splitlines():
        if l.split()[:1] == ["packets"]:
            npk = int(l.split()[1])
except OSError:
    pass


TIMEF = os.path.join(outdir, "peers-time.txt")


def run(cmd, out=subprocess.DEVNULL, env=None):
    """best wall time of `runs`; returns (wall s, cpu s, peak RSS KiB) of that run, measured
    by GNU time (a small parent: the RSS high-water mark a child inherits from a large
    forking process would otherwise count)"""
    best = None
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-o", TIMEF, "-f", "%e %U %S %M"] + cmd,
                           stdout=out, stderr=subprocess.DEVNULL, env=env)
        if p.returncode not in (0, 1):
            return None
        e, u, s_, m = open(TIMEF).read().split()[-4:]
        r = (float(e), float(u) + float(s_), float(m))
        best = r if best is None or r[0] < best[0] else best
    return best


def show(label, r):
    if r is None:
        print("%-44s failed" % label)
        return
    print("%-44s %7.2f s wall %7.2f s cpu %9.0f packets/s %8.1f MiB peak RSS"
          % (label, r[0], r[1], npk / r[0], r[2] / 1024.0))


print("capture: %s, %d packets (bench/gen_capture); %d run(s) each, best wall time kept; "
      "load before: %s" % (cap, npk, runs, open("/proc/loadavg").read().split()[0]))
fsb = os.path.basename(fs)
rows = {}
rows["report"] = run([fs, "-r", cap, "--report", "--json", "--all"])
show("fluxscope --report --json --all", rows["report"])
rows["report1"] = run([fs, "-r", cap, "--report", "--json", "--all"],
                      env=dict(os.environ, FLUXSCOPE_THREADS="1"))
show("  the same on one thread (FLUXSCOPE_THREADS=1)", rows["report1"])
rows["dump"] = run([fs, "-r", cap, "--dump"])
show("fluxscope --dump", rows["dump"])
rows["dump_nogeo"] = run([fs, "-r", cap, "--dump", "--no-geoip"])
show("fluxscope --dump --no-geoip", rows["dump_nogeo"])
peers = {"dnstop": ["dnstop", "-l", "3", cap], "tshark": ["tshark", "-n", "-q", "-z", "dns,tree", "-r", cap],
         "tcpdump": ["tcpdump", "-nr", cap]}
for name, cmd in peers.items():
    if shutil.which(cmd[0]) is None:
        print("%-44s not installed (scripts/deps.sh bench)" % " ".join(cmd[:-1]))
        rows[name] = None
        continue
    rows[name] = run(cmd)
    show(" ".join(c if c != cap else "F" for c in cmd), rows[name])


def ratio(label, a, b, target, what="packet rate"):
    if rows.get(a) is None or rows.get(b) is None:
        print("  %-62s n/a" % label)
        return
    x = rows[b][0] / rows[a][0]
    c = rows[b][1] / rows[a][1] if rows[a][1] > 0 else 0
    print("  %-62s %6.2fx wall, %6.2fx cpu  (target >= %sx)" % (label, x, c, target))


print("ratios (the first's %s over the second's; above 1 = faster):" % "packet rate")
ratio("--report --json --all vs dnstop -l 3", "report", "dnstop", "1.5")
ratio("--report --json --all vs tshark -q -z dns,tree", "report", "tshark", "10")
ratio("--dump vs tcpdump -nr", "dump", "tcpdump", "2")
ratio("--dump --no-geoip vs tcpdump -nr", "dump_nogeo", "tcpdump", "2")
if rows.get("report") and rows.get("dnstop"):
    print("  %-62s %6.2fx (target < 1: below dnstop's)" % (
        "peak RSS of --report --json --all over dnstop's", rows["report"][2] / rows["dnstop"][2]))

# Memory per name: the report's peak RSS less a run over a capture of a few messages (the
# fixed costs: libraries, databases mapped), over the names the report holds.
base = run([fs, "-r", "tests/data/pcaps/dnscap-dns.pcap", "--report", "--json", "--all"])
names = pairs = 0
jbytes = {True: [0, 0], False: [0, 0]}   # flagged?: [names, bytes of their JSON lines]
res = subprocess.run([fs, "-r", cap, "--report", "--json", "--all"], capture_output=True, text=True)
for line in res.stdout.splitlines():
    o = json.loads(line)
    if o.get("kind") == "domain":
        names += 1
        pairs += o["counts"]["addresses"]
        k = o["verdict"] in ("suspicious", "single-flux", "double-flux")
        jbytes[k][0] += 1
        jbytes[k][1] += len(line.encode()) + 1
if names:
    print("report size: --report --json --all %d bytes per domain; flagged %d names, %d bytes each "
          "(with their spread rows); others %d names, %d bytes each (--spread adds their rows)"
          % ((jbytes[True][1] + jbytes[False][1]) // names, jbytes[True][0],
             jbytes[True][1] // max(jbytes[True][0], 1), jbytes[False][0],
             jbytes[False][1] // max(jbytes[False][0], 1)))
if base and rows["report"] and names:
    extra = (rows["report"][2] - base[2]) * 1024.0
    print("memory: %d names, %d (name, address) pairs; peak RSS %.1f MiB over %.1f MiB fixed: "
          "%.0f bytes per name, %.0f per (name, address) pair (target <= 1024 per name)"
          % (names, pairs, rows["report"][2] / 1024.0, base[2] / 1024.0, extra / names,
             extra / max(pairs, 1)))
fl = run([fs, "-r", sub, "--report", "--json"])
if base and fl:
    extra = (fl[2] - base[2]) * 1024.0
    print("memory, random-subdomain flood (%s, %d names asked once, NXDOMAIN, no address): "
          "--report --json peak RSS %.1f MiB, %.0f bytes per name (target <= 300), %.2f s"
          % (os.path.basename(sub), flood, fl[2] / 1024.0, extra / flood, fl[0]))
