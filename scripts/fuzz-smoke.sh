#!/bin/sh
# Run every libFuzzer target for a few seconds over its committed seed corpus
# (tests/fuzz/corpus/<target>/, never written to): new inputs go to a scratch corpus in
# build-fuzz/corpus/<target>/ (emptied first, so every run starts from the seeds alone), a crash,
# leak or timeout fails the run and leaves its input in build-fuzz/artifacts/.
#   fuzz-smoke.sh SECONDS build-fuzz/fuzz_X ...
secs=${1:?seconds}; shift
dir=build-fuzz
fail=0; n=0
mkdir -p "$dir/artifacts"
for bin in "$@"; do
  n=$((n + 1))
  name=$(basename "$bin")
  seeds="tests/fuzz/corpus/$name"
  work="$dir/corpus/$name"
  log="$dir/$name.log"
  if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
    echo "FAIL $name: no seed corpus in $seeds"; fail=$((fail + 1)); continue
  fi
  rm -rf "$work"; mkdir -p "$work"
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$dir/artifacts/$name-" "$work" "$seeds" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    echo "ok   $name: $runs runs in ${secs}s, $cov, $(ls "$seeds" | wc -l) seeds"
  else
    echo "FAIL $name (log: $log)"; tail -n 40 "$log"; fail=$((fail + 1))
  fi
done
echo "fuzz-smoke: $((n - fail))/$n targets ran clean"
[ "$fail" -eq 0 ]
