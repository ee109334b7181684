#!/bin/sh
# bench/surface.sh: the kernel attack-surface table. Runs
# tests/engines/surface.bats (a private dockerd with the runtimes cmp =
# crun on cgroup v2 / runc elsewhere, sbx, and sbx --policy untrusted.json)
# and writes the probe's table to FILE (default bench/results-surface.md).
#   bench/surface.sh [FILE]         here
#   bench/surface.sh --vm [FILE]    in the cgroup v2 VM (crun runs there)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
vm=
[ "${1:-}" = --vm ] && { vm=1; shift; }
out=${1:-$here/bench/results-surface.md}
[ -x "$here/tests/helpers/surface" ] || make -C "$here" tests/helpers/surface >/dev/null
tmp=$(mktemp /var/tmp/sbx-surface.XXXXXX)
if [ -n "$vm" ]; then
	"$here/tests/vm/run.sh" --timeout 1500 -- env top_srcdir="$here" top_builddir="$here" SBX="$here/sbx" \
		SURFACE_TABLE="$tmp" bats "$here/tests/engines/surface.bats" >&2
else
	top_srcdir="$here" top_builddir="$here" SBX="$here/sbx" SURFACE_TABLE="$tmp" \
		bats "$here/tests/engines/surface.bats" >&2
fi
{
	echo "# Kernel attack surface: what each setup leaves open"
	echo
	echo "\`bench/surface.sh${vm:+ --vm}\`, $(date -u +%Y-%m-%d), kernel $(uname -r)${vm:+ (host; the table comes from the VM)}."
	echo "Each row is the first step of kernel exploits used for container escapes,"
	echo "tried by tests/helpers/surface inside a \`docker run\` with Docker's own"
	echo "default config; \"killed SYS\" is a seccomp kill (a foreign architecture)."
	echo
	cat "$tmp"
} >"$out"
rm -f "$tmp"
cat "$out"
