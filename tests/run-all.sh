#!/bin/bash
# run-all.sh: the test entry point of `make check`.
#
# Runs, in order:
#   1. every unit test binary $top_builddir/tests/unit/test_* (TAP output),
#      then the fuzz targets tests/fuzz/fuzz_* (ASan+UBSan) over the
#      committed corpus tests/fuzz/corpus/*;
#   2. the bats files of tests/integration, tests/security (the attack
#      suite) and tests/engines (Docker, containerd, podman and the CRI
#      driving sbx; each file starts its own private daemon), each test in
#      the passes its tags name:
#      host        on this host, one bats run per directory
#      vm          in a pure cgroup v2 VM (tests/vm/run.sh, Debian's 6.1
#                  kernel), when tests/vm/available.sh says it can run: the
#                  tests that need real v2 controllers, the masks and mounts
#                  whose kernel API changed between releases, the fault
#                  suite on a v2 hierarchy with controllers; then, in a
#                  second boot (label vm-engines), the engine tests tagged vm
#                  (the limits Docker, podman and the CRI set, Docker's
#                  AppArmor profile, Docker in Docker). Under TCG every
#                  fork+exec costs tens of milliseconds: keep this pass small.
#      vm-systemd  in a guest booted with systemd as PID 1: --systemd-cgroup
#                  (systemd.bats, the systemd cgroup drivers of the engines)
#      vm-rdma     in a guest running Debian's generic kernel, where rdma_rxe
#                  makes an RDMA device (rdma.bats)
# and prints the TAP of each as it goes, then the names of the failed tests,
# then one summary line: "N passed, N failed, N skipped". Exit status 1 when
# anything failed (a test, or a suite that crashed without reporting one).
#
# Tags are bats' own (bats 1.8: `bats --filter-tags`):
#   # bats file_tags=host,vm     once per file, before its first @test
#   # bats test_tags=vm          on the line above one @test: adds to the
#                                file's tags for that test only
# To add a bats file: put it in one of the three directories with a
# file_tags line; nothing here changes. Before running anything this script
# checks every file: a file without exactly one file_tags line, a test with
# no tag, an unknown tag, or a .bats file elsewhere under tests/ fails the
# whole run, so no test silently drops out of a pass.
# SBX_TEST_LIST=1 runs nothing and prints what would run, one line each:
# "PASS<TAB>FILE<TAB>TEST NAME" (and "unit"/"fuzz" lines for the binaries),
# then checks that bats itself selects as many tests per pass.
#
# Environment:
#   top_srcdir, top_builddir  default: the directory above this script /
#                             the current directory if it holds ./sbx or a
#                             Makefile, else top_srcdir
#   SBX               runtime under test (default $top_builddir/sbx)
#   SBX_TEST_LIST=1   list, do not run (above)
#   SBX_TEST_FILTER   regex over test names (bats --filter), in every pass
#   SBX_TEST_VM       0: never run the VM passes; 1: require them (a missing
#                     VM is a failure); unset: run them when available
#   SBX_TEST_VM_FILES bats files for the vm pass instead of the ones tagged
#                     vm (whole files, paths relative to top_srcdir)
#   SBX_TEST_UNIT=0, SBX_TEST_HOST=0   skip the unit tests / the host pass
#   SBX_TEST_FUZZ=0   skip the fuzz corpus replay
#   SBX_TEST_SECURITY=0, SBX_TEST_ENGINES=0   leave tests/security /
#                     tests/engines out of every pass
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
if [ -z "${top_builddir:-}" ]; then
	if [ -x ./sbx ] || [ -f ./Makefile ]; then
		top_builddir=$(pwd)
	else
		top_builddir=$top_srcdir
	fi
fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
SBX=${SBX:-$top_builddir/sbx}
export top_srcdir top_builddir SBX
list=${SBX_TEST_LIST:-0}

