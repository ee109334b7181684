#!/bin/bash
# bench/cri.sh: pod start time through containerd's CRI plugin, sbx side by
# side with runc (the same containerd, the same config, the same pod): the
# time of RunPodSandbox + CreateContainer + StartContainer of one container
# (sleep), as the kubelet issues them, over gRPC (tests/engines/cri/
# cri_client.py podstart; the pod is stopped and removed after each sample,
# untimed). The handlers "sbx" and "runc" come from
# contrib/containerd/config.toml; the private containerd, the images, the
# CNI bridge and the clean-up are those of tests/engines/cri/helpers.bash.
#
#   bench/cri.sh [--iterations N] [--rounds R] [--output FILE] [--sbx PATH]
#
# R rounds (default 4) of N/R samples per runtime, the runtimes taking turns
# round by round (starting with a different one each round), after one
# warm-up pod each. Prints a markdown table (median, min-max, mean, and
# runc/sbx of the medians) to stdout, and to FILE (default none). Root.
# Where the cgroup v2 hierarchy lacks the cpu controller (a hybrid host)
# containerd runs with disable_cgroup = true: no cgroup work for either
# runtime (the report says so); in the cgroup v2 VM both do it:
#   flock /tmp/sbx-vm.lock tests/vm/run.sh --timeout 1500 -- bench/cri.sh --iterations 20
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
n=20 rounds=4 out= SBX=${SBX:-$top/sbx}
while [ $# -gt 0 ]; do
	case $1 in
	--iterations) n=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--output) out=$2; shift 2 ;;
	--sbx) SBX=$2; shift 2 ;;
	*) echo "usage: $0 [--iterations N] [--rounds R] [--output FILE] [--sbx PATH]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/cri.sh: needs root" >&2; exit 1; }
command -v runc >/dev/null || { echo "bench/cri.sh: runc is not installed (apt package runc)" >&2; exit 1; }

# the helpers are written for bats; these are the bits of bats they use
bats_require_minimum_version() { :; }
skip() { echo "bench/cri.sh: cannot run: $*" >&2; exit 1; }
run() {
	set +e
	output=$("$@" 2>&1)
	status=$?
	set -e
}
exec 3>&2
BATS_TEST_DIRNAME=$top/tests/engines
export top_srcdir=$top top_builddir=$top SBX
# shellcheck source=../tests/engines/helpers.bash
. "$top/tests/engines/helpers.bash"
# shellcheck source=../tests/engines/cri/helpers.bash
. "$top/tests/engines/cri/helpers.bash"

ctl=$(v2_root)/cgroup.controllers
if grep -qw cpu "$ctl" 2>/dev/null; then
	export CRI_DISABLE_CGROUP=0 cgnote="cgroup v2 with controllers: both runtimes create and fill each pod's and container's cgroup"
else
	export CRI_DISABLE_CGROUP=1 cgnote="hybrid host: containerd with disable_cgroup = true (no cgroup work for either runtime)"
fi
set +e
cri_setup_file
rc=$?
set -e
trap 'cri_teardown_file' EXIT
[ "$rc" = 0 ] && [ -z "${ENGINES_SKIP:-}" ] || { echo "bench/cri.sh: setup failed ${ENGINES_SKIP:-}" >&2; exit 1; }
pod_config bench >"$T/pod.json"
ctr_config bench '["sleep","1000"]' >"$T/ctr.json"

per=$(((n + rounds - 1) / rounds))
for rt in sbx runc; do
	: >"$T/$rt.ms"
	cri podstart 1 "$rt" "$T/pod.json" "$T/ctr.json" >/dev/null # warm-up
done
for ((r = 0; r < rounds; r++)); do
	order="sbx runc"
	[ $((r % 2)) = 0 ] || order="runc sbx"
	for rt in $order; do
		echo "bench/cri.sh: round $((r + 1))/$rounds: $rt, $per pods" >&2
		sed -i "s/\"uid\": *\"[^\"]*\"/\"uid\": \"bench-$rt-$r\"/" "$T/pod.json"
		cri podstart "$per" "$rt" "$T/pod.json" "$T/ctr.json" >>"$T/$rt.ms"
	done
done

stats() { # FILE: median min max mean
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f %.1f\n", m, v[1], v[NR], s / NR }'
}
read -r sm smin smax smean < <(stats "$T/sbx.ms")
read -r rm rmin rmax rmean < <(stats "$T/runc.ms")
ratio=$(awk -v a="$rm" -v b="$sm" 'BEGIN { printf "%.2f", a / b }')
report=$(
	echo "## CRI pod start: RunPodSandbox + CreateContainer + StartContainer (ms)"
	echo
	echo "$(date -u +%Y-%m-%d), $(uname -r), $(nproc) CPUs, $(hostname)$([ -n "${SBX_VM:-}" ] && echo ' (the TCG VM)'),"
	echo "containerd $("$CONTAINERD" --version | awk '{ print $3 }'), $(runc --version | head -1), sbx $("$SBX" --version | head -1 | awk '{ print $3 }');"
	echo "$cgnote. $(wc -l <"$T/sbx.ms") pods per runtime, in $rounds alternating rounds."
	echo
	echo "| runtime | median | min-max | mean | runc/sbx (median) |"
	echo "|---|---|---|---|---|"
	echo "| sbx | $sm | $smin-$smax | $smean | |"
	echo "| runc | $rm | $rmin-$rmax | $rmean | $ratio |"
)
echo "$report"
[ -z "$out" ] || echo "$report" >"$out"
