#!/usr/bin/env bats
# podman with the systemd cgroup manager (its default where systemd is
# PID 1): podman hands sbx --systemd-cgroup and "machine.slice:libpod:ID",
# and the container becomes systemd's unit libpod-ID.scope. podman itself
# asks systemd over the system bus for its conmon scope, so dbus.service is
# started. Needs systemd as PID 1: it runs in the VM's systemd boot
# (tests/vm/run.sh --systemd).

# bats file_tags=host,vm-systemd

load helpers

setup_file() {
	# (each test skips: a skip in setup_file fails teardown_file in bats 1.8)
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ ! -d /run/systemd/system ]; then
		export ENGINES_SKIP="needs systemd as PID 1 (the VM's systemd boot: tests/vm/run.sh --systemd)"
		return 0
	fi
	# (only these two units: their default dependencies would start
	# sysinit.target, which mounts a fresh /tmp under bats)
	[ -S /run/dbus/system_bus_socket ] ||
		systemctl start --job-mode=ignore-dependencies dbus.socket dbus.service
	podman_setup_file
	export CG_PARENT=machine.slice
}

teardown_file() { podman_teardown_file; }
setup() { engines_setup; }
teardown() { podman_teardown; }

@test "podman --cgroup-manager systemd: the container is libpod-ID.scope with its limit; rm stops it" {
	f=$BATS_TEST_TMPDIR/cid
	run pm --cgroup-manager systemd run -d --cidfile "$f" --network none --memory 64m --pids-limit 30 \
		"$IMAGE" sh -c 'cat /proc/self/cgroup; sleep 100'
	echo "$output"
	CID=$(cat "$f" 2>/dev/null)
	[ -n "$CID" ] && echo "$CID" >>"$T/ids"
	[ "$status" -eq 0 ]
	unit=libpod-$CID.scope
	[ "$(systemctl show -P ActiveState "$unit")" = active ]
	[ "$(systemctl show -P MemoryMax "$unit")" = 67108864 ]
	[ "$(systemctl show -P TasksMax "$unit")" = 30 ]
	[ "$(cat "/sys/fs/cgroup/machine.slice/$unit/memory.max")" = 67108864 ]
	pid=$(pm --cgroup-manager systemd inspect -f '{{.State.Pid}}' "$CID")
	grep -qx "$pid" "/sys/fs/cgroup/machine.slice/$unit/cgroup.procs"
	run pm --cgroup-manager systemd rm -f "$CID"
	[ "$status" -eq 0 ]
	[ "$(systemctl show -P LoadState "$unit")" = not-found ]
	[ ! -d "/sys/fs/cgroup/machine.slice/$unit" ]
	assert_clean "$CID" "$pid"
}
