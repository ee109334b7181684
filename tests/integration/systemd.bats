#!/usr/bin/env bats
# systemd.bats: --systemd-cgroup. With systemd as PID 1 (the VM's systemd
# boot, tests/vm/run.sh --systemd; `requires systemd`), the container's
# cgroup is a transient scope systemd makes over D-Bus (through the
# sbx-systemd helper), with the limits both in the cgroup files and as unit
# properties. Without systemd (this host), sbx says so and makes the same
# directories itself.

# bats file_tags=host,vm-systemd

load helpers

setup() {
	sbx_setup
	N=t$$-$BATS_TEST_NUMBER
	UNIT=sbx-test-$N.scope
	update_config '.linux.cgroupsPath = $p' --arg p "system.slice:sbx-test:$N"
	CG=/sys/fs/cgroup/system.slice/$UNIT
}

teardown() {
	sbx_teardown
	systemctl stop "$UNIT" ${UMGR:+"$UMGR"} 2>/dev/null || true
}

# prop NAME [UNIT]: one property of the unit, as systemctl shows it.
prop() { systemctl show -P "$1" "${2:-$UNIT}"; }

_ps_count() { [ "$(sbx ps --format json "$1" | jq length)" -eq "$2" ]; }
_unit_active() { [ "$(prop ActiveState)" = active ]; }

# sd_run ID [FLAGS...]: sbx --systemd-cgroup run -d.
sd_run() {
	local id=$1
	shift
	run_bg "$BATS_TEST_TMPDIR/$id" sbx --systemd-cgroup run -d --bundle "$BUNDLE" "$@" "$id"
	CTR_PID=$(ctr_pid "$id" 2>/dev/null)
}

@test "systemd makes the scope and the init runs in it (Delegate=yes), then delete stops it" {
	requires systemd
	set_args /bin/sh -c 'cat /proc/self/cgroup; sleep 100'
	sd_run c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(prop ActiveState)" = active ]
	[ "$(prop Transient)" = yes ]
	[ "$(prop Delegate)" = yes ]
	[ "$(prop Slice)" = system.slice ]
	[ "$(prop ControlGroup)" = "/system.slice/$UNIT" ]
	[ "$(prop Description)" = "sbx container c1" ]
	# seen from outside: systemd lists the init in its unit
	[ "$(grep '^0::' /proc/$CTR_PID/cgroup)" = "0::/system.slice/$UNIT" ]
	grep -qx "$CTR_PID" "$CG/cgroup.procs"
	systemctl status --no-pager "$UNIT" | grep -q "$CTR_PID"
	# no limits in the config: none in the scope, not systemd's defaults
	[ "$(cat "$CG/pids.max")" = max ]
	[ "$(prop TasksMax)" = infinity ]
	[ "$(cat "$CG/memory.max")" = max ]
	# seen from inside: its own cgroup namespace starts at the scope
	wait_output c1 '^0::/$'
	run sbx delete --force c1
	[ "$status" -eq 0 ]
	run systemctl show -P LoadState "$UNIT"
	[ "$output" = not-found ]
	[ ! -d "$CG" ]
}

@test "limits are in the cgroup files and are unit properties, so daemon-reload keeps them" {
	requires systemd
	set_args /bin/sleep 100
	update_config '.linux.resources = {"memory": {"limit": 67108864, "reservation": 16777216},
		"pids": {"limit": 50}, "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}}'
	sd_run c2
	echo "$output"
	[ "$status" -eq 0 ]
	check_files() {
		[ "$(cat "$CG/memory.max")" = 67108864 ] || fail "memory.max: $(cat "$CG/memory.max")"
		[ "$(cat "$CG/memory.low")" = 16777216 ] || fail "memory.low: $(cat "$CG/memory.low")"
		[ "$(cat "$CG/pids.max")" = 50 ] || fail "pids.max: $(cat "$CG/pids.max")"
		[ "$(cat "$CG/cpu.max")" = "50000 100000" ] || fail "cpu.max: $(cat "$CG/cpu.max")"
		# shares 512 -> weight 1 + (510 * 9999) / 262142 = 20
		[ "$(cat "$CG/cpu.weight")" = 20 ] || fail "cpu.weight: $(cat "$CG/cpu.weight")"
		[ "$(cat "$CG/cpuset.cpus")" = 0 ] || fail "cpuset.cpus: $(cat "$CG/cpuset.cpus")"
	}
	check_files
	[ "$(prop MemoryMax)" = 67108864 ]
	[ "$(prop MemoryLow)" = 16777216 ]
	[ "$(prop TasksMax)" = 50 ]
	[ "$(prop CPUWeight)" = 20 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 500ms ]
	[ "$(prop AllowedCPUs)" = 0 ]
	# the kernel enforces them for the container: pids.max
	run sbx exec c2 sh -c 'for i in $(seq 60); do sleep 30 & done; wait'
	[ "$status" -ne 0 ]
	[ "$(cat "$CG/pids.events" | awk '/^max/ {print $2}')" -gt 0 ]
	systemctl daemon-reload
	check_files
	# the control: what systemd does not know, a reload puts back
	echo max >"$CG/memory.max"
	systemctl daemon-reload
	[ "$(cat "$CG/memory.max")" = 67108864 ]
}