passed=0 failed=0 skipped=0
failures=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sbx-run-all.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# tally LABEL FILE STATUS: count the TAP results in FILE.
tally() {
	local label=$1 file=$2 st=$3 line name plan=0 seen=0 f0=$failed
	while IFS= read -r line; do
		case $line in
		1..*)
			plan=${line#1..}
			plan=${plan%%[!0-9]*}
			;;
		"ok "* | "not ok "*)
			seen=$((seen + 1))
			name=${line#not ok }
			name=${name#ok }
			shopt -s nocasematch
			if [[ $line =~ \#\ *(skip|todo) ]]; then
				skipped=$((skipped + 1))
			elif [[ $line == "ok "* ]]; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
				failures+=("$label: $name")
			fi
			shopt -u nocasematch
			;;
		esac
	done <"$file"
	if [ "${plan:-0}" -gt "$seen" ]; then
		failed=$((failed + plan - seen))
		failures+=("$label: $((plan - seen)) planned tests did not report (crash?)")
	fi
	if [ "$st" -ne 0 ] && [ "$failed" -eq "$f0" ]; then
		failed=$((failed + 1))
		failures+=("$label: exited with status $st without a failed test")
	fi
}

# suite LABEL CMD...: run CMD, show its output, tally its TAP.
suite() {
	local label=$1 st out
	shift
	out=$tmp/out.$RANDOM
	echo "# ---- $label: $*"
	"$@" 2>&1 | tee "$out"
	st=${PIPESTATUS[0]}
	tally "$label" "$out" "$st"
}

# The bats tests and their tags (see the header). Every file of the three
# directories is read once here: T_FILE[i] T_TAGS[i] (",tag,tag,")
# T_NAME[i] per test, as bats 1.8's preprocessor reads them.
known_tags=" host vm vm-systemd vm-rdma "
bats_dirs=(integration security engines)
T_FILE=() T_TAGS=() T_NAME=()
tag_errors=()

# read_tests FILE: append FILE's tests to T_*; note what is wrong with its tags.
read_tests() {
	local f=$1 rel=${1#"$top_srcdir"/} line n=0 lineno=0 ftags='' ttags='' nftags=0 t tags list
	local test_re='^[[:blank:]]*@test[[:blank:]]+(.*[^[:blank:]])[[:blank:]]+\{'
	local tag_re='^[[:blank:]]*#[[:blank:]]*bats[[:blank:]]+(file|test)_tags=(.*)$'
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		if [[ $line =~ $tag_re ]]; then
			tags=,
			IFS=', ' read -ra list <<<"${BASH_REMATCH[2]}"
			for t in "${list[@]}"; do
				[[ $known_tags == *" $t "* ]] ||
					tag_errors+=("$rel:$lineno: unknown tag '$t' (known:$known_tags)")
				tags+=$t,
			done
			if [ "${BASH_REMATCH[1]}" = file ]; then
				nftags=$((nftags + 1))
				[ "$n" -eq 0 ] || tag_errors+=("$rel:$lineno: file_tags after the first @test")
				ftags=$tags
			else
				ttags=$tags
			fi
		elif [[ $line =~ $test_re ]]; then
			n=$((n + 1))
			t=${BASH_REMATCH[1]#[\'\"]}
			T_FILE+=("$f") T_NAME+=("${t%[\'\"]}") T_TAGS+=("$ftags${ttags#,}")
			[[ ${T_TAGS[-1]} == *[!,]* ]] ||
				tag_errors+=("$rel:$lineno: a test without tags: ${t%[\'\"]}")
			ttags=
		fi
	done <"$f"
	[ "$nftags" -eq 1 ] || tag_errors+=("$rel: needs exactly one '# bats file_tags=...' line, has $nftags")
}

for d in "${bats_dirs[@]}"; do
	for f in "$top_srcdir/tests/$d"/*.bats; do
		[ -e "$f" ] && read_tests "$f"
	done
done
# a bats file anywhere else would be run by no pass
while IFS= read -r f; do
	case ${f#"$top_srcdir"/tests/} in
	integration/*/* | security/*/* | engines/*/*) ;;
	integration/* | security/* | engines/*) continue ;;
	esac
	tag_errors+=("${f#"$top_srcdir"/}: outside tests/integration, tests/security and tests/engines: no pass runs it")
done < <(find "$top_srcdir/tests" -name '*.bats')
if [ ${#tag_errors[@]} -gt 0 ]; then
	for e in "${tag_errors[@]}"; do
		echo "# tags: $e"
	done
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

# 1. unit tests
if [ "${SBX_TEST_UNIT:-1}" != 0 ]; then
	for t in "$top_builddir"/tests/unit/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		case $t in *.c | *.o | *.h | *.log | *.trs) continue ;; esac
		if [ "$list" = 1 ]; then
			printf 'unit\t%s\n' "${t#"$top_builddir"/}"
		else
			suite "unit/${t##*/}" "$t"
		fi
	done
fi

# 1b. the fuzz targets over their committed corpus, built with ASan and
# UBSan (a memory error, leak or undefined behaviour aborts the replay)
if [ "${SBX_TEST_FUZZ:-1}" != 0 ]; then
	for name in spec state json; do
		t=$top_builddir/tests/fuzz/fuzz_$name
		if [ "$list" = 1 ]; then
			printf 'fuzz\t%s\t%s\n' "${t#"$top_builddir"/}" "tests/fuzz/corpus/$name"
		elif [ -x "$t" ]; then
			suite "fuzz/$name" "$t" "$top_srcdir/tests/fuzz/corpus/$name"
		else
			failed=$((failed + 1))
			failures+=("fuzz/$name: $t not built (make check builds it)")
		fi
	done
fi

bats_filter=()
[ -n "${SBX_TEST_FILTER:-}" ] && bats_filter=(--filter "$SBX_TEST_FILTER")

# bats_pass LABEL TAG DIR... [-- WRAPPER...]: the tests of tests/DIR/*.bats
# tagged TAG, run by bats (under WRAPPER, the VM harness, if given), or
# listed under SBX_TEST_LIST=1.
bats_pass() {
	local label=$1 tag=$2 dirs=() files=() wrapper=() i n f want
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		dirs+=("$top_srcdir/tests/$1/")
		shift
	done
	[ $# -gt 0 ] && shift && wrapper=("$@")
	n=0
	for i in "${!T_FILE[@]}"; do
		f=${T_FILE[i]}
		[[ ${T_TAGS[i]} == *",$tag,"* ]] || continue
		[[ " ${dirs[*]} " == *" ${f%/*}/ "* ]] || continue
		[[ " ${files[*]} " == *" $f "* ]] || files+=("$f")
		[ -z "${SBX_TEST_FILTER:-}" ] || [[ ${T_NAME[i]} =~ $SBX_TEST_FILTER ]] || continue
		n=$((n + 1))
		if [ "$list" = 1 ]; then
			# the name as TAP prints it (bats evaluates it in double quotes)
			f=${T_NAME[i]//\\\"/\"}
			printf '%s\t%s\t%s\n' "$label" "${T_FILE[i]#"$top_srcdir"/}" "$f"
		fi
	done
	if [ ${#files[@]} -eq 0 ]; then
		echo "# ---- $label: no test is tagged $tag"
		return 0
	fi
	if [ "$list" = 1 ]; then
		# what bats itself selects must be what was listed
		want=$(bats --count --filter-tags "$tag" "${bats_filter[@]}" "${files[@]}")
		if [ "$want" != "$n" ]; then
			failed=$((failed + 1))
			failures+=("$label: listed $n tests, bats --filter-tags $tag counts $want")
		fi
		return 0
	fi
	suite "$label" "${wrapper[@]}" bats --tap --filter-tags "$tag" "${bats_filter[@]}" "${files[@]}"
}

host_dirs=(integration)
vm_dirs=(integration)
engine_dirs=()
if [ "${SBX_TEST_SECURITY:-1}" != 0 ]; then
	host_dirs+=(security) vm_dirs+=(security)
fi
if [ "${SBX_TEST_ENGINES:-1}" != 0 ]; then
	engine_dirs=(engines)
fi

# 2. the host pass
if [ "${SBX_TEST_HOST:-1}" != 0 ]; then
	if command -v bats >/dev/null; then
		for d in "${host_dirs[@]}" "${engine_dirs[@]}"; do
			bats_pass "$d" host "$d"
		done
	else
		failed=$((failed + 1))
		failures+=("host: bats not found (apt package bats)")
	fi
fi

# 3. the VM passes: one boot of the guest each
vm=${SBX_TEST_VM:-}
if [ "$vm" != 0 ]; then
	in_vm=(env top_srcdir="$top_srcdir" top_builddir="$top_builddir" SBX="$SBX")
	vm_run=("$top_srcdir/tests/vm/run.sh" --timeout "${SBX_TEST_VM_TIMEOUT:-2400}" --)
	vm_ok=0
	if [ "$list" = 1 ]; then
		vm_ok=1
	elif why=$("$top_srcdir/tests/vm/available.sh" 2>&1); then
		vm_ok=1
	fi
	if [ "$vm_ok" = 1 ]; then
		if [ -n "${SBX_TEST_VM_FILES:-}" ]; then
			vm_files=()
			for f in $SBX_TEST_VM_FILES; do
				vm_files+=("$top_srcdir/$f")
			done
			if [ "$list" = 1 ]; then
				printf 'vm\t%s\t(whole file)\n' $SBX_TEST_VM_FILES
			else
				suite vm "${vm_run[@]}" "${in_vm[@]}" bats --tap "${bats_filter[@]}" "${vm_files[@]}"
			fi
		else
			bats_pass vm vm "${vm_dirs[@]}" -- "${vm_run[@]}" "${in_vm[@]}"
		fi
		# the engines on cgroup v2 (the limits Docker, podman and the
		# CRI set; Docker's AppArmor profile; Docker in Docker)
		[ ${#engine_dirs[@]} -eq 0 ] ||
			bats_pass vm-engines vm engines -- "${vm_run[@]}" "${in_vm[@]}"
		# --systemd-cgroup with systemd as PID 1 (a second boot)
		bats_pass vm-systemd vm-systemd "${vm_dirs[@]}" "${engine_dirs[@]}" -- \
			"$top_srcdir/tests/vm/run.sh" --systemd --timeout "${SBX_TEST_VM_TIMEOUT:-2400}" -- "${in_vm[@]}"
		# rdma limits need an RDMA device: Debian's generic kernel (the
		# cloud one has no soft-RDMA driver) with rdma_rxe, in a third boot.
		generic=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v -- -cloud- | sort -V | tail -n1)
		if [ -n "$generic" ] || [ "$list" = 1 ]; then
			bats_pass vm-rdma vm-rdma "${vm_dirs[@]}" "${engine_dirs[@]}" -- \
				env SBX_VM_KERNEL="$generic" "${vm_run[@]}" "${in_vm[@]}"
		else
			failed=$((failed + 1))
			failures+=("vm-rdma: no generic kernel in /boot (apt package linux-image-amd64; bootstrap.sh installs it)")
		fi
	elif [ "$vm" = 1 ]; then
		failed=$((failed + 1))
		failures+=("vm: not available: $why")
	else
		echo "# ---- vm: skipped: $why"
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failed:"
	for f in "${failures[@]}"; do
		echo "#   $f"
	done
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
