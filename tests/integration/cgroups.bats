#!/usr/bin/env bats
# cgroups.bats: cgroup v2 placement, resources, update, pause/resume, ps,
# events, kill --all, delete. The resource tests need a pure cgroup v2 host
# with all controllers (`requires cgroup2`): they run in the project's VM
# (tests/vm), and are skipped, with that reason, on a hybrid host. The
# hybrid-host tests check what sbx does there: run without limits, refuse
# limits it cannot enforce.

# bats file_tags=host,vm

load helpers

setup() {
	sbx_setup
	CG_ROOT=$(cg_root)
	CG_REL=/sbx-test-$$-$BATS_TEST_NUMBER
	update_config '.linux.cgroupsPath = $p' --arg p "$CG_REL/c"
	CG=$CG_ROOT$CG_REL/c
}

teardown() {
	sbx_teardown
	rmdir "$CG_ROOT$CG_REL" 2>/dev/null || true
}

@test "the init sits in cgroupsPath before it runs, and delete removes the cgroup" {
	start_ctr c1 /bin/sleep 100
	grep -qx "$CTR_PID" "$CG/cgroup.procs"
	[ "$(grep '^0::' /proc/$CTR_PID/cgroup)" = "0::$CG_REL/c" ]
	run sbx delete --force c1
	[ "$status" -eq 0 ]
	[ ! -d "$CG" ]
}

# The driver is chosen once, at create, and recorded (issue #14); a
# state.json from before the field is read as create decided then.
@test "the cgroup driver is recorded in state.json and owned.json; a state without it still works" {
	start_ctr c1 /bin/sleep 100
	[ "$(jq -r .cgroupDriver "$ROOT/c1/state.json")" = v2 ]
	[ "$(jq -r .cgroupDriver "$ROOT/c1/owned.json")" = v2 ]
	f=$ROOT/c1/state.json
	jq -c 'del(.cgroupDriver)' "$f" >"$f.x" && mv "$f.x" "$f"
	run sbx pause c1
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/cgroup.freeze")" = 1 ]
	run sbx resume c1
	[ "$status" -eq 0 ]
	[ "$(ctr_status c1)" = running ]
	# a driver nobody knows: the state is unreadable, delete --force works
	jq -c '.cgroupDriver = "cgroupfs"' "$f" >"$f.x" && mv "$f.x" "$f"
	run sbx pause c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown cgroupDriver"* ]]
	run sbx delete --force c1
	[ "$status" -eq 0 ]
	[ ! -d "$CG" ]
	[ ! -e "$ROOT/c1" ]
	wait_pid_gone "$CTR_PID"
}

