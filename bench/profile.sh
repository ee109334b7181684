#!/bin/bash
# bench/profile.sh: where the start-up time of `sbx run` of /bin/true goes,
# next to crun and runc.
#
#   bench/profile.sh [--sbx PATH] [--no-install]
#
# Prints `strace -c -f` of one `sbx run`, the ten slowest system calls of
# each runtime's `run` (strace -f -T; waits included, that is where the time
# goes), and per runtime: processes forked, threads, successful execs and
# system calls, counted from one `strace -f` trace of `run` (the container's
# own /bin/true is in all three). Installs strace, crun, runc when missing.
set -u
set -o pipefail
export LC_ALL=C

. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SBX=${SBX:-$BENCH_TOP/sbx}
install=1
while [ $# -gt 0 ]; do
	case "$1" in
	--sbx) [ $# -ge 2 ] || bench_die "--sbx needs a path"; SBX=$2; shift 2 ;;
	--no-install) install=0; shift ;;
	-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) bench_die "unknown option: $1" ;;
	esac
done
SBX=$(readlink -f "$SBX") && [ -x "$SBX" ] || bench_die "sbx binary not found (run make, or pass --sbx PATH)"
[ "$install" = 1 ] && bench_need_pkgs strace:strace crun:crun runc:runc jq:jq
[ "$(id -u)" = 0 ] || bench_die "run as root"
bench_enter_cgroup_view "$0" --no-install --sbx "$SBX"

RUNTIMES=(sbx crun runc)
declare -A BIN=([sbx]=$SBX [crun]=$(command -v crun) [runc]=$(command -v runc))
CG=sbx-bench.$$
TMP=$(mktemp -d /tmp/sbx-profile.XXXXXX) || exit 1
cleanup() {
	local r
	for r in "${RUNTIMES[@]}"; do
		"${BIN[$r]}" --root "$TMP/state/$r" delete --force "p-$r" >/dev/null 2>&1
	done
	bench_rmdir_cgroups "$CG"
	bench_cgroup_view_undo
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_cgroup_view_setup
"$BENCH_TOP/tests/helpers/mkrootfs.sh" "$TMP/rootfs" >&2 || bench_die "mkrootfs.sh failed"
bench_templates "$TMP/tpl" "$TMP/rootfs" || bench_die "cannot write the config templates"
bench_bundles "$TMP/tpl" true "/$CG" p-sbx p-crun p-runc || exit 1

# trace RT [STRACE OPTIONS]: strace one `run` of /bin/true
trace() {
	local r=$1
	shift
	"${BIN[$r]}" --root "$TMP/state/$r" delete --force "p-$r" >/dev/null 2>&1
	strace "$@" "${BIN[$r]}" --root "$TMP/state/$r" run --bundle "$BENCH_BUNDLES/p-$r" "p-$r" ||
		bench_die "$r run failed under strace"
}

for r in "${RUNTIMES[@]}"; do # warm the page cache
	"${BIN[$r]}" --root "$TMP/state/$r" run --bundle "$BENCH_BUNDLES/p-$r" "p-$r" >/dev/null ||
		bench_die "$r cannot run a container here"
done

echo "## strace -c -f: one \`sbx run\` of /bin/true"
echo
trace sbx -c -f -o "$TMP/sbx.c" && sed 's/^/    /' "$TMP/sbx.c"

for r in "${RUNTIMES[@]}"; do
	trace "$r" -f -qq -T -o "$TMP/$r.trace"
done

echo
echo "## The ten slowest system calls of each \`run\` (strace -f -T, seconds)"
for r in "${RUNTIMES[@]}"; do
	echo
	echo "$r:"
	awk '/<[0-9.]+>$/ {
		t = $NF; gsub(/[<>]/, "", t)
		if (match($0, /<\.\.\. [a-z0-9_]+ resumed>/)) name = substr($0, RSTART + 5, RLENGTH - 14)
		else { name = $2; sub(/\(.*/, "", name) }
		printf "%s %s\n", t, name }' "$TMP/$r.trace" | sort -rn | head -n 10 | sed 's/^/    /'
done

echo
echo "## The execs of each \`run\` (execveat \"\" = re-exec of a sealed copy of itself)"
for r in "${RUNTIMES[@]}"; do
	echo
	echo "$r:"
	awk '$2 ~ /^execve(at)?\(/ { $1 = ""; print "   " substr($0, 1, 110) }' "$TMP/$r.trace"
done

echo
echo "## Counts from one \`run\` of /bin/true (strace -f)"
echo
echo "| runtime | processes forked | threads | execs (successful) | system calls |"
echo "|---|---|---|---|---|"
for r in "${RUNTIMES[@]}"; do
	awk -v r="$r" '
		$2 ~ /^(clone|clone3|fork|vfork)\(/ { if ($0 ~ /CLONE_THREAD/) th++; else pr++ }
		($2 ~ /^execve(at)?\(/ || $0 ~ /<\.\.\. execve(at)? resumed>/) && $0 ~ /\) += 0 </ { ex++ }
		$2 ~ /^[a-z0-9_]+\(/ { sc++ }
		END { printf "| %s | %d | %d | %d | %d |\n", r, pr, th, ex, sc }' "$TMP/$r.trace"
done
echo
echo "Versions: $("$SBX" --version | head -n 1); $(crun --version | head -n 1); $(runc --version | head -n 1)."
