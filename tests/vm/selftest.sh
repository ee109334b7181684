#!/bin/bash
# Self-test of the VM harness: boots the guest once (tests/vm/run.sh) and
# checks, from inside, the cgroup v2 setup, and from outside, that stdout and
# stderr come back, that the exit status propagates, and that guest writes do
# not reach the host. Prints "N passed, N failed"; exits 1 on any failure.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! why=$("$HERE/available.sh"); then
	echo "SKIP: VM harness not available: $why"
	exit 77
fi

pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { # check NAME COND...
	local name=$1
	shift
	if "$@"; then ok "$name"; else ko "$name"; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sbx-vm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
probe=$PWD/.sbx-vm-selftest-$$ # the guest writes it; it must not appear here

# Runs in the guest. Each check prints "PASS: ..." or "FAIL: ..." on stdout.
guest_script='
p() { echo "PASS: $*"; }
f() { echo "FAIL: $*"; }
t() { n=$1; shift; if "$@" >/dev/null 2>&1; then p "$n"; else f "$n"; fi; }
CG=/sys/fs/cgroup
fst=$(stat -f -c %T $CG)
[ "$fst" = cgroup2fs ] && p "/sys/fs/cgroup is cgroup2fs" || f "/sys/fs/cgroup is $fst, want cgroup2fs"
t "no cgroup v1 hierarchy mounted" sh -c "! cut -d\" \" -f3 /proc/mounts | grep -qx cgroup"
t "kernel booted with cgroup_no_v1=all" grep -qw cgroup_no_v1=all /proc/cmdline
ctrls=$(cat $CG/cgroup.controllers)
sub=$(cat $CG/cgroup.subtree_control)
for c in cpuset cpu io memory hugetlb pids; do
	case " $ctrls " in *" $c "*) p "controller $c available" ;; *) f "controller $c missing from cgroup.controllers ($ctrls)" ;; esac
	case " $sub " in *" $c "*) p "controller $c enabled at the root" ;; *) f "controller $c not in cgroup.subtree_control ($sub)" ;; esac
done
t "PID 1 is in a leaf cgroup, not the root" sh -c "! grep -qx 1 $CG/cgroup.procs"
d=$CG/sbx-vm-selftest
if mkdir $d; then
	p "create child cgroup"
	t "memory.max exists" test -f $d/memory.max
	t "write memory.max" sh -c "echo 64M > $d/memory.max"
	v=$(cat $d/memory.max 2>/dev/null)
	[ "$v" = 67108864 ] && p "memory.max reads back 67108864" || f "memory.max reads back $v"
	t "write pids.max" sh -c "echo 100 > $d/pids.max"
	t "write cpu.max" sh -c "echo \"50000 100000\" > $d/cpu.max"
	t "move a process into the child" sh -c "echo \$\$ > $d/cgroup.procs && [ \"\$(cut -d: -f3 /proc/self/cgroup)\" = /sbx-vm-selftest ]"
	t "remove child cgroup" rmdir $d
else
	f "create child cgroup"
fi
t "running as root" test "$(id -u)" = 0
[ "$(pwd)" = "$HOST_PWD" ] && p "cwd is the host cwd" || f "cwd is $(pwd), want $HOST_PWD"
[ "$PATH" = "$HOST_PATH" ] && p "PATH is the host PATH" || f "PATH differs: $PATH"
t "root is an overlay" sh -c "[ \"\$(stat -f -c %T /)\" = overlayfs ]"
t "write to the root (overlay)" sh -c "echo x > $PROBE"
t "hostname is sbx-vm" test "$(hostname)" = sbx-vm
t "loopback is up" sh -c "grep -q . /sys/class/net/lo/operstate && [ \$((\$(cat /sys/class/net/lo/flags) & 1)) = 1 ]"
t "/tmp is tmpfs" sh -c "[ \"\$(stat -f -c %T /tmp)\" = tmpfs ]"
echo "SELFTEST-STDOUT-MARKER"
echo "SELFTEST-STDERR-MARKER" >&2
exit 3
'

start=$(date +%s.%N)
"$HERE/run.sh" --timeout 600 \
	--env "HOST_PWD=$PWD" --env "HOST_PATH=$PATH" --env "PROBE=$probe" \
	-- "$guest_script" >"$tmp/out" 2>"$tmp/err"
rc=$?
end=$(date +%s.%N)

grep -E '^(PASS|FAIL): ' "$tmp/out"
pass=$((pass + $(grep -c '^PASS: ' "$tmp/out")))
fail=$((fail + $(grep -c '^FAIL: ' "$tmp/out")))
check "exit status propagates (exit 3 -> $rc)" test "$rc" = 3
check "stdout comes back" grep -qx SELFTEST-STDOUT-MARKER "$tmp/out"
check "stderr comes back on stderr" grep -qx SELFTEST-STDERR-MARKER "$tmp/err"
check "stdout does not carry stderr" sh -c "! grep -q SELFTEST-STDERR-MARKER '$tmp/out'"
check "guest writes do not reach the host" test ! -e "$probe"
rm -f "$probe"
if [ "$fail" -gt 0 ] || [ "$rc" != 3 ]; then
	echo "--- guest stderr:"
	cat "$tmp/err"
fi
awk -v s="$start" -v e="$end" 'BEGIN { printf "VM run took %.1f s\n", e - s }'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
