#!/bin/bash
# bench/systemd.sh: `run` of /bin/true with --systemd-cgroup (a transient
# scope from systemd per container) for sbx, crun and runc, interleaved in
# one run, plus sbx without it (what the scope costs).
#
#   bench/systemd.sh [--iterations N] [--output FILE]
#
# Needs systemd as PID 1: without it, the script runs itself in the VM booted
# with systemd (tests/vm/run.sh --systemd) and this side writes FILE
# (default bench/results-systemd.md). dbus.service is started in the guest
# when no system bus runs (crun and runc ask systemd through it; sbx uses
# systemd's private socket). N defaults to 20.
set -u
set -o pipefail
export LC_ALL=C

. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

iterations=20 output=$BENCH_TOP/bench/results-systemd.md in_vm=0
while [ $# -gt 0 ]; do
	case "$1" in
	--iterations) iterations=${2:?}; shift 2 ;;
	--output) output=${2:?}; shift 2 ;;
	--in-vm) in_vm=1; shift ;;
	-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) bench_die "unknown option: $1" ;;
	esac
done
[[ "$iterations" =~ ^[1-9][0-9]*$ ]] || bench_die "--iterations must be a positive integer"
SBX=${SBX:-$BENCH_TOP/sbx}
[ -x "$SBX" ] || bench_die "sbx not built ($SBX)"

if [ "$(cat /proc/1/comm)" != systemd ]; then
	[ "$in_vm" = 0 ] || bench_die "no systemd as PID 1 in the VM"
	bench_need_pkgs crun:crun runc:runc jq:jq
	"$BENCH_TOP/tests/vm/available.sh" >/dev/null || bench_die "the VM harness is not available here"
	report=$("$BENCH_TOP/tests/vm/run.sh" --systemd --timeout 1800 -- \
		env SBX="$SBX" "$0" --in-vm --iterations "$iterations") || bench_die "the VM run failed"
	printf '%s\n' "$report"
	{
		echo "# --systemd-cgroup: sbx, crun, runc ($(date -u +%Y-%m-%d))"
		echo
		echo "bench/systemd.sh in the VM booted with systemd 252 as PID 1 (tests/vm/run.sh"
		echo "--systemd; TCG, 2 vCPUs). Host: $(nproc) CPUs, $(uname -r)."
		echo
		printf '%s\n' "$report"
	} >"$output"
	bench_msg "wrote $output"
	exit 0
fi

# In the guest, under systemd.
# (through systemd, so that systemd joins the bus when it is up)
if [ ! -S /run/dbus/system_bus_socket ]; then
	systemctl start --job-mode=ignore-dependencies dbus.socket dbus.service || bench_msg "warning: cannot start a D-Bus system bus"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$BENCH_TOP/tests/helpers/mkrootfs.sh" "$TMP/rootfs" >&2 || bench_die "mkrootfs.sh failed"
(cd "$TMP" && "$SBX" spec) || bench_die "sbx spec failed"
# ociVersion 1.0.2: crun 1.8 rejects 1.2.0
jq --arg r "$TMP/rootfs" '.ociVersion = "1.0.2" | .process.terminal = false | .root.path = $r
	| .root.readonly = true | .process.args = ["/bin/true"]' "$TMP/config.json" >"$TMP/base.json"

# one RUNTIME-LABEL ID: a bundle with the right cgroupsPath, one timed run;
# prints milliseconds, or "fail".
one() {
	local label=$1 id=$2 b=$TMP/b-$2 t0 t1
	local -a R
	case $label in
	sbx) R=("$SBX" --systemd-cgroup) ;;
	sbx-plain) R=("$SBX") ;;
	crun) R=(crun --systemd-cgroup) ;;
	runc) R=(runc --systemd-cgroup) ;;
	esac
	mkdir -p "$b"
	if [ "$label" = sbx-plain ]; then
		jq --arg p "/bench/$id" '.linux.cgroupsPath = $p' "$TMP/base.json" >"$b/config.json"
	else
		jq --arg p "system.slice:bench:$id" '.linux.cgroupsPath = $p' "$TMP/base.json" >"$b/config.json"
	fi
	t0=$EPOCHREALTIME
	if "${R[@]}" --root "$TMP/state-$label" run --bundle "$b" "$id" </dev/null >/dev/null 2>"$TMP/err"; then
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
	else
		echo fail
		sed 's/^/  /' "$TMP/err" >&2
	fi
	"${R[@]}" --root "$TMP/state-$label" delete --force "$id" >/dev/null 2>&1
	rm -rf "$b"
}

labels=(sbx crun runc sbx-plain)
for l in "${labels[@]}"; do : >"$TMP/t-$l"; one "$l" "warm-$l" >/dev/null; done
for ((i = 0; i < iterations; i++)); do
	for l in "${labels[@]}"; do
		one "$l" "$l-$i" >>"$TMP/t-$l"
	done
done

median() { grep -v fail "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(median "$TMP/t-sbx")
echo "| runtime | \`run /bin/true\`, median of $iterations | ratio to sbx | failed |"
echo "|---|---|---|---|"
for l in "${labels[@]}"; do
	m=$(median "$TMP/t-$l")
	ratio=$(awk -v m="$m" -v b="$base" 'BEGIN { if (m == "-" || b == "-" || b == 0) print "-"; else printf "%.2f×\n", m / b }')
	name="$l --systemd-cgroup"
	[ "$l" = sbx-plain ] && name="sbx, own cgroup (no systemd)"
	echo "| $name | $m ms | $ratio | $(grep -c fail "$TMP/t-$l") |"
done
