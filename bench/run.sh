#!/bin/bash
# bench/run.sh: sbx, crun and runc measured in one run on one busybox bundle.
#
#   bench/run.sh [--iterations N] [--parallel P] [--many M] [--rounds R]
#                [--output FILE] [--sbx PATH] [--no-install]
#   bench/run.sh --vm [--vm-timeout SECS] [same options]
#
# Prints a markdown table (median, min-max, ratio to sbx) and writes it with
# the machine facts to FILE (default bench/results.md). --vm runs the same
# measurements in the pure cgroup v2 VM (tests/vm/run.sh); the VM prints the
# report and this side writes FILE. Defaults: N=100 (--vm: 30), P=50, M=200,
# R=3 (--vm: 1). Installs crun, runc, time and jq from Debian when missing.
# See bench/README.md for what each figure means.
set -u
set -o pipefail
export LC_ALL=C # EPOCHREALTIME and printf use '.' as the decimal point

. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

usage() {
	sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit "${1:-2}"
}

iterations='' parallel=50 many=200 rounds='' output='' vm=0 in_vm=0 install=1
vm_timeout=3000
SBX=${SBX:-$BENCH_TOP/sbx}
pass=() # options forwarded as they are (to the VM, into the namespace)
while [ $# -gt 0 ]; do
	case "$1" in
	--iterations | --parallel | --many | --rounds | --output | --sbx | --vm-timeout)
		[ $# -ge 2 ] || usage
		case "$1" in
		--iterations) iterations=$2 ;;
		--parallel) parallel=$2 ;;
		--many) many=$2 ;;
		--rounds) rounds=$2 ;;
		--output) output=$2 ;;
		--sbx) SBX=$2 ;;
		--vm-timeout) vm_timeout=$2 ;;
		esac
		case "$1" in --parallel | --many) pass+=("$1" "$2") ;; esac
		shift 2 ;;
	--vm) vm=1; shift ;;
	--in-vm) in_vm=1; install=0; shift ;;
	--no-install) install=0; shift ;;
	-h | --help) usage 0 ;;
	*) bench_msg "unknown option: $1"; usage ;;
	esac
done
if [ "$vm" = 1 ] || [ "$in_vm" = 1 ] || [ "${SBX_VM:-}" = 1 ]; then
	: "${iterations:=30}" "${rounds:=1}"
fi
: "${iterations:=100}" "${rounds:=3}"
for v in iterations parallel many rounds vm_timeout; do
	[[ "${!v}" =~ ^[1-9][0-9]*$ ]] || bench_die "--${v/_/-} must be a positive integer"
done
SBX=$(readlink -f "$SBX") && [ -x "$SBX" ] || bench_die "sbx binary not found (run make, or pass --sbx PATH)"
: "${output:=$BENCH_TOP/bench/results.md}"

# ---------------------------------------------------------------- --vm
# The guest's / is the host's, read-only under a tmpfs overlay, with no
# network: install here, let the guest print, write the file here.
BEGIN_MARK='<!-- sbx-bench report begin -->'
END_MARK='<!-- sbx-bench report end -->'
if [ "$vm" = 1 ]; then
	bench_need_pkgs crun:crun runc:runc /usr/bin/time:time jq:jq
	vmout=$(mktemp) || exit 1
	trap 'rm -f "$vmout" "$vmout.md"' EXIT
	bench_msg "running in the cgroup v2 VM (timeout ${vm_timeout}s; N=$iterations, R=$rounds)"
	"$BENCH_TOP/tests/vm/run.sh" --timeout "$vm_timeout" -- \
		"$BENCH_DIR/run.sh" --in-vm --sbx "$SBX" --iterations "$iterations" \
		--rounds "$rounds" "${pass[@]}" | tee "$vmout"
	st=${PIPESTATUS[0]}
	sed -n "/^$BEGIN_MARK\$/,/^$END_MARK\$/{/^<!-- sbx-bench/d;p}" "$vmout" >"$vmout.md"
	if [ "$st" != 0 ] || [ ! -s "$vmout.md" ]; then
		rm -f "$vmout.md"
		bench_die "the VM run failed (status $st); $output not written"
	fi
	mkdir -p "$(dirname "$output")" && cp "$vmout.md" "$output" && bench_msg "wrote $output"
	exit 0
fi

