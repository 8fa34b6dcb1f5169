#!/bin/sh
# Install the Debian packages fluxscope needs, only where they are missing.
#   deps.sh build   libraries and tools to build and run
#   deps.sh test    also everything the test suite and benchmarks drive
#   deps.sh all     same as test
#   deps.sh bench   also the peers `make bench` compares with (dnstop, tcpdump; tshark is in test)
# Runs apt-get as root directly, otherwise through sudo. clang and libclang-rt-dev (the default
# LLVM's compiler-rt with the libFuzzer runtime: libclang-rt-14-dev on bookworm) build the fuzz
# targets `make fuzz-smoke` runs.
set -e
BUILD_PKGS="gcc make pkg-config libpcap-dev libldns-dev libmaxminddb-dev libncurses-dev \
libreadline-dev libpsl-dev libloc-dev libloc-database libcurl4-openssl-dev \
libfstrm-dev libprotobuf-c-dev protobuf-c-compiler golang-github-dnstap-golang-dnstap-dev zlib1g-dev"
TEST_PKGS="libcmocka-dev tshark tmux ldnsutils mmdb-bin location libmaxmind-db-writer-perl \
clang libclang-rt-dev \
unbound knot-resolver bind9 bind9-utils bind9-dnsutils knot knot-dnsutils tcpreplay dnsmasq-base nftables \
python3 python3-jsonschema jq iproute2 procps time clickhouse-server fstrm-bin"
BENCH_PKGS="dnstop tcpdump bc"

case "${1:-build}" in
  build) want="$BUILD_PKGS" ;;
  test|all) want="$BUILD_PKGS $TEST_PKGS" ;;
  bench) want="$BUILD_PKGS $TEST_PKGS $BENCH_PKGS" ;;
  *) echo "deps.sh: unknown set '$1' (build, test, all or bench)" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "fluxscope: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "fluxscope: missing packages ($missing) and neither root nor sudo is available; install them and retry." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends $missing