@test "update changes the files and the unit's properties" {
	requires systemd
	set_args /bin/sleep 100
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	sd_run c3
	[ "$status" -eq 0 ]
	run sbx update --memory 33554432 --pids-limit 20 --cpu-quota 20000 --cpu-period 50000 c3
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/memory.max")" = 33554432 ]
	[ "$(cat "$CG/pids.max")" = 20 ]
	[ "$(cat "$CG/cpu.max")" = "20000 50000" ]
	[ "$(prop MemoryMax)" = 33554432 ]
	[ "$(prop TasksMax)" = 20 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 400ms ]
	[ "$(prop CPUQuotaPeriodUSec)" = 50ms ]
	# a new period alone keeps the quota; systemd gets the whole value
	run sbx update --cpu-period 100000 c3
	[ "$status" -eq 0 ]
	[ "$(cat "$CG/cpu.max")" = "20000 100000" ]
	[ "$(prop CPUQuotaPerSecUSec)" = 200ms ]
	systemctl daemon-reload
	[ "$(cat "$CG/memory.max")" = 33554432 ]
	[ "$(cat "$CG/pids.max")" = 20 ]
	[ "$(cat "$CG/cpu.max")" = "20000 100000" ]
}

@test "a slice of its own nests as systemd nests it; pause, ps and kill --all work in the scope" {
	requires systemd
	update_config '.linux.cgroupsPath = $p' --arg p "sbxtest-a.slice:sbx-test:$N"
	set_args /bin/sh -c 'sleep 100 & sleep 100; exit 0'
	sd_run c4
	echo "$output"
	[ "$status" -eq 0 ]
	CG=/sys/fs/cgroup/sbxtest.slice/sbxtest-a.slice/$UNIT
	[ "$(prop Slice)" = sbxtest-a.slice ]
	[ "$(prop ControlGroup)" = "/sbxtest.slice/sbxtest-a.slice/$UNIT" ]
	grep -qx "$CTR_PID" "$CG/cgroup.procs"
	retry 50 0.1 _ps_count c4 3 # sh and two sleeps
	run sbx pause c4
	[ "$status" -eq 0 ]
	[ "$(ctr_status c4)" = paused ]
	grep -q '^frozen 1' "$CG/cgroup.events"
	run sbx resume c4
	[ "$status" -eq 0 ]
	[ "$(ctr_status c4)" = running ]
	run sbx kill --all c4 KILL
	[ "$status" -eq 0 ]
	wait_status c4 stopped
	run sbx delete c4
	[ "$status" -eq 0 ]
	[ "$(prop LoadState)" = not-found ]
	[ ! -d "$CG" ]
	systemctl stop sbxtest-a.slice sbxtest.slice
}

@test "no cgroupsPath: the unit is sbx-ID.scope in system.slice" {
	requires systemd
	update_config 'del(.linux.cgroupsPath)'
	set_args /bin/sleep 100
	sd_run c$N
	echo "$output"
	[ "$status" -eq 0 ]
	UNIT=sbx-c$N.scope
	[ "$(prop ActiveState)" = active ]
	[ "$(grep '^0::' /proc/$CTR_PID/cgroup)" = "0::/system.slice/$UNIT" ]
	run sbx delete --force c$N
	[ "$status" -eq 0 ]
	[ "$(prop LoadState)" = not-found ]
}

@test "sbx run in the foreground: the unit is gone when run returns" {
	requires systemd
	update_config '.linux.namespaces -= [{"type": "cgroup"}]'
	set_args /bin/sh -c 'cat /proc/self/cgroup; exit 7'
	run sbx --systemd-cgroup run --bundle "$BUNDLE" c5 </dev/null
	echo "$output"
	[ "$status" -eq 7 ]
	[[ "$output" == *"0::/system.slice/$UNIT"* ]]
	[ "$(prop LoadState)" = not-found ]
	[ ! -d "$CG" ]
}

@test "a create that fails after systemd made the scope leaves no unit, cgroup or state" {
	requires systemd
	update_config '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
	run_bg "$BATS_TEST_TMPDIR/c6" sbx --systemd-cgroup create --bundle "$BUNDLE" c6
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *createRuntime* ]]
	[ "$(prop LoadState)" = not-found ]
	[ ! -d "$CG" ]
	[ -z "$(sbx list -q)" ]
}

