#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/ (committed; run
again after adding a seed source). Captures are small test captures of tests/data/pcaps (their
sources and licences are recorded there) and the project's own sample; the text seeds are the
shipped files and examples from the README. Standard library only."""
import os
import shutil
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
PCAPS = os.path.join(ROOT, "tests", "data", "pcaps")

# small real captures: every link type the readers know, fragments, TCP, truncation
SMALL = ["dpkt-truncated-dns.pcap", "suricata-dns-forward-pointer.pcap", "dnscap-dns6.pcap",
         "dnscap-sll2.pcap", "tcpdump-linktype-ipv6.pcap", "tcpdump-linktype-raw-ipv4.pcap",
         "tcpdump-dns-badcookie-null.pcap", "arkime-dns-punycode.pcap",
         "godnscollector-ip4-fragmented-udp.pcap", "godnscollector-ip6-fragmented-udp.pcap",
         "tcpdump-dns-tcp.pcap", "zeek-dns-extended-rcode-rawip4.pcap",
         "zeek-dns-loc-29-trunc.pcap", "zeek-dns-svcb-null.pcap", "godnscollector-tcp-fastopen.pcap",
         "pcapplusplus-nflog.pcap", "zeek-radiotap.pcap", "zeek-wlanmon-80211.pcap",
         "libpcap-http-ppi.pcap", "tcpdump-arcnet-rfc1051.pcap", "tcpdump-dns-udp-snaplen98.pcap",
         "zeek-geneve-vxlan-dns-truncated.pcap", "zeek-gre-over-udp-4754.pcap",
         "reencap-pktap-tcpdump-dns-tcp.pcap"]
# larger ones whose first frames seed the packet path only: FDDI, BSD ARCNET, GTP-U, ERSPAN
PACKET_ONLY = ["reencap-fddi-ndpi-dns-fragmented.pcap", "reencap-arcnet-dnscap-dns.pcap",
               "arkime-gtp-iphone-sll.pcap", "zeek-erspan-gre-eth.pcap"]
# fuzz_packet's link-type selector table (tests/fuzz/fuzz_packet.c)
LINKTYPES = [0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276, 147,
             7, 10, 105, 127, 129, 149, 192, 239, 258]


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def pcap_frames(path):
    b = open(path, "rb").read()
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError(path + ": not a classic pcap")
    linktype = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
    off, frames = 24, []
    while off + 16 <= len(b):
        _, _, caplen, _ = struct.unpack(e + "IIII", b[off:off + 16])
        frames.append(b[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, frames


def packet_seed(linktype, frames):
    sel = LINKTYPES.index(linktype)
    out = b""
    for fr in frames:
        fr = fr[:65535]
        out += struct.pack(">HBB", len(fr), sel, 1) + fr
    return out


def main():
    for d in os.listdir(OUT) if os.path.isdir(OUT) else []:
        if d.startswith("fuzz_"):
            shutil.rmtree(os.path.join(OUT, d))
    # capture files as they are, plus a pcapng and the sample's first packets
    for name in SMALL:
        put("fuzz_capture", name, open(os.path.join(PCAPS, name), "rb").read())
    ng = os.path.join(PCAPS, "ndpi-tls-heur-trojan-sll.pcapng")
    tmp = os.path.join(OUT, "tmp.pcapng")
    subprocess.run(["editcap", "-r", ng, tmp, "1-4"], check=True, stdout=subprocess.DEVNULL)
    put("fuzz_capture", "ndpi-tls-heur-trojan-sll-1-4.pcapng", open(tmp, "rb").read())
    os.unlink(tmp)
    sample = os.path.join(ROOT, "samples", "flux-demo.pcap")
    b = open(sample, "rb").read()
    head, body, off = b[:24], b"", 24
    for _ in range(6):
        caplen = struct.unpack("<I", b[off + 8:off + 12])[0]
        body += b[off:off + 16 + caplen]
        off += 16 + caplen
    put("fuzz_capture", "flux-demo-first6.pcap", head + body)

    # the packet path: the frames of the same captures, in fuzz_packet's framing
    for name in SMALL + PACKET_ONLY:
        lt, fr = pcap_frames(os.path.join(PCAPS, name))
        if lt in LINKTYPES:
            put("fuzz_packet", name.replace(".pcap", ".frames"), packet_seed(lt, fr[:12]))
    lt, fr = pcap_frames(sample)
    put("fuzz_packet", "flux-demo-first12.frames", packet_seed(lt, fr[:12]))

    # themes, key names, canvas text
    for t in sorted(os.listdir(os.path.join(ROOT, "themes"))):
        put("fuzz_theme", t, open(os.path.join(ROOT, "themes", t), "rb").read())
    put("fuzz_theme", "style", "fg=colour196,bg=default,bold,reverse")
    put("fuzz_theme", "key", "C-M-Left")
    put("fuzz_theme", "utf8", "d\u00e9j\u00e0 \u4e2d\u6587 \x01mark\x01 \u2026")

    # the filter language (README "Filter expressions")
    for i, e in enumerate([
            "verdict=single-flux,double-flux score>=60 asns>=3 ttl<300 name~evil",
            'reason~"21 ASNs" and intel=yes',
            "name=*.example.com registrable!=example.com nsttl<=1h minttl<5m",
            "verdict=flagged cluster>0 clustersize>=2 distance>5000 allowlisted=no marked=no",
            "holz>0 addrs6>=1 prefixes16>3 prefixes24!=1 countries>2 changes>=1 rrsets>1",
            "responses>10 nxdomain=0 ns>=2 nsaddrs>1 nschanges>0 name!~cdn && score<100",
            "verdict=flux ttl<1d"]):
        put("fuzz_filter", "expr%d" % i, e)

    # the `:` prompt: first byte picks the small buffer, then the line
    for i, c in enumerate([
            "sort next", "bind -T list j move down", "filter 'verdict=flux score>=60'",
            'export rpz "/tmp/with space/flux.rpz"', "theme high-contrast",
            "search evil\\ flux", "mark", "tab 3", "'' \"\" '' x", "unbind -T detail q"]):
        put("fuzz_cmd", "cmd%d" % i, bytes([i * 29 % 256]) + c.encode())

    # allowlist, weights, intel, config
    allow = open(os.path.join(ROOT, "share", "allowlist.conf")).read()
    put("fuzz_allow", "allowlist.conf", allow)
    put("fuzz_allow", "small.conf", "cdn akamaiedge.net Akamai\npool pool.ntp.org NTP Pool\n"
        "domain example.org ours\ncdn-asn AS20940 Akamai\ncloud-asn 16509 Amazon\n"
        "cdn *.cloudfront.net.\n")
    weights = open(os.path.join(ROOT, "share", "detect.conf")).read()
    put("fuzz_weights", "detect.conf", weights)
    put("fuzz_weights", "small.conf", "bias = -6\nweight.asn_count = 1.5\n"
        "weight_noasn.prefix16_count = 2 # comment\nns.weight.ns_churn = 0.5\n"
        "threshold.flux = 80\nthreshold.suspicious = 50\n")
    put("fuzz_intel", "plain.txt",
        "# bad things\nEvil.Example.\n192.0.2.7\n198.51.100.0/24   # a whole net\n"
        "2001:db8:bad::/48\nhxxp://phish[.]example/login.php\n\nnot an indicator\n"
        "0.0.0.0 ads.example tracker.example\n*.wild.example\n")
    put("fuzz_intel", "header.csv",
        "first_seen,domain,ip,reference\n2024-01-02,\"flux.example\",203.0.113.5,ref.example\n"
        "2024-01-03,,203.0.113.0/28,docs.example\n")
    put("fuzz_intel", "noheader.csv", "2024-05-01,botnet.example,malware\n2024-05-02,10.9.8.7,c2\n")
    put("fuzz_intel", "asndrop.json",
        '{"asn":64510,"rir":"ripencc","domain":"bad.example","cc":"SC","asname":"BP-AS"}\n'
        '{"asn": "AS64511"}\n{"type":"metadata","timestamp":1700000000,"size":2}\n')
    put("fuzz_intel", "drop_v4.json",
        '{"cidr":"198.51.100.0/24","sblid":"SBL1","rir":"arin"}\n{"domain":"c2.example"}\n')
    put("fuzz_intel", "asn.csv", "asn,name\n64520,Some Hoster\nAS64521,x\n")
    put("fuzz_intel", "tabs.tsv", "indicator\ttype\n::ffff:192.0.2.0/120\tcidr\nexample.net\tdomain\n")
    put("fuzz_config", "config", "# fluxscope\n\n  geoip = /var/lib/GeoIP  \n"
        "GeoIP=\"/opt/with space/db.mmdb\"\ntheme = light # runs to the end\nempty =\n"
        "geoip = ~/GeoIP\ngeoip = rel/dbs\n")
    put("fuzz_config", "bad", "geoip = /x\nthis line has no equals sign\n")


if __name__ == "__main__":
    sys.exit(main())
