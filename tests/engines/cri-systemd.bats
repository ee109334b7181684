#!/usr/bin/env bats
# The kubelet's default cgroup driver: containerd's CRI plugin with the
# handler sbx and SystemdCgroup = true (contrib/containerd/config.toml with
# that one line changed), driven over gRPC as in cri.bats. The kubelet
# passes a slice as cgroup_parent; the shim runs sbx --systemd-cgroup with
# cgroupsPath "slice:cri-containerd:<id>", and every sandbox and container
# is systemd's scope cri-containerd-<id>.scope in that slice. Needs systemd
# as PID 1 and cgroup v2: the VM's systemd boot (tests/vm/run.sh --systemd).

# bats file_tags=host,vm-systemd

load helpers
load cri/helpers

setup_file() {
	# (each test skips: a skip in setup_file fails teardown_file in bats 1.8)
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ ! -d /run/systemd/system ]; then
		export ENGINES_SKIP="needs systemd as PID 1 (the VM's systemd boot: tests/vm/run.sh --systemd)"
		return 0
	fi
	if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
		export ENGINES_SKIP="needs a pure cgroup v2 host (the VM's systemd boot: tests/vm/run.sh --systemd)"
		return 0
	fi
	cri_setup_file systemd
}
teardown_file() { cri_teardown_file; }
setup() { engines_setup; }
teardown() { cri_remove_pods; }

# scope_cgroup ID: the cgroup directory of the scope of sandbox/container ID
scope_cgroup() {
	find "$(v2_root)/sbxcri.slice" -type d -name "cri-containerd-$1.scope"
}

@test "CRI, systemd cgroup driver: the pod's sandbox and container are scopes in the pod slice, with their limits; nothing left" {
	local name=sdpod slice sid cid sp p cg
	slice=$(pod_cgroup_parent $name)
	run cri Status '{"verbose": true}'
	[ "$status" -eq 0 ]
	jq -r .info.config <<<"$output" | jq -e '.containerd.runtimes.sbx.options.SystemdCgroup == true'
	pod_run $name
	sid=$SID
	[ "$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sid\"}" | jq -r .status.state)" = SANDBOX_READY ]
	sp=$(pod_pid "$sid")
	[ "$(systemctl show -P ActiveState "cri-containerd-$sid.scope")" = active ]
	[ "$(systemctl show -P Slice "cri-containerd-$sid.scope")" = "$slice" ]
	[ "$(cgroup_of "$sp")" = "$(scope_cgroup "$sid")" ]
	# the sandbox's cpu.shares 2 (containerd's default for the pause container)
	[ "$(cat "$(scope_cgroup "$sid")/cpu.weight")" = 1 ]

	ctr_run_in_pod app '["sh","-c","echo app-up; exec sleep 1000"]' '
		.linux.resources += {cpu_period: 100000, cpu_quota: 25000, memory_limit_in_bytes: 50331648,
			oom_score_adj: 600, unified: {"pids.max": "30"}}
		| .linux.security_context += {run_as_user: {value: 1000}, readonly_rootfs: true, no_new_privs: true,
			capabilities: {drop_capabilities: ["ALL"]}}'
	cid=$CID
	p=$(ctr_pid "$cid")
	unit=cri-containerd-$cid.scope
	[ "$(systemctl show -P ActiveState "$unit")" = active ]
	[ "$(systemctl show -P Slice "$unit")" = "$slice" ]
	[ "$(systemctl show -P MemoryMax "$unit")" = 50331648 ]
	cg=$(scope_cgroup "$cid")
	[ "$(cgroup_of "$p")" = "$cg" ]
	[[ "$cg" == */"$slice/$unit" ]]
	[ "$(cat "$cg/memory.max")" = 50331648 ]
	[ "$(cat "$cg/cpu.max")" = "25000 100000" ]
	[ "$(cat "$cg/pids.max")" = 30 ]
	grep -q '^NoNewPrivs:	1$' "/proc/$p/status"
	grep -q '^CapBnd:	0000000000000000$' "/proc/$p/status"
	grep -q '^Seccomp:	2$' "/proc/$p/status"
	[ "$(readlink "/proc/$p/ns/net")" = "$(readlink "/proc/$sp/ns/net")" ]
	exec_sync "$cid" sh -c 'id -u; cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 600 ]
	retry 50 0.1 grep -q ' stdout F app-up$' "$T/logs/sbx-test_${name}_$(pod_uid $name)/app/0.log"

	# UpdateContainerResources reaches systemd's unit and the cgroup
	run cri UpdateContainerResources "{\"container_id\": \"$cid\", \"linux\": {\"cpu_period\": 100000,
		\"cpu_quota\": 50000, \"memory_limit_in_bytes\": 67108864}}"
	[ "$status" -eq 0 ]
	[ "$(cat "$cg/memory.max")" = 67108864 ]
	[ "$(cat "$cg/cpu.max")" = "50000 100000" ]
	[ "$(systemctl show -P MemoryMax "$unit")" = 67108864 ]
	run cri ContainerStats "{\"container_id\": \"$cid\"}"
	[ "$status" -eq 0 ]
	jq -e '(.stats.memory.usage_bytes.value | tonumber) > 0' <<<"$output"

	run cri StopContainer "{\"container_id\": \"$cid\", \"timeout\": 1}"
	[ "$status" -eq 0 ]
	[ "$(ctr_state "$cid")" = CONTAINER_EXITED ]
	run cri RemoveContainer "{\"container_id\": \"$cid\"}"
	[ "$status" -eq 0 ]
	[ "$(systemctl show -P LoadState "$unit")" = not-found ]
	pod_remove_and_assert_clean $name "$sid" "$cid"
	[ "$(systemctl show -P LoadState "cri-containerd-$sid.scope")" = not-found ]
	! kill -0 "$sp" 2>/dev/null
	! kill -0 "$p" 2>/dev/null
}
