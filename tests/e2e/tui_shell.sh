#!/bin/sh
# TUI shell in tmux: opens a capture, loads it (the status bar counts the same packets and DNS
# messages as --stats), help overlay, command prompt, theme switch (colours change on screen),
# NO_COLOR, resize to 80x24, quit; a missing file fails before the screen is taken.
. "$(dirname "$0")/lib/tui.sh"
PCAP=tests/data/pcaps/dnscap-dns.pcap

pkts=$("$FLUXSCOPE" -r "$PCAP" --stats | awk '$1 == "packets" { print $2 }')
dns=$("$FLUXSCOPE" -r "$PCAP" --stats | awk '$1 == "dns-messages" { print $2 }')
check "--stats counts packets ($pkts) and DNS messages ($dns)" test "${pkts:-0}" -gt 0 -a "${dns:-0}" -gt 0

tui_start 120 40 "$PCAP"
tui_wait "fluxscope" || exit 1
tui_wait "$pkts pkts"
tui_wait "$dns DNS"
check "status bar names the source" line_has 38 'dnscap-dns.pcap'
tui_wait "Loaded $pkts packets, $dns DNS messages"

# help overlay, generated from the key tables
tui_keys '?'
tui_wait "fluxscope keys and commands"
tui_wait "Domain detail"
tui_keys q
tui_wait_gone "fluxscope keys and commands"

# theme switch from the prompt: the title bar's colours change
before=$(tui_screen_esc | head -1)
tui_keys ':'
tui_type 'theme light'
tui_keys Enter
tui_wait "theme light"
check "theme light changes the title colours" title_differs "$before"
tui_keys ':'
tui_type 'theme nosuch'
tui_keys Enter
tui_wait "no theme named 'nosuch'"

# resize down to 80x24: the layout follows
tmux_ resize-window -t fs -x 80 -y 24
tui_wait_gone "last seen"
check "80 columns keep the verdict, domain and NS-change columns" line_has 1 'verdict.*domain.*NSchg'
check "status bar on line 22 at 80x24" line_has 22 'dnscap-dns.pcap'
w=$(tui_screen | LC_ALL=C.UTF-8 wc -L)
check "no line wider than 80 (widest $w)" test "$w" -le 80

tui_keys q
st=$(tui_dead 5)
check "q quits with status 0 (got '$st')" test "$st" = 0

# NO_COLOR: attributes only, no colour escapes on screen
TUI_ENV="NO_COLOR=1" tui_start 100 30 "$PCAP"
tui_wait "Loaded"
check "NO_COLOR shows no colours" esc_lacks '\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5)[;m]'
check "NO_COLOR keeps reverse-video bars" esc_has '\[7m'
tui_keys C-c
st=$(tui_dead 5)
check "C-c at home quits (got '$st')" test "$st" = 0

# a bad theme file: its line is named, the default theme is used, and the TUI runs on
bad="$BUILD/e2e/tui-bad-$$.theme"
printf '# test\ncursor = fg=red\nflux_hgh = fg=red\n' >"$bad"
tui_start 100 30 --theme "$bad" "$PCAP"
tui_wait "tui-bad-$$.theme:3: unknown role 'flux_hgh'; using the default theme"
tui_keys ':'
tui_type 'theme'
tui_keys Enter
check "the default theme is in use and the shipped ones are listed" screen_has 'theme dark; available: dark high-contrast light mono'
tui_keys q
st=$(tui_dead 5)
check "q quits (got '$st')" test "$st" = 0
rm -f "$bad"

# a missing file: one sentence on stderr and status 1, before any screen
out=$("$FLUXSCOPE" /nonexistent/x.pcap 2>&1); rc=$?
check "missing file exits 1" test "$rc" = 1
check "missing file names it" text_has "$out" "cannot open '/nonexistent/x.pcap'"

tui_done