@test "a cgroupsPath with .. is refused before anything is made" {
	update_config '.linux.cgroupsPath = "/a/../../escape"'
	run sbx run --bundle "$BUNDLE" c2
	[ "$status" -ne 0 ]
	[[ "$output" == *cgroupsPath*..* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	[ ! -e "$CG_ROOT/escape" ]
}

@test "hybrid host: a limit sbx cannot enforce is a clear error, nothing is left" {
	[ "$CG_ROOT" = /sys/fs/cgroup/unified ] || skip "only on a hybrid (v1+v2) host"
	grep -qw memory "$CG_ROOT/cgroup.controllers" && skip "memory is on v2 here"
	update_config '.linux.resources.memory = {"limit": 33554432}'
	run sbx run --bundle "$BUNDLE" c3
	[ "$status" -ne 0 ]
	[[ "$output" == *"memory controller is not available"* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	[ ! -d "$CG" ]
}

@test "memory: limit, reservation and swap land in memory.max/low/swap.max" {
	requires cgroup2
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 100663296}'
	start_ctr m1 /bin/sh -c 'cat /sys/fs/cgroup/memory.max; sleep 100'
	wait_output m1 67108864
	[ "$(cat "$CG/memory.max")" = 67108864 ]
	[ "$(cat "$CG/memory.low")" = 33554432 ]
	[ "$(cat "$CG/memory.swap.max")" = 33554432 ]
}

@test "memory: a process that exceeds memory.max is OOM-killed" {
	requires cgroup2
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args /bin/tail /dev/zero
	run sbx run --bundle "$BUNDLE" m2
	echo "$output"
	[ "$status" -eq 137 ]
}

@test "memory: swap below limit and disableOOMKiller are refused" {
	requires cgroup2
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 1048576}'
	run sbx run --bundle "$BUNDLE" m3
	[ "$status" -ne 0 ]
	[[ "$output" == *"memory.swap"* ]]
	update_config '.linux.resources.memory = {"disableOOMKiller": true}'
	run sbx run --bundle "$BUNDLE" m4
	[ "$status" -ne 0 ]
	[[ "$output" == *disableOOMKiller* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "pids: fork fails at pids.max" {
	requires cgroup2
	update_config '.linux.resources.pids = {"limit": 5}'
	set_args /bin/sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done 2>&1; wait'
	run sbx run --bundle "$BUNDLE" p1
	echo "$output"
	[[ "$output" == *"can't fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
	# busybox sh gives up with status 2 when fork fails
	[ "$status" -eq 2 ]
}

@test "pids.limit 1: the container still runs one process" {
	requires cgroup2
	update_config '.linux.resources.pids = {"limit": 1}'
	set_args /bin/echo ok
	run sbx run --bundle "$BUNDLE" p2
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "cpu: shares, quota/period, cpuset, idle" {
	requires cgroup2
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0", "idle": 0}'
	start_ctr u1 /bin/sleep 100
	[ "$(cat "$CG/cpu.weight")" = 20 ]
	[ "$(cat "$CG/cpu.max")" = "50000 100000" ]
	[ "$(cat "$CG/cpuset.cpus")" = 0 ]
	[ "$(cat "$CG/cpu.idle")" = 0 ]
}

@test "cpu: realtime settings are refused on cgroup v2" {
	requires cgroup2
	update_config '.linux.resources.cpu = {"realtimeRuntime": 1000}'
	run sbx run --bundle "$BUNDLE" u2
	[ "$status" -ne 0 ]
	[[ "$output" == *realtime* ]]
}

@test "blockIO: weight converts to io.weight" {
	requires cgroup2
	grep -qw io "$CG_ROOT/cgroup.controllers" || skip "no io controller"
	update_config '.linux.resources.blockIO = {"weight": 500}'
	start_ctr b1 /bin/sleep 100
	[ "$(head -1 "$CG/io.weight")" = "default 4950" ]
}

@test "blockIO per-device weight and throttles, hugepageLimits, cpu burst land in their files" {
	requires cgroup2
	grep -qw io "$CG_ROOT/cgroup.controllers" || skip "no io controller"
	grep -qw hugetlb "$CG_ROOT/cgroup.controllers" || skip "no hugetlb controller"
	# a loop device is a real block device the io controller accepts
	truncate -s 8M "$BATS_TEST_TMPDIR/disk"
	modprobe loop 2>/dev/null || true
	loop=$(losetup -f --show "$BATS_TEST_TMPDIR/disk") || skip "no loop device (module loop)"
	maj=$((16#$(stat -c %t "$loop"))) min=$((16#$(stat -c %T "$loop")))
	# per-device io.weight is iocost's: switch it on for this device
	echo "$maj:$min enable=1" >"$CG_ROOT/io.cost.qos" || skip "no iocost (io.cost.qos) for $loop"
	update_config '.linux.resources.blockIO = {"weight": 100,
			"weightDevice": [{"major": $ma, "minor": $mi, "weight": 300}],
			"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}],
			"throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 50}]}
		| .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]
		| .linux.resources.cpu = {"quota": 50000, "period": 100000, "burst": 20000}' \
		--argjson ma "$maj" --argjson mi "$min"
	start_ctr io1 /bin/sleep 100
	st=0
	grep -q "^$maj:$min rbps=1048576 wbps=max riops=max wiops=50" "$CG/io.max" || st=1
	grep -q "^$maj:$min " "$CG/io.weight" || st=1
	[ "$(cat "$CG/hugetlb.2MB.max")" = 4194304 ] || st=1
	[ "$(cat "$CG/cpu.max.burst")" = 20000 ] || st=1
	cat "$CG/io.max" "$CG/io.weight" "$CG/hugetlb.2MB.max" "$CG/cpu.max.burst"
	sbx delete --force io1
	echo "$maj:$min enable=0" >"$CG_ROOT/io.cost.qos"
	losetup -d "$loop"
	[ "$st" -eq 0 ]
}

@test "events: an OOM kill inside a running container is reported as an oom event" {
	requires cgroup2
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	start_ctr oom1 /bin/sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; exec sleep 100'
	out=$BATS_TEST_TMPDIR/events.out
	timeout 60 "$SBX" --root "$ROOT" events --interval 1 oom1 >"$out" 2>&1 3>&- &
	track_pid $!
	# the OOM comes once events watches (its first stats line is out)
	retry 200 0.1 grep -q '"type":"stats"' "$out"
	touch "$ROOTFS/tmp/go"
	retry 300 0.1 grep -q '"type":"oom"' "$out"
	grep -q '"id":"oom1"' "$out"
	# the container lives on: only tail was killed
	[ "$(sbx state oom1 | jq -r .status)" = running ]
}

@test "unified: raw keys are written; keys that leave the cgroup are refused" {
	requires cgroup2
	update_config '.linux.resources.unified = {"memory.high": "50000000", "pids.max": "7"}'
	start_ctr f1 /bin/sleep 100
	[ "$(cat "$CG/memory.high")" = 49999872 ] || [ "$(cat "$CG/memory.high")" = 50000000 ]
	[ "$(cat "$CG/pids.max")" = 7 ]
	for key in ../cgroup.procs cgroup.procs cgroup.subtree_control memory.max/../../x /etc/passwd nodot; do
		# f2 in a cgroup of its own: f1's, which has processes, is refused (#13)
		update_config '.linux.resources.unified = {($k): "1"} | .linux.cgroupsPath = $p' \
			--arg k "$key" --arg p "$CG_REL/f2"
		run sbx run --bundle "$BUNDLE" f2
		[ "$status" -ne 0 ]
		[[ "$output" == *unified* ]]
	done
	[ "$(ls "$ROOT")" = f1 ]
}

@test "update: flags and --resources JSON change a running container's limits" {
	requires cgroup2
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 100}}'
	start_ctr up1 /bin/sleep 100
	run sbx update --memory 128m --pids-limit 50 up1
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/memory.max")" = 134217728 ]
	[ "$(cat "$CG/pids.max")" = 50 ]
	# Docker's JSON on stdin: zeros leave values unchanged
	run sbx update -r - up1 <<<'{"memory":{"limit":0,"reservation":0,"kernel":0},"cpu":{"shares":0,"quota":50000,"period":100000},"pids":{"limit":60},"blockIO":{"weight":0}}'
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/memory.max")" = 134217728 ]
	[ "$(cat "$CG/cpu.max")" = "50000 100000" ]
	[ "$(cat "$CG/pids.max")" = 60 ]
	run sbx update --cpu-period 200000 up1
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/cpu.max")" = "50000 200000" ]
	run sbx update --memory nonsense up1
	[ "$status" -ne 0 ]
}

@test "pause and resume: cgroup.freeze, state paused, exec refused while paused" {
	start_ctr z1 /bin/sleep 100
	run sbx pause z1
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/cgroup.freeze")" = 1 ]
	grep -q 'frozen 1' "$CG/cgroup.events"
	[ "$(ctr_status z1)" = paused ]
	run sbx exec z1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *paused* ]]
	run sbx pause z1
	[ "$status" -ne 0 ]
	run sbx resume z1
	[ "$status" -eq 0 ]
	[ "$(ctr_status z1)" = running ]
	grep -q 'frozen 0' "$CG/cgroup.events"
}

# issue #12: runc's --ignore-paused was an unknown option.
@test "exec --ignore-paused: the process joins the paused container and runs once resumed" {
	start_ctr z2 /bin/sleep 100
	run sbx pause z2
	[ "$status" -eq 0 ]
	sbx exec --ignore-paused z2 /bin/sh -c 'echo ran >/tmp/ip' </dev/null >"$BATS_TEST_TMPDIR/ip.out" 2>&1 3>&- &
	x=$!
	track_pid $x
	sleep 1
	kill -0 "$x"
	[ ! -e "$ROOTFS/tmp/ip" ]
	[ "$(ctr_status z2)" = paused ]
	run sbx resume z2
	[ "$status" -eq 0 ]
	wait "$x"
	[ "$(cat "$ROOTFS/tmp/ip")" = ran ]
}

@test "ps --format json: a bare array of host pids, nothing on stderr" {
	start_ctr ps1 /bin/sh -c 'sleep 100 & sleep 100'
	retry 50 0.1 test "$(wc -l <"$CG/cgroup.procs")" -ge 2
	run --separate-stderr sbx ps --format json ps1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jq -r 'length' <<<"$output")" -ge 2 ]
	jq -e --argjson p "$CTR_PID" 'index($p) != null' <<<"$output"
}