@test "a unit of that name exists already: a clear error, and the other unit is left alone" {
	requires systemd
	systemd-run --quiet --scope --unit="$UNIT" sleep 100 </dev/null >/dev/null 2>&1 3>&- &
	track_pid $!
	retry 50 0.1 _unit_active
	run_bg "$BATS_TEST_TMPDIR/c7" sbx --systemd-cgroup create --bundle "$BUNDLE" c7
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$UNIT"* ]]
	[ -z "$(sbx list -q)" ]
	[ "$(prop ActiveState)" = active ]
	grep -q . "$CG/cgroup.procs"
}

@test "an invalid limit is refused before systemd is asked" {
	requires systemd
	update_config '.linux.resources = {"memory": {"limit": 67108864, "swap": 1048576}}'
	run_bg "$BATS_TEST_TMPDIR/c8" sbx --systemd-cgroup create --bundle "$BUNDLE" c8
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory.swap"* ]]
	[ "$(prop LoadState)" = not-found ]
	[ -z "$(sbx list -q)" ]
}

# sd_run_nopriv ID [ENV...]: sd_run in a mount namespace where systemd's
# private socket is /dev/null, so the helper must take the system bus.
sd_run_nopriv() {
	local id=$1
	shift
	run_bg "$BATS_TEST_TMPDIR/$id" env "$@" unshare -m --propagation private sh -c '
		mount --bind /dev/null /run/systemd/private || exit 99
		exec "$1" --root "$2" --systemd-cgroup run -d --bundle "$3" "$4"' sh "$SBX" "$ROOT" "$BUNDLE" "$id"
}

@test "systemd's private socket unreachable: the system bus is used; neither: a clear error" {
	requires systemd
	[ -S /run/dbus/system_bus_socket ] ||
		systemctl start --job-mode=ignore-dependencies dbus.socket dbus.service
	set_args /bin/sleep 100
	update_config '.linux.resources = {"memory": {"limit": 33554432}}'
	# neither way open: an error naming both, and nothing made
	sd_run_nopriv c10 DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent
	echo "$output"
	[ "$status" -ne 0 ] && [ "$status" -ne 99 ]
	[[ "$output" == *"/run/systemd/private or the system bus"* ]]
	[ "$(prop LoadState)" = not-found ]
	[ -z "$(sbx list -q)" ]
	# the system bus open: systemd makes the scope through the broker
	sd_run_nopriv c10
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(prop ActiveState)" = active ]
	[ "$(prop MemoryMax)" = 33554432 ]
	[ "$(grep '^0::' /proc/$(ctr_pid c10)/cgroup)" = "0::/system.slice/$UNIT" ]
	run sbx delete --force c10
	[ "$status" -eq 0 ]
	[ "$(prop LoadState)" = not-found ]
}

# user_manager: a systemd user manager for $ROOTLESS_UID, started as a
# delegated service as user@.service would be (without its PAM session);
# sets UMGR (the unit), XDG (its runtime dir) and MGR_CG (its cgroup).
user_manager() {
	# systemd runs a service as a user only with passwd and group entries; in the
	# project's VM (sbxvm.run= on the kernel command line) /etc is an
	# overlay on tmpfs, so one can be added there without touching the host
	if ! getent passwd "$ROOTLESS_UID" >/dev/null; then
		grep -q 'sbxvm\.run=' /proc/cmdline ||
			skip "systemd needs a passwd entry for uid $ROOTLESS_UID (SBX_TEST_ROOTLESS_UID)"
		echo "sbx-rootless:x:$ROOTLESS_UID:$ROOTLESS_UID::/:/bin/sh" >>/etc/passwd
	fi
	if ! getent group "$ROOTLESS_UID" >/dev/null; then
		grep -q 'sbxvm\.run=' /proc/cmdline ||
			skip "systemd needs a group entry for gid $ROOTLESS_UID (SBX_TEST_ROOTLESS_UID)"
		echo "sbx-rootless:x:$ROOTLESS_UID:" >>/etc/group
	fi
	[ -S /run/dbus/system_bus_socket ] ||
		systemctl start --job-mode=ignore-dependencies dbus.socket dbus.service
	XDG=/run/user/$ROOTLESS_UID
	mkdir -p "$XDG"
	chown "$ROOTLESS_UID:$ROOTLESS_UID" "$XDG"
	chmod 0700 "$XDG"
	UMGR=sbx-test-umgr-$N.service
	# (no default dependencies: sysinit.target would mount a fresh /tmp)
	systemd-run --quiet --unit="$UMGR" -p Type=notify -p Delegate=yes -p DefaultDependencies=no \
		-p User="$ROOTLESS_UID" -p Group="$ROOTLESS_UID" \
		-E XDG_RUNTIME_DIR="$XDG" -E HOME=/ /lib/systemd/systemd --user
	retry 100 0.1 test -S "$XDG/systemd/private"
	MGR_CG=$(prop ControlGroup "$UMGR")
}

