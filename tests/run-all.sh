#!/bin/bash
# run-all.sh: the test entry point of `make check`.
#
# Runs, in order:
#   1. every unit test binary $top_builddir/tests/unit/test_* (TAP output),
#      then the fuzz targets tests/fuzz/fuzz_* (ASan+UBSan) over the
#      committed corpus tests/fuzz/corpus/*;
#   2. on this host: bats --tap tests/integration, then tests/security (the
#      attack suite), then tests/engines (Docker, containerd and podman
#      driving sbx; each file starts its own private daemon);
#   3. inside a pure cgroup v2 VM (tests/vm/run.sh), when
#      tests/vm/available.sh says it can run: the tests that need real v2
#      controllers, and the masks and mounts whose kernel API changed
#      between releases (the VM's kernel is Debian's 6.1), and the fault
#      suite on a pure v2 hierarchy with controllers: $SBX_TEST_VM_FILES,
#      default below. Under TCG every fork+exec costs tens of milliseconds,
#      so this pass stays focused (~8 minutes). Then the engine tests that
#      need cgroup v2 or AppArmor, and, in a guest booted with systemd as
#      PID 1, the --systemd-cgroup tests (systemd.bats, and the systemd
#      cgroup drivers of Docker, containerd, the CRI and podman); and rdma.bats in a
#      guest running Debian's generic kernel (rdma_rxe makes a device).
# and prints the TAP of each as it goes, then the names of the failed tests,
# then one summary line: "N passed, N failed, N skipped". Exit status 1 when
# anything failed (a test, or a suite that crashed without reporting one).
#
# Environment:
#   top_srcdir, top_builddir  default: the directory above this script /
#                             the current directory if it holds ./sbx or a
#                             Makefile, else top_srcdir
#   SBX               runtime under test (default $top_builddir/sbx)
#   SBX_TEST_FILTER   regex passed to bats --filter (integration tests only)
#   SBX_TEST_VM       0: never run the VM pass; 1: require it (a missing VM is
#                     a failure); unset: run it when available
#   SBX_TEST_VM_FILES bats files/dirs for the VM pass, relative to top_srcdir
#   SBX_TEST_UNIT=0, SBX_TEST_HOST=0   skip the unit / host integration pass
#   SBX_TEST_FUZZ=0   skip the fuzz corpus replay
#   SBX_TEST_SECURITY=0, SBX_TEST_ENGINES=0   skip the attack / engine suites
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

# 1. unit tests
if [ "${SBX_TEST_UNIT:-1}" != 0 ]; then
	for t in "$top_builddir"/tests/unit/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		case $t in *.c | *.o | *.h | *.log | *.trs) continue ;; esac
		suite "unit/${t##*/}" "$t"
	done
fi

# 1b. the fuzz targets over their committed corpus, built with ASan and
# UBSan (a memory error, leak or undefined behaviour aborts the replay)
if [ "${SBX_TEST_FUZZ:-1}" != 0 ]; then
	for name in spec state json; do
		t=$top_builddir/tests/fuzz/fuzz_$name
		if [ -x "$t" ]; then
			suite "fuzz/$name" "$t" "$top_srcdir/tests/fuzz/corpus/$name"
		else
			failed=$((failed + 1))
			failures+=("fuzz/$name: $t not built (make check builds it)")
		fi
	done
fi

bats_args=(--tap)
[ -n "${SBX_TEST_FILTER:-}" ] && bats_args+=(--filter "$SBX_TEST_FILTER")

# 2. integration tests on this host
if [ "${SBX_TEST_HOST:-1}" != 0 ]; then
	if command -v bats >/dev/null; then
		suite integration bats "${bats_args[@]}" "$top_srcdir/tests/integration"
		if [ "${SBX_TEST_SECURITY:-1}" != 0 ] && [ -d "$top_srcdir/tests/security" ]; then
			suite security bats "${bats_args[@]}" "$top_srcdir/tests/security"
		fi
		if [ "${SBX_TEST_ENGINES:-1}" != 0 ] && [ -d "$top_srcdir/tests/engines" ]; then
			suite engines bats "${bats_args[@]}" "$top_srcdir/tests/engines"
		fi
	else
		failed=$((failed + 1))
		failures+=("integration: bats not found (apt package bats)")
	fi