# issue #12: ps read only the container's own cgroup.procs.
@test "ps lists the processes of the whole subtree (the init moved into a child cgroup)" {
	start_ctr ps2 /bin/sleep 100
	mkdir "$CG/init" "$CG/a" "$CG/a/b"
	echo "$CTR_PID" >"$CG/init/cgroup.procs"
	# (not through bats' run: a later exec then fails with ESRCH, also before this change)
	sbx exec -d --pid-file "$BATS_TEST_TMPDIR/x.pid" --cgroup a/b ps2 /bin/sleep 100 </dev/null >/dev/null 2>&1 3>&-
	x=$(cat "$BATS_TEST_TMPDIR/x.pid")
	[ -z "$(cat "$CG/cgroup.procs")" ]
	run --separate-stderr sbx ps --format json ps2
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jq -e --argjson p "$CTR_PID" --argjson x "$x" 'index($p) != null and index($x) != null and length == 2' <<<"$output"
}

# issue #12: "--cgroup /sub" was refused; runc reads it as a sub-cgroup.
@test "exec --cgroup /sub and sub: a sub-cgroup of the container's; .. stays refused" {
	start_ctr x1 /bin/sleep 100
	mkdir "$CG/sub"
	for arg in /sub sub //sub/; do
		sbx exec -d --pid-file "$BATS_TEST_TMPDIR/x.pid" --cgroup "$arg" x1 /bin/sleep 100 </dev/null >/dev/null 3>&-
		[ "$(grep '^0::' "/proc/$(cat "$BATS_TEST_TMPDIR/x.pid")/cgroup")" = "0::$CG_REL/c/sub" ]
	done
	sbx exec -d --pid-file "$BATS_TEST_TMPDIR/x.pid" --cgroup / x1 /bin/sleep 100 </dev/null >/dev/null 3>&-
	[ "$(grep '^0::' "/proc/$(cat "$BATS_TEST_TMPDIR/x.pid")/cgroup")" = "0::$CG_REL/c" ]
	for arg in /.. ../c /sub/../.. sub/../../..; do
		run sbx exec --cgroup "$arg" x1 /bin/true
		[ "$status" -ne 0 ]
		[[ "$output" == *"not allowed"* ]]
	done
	run sbx exec --cgroup /missing x1 /bin/true
	[ "$status" -ne 0 ]
}

