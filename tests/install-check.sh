#!/usr/bin/env bash
# Installs libmlops into a scratch prefix and builds the example program
# against the installed tree only, through pkg-config, linked both to the
# shared and to the static library: proves the headers, libmlops.pc, the
# libraries, man pages and the CLI install as a user will find them.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

meson setup "$work/build" --prefix="$prefix" -Dtests=false -Ddefault_library=both >/dev/null
ninja -C "$work/build" >/dev/null
meson install -C "$work/build" --quiet

pcdir=$(dirname "$(find "$prefix" -name libmlops.pc | head -n 1)")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH="$pcdir"
echo "pkg-config --cflags --libs libmlops: $(pkg-config --cflags --libs libmlops)"

cc -std=c11 -Wall -Wextra -Werror examples/print-version/print_version.c \
  $(pkg-config --cflags --libs libmlops) -o "$work/print-version-shared"
LD_LIBRARY_PATH="$libdir" "$work/print-version-shared"

cc -std=c11 -Wall -Wextra -Werror examples/print-version/print_version.c \
  $(pkg-config --cflags libmlops) "$libdir/libmlops.a" \
  $(pkg-config --libs --static libmlops | sed 's/-lmlops//') -o "$work/print-version-static"
"$work/print-version-static"
if ldd "$work/print-version-static" | grep -q libmlops; then
  echo "static example still links libmlops.so" >&2
  exit 1
fi

LD_LIBRARY_PATH="$libdir" "$prefix/bin/mlops" version
for page in man1/mlops.1 man5/mlops-pipeline.5 man7/libmlops.7 man3/mlops_strerror.3 \
    man3/mlops_last_error.3; do
  [ -e "$prefix/share/man/$page" ] || { echo "missing installed man page $page" >&2; exit 1; }
done
for h in mlops.h mlops/version.h mlops/errors.h; do
  [ -f "$prefix/include/$h" ] || { echo "missing installed header $h" >&2; exit 1; }
done
echo "install check: 1 passed, 0 failed"
