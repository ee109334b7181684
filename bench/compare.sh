#!/bin/bash
# bench/compare.sh: two builds of sbx side by side, for a change that must
# not make sbx slower (a refactoring):
#
#   bench/compare.sh [--iterations N] [--output FILE] OLD NEW
#
# OLD and NEW are sbx binaries, or git revisions (built in a temporary
# worktree with ./configure && make). Interleaved, starting with a
# different build each iteration: `run` of /bin/true, `create`+`start`+
# wait+`delete` of /bin/true, and `exec /bin/true` in a running container.
# Prints medians (microseconds, wall clock around the command, as
# bench/run.sh) and NEW/OLD ratios; writes the table to FILE too.
set -u
. "$(dirname "$0")/env.sh"

iterations=50 output=""
while [ $# -gt 2 ]; do
	case $1 in
	--iterations) iterations=$2; shift 2 ;;
	--output) output=$2; shift 2 ;;
	*) bench_die "unknown option $1" ;;
	esac
done
[ $# -eq 2 ] || bench_die "usage: $0 [--iterations N] [--output FILE] OLD NEW"
[ "$(id -u)" = 0 ] || bench_die "run as root"

TMP=$(mktemp -d /tmp/sbx-compare.XXXXXX) || exit 1
cleanup() {
	local b
	for b in old new; do
		[ -x "$TMP/$b/sbx" ] && "$TMP/$b/sbx" --root "$TMP/state-$b" delete --force long >/dev/null 2>&1
	done
	for w in "$TMP"/wt-*; do
		[ -d "$w" ] && git -C "$BENCH_TOP" worktree remove --force "$w" >/dev/null 2>&1
	done
	find /sys/fs/cgroup/unified/sbx-compare.$$ /sys/fs/cgroup/sbx-compare.$$ -depth -type d -exec rmdir {} + 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# binary KIND ARG: $TMP/KIND/sbx from a path or a git revision.
binary() {
	mkdir -p "$TMP/$1"
	if [ -x "$2" ] && [ ! -d "$2" ]; then
		cp "$2" "$TMP/$1/sbx"
		return
	fi
	bench_msg "building $2"
	git -C "$BENCH_TOP" worktree add --detach "$TMP/wt-$1" "$2" >/dev/null 2>&1 || bench_die "no revision $2"
	(cd "$TMP/wt-$1" && autoreconf -fi >/dev/null 2>&1 && ./configure --quiet >/dev/null 2>&1 &&
		make -j"$(nproc)" sbx >/dev/null 2>&1) || bench_die "build of $2 failed"
	cp "$TMP/wt-$1/sbx" "$TMP/$1/sbx"
}
binary old "$1"
binary new "$2"

sh "$BENCH_TOP/tests/helpers/mkrootfs.sh" "$TMP/rootfs" >/dev/null
(cd "$TMP" && "$TMP/new/sbx" spec >/dev/null) || bench_die "sbx spec failed"
# bundle-BUILD (/bin/true) and long-BUILD (sleep), each build in cgroups of
# its own, away from the test suite's /sbx/
for b in old new; do
	for k in bundle long; do
		mkdir -p "$TMP/$k-$b"
		jq --arg r "$TMP/rootfs" --arg cg "/sbx-compare.$$/$b-$k" --arg k "$k" \
			'.root.path = $r | .process.terminal = false | .linux.cgroupsPath = $cg
			| .process.args = (if $k == "long" then ["/bin/sleep", "100000"] else ["/bin/true"] end)' \
			"$TMP/config.json" >"$TMP/$k-$b/config.json"
	done
done

declare -A S # "build figure" -> space-separated samples

now() { echo "${EPOCHREALTIME/./}"; }
sample() { S["$1 $2"]+=" $3"; }

one_round() {
	local b=$1 x="$TMP/$1/sbx" root="$TMP/state-$1" t0 t1 pid
	t0=$(now)
	"$x" --root "$root" run --bundle "$TMP/bundle-$b" r >/dev/null 2>&1 || bench_die "$b: run failed"
	t1=$(now)
	sample "$b" run $((t1 - t0))
	t0=$(now)
	"$x" --root "$root" create --bundle "$TMP/bundle-$b" --pid-file "$TMP/pid-$b" c >/dev/null 2>&1 ||
		bench_die "$b: create failed"
	"$x" --root "$root" start c || bench_die "$b: start failed"
	pid=$(cat "$TMP/pid-$b")
	while [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do :; done
	"$x" --root "$root" delete c || bench_die "$b: delete failed"
	t1=$(now)
	sample "$b" create-start-delete $((t1 - t0))
	t0=$(now)
	"$x" --root "$root" exec long /bin/true || bench_die "$b: exec failed"
	t1=$(now)
	sample "$b" exec $((t1 - t0))
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

for b in old new; do
	"$TMP/$b/sbx" --root "$TMP/state-$b" run -d --bundle "$TMP/long-$b" long >/dev/null 2>&1 </dev/null ||
		bench_die "$b: run -d failed"
	one_round "$b" # warm-up, not counted
	S=()
done
S=()
for ((i = 0; i < iterations; i++)); do
	if ((i % 2)); then one_round new; one_round old; else one_round old; one_round new; fi
done

{
	echo "| figure (median µs, $iterations interleaved samples) | old | new | new/old |"
	echo "|---|---|---|---|"
	for f in run create-start-delete exec; do
		o=$(echo "${S["old $f"]}" | median)
		n=$(echo "${S["new $f"]}" | median)
		echo "| $f | $o | $n | $(awk -v a="$n" -v b="$o" 'BEGIN { printf "%.2f", a / b }') |"
	done
	echo
	echo "old: $1; new: $2; $(uname -r), $(nproc) CPUs"
} | tee ${output:+"$output"}