@test "events --stats: one JSON line with real numbers" {
	requires cgroup2
	update_config '.linux.resources.memory = {"limit": 67108864}'
	start_ctr ev1 /bin/sleep 100
	run --separate-stderr sbx events --stats ev1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = ev1 ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
	[ "$(jq -r .data.memory.usage.usage <<<"$output")" -gt 0 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
	[ "$(jq -r .data.cpu.usage.total <<<"$output")" -gt 0 ]
}

@test "kill --all reaches every process of the cgroup" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	start_ctr ka /bin/sh -c 'sleep 100 & sleep 100'
	retry 50 0.1 test "$(wc -l <"$CG/cgroup.procs")" -ge 2
	pids=$(cat "$CG/cgroup.procs")
	run sbx kill --all ka KILL
	[ "$status" -eq 0 ]
	for p in $pids; do wait_pid_gone "$p"; done
}

@test "delete --force of a container with lingering processes removes its cgroup" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	start_ctr dl /bin/sh -c 'sleep 100 & sleep 100 & sleep 100'
	retry 50 0.1 test "$(wc -l <"$CG/cgroup.procs")" -ge 3
	run sbx delete --force dl
	[ "$status" -eq 0 ]
	[ ! -d "$CG" ]
}

@test "devices: the eBPF allow-list denies what the config denies, allows defaults and linux.devices" {
	requires probe
	[ -c /dev/kmsg ] || skip "no /dev/kmsg on this host"
	# Docker's list: deny all, allow a few, deny 10:229 (fuse)
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
		{"allow": false, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]
		| .linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
		| .mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]
		| .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	set_args /bin/sh -c 'probe read /dev/kmsg; probe mknod /dev/myfuse c 10 229; probe write /dev/myfuse
		probe mknod /dev/myzero c 1 5; probe read /dev/myzero; probe write /dev/mynull; probe write /dev/null
		probe read /dev/urandom; probe mknod /dev/mytun c 10 200; probe write /dev/mytun'
	run sbx run --bundle "$BUNDLE" dv1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EPERM ]   # bound in, but denied by the program
	# mknod of any node is a default, as in runc (c *:* m, b *:* m), even
	# of one the config denies; opening it is what stays denied
	[ "${lines[1]}" = ok ]
	[ "${lines[2]}" = EPERM ]
	[ "${lines[3]}" = ok ]      # an allowed one: mknod and open
	[ "${lines[4]}" = ok ]
	[ "${lines[5]}" = ok ]      # linux.devices are allowed
	[ "${lines[6]}" = ok ]      # defaults are allowed
	[ "${lines[7]}" = ok ]
	# /dev/net/tun (c 10:200) is a default too; without the tun module the
	# open fails in the driver (ENODEV), never in the program
	[ "${lines[8]}" = ok ]
	[ "${lines[9]}" != EPERM ]
	# from the host: exactly one device program on the container's cgroup
	start_ctr dv2 /bin/sleep 100
	command -v bpftool >/dev/null || return 0
	[ "$(bpftool cgroup show "$CG" | grep -c cgroup_device)" -eq 1 ]
}

