#!/bin/sh
# Files fluxscope writes (--export): a signal during the write leaves no temporary file and the
# old target untouched; a temporary file left by a SIGKILL is removed by the next run when its
# process is gone, never while it lives; the target's mode and owner are kept; a symlinked
# target is written through. And every mode (--report, --dump, --stats, --export, the TUI)
# exits 1 on a truncated capture with the same sentence.
set -u
: "${FLUXSCOPE:?}" "${BUILD:=build}"
T="$BUILD/e2e/writes.tmp"
rm -rf "$T"; mkdir -p "$T"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok   $*"; }
SAMPLE=samples/flux-demo.pcap
temps() { ls -A "$1" | grep -c '\.tmp\.' ; }

# A capture large enough that the export's write lasts a while (about 50 MB of CSV: every
# domain with --min-score 0, with its addresses).
GEN="$BUILD/bench/gen_capture"
[ -x "$GEN" ] || { echo "FAIL: $GEN is missing (make $GEN)"; exit 1; }
"$GEN" -n 500000 -o "$T/big.pcap" >/dev/null || { echo "FAIL: gen_capture"; exit 1; }

# Start an export of the big capture to $1 in the background (its pid in $pid) and return once
# its temporary file exists (1 if it never showed up). The signals the shell ignores for
# background jobs are given back their default first.
# A machine busy with other work may starve the polling loop through a whole write: up to 3
# tries, each of which must see the file before signalling.
export_until_temp() {
	target=$1
	for try in 1 2 3; do
		env --default-signal=INT,TERM,HUP "$FLUXSCOPE" -r "$T/big.pcap" --no-geoip \
			--export csv --min-score 0 -o "$target" >/dev/null 2>"$T/sig.err" &
		pid=$!
		n=0
		while [ "$n" -lt 12000 ]; do          # up to 60 s at 5 ms
			if ls "$target".tmp.* >/dev/null 2>&1; then return 0; fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.005; n=$((n + 1))
		done
		wait "$pid"
		echo "try $try: the export ended before its temporary file was seen"
		[ -e "$target.keep" ] && cp "$target.keep" "$target"
	done
	return 1
}

