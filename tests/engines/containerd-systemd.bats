#!/usr/bin/env bats
# containerd's runc v2 shim with the systemd cgroup driver, the path a
# Kubernetes node with SystemdCgroup = true takes (RuntimeClass -> CRI ->
# shim -> sbx --systemd-cgroup, cgroupsPath "slice:prefix:name"): here
# through ctr run --runc-systemd-cgroup. Needs systemd as PID 1: it runs in
# the VM's systemd boot (tests/vm/run.sh --systemd).

# bats file_tags=host,vm-systemd

load helpers

setup_file() {
	# (each test skips: a skip in setup_file fails teardown_file in bats 1.8)
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ ! -d /run/systemd/system ]; then
		export ENGINES_SKIP="needs systemd as PID 1 (the VM's systemd boot: tests/vm/run.sh --systemd)"
		return 0
	fi
	containerd_setup_file
}

teardown_file() { containerd_teardown_file; }
setup() { engines_setup; }
teardown() { containerd_teardown; }

@test "ctr run --runc-systemd-cgroup: the task is systemd's scope with its limit; kill, delete stop it" {
	unit=sbxctr-sd1.scope
	ctr_run -d --runc-systemd-cgroup --cgroup "system.slice:sbxctr:sd1" --memory-limit 67108864 \
		"$CTR_IMAGE" sbx-sd1 sleep 1000
	[ "$status" -eq 0 ]
	[ "$(systemctl show -P ActiveState "$unit")" = active ]
	[ "$(systemctl show -P MemoryMax "$unit")" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/system.slice/$unit/memory.max")" = 67108864 ]
	pid=$(c tasks ls | awk '$1 == "sbx-sd1" { print $2 }')
	grep -qx "$pid" "/sys/fs/cgroup/system.slice/$unit/cgroup.procs"
	# the shim reads the task's stats from the scope's cgroup
	run c tasks metrics sbx-sd1
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^memory\.usage_limit +67108864 *$'
	# no pids limit asked: none (not systemd's DefaultTasksMax)
	[ "$(cat "/sys/fs/cgroup/system.slice/$unit/pids.max")" = max ]
	run c tasks kill -s 9 sbx-sd1
	[ "$status" -eq 0 ]
	retry 100 0.1 _task_stopped sbx-sd1
	run c tasks delete sbx-sd1
	[ "$status" -eq 0 ]
	run c containers delete sbx-sd1
	[ "$status" -eq 0 ]
	[ "$(systemctl show -P LoadState "$unit")" = not-found ]
	[ ! -d "/sys/fs/cgroup/system.slice/$unit" ]
	assert_clean sbx-sd1 "$pid"
}
