#!/bin/sh
# --help and the man page list every option; errors are one sentence with a non-zero status.
set -u
F=${FLUXSCOPE:-./fluxscope}
fail=0
help=$("$F" --help) || { echo "--help failed"; exit 1; }
for opt in $(echo "$help" | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
  esc=$(echo "$opt" | sed 's/-/\\\\-/g')
  if ! grep -q -- "$esc" man/fluxscope.1; then
    echo "man page lacks $opt"; fail=1
  fi
done
n=$(echo "$help" | grep -cE '^ +-')
[ "$n" -ge 30 ] || { echo "--help lists only $n options"; fail=1; }
out=$("$F" --no-such-option 2>&1); rc=$?
[ $rc -eq 2 ] || { echo "bad option exit $rc"; fail=1; }
echo "$out" | grep -q "unknown option --no-such-option" || { echo "bad option message: $out"; fail=1; }
[ "$(echo "$out" | wc -l)" -eq 1 ] || { echo "bad option message is not one line"; fail=1; }
out=$("$F" --min-score abc 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q -- "--min-score" || { echo "min-score: $rc $out"; fail=1; }
"$F" --version | grep -q '^fluxscope [0-9]' || { echo "--version"; fail=1; }
exit $fail