fi

# 3. integration tests in the cgroup v2 VM
vm=${SBX_TEST_VM:-}
if [ "$vm" != 0 ]; then
	vm_files=()
	for f in ${SBX_TEST_VM_FILES:-tests/integration/cgroups.bats tests/integration/envelope.bats tests/integration/mounts.bats tests/integration/faults.bats tests/integration/check.bats tests/integration/policy-limits.bats tests/security/propagation.bats tests/integration/checkpoint.bats}; do
		[ -e "$top_srcdir/$f" ] && vm_files+=("$top_srcdir/$f")
	done
	if why=$("$top_srcdir/tests/vm/available.sh" 2>&1); then
		suite vm "$top_srcdir/tests/vm/run.sh" --timeout "${SBX_TEST_VM_TIMEOUT:-2400}" -- env \
			top_srcdir="$top_srcdir" top_builddir="$top_builddir" SBX="$SBX" \
			bats "${bats_args[@]}" "${vm_files[@]}"
		# The engines on cgroup v2: the limits Docker and podman set,
		# Docker's AppArmor profile (the VM's kernel has AppArmor),
		# Docker in Docker on a pure v2 hierarchy, and the CRI pods
		# (Kubernetes through containerd's CRI plugin: cri.bats), and
		# podman's checkpoint/restore and containerd's checkpoint (CRIU
		# works on the VM's kernel, not on every host's).
		if [ "${SBX_TEST_ENGINES:-1}" != 0 ] && [ -d "$top_srcdir/tests/engines" ]; then
			suite vm-engines "$top_srcdir/tests/vm/run.sh" --timeout "${SBX_TEST_VM_TIMEOUT:-2400}" -- env \
				top_srcdir="$top_srcdir" top_builddir="$top_builddir" SBX="$SBX" \
				bats --tap --filter "${SBX_TEST_VM_ENGINES_FILTER:-cgroup v2|AppArmor|podman run --memory|podman run --pids|docker run --rm: output|docker in an sbx container|policy: a hardened default|checkpoint}" \
				"$top_srcdir/tests/engines/docker.bats" "$top_srcdir/tests/engines/podman.bats" \
				"$top_srcdir/tests/engines/containerd.bats" \
				"$top_srcdir/tests/engines/dind.bats" "$top_srcdir/tests/engines/surface.bats" "$top_srcdir/tests/engines/cri.bats"
		fi
		# --systemd-cgroup with systemd as PID 1 (a second boot of the
		# guest, under systemd): sbx's scopes, and the systemd cgroup
		# drivers of Docker, containerd (ctr and CRI) and podman.
		sd_files=("$top_srcdir/tests/integration/systemd.bats")
		if [ "${SBX_TEST_ENGINES:-1}" != 0 ] && [ -d "$top_srcdir/tests/engines" ]; then
			sd_files+=("$top_srcdir/tests/engines/docker-systemd.bats"
				"$top_srcdir/tests/engines/containerd-systemd.bats"
				"$top_srcdir/tests/engines/podman-systemd.bats"
				"$top_srcdir/tests/engines/cri-systemd.bats")
		fi
		suite vm-systemd "$top_srcdir/tests/vm/run.sh" --systemd --timeout "${SBX_TEST_VM_TIMEOUT:-2400}" -- env \
			top_srcdir="$top_srcdir" top_builddir="$top_builddir" SBX="$SBX" \
			bats "${bats_args[@]}" "${sd_files[@]}"
		# rdma limits need an RDMA device: Debian's generic kernel (the
		# cloud one has no soft-RDMA driver) with rdma_rxe, in a third boot.
		generic=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v -- -cloud- | sort -V | tail -n1)
		if [ -n "$generic" ]; then
			suite vm-rdma env SBX_VM_KERNEL="$generic" "$top_srcdir/tests/vm/run.sh" \
				--timeout "${SBX_TEST_VM_TIMEOUT:-2400}" -- env \
				top_srcdir="$top_srcdir" top_builddir="$top_builddir" SBX="$SBX" \
				bats "${bats_args[@]}" "$top_srcdir/tests/integration/rdma.bats"
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