# --- a signal during the write: no temporary file, the old file untouched -------------------
for sig in TERM:15 INT:2 HUP:1; do
	num=${sig#*:}; sig=${sig%:*}
	dir="$T/sig-$sig"; mkdir -p "$dir"
	printf 'old content\n' > "$dir/out.csv"; cp "$dir/out.csv" "$dir/out.csv.keep"
	if export_until_temp "$dir/out.csv"; then
		kill -"$sig" "$pid"
		wait "$pid"; rc=$?
		want=$((128 + num))
		[ "$rc" -eq "$want" ] || bad "SIG$sig during the export: exit status $rc, not $want"
		rm -f "$dir/out.csv.keep"
		[ "$(temps "$dir")" -eq 0 ] && ok "SIG$sig during the write leaves no temporary file" ||
			bad "SIG$sig left $(ls -A "$dir" | grep '\.tmp\.')"
		[ "$(cat "$dir/out.csv")" = "old content" ] || bad "SIG$sig: the old file changed"
	else
		bad "SIG$sig: no temporary file seen while the export ran (it finished first, 3 times)"
	fi
done

# nohup: an ignored SIGHUP stays ignored, the export completes.
dir="$T/nohup"; mkdir -p "$dir"
nohup "$FLUXSCOPE" -r "$T/big.pcap" --no-geoip --export csv --min-score 0 -o "$dir/out.csv" \
	>/dev/null 2>"$dir/err" &
pid=$!
n=0; while [ "$n" -lt 12000 ] && ! ls "$dir"/out.csv.tmp.* >/dev/null 2>&1; do sleep 0.005; n=$((n + 1)); done
kill -HUP "$pid" 2>/dev/null
wait "$pid"; rc=$?
[ "$rc" -eq 0 ] && [ "$(temps "$dir")" -eq 0 ] && head -1 "$dir/out.csv" | grep -q '^kind,' &&
	ok "under nohup SIGHUP is ignored and the export completes" ||
	bad "nohup export: status $rc, $(ls -A "$dir")"

# --- SIGKILL: the temporary file stays, the next run removes it (its process is gone) --------
dir="$T/kill"; mkdir -p "$dir"
if export_until_temp "$dir/out.csv"; then
	kill -KILL "$pid"; wait "$pid"
	left=$(temps "$dir")
	[ "$left" -eq 1 ] || bad "SIGKILL left $left temporary files, expected the one being written"
	# stand-ins: one from a process that is still alive (never removed), one with no pid
	sleep 300 & live=$!
	printf 'in progress' > "$dir/out.csv.tmp.$live.LiVe00"
	printf 'unknown owner' > "$dir/out.csv.tmp.AbCdEf"
	# and one whose process is gone but whose lock is held (a writer this pid namespace cannot
	# see): a subshell takes the lock with flock(1) on its descriptor 9, then becomes sleep
	sh -c 'exit 0' & dead=$!; wait "$dead"
	printf 'locked' > "$dir/out.csv.tmp.$dead.LoCk00"
	( exec 9<"$dir/out.csv.tmp.$dead.LoCk00"; flock 9; exec sleep 300 ) & holder=$!
	n=0; while [ "$n" -lt 200 ] && flock -n "$dir/out.csv.tmp.$dead.LoCk00" true; do sleep 0.01; n=$((n + 1)); done
	"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export csv -o "$dir/out.csv" 2>"$dir/err" ||
		bad "the run after the SIGKILL failed: $(cat "$dir/err")"
	grep -q "removed 1 temporary file of an earlier write of $dir/out.csv that was killed" "$dir/err" ||
		bad "no note of the removed file: $(cat "$dir/err")"
	[ -e "$dir/out.csv.tmp.$live.LiVe00" ] || bad "the temporary file of a live process was removed"
	[ -e "$dir/out.csv.tmp.$dead.LoCk00" ] || bad "a locked temporary file was removed"
	[ -e "$dir/out.csv.tmp.AbCdEf" ] || bad "a temporary file with no pid in its name was removed"
	[ "$(temps "$dir")" -eq 3 ] && ok "a SIGKILL's temporary file is removed by the next run, a live or locked one is not" ||
		bad "after the next run: $(ls -A "$dir")"
	kill "$live" "$holder" 2>/dev/null; wait "$live" "$holder" 2>/dev/null
	# both owners gone: the next run removes them too
	"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export csv -o "$dir/out.csv" 2>"$dir/err"
	[ "$(temps "$dir")" -eq 1 ] && grep -q "removed 2 temporary files" "$dir/err" &&
		ok "once their owners end, the next run removes them" || bad "after the owners ended: $(ls -A "$dir")"
else
	bad "SIGKILL: no temporary file seen while the export ran (3 times)"
fi
rm -f "$T/big.pcap"

# --- the target's mode and owner are kept ----------------------------------------------------
dir="$T/mode"; mkdir -p "$dir"
printf 'old\n' > "$dir/flux.rpz"; chmod 600 "$dir/flux.rpz"
"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export rpz -o "$dir/flux.rpz" 2>"$dir/err" || bad "export to a 0600 file: $(cat "$dir/err")"
[ "$(stat -c %a "$dir/flux.rpz")" = 600 ] && grep -q SOA "$dir/flux.rpz" && ok "a 0600 target stays 0600" ||
	bad "a 0600 target became $(stat -c %a "$dir/flux.rpz")"
if [ "$(id -u)" -eq 0 ]; then
	chown nobody:nogroup "$dir/flux.rpz"; chmod 640 "$dir/flux.rpz"
	"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export rpz -o "$dir/flux.rpz" 2>"$dir/err" || bad "export as root: $(cat "$dir/err")"
	[ "$(stat -c '%U:%G %a' "$dir/flux.rpz")" = "nobody:nogroup 640" ] && ok "as root the owner and group are kept" ||
		bad "owner/mode became $(stat -c '%U:%G %a' "$dir/flux.rpz")"
fi
umask 027
"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export hosts -o "$dir/new.hosts" 2>"$dir/err"
[ "$(stat -c %a "$dir/new.hosts")" = 640 ] && ok "a new file gets 0666 less the umask" ||
	bad "a new file under umask 027 is $(stat -c %a "$dir/new.hosts")"
umask 022

# --- a symlinked target is written through ---------------------------------------------------
dir="$T/link"; mkdir -p "$dir/zones"
printf 'old\n' > "$dir/zones/flux.rpz"; chmod 640 "$dir/zones/flux.rpz"
ln -s zones/flux.rpz "$dir/flux.rpz"
"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export rpz -o "$dir/flux.rpz" 2>"$dir/err" || bad "export through a symlink: $(cat "$dir/err")"
s1=$(sed -n 's/.*SOA.* \([0-9]\{10\}\) .*/\1/p' "$dir/zones/flux.rpz" | head -1)
"$FLUXSCOPE" -r "$SAMPLE" --no-geoip --export rpz -o "$dir/flux.rpz" 2>"$dir/err2"
s2=$(sed -n 's/.*SOA.* \([0-9]\{10\}\) .*/\1/p' "$dir/zones/flux.rpz" | head -1)
if [ -L "$dir/flux.rpz" ] && [ "$(readlink "$dir/flux.rpz")" = zones/flux.rpz ] &&
   grep -q SOA "$dir/zones/flux.rpz" && [ "$(stat -c %a "$dir/zones/flux.rpz")" = 640 ] &&
   [ "$(temps "$dir")" -eq 0 ] && [ "$(temps "$dir/zones")" -eq 0 ]; then
	ok "a symlinked target is written through (the link stays, its target is replaced)"
else
	bad "symlink: $(ls -la "$dir" "$dir/zones")"
fi
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ] && ok "the RPZ serial is read through the link ($s1 then $s2)" ||
	bad "serial through the link: '$s1' then '$s2'"

