#!/bin/sh
# The TUI's grouped view shows zone verdicts (issue 10): on the zone test capture (see
# zone_flux_gen.py), grouping by registrable domain ('r') lists rnd-flux.com — forty random
# names, each asked once, none flux on its own evidence — as single-flux, and the two control
# zones ('a' shows unflagged rows too) as not flux.
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-zone"
mkdir -p "$W"
python3 tests/e2e/zone_flux_gen.py "$W/zone.pcap" || { echo "FAIL: generator"; exit 1; }

row_of() { tui_screen | grep -F -- " $1" | head -1; }
tui_start 120 40 --no-geoip "$W/zone.pcap"
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys r
tui_wait "grouped" || exit 1
check "rnd-flux.com is single-flux in the grouped view: $(row_of rnd-flux.com)" \
	sh -c 'echo "$1" | grep -q "single-flux"' sh "$(row_of rnd-flux.com)"
tui_keys a
tui_wait "hosting.net" || exit 1
for z in hosting.net company.org; do
	check "$z is listed and not flux: $(row_of $z)" \
		sh -c 'echo "$1" | grep -q "$2" && ! echo "$1" | grep -Eq "single-flux|double-flux"' sh "$(row_of $z)" "$z"
done
tui_keys q
tui_dead >/dev/null
tui_done