# ---------------------------------------------------------------- set-up
if [ "$install" = 1 ]; then
	bench_need_pkgs crun:crun runc:runc /usr/bin/time:time jq:jq
fi
hint=''
[ "$in_vm" = 1 ] && hint=' (bench/run.sh --vm installs it on the host first)'
for c in crun runc /usr/bin/time jq unshare; do
	command -v "$c" >/dev/null || bench_die "$c not found$hint"
done
[ "$(id -u)" = 0 ] || bench_die "run as root (the three runtimes run rootful containers)"
bench_enter_cgroup_view "$0" --no-install --sbx "$SBX" --iterations "$iterations" \
	--rounds "$rounds" --output "$output" "${pass[@]}" $([ "$in_vm" = 1 ] && echo --in-vm)

RUNTIMES=(sbx crun runc)
declare -A BIN=([sbx]=$SBX [crun]=$(command -v crun) [runc]=$(command -v runc))
declare -A S=() E=() # samples ("fig|rt" -> " v v v"), error counts
PFX=b$$              # container ids: $PFX-<rt>-<figure><n>
CG=sbx-bench.$$      # cgroupsPath /$CG/<id> in every hierarchy
TMP=$(mktemp -d /tmp/sbx-bench.XXXXXX) || exit 1
STATE=$TMP/state
TPL=$TMP/tpl

