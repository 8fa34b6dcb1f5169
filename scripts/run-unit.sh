#!/bin/sh
# Run every cmocka unit test binary; fail if any fails.
build="$1"; shift
export BUILD="$build"   # tests find generated fixtures (e.g. $BUILD/fixtures/geo) here
fail=0; n=0
for t in "$@"; do
  n=$((n + 1))
  if ! "$t" >"$t.log" 2>&1; then
    echo "FAIL $t"; cat "$t.log"; fail=$((fail + 1))
  fi
done
echo "unit: $((n - fail))/$n test programs passed"
[ "$fail" -eq 0 ]
