#!/bin/sh
# Checks (or with --fix, applies) the house formatting on every C file
# git knows. Run through `ninja check-format` / `ninja format`.
set -eu
fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
root=$1
cd "$root"
cf=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$cf" ]; then
  echo "check-format: skipped: clang-format is not installed (apt-get install clang-format)" >&2
  exit 77
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
# Files git does not know yet count too, so the check sees a change
# before it is committed.
files="$files $(git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null || true)"
[ -n "$files" ] || exit 0
if [ "$fix" = 1 ]; then
  # shellcheck disable=SC2086
  "$cf" -i $files
else
  # shellcheck disable=SC2086
  "$cf" --dry-run --Werror $files
fi