cleanup() {
	local r id
	trap - EXIT
	wait # background create/start/delete of figure 4: let them finish first
	for r in "${RUNTIMES[@]}"; do
		[ -d "$STATE/$r" ] || continue
		for id in $("${BIN[$r]}" --root "$STATE/$r" list -q 2>/dev/null); do
			"${BIN[$r]}" --root "$STATE/$r" delete --force "$id" >/dev/null 2>&1
		done
	done
	bench_rmdir_cgroups "$CG"
	bench_cgroup_view_undo
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'bench_msg interrupted; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

bench_cgroup_view_setup
mkdir -p "${RUNTIMES[@]/#/$STATE/}" || exit 1
mkfifo "$TMP/sleep" && exec {SLEEP_FD}<>"$TMP/sleep" || exit 1
bench_msg "building the busybox bundle in $TMP"
"$BENCH_TOP/tests/helpers/mkrootfs.sh" "$TMP/rootfs" >&2 || bench_die "mkrootfs.sh failed"
bench_templates "$TPL" "$TMP/rootfs" || bench_die "cannot write the config templates"

# ---------------------------------------------------------------- helpers
now() { NOW=${EPOCHREALTIME/./}; } # microseconds
step() { bench_msg "[${SECONDS}s] $*"; }
add() { S[$1|$2]+=" $3"; }         # add FIG RT VALUE
fail() { E[$1|$2]=$((${E[$1|$2]:-0} + 1)); }
# R: the argv prefix of runtime $1 (a plain array: `"${R[@]}" ... &` forks once)
rt() { R=("${BIN[$1]}" --root "$STATE/$1"); }
# run quietly, stderr to the runtime's error log
q() { "$@" >/dev/null 2>>"$TMP/err.${CUR_RT}"; }
# order ITER: the runtimes, rotated by ITER (no runtime always goes first)
order() {
	local k=$(($1 % 3))
	ORDER=("${RUNTIMES[@]:k}" "${RUNTIMES[@]:0:k}")
}
ids() { # ids RT FIG COUNT -> IDS
	local i
	IDS=()
	for ((i = 1; i <= $3; i++)); do IDS+=("$PFX-$1-$2$i"); done
}

# wait_exit PID: until PID is gone or a zombie (the reaper is not us), 60 s max;
# sleeps 0.2 ms per poll with a read timeout (no fork).
wait_exit() {
	local line st deadline=$((${EPOCHREALTIME/./} + 60000000))
	while read -r line 2>/dev/null <"/proc/$1/stat"; do
		st=${line##*) }
		case ${st%% *} in Z | X) return 0 ;; esac
		((${EPOCHREALTIME/./} < deadline)) || return 1
		read -r -t 0.0002 -u "$SLEEP_FD" _
	done
	return 0
}
pidof_ctr() { PID=; read -r PID <"$TMP/$1.pid" 2>/dev/null; [ -n "$PID" ]; }

# ---------------------------------------------------------------- figures
# 1. create + start + wait + delete, and run, of /bin/true
lifecycle() { # RT ID
	local r=$1 id=$2 t0 t1 t2 t3 t4 b=$BENCH_BUNDLES/$2
	rt "$r"
	now; t0=$NOW
	q "${R[@]}" create --bundle "$b" --pid-file "$TMP/$id.pid" "$id" || { fail life "$r"; return; }
	now; t1=$NOW
	q "${R[@]}" start "$id" || { fail life "$r"; q "${R[@]}" delete --force "$id"; return; }
	now; t2=$NOW
	pidof_ctr "$id" && wait_exit "$PID" || fail life "$r"
	now; t3=$NOW
	q "${R[@]}" delete "$id" || { fail life "$r"; q "${R[@]}" delete --force "$id"; return; }
	now; t4=$NOW
	add life "$r" $((t4 - t0))
	add create "$r" $((t1 - t0))
	add start "$r" $((t2 - t1))
	add delete "$r" $((t4 - t3))
}
run_true() { # RT ID [FIG]
	local t0 fig=${3:-run}
	rt "$1"
	now; t0=$NOW
	if q "${R[@]}" run --bundle "$BENCH_BUNDLES/$2" "$2"; then
		now; add "$fig" "$1" $((NOW - t0))
	else
		fail "$fig" "$1"
	fi
	q "${R[@]}" delete --force "$2"
}

# 2. peak RSS of `run` (the runtime and the children it waits for)
rss() { # RT ID
	local line v=
	rt "$1"
	/usr/bin/time -v -o "$TMP/rss" "${R[@]}" run --bundle "$BENCH_BUNDLES/$2" "$2" \
		>/dev/null 2>>"$TMP/err.$1" || { fail rss "$1"; return; }
	while read -r line; do
		case $line in "Maximum resident set size (kbytes): "*) v=${line##*: } ;; esac
	done <"$TMP/rss"
	[ -n "$v" ] && add rss "$1" "$v" || fail rss "$1"
}

# 3. does `run` of /bin/echo ok print ok under this bundle (a memory or pids limit)?
prints_ok() { # RT KIND ID
	local out
	rt "$1"
	bench_bundles "$TPL" "$2" "/$CG" "$3" || return 1
	out=$(timeout -k 5 120 "${R[@]}" run --bundle "$BENCH_BUNDLES/$3" "$3" 2>"$TMP/last.err")
	local st=$?
	cat "$TMP/last.err" >>"$TMP/err.$1"
	q "${R[@]}" delete --force "$3"
	[ "$st" = 0 ] && [ "$out" = ok ]
}
MEM_SIZES=(262144 524288 1048576 2097152 4194304)
MEM_NAMES=(256k 512k 1M 2M 4M)
mem_floor() { # RT: bisect MEM_SIZES (assumes a bigger limit never hurts)
	local lo=0 hi=${#MEM_SIZES[@]} mid
	while ((lo < hi)); do
		mid=$(((lo + hi) / 2))
		if prints_ok "$1" "mem-${MEM_SIZES[mid]}" "$PFX-$1-mem$mid"; then hi=$mid; else lo=$((mid + 1)); fi
	done
	if ((lo == ${#MEM_SIZES[@]})); then
		CELL[memmin|$1]="> ${MEM_NAMES[-1]}"
	else
		CELL[memmin|$1]=${MEM_NAMES[lo]}
		VAL[memmin|$1]=${MEM_SIZES[lo]}
	fi
}

# 4. P containers created in parallel, all started, all deleted
concurrent() { # RT ROUND
	local r=$1 i n=$parallel t0 t1 t2 t3 t4 errs=0 pids=() ok=()
	rt "$r"
	ids "$r" "c$2-" "$n"
	now; t0=$NOW
	for ((i = 0; i < n; i++)); do
		"${R[@]}" create --bundle "$BENCH_BUNDLES/${IDS[i]}" --pid-file "$TMP/${IDS[i]}.pid" \
			"${IDS[i]}" >/dev/null 2>>"$TMP/err.$r" &
		pids[i]=$!
	done
	for ((i = 0; i < n; i++)); do
		if wait "${pids[i]}"; then ok[i]=1; else ok[i]=0; errs=$((errs + 1)); fi
	done
	now; t1=$NOW
	for ((i = 0; i < n; i++)); do
		((ok[i])) && { "${R[@]}" start "${IDS[i]}" >/dev/null 2>>"$TMP/err.$r" & pids[i]=$!; }
	done
	for ((i = 0; i < n; i++)); do
		((ok[i])) && ! wait "${pids[i]}" && { ok[i]=2; errs=$((errs + 1)); }
	done
	now; t2=$NOW
	for ((i = 0; i < n; i++)); do
		((ok[i] == 1)) && pidof_ctr "${IDS[i]}" && wait_exit "$PID"
	done
	now; t3=$NOW
	for ((i = 0; i < n; i++)); do
		case ${ok[i]} in
		1) "${R[@]}" delete "${IDS[i]}" >/dev/null 2>>"$TMP/err.$r" & pids[i]=$! ;;
		2) "${R[@]}" delete --force "${IDS[i]}" >/dev/null 2>>"$TMP/err.$r" & pids[i]=$! ;;
		esac
	done
	for ((i = 0; i < n; i++)); do
		((ok[i])) && ! wait "${pids[i]}" && errs=$((errs + 1))
	done
	now; t4=$NOW
	add conc "$r" $((t4 - t0))
	add conc-create "$r" $((t1 - t0))
	add conc-start "$r" $((t2 - t1))
	add conc-delete "$r" $((t4 - t3))
	add conc-err "$r" "$errs"
}

# 6. M created (not started) containers; state and list; delete them
many_present() { # RT
	local r=$1 i t0 id
	rt "$r"
	ids "$r" m "$many"
	bench_bundles "$TPL" true "/$CG" "${IDS[@]}" || bench_die "bundles"
	for id in "${IDS[@]}"; do
		now; t0=$NOW
		if q "${R[@]}" create --bundle "$BENCH_BUNDLES/$id" "$id"; then
			now; add mcreate "$r" $((NOW - t0))
		else
			fail mcreate "$r"
		fi
	done
	for ((i = 0; i < iterations; i++)); do
		id=${IDS[i * 7 % many]}
		now; t0=$NOW
		q "${R[@]}" state "$id" && { now; add state "$r" $((NOW - t0)); } || fail state "$r"
		now; t0=$NOW
		q "${R[@]}" list && { now; add list "$r" $((NOW - t0)); } || fail list "$r"
	done
	for id in "${IDS[@]}"; do
		now; t0=$NOW
		q "${R[@]}" delete --force "$id" && { now; add mdelete "$r" $((NOW - t0)); } || fail mdelete "$r"
	done
}

# ---------------------------------------------------------------- measure
declare -A CELL=() VAL=()
CUR_RT=sbx
for r in "${RUNTIMES[@]}"; do # warm the page cache; fail early with the reason
	CUR_RT=$r
	bench_bundles "$TPL" true "/$CG" "$PFX-$r-warm"
	rt "$r"
	"${R[@]}" run --bundle "$BENCH_BUNDLES/$PFX-$r-warm" "$PFX-$r-warm" >/dev/null 2>"$TMP/last.err" ||
		bench_die "$r cannot run a container here: $(head -c 400 "$TMP/last.err")"
done

step "1/6 sequential: create+start+wait+delete and run, N=$iterations, round-robin"
for r in "${RUNTIMES[@]}"; do
	ids "$r" l "$iterations" && bench_bundles "$TPL" true "/$CG" "${IDS[@]}"
	ids "$r" r "$iterations" && bench_bundles "$TPL" true "/$CG" "${IDS[@]}"
	[ -r "$TPL/engine.json" ] && ids "$r" e "$iterations" && bench_bundles "$TPL" engine "/$CG" "${IDS[@]}"
done
for ((i = 1; i <= iterations; i++)); do
	order "$i"
	for r in "${ORDER[@]}"; do CUR_RT=$r; lifecycle "$r" "$PFX-$r-l$i"; done
	for r in "${ORDER[@]}"; do CUR_RT=$r; run_true "$r" "$PFX-$r-r$i"; done
	[ -r "$TPL/engine.json" ] || continue
	for r in "${ORDER[@]}"; do CUR_RT=$r; run_true "$r" "$PFX-$r-e$i" run-engine; done
done

reps=$((iterations < 5 ? iterations : 5))
step "2/6 peak RSS of run ($reps each) and binary sizes"
for r in "${RUNTIMES[@]}"; do ids "$r" rss "$reps" && bench_bundles "$TPL" true "/$CG" "${IDS[@]}"; done
for ((i = 1; i <= reps; i++)); do
	order "$i"
	for r in "${ORDER[@]}"; do CUR_RT=$r; rss "$r" "$PFX-$r-rss$i"; done
done
for r in "${RUNTIMES[@]}"; do
	f=$(readlink -f "${BIN[$r]}")
	VAL[size|$r]=$(stat -c %s "$f")
	if strip -o "$TMP/stripped" "$f" 2>/dev/null; then VAL[ssize|$r]=$(stat -c %s "$TMP/stripped"); fi
done

step "3/6 memory.max floor and pids.limit 1"
NA_MEM='' NA_PIDS=''
bench_v2_has memory || NA_MEM="n/a (no cgroup v2 memory controller)"
bench_v2_has pids || NA_PIDS="n/a (no cgroup v2 pids controller)"
for r in "${RUNTIMES[@]}"; do
	CUR_RT=$r
	if [ -n "$NA_MEM" ]; then CELL[memmin|$r]=$NA_MEM; else mem_floor "$r"; fi
	if [ -n "$NA_PIDS" ]; then
		CELL[pids1|$r]=$NA_PIDS
	elif prints_ok "$r" pids1 "$PFX-$r-pids1"; then
		CELL[pids1|$r]=yes
	else
		CELL[pids1|$r]="no: $(tr '\n|`' '  \047' <"$TMP/last.err" | cut -c1-100)"
	fi
done

step "4/6 concurrency: $parallel containers in parallel, $rounds round(s)"
for r in "${RUNTIMES[@]}"; do
	for ((k = 1; k <= rounds; k++)); do
		ids "$r" "c$k-" "$parallel" && bench_bundles "$TPL" true "/$CG" "${IDS[@]}"
	done
done
for ((k = 1; k <= rounds; k++)); do
	order "$k"
	for r in "${ORDER[@]}"; do CUR_RT=$r; concurrent "$r" "$k"; done
done

step "5/6 exec /bin/true into a running container, N=$iterations"
for r in "${RUNTIMES[@]}"; do
	CUR_RT=$r
	rt "$r"
	bench_bundles "$TPL" sleep "/$CG" "$PFX-$r-x"
	q "${R[@]}" run --detach --bundle "$BENCH_BUNDLES/$PFX-$r-x" "$PFX-$r-x" ||
		bench_die "$r: cannot start the container for exec: $(tail -n 3 "$TMP/err.$r")"
done
for ((i = 1; i <= iterations; i++)); do
	order "$i"
	for r in "${ORDER[@]}"; do
		CUR_RT=$r
		rt "$r"
		now; t0=$NOW
		q "${R[@]}" exec "$PFX-$r-x" /bin/true && { now; add exec "$r" $((NOW - t0)); } || fail exec "$r"
	done
done
for r in "${RUNTIMES[@]}"; do CUR_RT=$r; rt "$r"; q "${R[@]}" delete --force "$PFX-$r-x"; done

step "6/6 state and list with $many containers present (one runtime at a time)"
order 0
for r in "${ORDER[@]}"; do CUR_RT=$r; many_present "$r"; done

# ---------------------------------------------------------------- report
# stats FIG RT -> MED MIN MAX CNT (MED empty without samples)
stats() {
	read -r MED MIN MAX CNT < <(printf '%s\n' ${S[$1|$2]:-} | sort -n | awk '
		{ a[NR] = $1 } END { if (NR == 0) exit
		printf "%s %s %s %d\n", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR], NR }')
}
# fmt UNIT VALUE
fmt() {
	case $1 in
	ms) awk -v v="$2" 'BEGIN { v /= 1000; printf(v >= 100 ? "%.1f" : "%.2f", v) }' ;;
	MiB) awk -v v="$2" 'BEGIN { printf "%.2f", v / 1024 }' ;;   # from KiB
	bMiB) awk -v v="$2" 'BEGIN { printf "%.2f", v / 1048576 }' ;; # from bytes
	*) printf '%s' "$2" ;;
	esac
}
# row LABEL FIG UNIT: a table row from samples (median (min-max)) or VAL/CELL
row() {
	local label=$1 fig=$2 unit=$3 r cell med ratios=() line
	declare -A M=()
	line="| $label |"
	for r in "${RUNTIMES[@]}"; do
		if [ -n "${CELL[$fig|$r]:-}" ]; then
			cell=${CELL[$fig|$r]}
			M[$r]=${VAL[$fig|$r]:-}
		elif [ -n "${S[$fig|$r]:-}" ]; then
			stats "$fig" "$r"
			M[$r]=$MED
			cell=$(fmt "$unit" "$MED")
			[ "$CNT" -gt 1 ] && cell+=" ($(fmt "$unit" "$MIN")–$(fmt "$unit" "$MAX"))"
		elif [ -n "${VAL[$fig|$r]:-}" ]; then
			M[$r]=${VAL[$fig|$r]}
			cell=$(fmt "$unit" "${VAL[$fig|$r]}")
		else
			M[$r]=''
			cell='-'
		fi
		[ -n "${E[$fig|$r]:-}" ] && cell+=" **${E[$fig|$r]} failed**"
		line+=" $cell |"
	done
	for r in crun runc; do
		if [ -n "${M[$r]}" ] && [ -n "${M[sbx]}" ] && awk -v s="${M[sbx]}" 'BEGIN { exit !(s > 0) }'; then
			line+=" $(awk -v a="${M[$r]}" -v s="${M[sbx]}" 'BEGIN { printf "%.2f", a / s }') |"
		else
			line+=" - |"
		fi
	done
	echo "$line"
}