# Bug fixed on branch issue12a (issue #12): every linux.devices node was
# allowed rwm in the program, whatever linux.resources.devices denied.
@test "devices: a linux.devices node gets only what linux.resources.devices allows (as runc)" {
	requires probe
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
		| .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438},
			{"path": "/dev/mykmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]'
	set_args /bin/sh -c 'ls -l /dev/fuse | cut -c1; probe read /dev/fuse; probe write /dev/mykmsg
		probe write /dev/null; probe read /dev/zero; probe read /dev/urandom'
	run sbx run --bundle "$BUNDLE" dvn
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = c ]       # the node is created
	[ "${lines[1]}" = EPERM ]   # but denied, as in runc
	[ "${lines[2]}" = EPERM ]
	[ "${lines[3]}" = ok ]      # runc's defaults stay allowed
	[ "${lines[4]}" = ok ]
	[ "${lines[5]}" = ok ]
	# an engine that wants the node open says so (Docker adds the rule)
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	set_args /bin/sh -c 'probe read /dev/fuse; probe write /dev/mykmsg'
	run sbx run --bundle "$BUNDLE" dvn2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != EPERM ]
	[ "${lines[1]}" = EPERM ]
}

@test "devices: update replaces the program" {
	requires probe
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
		| .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	start_ctr dv3 /bin/sleep 100
	# /dev/kmsg: opening it write-only needs no capability, so EPERM can only
	# come from the program (mknod is always allowed, see above)
	run sbx exec dv3 probe mknod /dev/mykmsg c 1 11
	[ "$output" = ok ]
	run sbx exec dv3 probe write /dev/mykmsg
	[ "$output" = EPERM ]
	run sbx update -r - dv3 <<<'{"devices": [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]}'
	[ "$status" -eq 0 ]
	run sbx exec dv3 probe write /dev/mykmsg
	[ "$output" = ok ]
	run sbx exec dv3 probe read /dev/mykmsg
	[ "$output" = EPERM ]
}