# --- a truncated capture: every mode exits 1 with the same sentence --------------------------
size=$(wc -c < "$SAMPLE")
head -c $((size - 37)) "$SAMPLE" > "$T/cut.pcap"
want="fluxscope: '$T/cut.pcap' is truncated: it ends in the middle of a packet record;"
for mode in "--report" "--report --json" "--dump" "--stats" "--report --stats" \
            "--export rpz -o $T/cut.rpz" "--export csv -o -"; do
	# shellcheck disable=SC2086
	"$FLUXSCOPE" -r "$T/cut.pcap" --no-geoip $mode >"$T/out" 2>"$T/err"; rc=$?
	line=$(grep -F "$want" "$T/err")
	[ "$rc" -eq 1 ] && [ -n "$line" ] && ok "$mode on a truncated capture: exit 1, '$line'" ||
		bad "$mode on a truncated capture: exit $rc, stderr: $(cat "$T/err")"
	echo "$line" >> "$T/lines"
done
[ "$(sort -u "$T/lines" | wc -l)" -eq 1 ] && ok "the same sentence in every mode" || bad "different sentences: $(sort -u "$T/lines")"
grep -q SOA "$T/cut.rpz" && ok "the export of a truncated capture is still written from what was read" ||
	bad "no export written from the truncated capture"
# The TUI: the status bar says so while it runs; after quitting, the same sentence and exit 1.
if command -v tmux >/dev/null; then
	TUI_ENV=""
	. tests/e2e/lib/tui.sh
	tui_start 120 30 -r "$T/cut.pcap" --no-geoip "2>$T/tui.err"
	tui_wait "is truncated" 30 >/dev/null || bad "the TUI does not show the truncation"
	tui_keys q
	st=$(tui_dead 10)
	[ "$st" = 1 ] && grep -qF "$want" "$T/tui.err" && [ "$(grep -cF "$want" "$T/tui.err")" -eq 1 ] &&
		ok "the TUI exits 1 with the same sentence" || bad "TUI: status '$st', stderr: $(cat "$T/tui.err")"
	tui_cleanup
	# A whole capture: 0.
	tui_start 120 30 -r "$SAMPLE" --no-geoip "2>$T/tui.err"
	tui_wait "Loaded" 30 >/dev/null
	tui_keys q
	st=$(tui_dead 10)
	[ "$st" = 0 ] && ok "the TUI exits 0 on a whole capture" || bad "TUI on a whole capture: status '$st'"
	tui_cleanup
fi

rm -rf "$T"
[ "$fail" -eq 0 ] && echo "all passed"
exit "$fail"