report() {
	local lines
	echo "## sbx vs crun vs runc"
	echo
	echo "Median (min–max) over the samples; ratio = runtime median / sbx median (above 1: slower or bigger than sbx)."
	echo
	echo "| figure | sbx | crun | runc | crun/sbx | runc/sbx |"
	echo "|---|---|---|---|---|---|"
	row "create+start+wait+delete /bin/true, ms (N=$iterations)" life ms
	row "· create, ms" create ms
	row "· start, ms" start ms
	row "· delete, ms" delete ms
	row "run /bin/true, ms (N=$iterations)" run ms
	row "· the same with podman's seccomp profile, ms" run-engine ms
	row "peak RSS of run, MiB ($reps runs)" rss MiB
	row "binary size, MiB" size bMiB
	row "binary size stripped, MiB" ssize bMiB
	row "smallest memory.max for run of echo ok" memmin -
	row "pids.limit 1: run of echo ok works" pids1 -
	row "$parallel in parallel: create+start+delete wall, ms (R=$rounds)" conc ms
	row "· create phase, ms" conc-create ms
	row "· start phase, ms" conc-start ms
	row "· delete phase, ms" conc-delete ms
	row "· errors per round" conc-err -
	row "exec /bin/true into a running container, ms (N=$iterations)" exec ms
	row "state with $many present, ms (N=$iterations)" state ms
	row "list with $many present, ms (N=$iterations)" list ms
	row "create, filling to $many, ms" mcreate ms
	row "delete --force of a created one, ms" mdelete ms
	echo
	echo "## Machine"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); the measurements took ${SECONDS} s"
	echo "- where: $([ "${SBX_VM:-}" = 1 ] && echo "the sbx cgroup v2 VM (tests/vm, QEMU TCG, no KVM)" || echo host)"
	echo "- kernel: $(uname -r)"
	echo "- cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), nproc $(nproc)"
	echo "- memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- cgroups: $(bench_cgroup_layout)"
	echo "- sbx: $("$SBX" --version | head -n 2 | tr '\n' ' ')(${BIN[sbx]})"
	echo "- crun: $(crun --version | head -n 1) (${BIN[crun]})"
	echo "- runc: $(runc --version | head -n 1) (${BIN[runc]})"
	echo "- parameters: N=$iterations, P=$parallel, M=$many, R=$rounds; bundle: busybox (tests/helpers/mkrootfs.sh), \`sbx spec\` config, read-only root, cgroupsPath /$CG/<id>"
	local n
	for n in "${BENCH_NOTES[@]}"; do echo "- note: $n"; done
	for r in "${RUNTIMES[@]}"; do
		if [ -s "$TMP/err.$r" ]; then
			echo "- $r stderr (last lines): \`$(tail -n 3 "$TMP/err.$r" | tr '\n`' ' \047' | cut -c1-300)\`"
		fi
	done
}

report >"$TMP/report.md"
if [ "$in_vm" = 1 ]; then
	echo "$BEGIN_MARK"
	cat "$TMP/report.md"
	echo "$END_MARK"
else
	cat "$TMP/report.md"
	mkdir -p "$(dirname "$output")" && cp "$TMP/report.md" "$output" && bench_msg "wrote $output"
fi