@test "nesting: sbx inside an sbx container with its own cgroup namespace enforces limits" {
	requires cgroup2
	# The outer container: privileged-style (all capabilities, no masks),
	# a cgroup namespace and a writable cgroup2 mount, the static sbx bound
	# in. Its init (sh) sits in its cgroup namespace root, so the inner sbx
	# must move it to a leaf before it can enable controllers there.
	mkdir -p "$ROOTFS/inner"
	cp -a "$BATS_RUN_TMPDIR/template/rootfs" "$ROOTFS/inner/rootfs"
	jq '.process.args = ["/bin/sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"]
		| .linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 20}}
		| .linux.cgroupsPath = "/inner-c"' "$BUNDLE/config.json" >"$ROOTFS/inner/config.json"
	all_caps=$(grep -o 'CAP_[A-Z_]*' <<<"$(sbx features)" | sort -u | jq -R . | jq -s .)
	update_config '.process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}
		| .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .mounts |= map(if .destination == "/sys/fs/cgroup"
			then .options = ["nosuid", "noexec", "nodev", "rw"] else . end)
		| .mounts |= map(if .destination == "/sys" then .options -= ["ro"] else . end)
		| .mounts += [{"destination": "/bin/sbx", "type": "bind", "source": $sbx, "options": ["bind", "ro"]}]' \
		--argjson c "$all_caps" --arg sbx "$SBX"
	touch "$ROOTFS/bin/sbx"
	set_args /bin/sh -c 'cat /proc/self/cgroup; sbx --root /run/sbx run -b /inner in1; echo "inner=$?"; cat /proc/self/cgroup'
	run sbx run --bundle "$BUNDLE" outer
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0::/" ]
	[ "${lines[1]}" = 33554432 ]
	[ "${lines[2]}" = 20 ]
	[ "${lines[3]}" = inner=0 ]
	# the outer init was moved to a leaf of its namespace's root
	[[ "${lines[4]}" == 0::/?* ]]
}

@test "delete removes the cgroups made below the container's (a runtime inside: Docker in Docker)" {
	# Fix: cgroup_destroy removed only the container's own cgroup, so the
	# `docker` parent an inner dockerd leaves made it fail with EBUSY
	# (tests/engines/dind.bats).
	start_ctr cn /bin/sleep 100
	mkdir -p "$CG/docker/inner" "$CG/init"
	echo "$CTR_PID" >"$CG/docker/inner/cgroup.procs"
	[ "$(grep '^0::' /proc/$CTR_PID/cgroup)" = "0::$CG_REL/c/docker/inner" ]
	run sbx delete --force cn
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# (rmdir would fail on a live member: the init was killed)
	[ ! -d "$CG" ]
}
