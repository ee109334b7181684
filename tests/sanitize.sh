#!/bin/bash
# sanitize.sh: the integration suite once with an ASan+UBSan build of sbx
# (dynamically linked: the sanitizer runtimes need it). Too slow for every
# `make check` (the whole suite, twice the host time), so CI runs it as a
# separate step and a developer runs it before touching memory handling:
#
#   tests/sanitize.sh                      # every tests/integration/*.bats
#   tests/sanitize.sh tests/integration/faults.bats tests/integration/lifecycle.bats
#
# It builds a copy of the tree in $SBX_ASAN_BUILD (default ./build-asan),
# then runs bats with SBX pointing there. Every report of
# ASan, LeakSanitizer or UBSan is written to a file (ASAN_OPTIONS
# log_path), so one that a test expecting an error would hide still fails
# the run: the script exits 1 if bats failed or if any report was written,
# and prints the reports.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
build=${SBX_ASAN_BUILD:-$top_srcdir/build-asan}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"

# autoconf refuses a second build of a configured tree: build a copy of
# the sources (refreshed on each run; objects are rebuilt when they change).
mkdir -p "$build"
(cd "$top_srcdir" && { git ls-files -co --exclude-standard 2>/dev/null ||
	find . -path ./build-asan -prune -o -type f -print; }) |
	grep -v '^build-asan/' | (cd "$top_srcdir" && cpio -pdmu --quiet "$build")
if [ ! -f "$build/Makefile" ]; then
	(cd "$build" && autoreconf -fi >/dev/null && ./configure --quiet --disable-static-binary \
		CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined")
fi
make -C "$build" -j"${SBX_ASAN_JOBS:-2}" sbx >/dev/null
# the helpers run inside containers (probe is static): no sanitizer there
rm -f "$build"/tests/helpers/*.o
make -C "$build" tests/helpers/probe tests/helpers/recvtty CFLAGS="-O2 -g" LDFLAGS= >/dev/null

reports=$(mktemp -d "${TMPDIR:-/tmp}/sbx-asan.XXXXXX")
trap 'rm -rf "$reports"' EXIT
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$top_srcdir/tests/integration")

st=0
ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan:${UBSAN_OPTIONS:-}" \
top_srcdir=$top_srcdir top_builddir=$build SBX=$build/sbx \
	bats --tap "${files[@]}" || st=$?

# A report is an error (ASan, LSan) or a runtime error (UBSan). LSan's
# "Unable to get registers" note, from a process it cannot stop (a
# container's init, in its own pid namespace), is not a finding.
found=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$reports"/* 2>/dev/null || true)
if [ -n "$found" ]; then
	echo "# sanitizer reports:"
	cat $found | sed 's/^/# /'
	st=1
fi
exit "$st"