# uctl ARGS...: systemctl --user of the rootless test user.
uctl() { as_user env XDG_RUNTIME_DIR="$XDG" systemctl --user "$@"; }

@test "rootless: the user's systemd manager makes the scope, under its own cgroup" {
	requires systemd rootless
	user_manager
	# (no device program rootless: the user namespace keeps devices out)
	rootless_bundle '["/bin/sh", "-c", "mknod /tmp/m c 1 3 || echo mknod-denied; exec sleep 100"]'
	jq --arg p "user.slice:sbx-test:$N" '.linux.cgroupsPath = $p
		| .linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 20}}' \
		"$rl/config.json" >"$rl/c" && mv "$rl/c" "$rl/config.json"
	out=$BATS_TEST_TMPDIR/rl.out
	st=0
	as_user env XDG_RUNTIME_DIR="$XDG" "$SBX" --root "$ROOTLESS_ROOT" --systemd-cgroup \
		run -d --bundle "$rl" rl3 </dev/null >"$out" 2>&1 3>&- || st=$?
	[ "$st" -eq 0 ] || fail "rootless --systemd-cgroup run failed: $(cat "$out")"
	ucg=$(cg_root)$MGR_CG/user.slice/$UNIT
	pid=$(as_user "$SBX" --root "$ROOTLESS_ROOT" state rl3 | jq -r .pid)
	# the user manager's unit, not PID 1's
	[ "$(uctl show -P ActiveState "$UNIT")" = active ]
	[ "$(uctl show -P Delegate "$UNIT")" = yes ]
	[ "$(uctl show -P MemoryMax "$UNIT")" = 33554432 ]
	[ "$(systemctl show -P LoadState "$UNIT")" = not-found ]
	[ "$(grep '^0::' /proc/$pid/cgroup)" = "0::$MGR_CG/user.slice/$UNIT" ]
	[ "$(sbx features | jq .linux.cgroup.systemdUser)" = true ]
	[ "$(cat "$ucg/memory.max")" = 33554432 ]
	[ "$(cat "$ucg/pids.max")" = 20 ]
	[ "$(stat -c %u "$ucg")" = "$ROOTLESS_UID" ]
	retry 50 0.1 grep -q mknod-denied "$out"
	as_user env XDG_RUNTIME_DIR="$XDG" "$SBX" --root "$ROOTLESS_ROOT" --systemd-cgroup update --memory 64m rl3
	[ "$(cat "$ucg/memory.max")" = 67108864 ]
	[ "$(uctl show -P MemoryMax "$UNIT")" = 67108864 ]
	as_user env XDG_RUNTIME_DIR="$XDG" "$SBX" --root "$ROOTLESS_ROOT" --systemd-cgroup delete --force rl3
	[ "$(uctl show -P LoadState "$UNIT")" = not-found ]
	[ ! -d "$ucg" ]
	systemctl stop "$UMGR"
}

@test "rootless without a user manager: a warning, and the container runs without systemd's scope" {
	requires systemd rootless
	rootless_bundle '["/bin/true"]'
	out=$BATS_TEST_TMPDIR/rl.out
	st=0
	as_user env XDG_RUNTIME_DIR=/nonexistent "$SBX" --root "$ROOTLESS_ROOT" --systemd-cgroup \
		run --bundle "$rl" rl4 </dev/null >"$out" 2>&1 3>&- || st=$?
	cat "$out"
	[ "$st" -eq 0 ]
	grep -q "no scope from systemd's user manager" "$out"
}

@test "without systemd as PID 1, --systemd-cgroup says so and uses the systemd layout itself" {
	requires no-systemd root
	set_args /bin/sleep 100
	run_bg "$BATS_TEST_TMPDIR/c9" sbx --systemd-cgroup create --bundle "$BUNDLE" c9
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"systemd is not running here"* ]]
	root=$(cg_root)
	pid=$(ctr_pid c9)
	[ "$(grep '^0::' /proc/$pid/cgroup)" = "0::/system.slice/$UNIT" ]
	run sbx delete --force c9
	[ "$status" -eq 0 ]
	[ ! -d "$root/system.slice/$UNIT" ]
	rmdir "$root/system.slice" 2>/dev/null || true
}
