# Helpers for the tmux-driven TUI tests (sourced; POSIX sh). Each test runs fluxscope in a
# detached tmux session on a private server socket, sends keys and polls capture-pane until the
# expected text shows up (or a timeout passes): no fixed sleeps.
#   tui_start COLS ROWS ARGS...   start fluxscope in a fresh session
#   tui_keys KEYS...              tmux send-keys (key names as tmux spells them)
#   tui_type TEXT                 send literal text
#   tui_wait TEXT [SECONDS]       wait until the screen contains TEXT (fixed string)
#   tui_wait_gone TEXT [SECONDS]  wait until it does not
#   tui_screen                    print the screen
#   tui_line N                    print screen line N (0 = top)
#   tui_dead [SECONDS]            wait until fluxscope has exited; prints its exit status
: "${FLUXSCOPE:?FLUXSCOPE must name the binary under test}"
: "${BUILD:=build}"
TUI_N=0
TUI_SOCK="fs-tui-$$-0"
TUI_T="fs:0.0"
TUI_FAILS=0
# Waits are limits, not timings: under AddressSanitizer (make asan) on a loaded machine the TUI
# is several times slower to load and redraw, so every wait is given three times as long.
TUI_SLOW=1
ldd "$FLUXSCOPE" 2>/dev/null | grep -q libasan && TUI_SLOW=3

tmux_() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

tui_cleanup() { tmux_ kill-server 2>/dev/null || true; rm -f "$BUILD/e2e/tui-status-$$-"*; }
trap tui_cleanup EXIT INT TERM

tui_start() {
	cols=$1; rows=$2; shift 2
	tui_cleanup
	# A fresh server per session: a server that is still shutting down must not be reused.
	TUI_N=$((TUI_N + 1)); TUI_SOCK="fs-tui-$$-$TUI_N"
	# The exit status goes to a file (tmux may report a pane dead before it knows the status);
	# remain-on-exit keeps the last screen readable after fluxscope exits.
	TUI_STATUS="$BUILD/e2e/tui-status-$$-$TUI_N"
	mkdir -p "$BUILD/e2e"; rm -f "$TUI_STATUS"
	tmux_ new-session -d -s fs -x "$cols" -y "$rows" \
		"env TERM=${TUI_TERM:-xterm-256color} LANG=C.UTF-8 LC_ALL=C.UTF-8 $TUI_ENV $FLUXSCOPE $*; echo \$? >$TUI_STATUS" || return 1
	tmux_ set-option -t fs remain-on-exit on >/dev/null
	tmux_ set-option -t fs window-size manual >/dev/null 2>&1 || true
}

tui_screen() { tmux_ capture-pane -p -t "$TUI_T" 2>/dev/null; }
tui_screen_esc() { tmux_ capture-pane -p -e -t "$TUI_T" 2>/dev/null; }
tui_line() { tui_screen | sed -n "$(($1 + 1))p"; }
tui_keys() { tmux_ send-keys -t "$TUI_T" "$@"; }
tui_type() { tmux_ send-keys -t "$TUI_T" -l "$1"; }

# Poll every 50 ms.
tui_wait() {
	text=$1; secs=$((${2:-10} * TUI_SLOW)); n=$((secs * 20))
	while [ "$n" -gt 0 ]; do
		if tui_screen | grep -qF -- "$text"; then return 0; fi
		sleep 0.05; n=$((n - 1))
	done
	echo "FAIL: timed out after ${secs}s waiting for: $text"; echo "--- screen:"; tui_screen; echo "---"
	TUI_FAILS=$((TUI_FAILS + 1))
	return 1
}

tui_wait_gone() {
	text=$1; secs=$((${2:-10} * TUI_SLOW)); n=$((secs * 20))
	while [ "$n" -gt 0 ]; do
		if ! tui_screen | grep -qF -- "$text"; then return 0; fi
		sleep 0.05; n=$((n - 1))
	done
	echo "FAIL: timed out after ${secs}s waiting for this to go: $text"; echo "--- screen:"; tui_screen; echo "---"
	TUI_FAILS=$((TUI_FAILS + 1))
	return 1
}

tui_dead() {
	secs=$((${1:-10} * TUI_SLOW)); n=$((secs * 20))
	while [ "$n" -gt 0 ]; do
		if [ -s "$TUI_STATUS" ]; then cat "$TUI_STATUS"; return 0; fi
		sleep 0.05; n=$((n - 1))
	done
	echo "FAIL: fluxscope still running after ${secs}s"; tui_screen
	TUI_FAILS=$((TUI_FAILS + 1))
	return 1
}

# Assert a condition with a message; keeps going so one run shows every failure.
check() {
	msg=$1; shift
	if "$@"; then echo "ok   $msg"; else echo "FAIL $msg"; TUI_FAILS=$((TUI_FAILS + 1)); fi
}

tui_done() {
	tui_cleanup
	[ "$TUI_FAILS" -eq 0 ] || { echo "$TUI_FAILS failure(s)"; exit 1; }
	echo "all passed"
}

# Predicates for check(). The positive ones poll for up to 3 s (the screen may be mid-redraw
# after a key); line N or any line matches an extended regex; the screen with escapes does.
line_has() {
	n=60
	while [ "$n" -gt 0 ]; do tui_line "$1" | grep -qE -- "$2" && return 0; sleep 0.05; n=$((n - 1)); done
	return 1
}
screen_has() {
	n=60
	while [ "$n" -gt 0 ]; do tui_screen | grep -qE -- "$1" && return 0; sleep 0.05; n=$((n - 1)); done
	return 1
}
esc_has() { tui_screen_esc | grep -qE -- "$1"; }
esc_lacks() { ! tui_screen_esc | grep -qE -- "$1"; }
text_has() { printf '%s' "$1" | grep -qF -- "$2"; }
# Wait up to 3 s for the first screen line (with escapes) to differ from $1.
title_differs() {
	n=60
	while [ "$n" -gt 0 ]; do [ "$(tui_screen_esc | head -1)" != "$1" ] && return 0; sleep 0.05; n=$((n - 1)); done
	return 1
}
