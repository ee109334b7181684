#!/usr/bin/env bats
# Docker with the systemd cgroup driver (native.cgroupdriver=systemd, as on
# most systemd hosts and Kubernetes nodes): dockerd hands sbx
# --systemd-cgroup and cgroupsPath "system.slice:docker:ID", and the
# container becomes systemd's unit docker-ID.scope. Needs systemd as PID 1:
# it runs in the VM's systemd boot (tests/vm/run.sh --systemd).

# bats file_tags=host,vm-systemd

load helpers

setup_file() {
	# (each test skips: a skip in setup_file fails teardown_file in bats 1.8)
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ ! -d /run/systemd/system ]; then
		export ENGINES_SKIP="needs systemd as PID 1 (the VM's systemd boot: tests/vm/run.sh --systemd)"
		return 0
	fi
	export DOCKERD_JQ='."exec-opts" = ["native.cgroupdriver=systemd"]'
	docker_setup_file
	export CG_PARENT=system.slice CG_PREFIX=docker-
}

teardown_file() { docker_teardown_file; }
setup() { engines_setup; }
teardown() { docker_teardown; }

prop() { systemctl show -P "$1" "docker-$CID.scope"; }

@test "docker run (systemd driver): the container is docker-ID.scope with its limits, update reaches systemd" {
	drun -d -m 64m --pids-limit 40 --cpus 0.5 "$IMAGE" sh -c 'cat /proc/self/cgroup; sleep 100'
	[ "$status" -eq 0 ]
	cg=/sys/fs/cgroup/system.slice/docker-$CID.scope
	[ "$(prop ActiveState)" = active ]
	[ "$(prop Delegate)" = yes ]
	[ "$(prop MemoryMax)" = 67108864 ]
	[ "$(prop TasksMax)" = 40 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 500ms ]
	[ "$(cat "$cg/memory.max")" = 67108864 ]
	[ "$(cat "$cg/pids.max")" = 40 ]
	pid=$(dk inspect -f '{{.State.Pid}}' "$CID")
	grep -qx "$pid" "$cg/cgroup.procs"
	run dk logs "$CID"
	[ "$output" = "0::/" ]
	run dk stats --no-stream --format '{{.MemUsage}}' "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/ 64MiB" ]]
	run dk update --memory 32m --memory-swap 64m --pids-limit 20 "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(prop MemoryMax)" = 33554432 ]
	[ "$(prop TasksMax)" = 20 ]
	[ "$(cat "$cg/memory.max")" = 33554432 ]
	systemctl daemon-reload
	[ "$(cat "$cg/memory.max")" = 33554432 ]
	# restart: the same id, so the same unit name, made again at once
	run dk restart -t 1 "$CID"
	[ "$status" -eq 0 ]
	pid2=$(dk inspect -f '{{.State.Pid}}' "$CID")
	[ "$pid2" != "$pid" ]
	[ "$(prop ActiveState)" = active ]
	grep -qx "$pid2" "$cg/cgroup.procs"
	[ "$(prop MemoryMax)" = 33554432 ]
	run dk rm -f "$CID"
	[ "$status" -eq 0 ]
	[ "$(prop LoadState)" = not-found ]
	[ ! -d "$cg" ]
	assert_clean "$CID"
}

@test "docker run --rm (systemd driver): exit code, and the unit is gone after" {
	drun --rm "$IMAGE" sh -c 'grep -q "^0::/$" /proc/self/cgroup && exit 5'
	[ "$status" -eq 5 ]
	[ "$(prop LoadState)" = not-found ]
	[ ! -d "/sys/fs/cgroup/system.slice/docker-$CID.scope" ]
	assert_clean "$CID"
}
