#!/bin/sh
# Run every end-to-end test script in tests/e2e (each exits non-zero on failure).
# Environment: FLUXSCOPE (binary under test), BUILD (build dir for scratch files).
fail=0; n=0
: "${BUILD:=build}"
mkdir -p "$BUILD/e2e"
for t in tests/e2e/*.sh; do
  [ -e "$t" ] || continue
  n=$((n + 1))
  name=$(basename "$t" .sh)
  if sh "$t" >"$BUILD/e2e/$name.log" 2>&1; then
    echo "ok   $name"
  else
    echo "FAIL $name (log: $BUILD/e2e/$name.log)"; tail -n 40 "$BUILD/e2e/$name.log"; fail=$((fail + 1))
  fi
done
echo "e2e: $((n - fail))/$n scripts passed"
[ "$fail" -eq 0 ]
