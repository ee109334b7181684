#!/usr/bin/env bats
# --policy harden.memory / harden.pids: ceilings where the config has no
# limit or a higher one, in the container's cgroup v2 files (VM pass).

# bats file_tags=host,vm

load helpers

setup() {
	sbx_setup
	requires cgroup2
	POL=$BATS_TEST_TMPDIR/pol/p.json
	mkdir -p -m 0755 "$BATS_TEST_TMPDIR/pol"
	# the strict policy's user namespace with an unmapped rootfs: the VM's
	# /tmp is tmpfs, which Linux 6.1 cannot idmap (policy-userns.bats and
	# the engine tests cover idmap)
	jq '.harden += {"memory": 67108864, "pids": 64, "cpuMillis": 500} | .harden.userns.rootfs = "unmapped"' \
		"$top_srcdir/contrib/policy/untrusted.json" >"$POL"
	chmod 0644 "$POL"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO"}]}
		| .linux.cgroupsPath = $p' --arg p "/sbx-policy-$BATS_SUITE_TEST_NUMBER-$$"
	set_args /bin/sleep 100
}

@test "policy harden: memory and pids ceilings where the config has none" {
	run_bg "$BATS_TEST_TMPDIR/l1" sbx --policy "$POL" run -d --bundle "$BUNDLE" l1
	[ "$status" -eq 0 ] || fail "$output"
	cg=$(cg_root)$(jq -r .linux.cgroupsPath "$BUNDLE/config.json")
	[ "$(cat "$cg/memory.max")" = 67108864 ]
	[ "$(cat "$cg/pids.max")" = 64 ]
	[ "$(cat "$cg/cpu.max")" = "50000 100000" ]
	run -0 sbx state l1
	[[ "$(jq -r '.annotations["sbx.policy.hardened"]' <<<"$output")" == *"memory.limit 67108864 (was none)"* ]]
}

@test "policy harden: a higher limit is lowered, a lower one kept" {
	update_config '.linux.resources.memory = {"limit": 1073741824} | .linux.resources.pids = {"limit": 10}'
	run_bg "$BATS_TEST_TMPDIR/l2" sbx --policy "$POL" run -d --bundle "$BUNDLE" l2
	[ "$status" -eq 0 ] || fail "$output"
	cg=$(cg_root)$(jq -r .linux.cgroupsPath "$BUNDLE/config.json")
	[ "$(cat "$cg/memory.max")" = 67108864 ]
	[ "$(cat "$cg/pids.max")" = 10 ]
}

# the workload side (workload.bats has the rest): a program past the
# policy's memory ceiling is killed and the kill shows in `sbx events`; a
# fork bomb stops at the pids ceiling and the container can still be
# deleted
@test "policy harden: past the memory ceiling the program is OOM-killed, and events --stats says so" {
	set_args /bin/sh -c 'tail /dev/zero; echo "tail exited $?"; sleep 100'
	run_bg "$BATS_TEST_TMPDIR/m1" sbx --policy "$POL" run -d --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ] || fail "$output"
	wait_output m1 "tail exited 137"
	run -0 sbx events --stats m1
	[ "$(jq -r '.data.memory.raw.oom_kill // .data.memory.oom_kill // empty' <<<"$output")" -ge 1 ] ||
		grep -q '"oom_kill":[1-9]' <<<"$output" || fail "no oom_kill in: $output"
}

@test "policy harden: a fork bomb stops at the pids ceiling; delete still works" {
	set_args /bin/sh -c 'bomb() { bomb | bomb & }; bomb; sleep 5; echo survived'
	run_bg "$BATS_TEST_TMPDIR/f1" sbx --policy "$POL" run -d --bundle "$BUNDLE" f1
	[ "$status" -eq 0 ] || fail "$output"
	cg=$(cg_root)$(jq -r .linux.cgroupsPath "$BUNDLE/config.json")
	retry 100 0.1 test "$(cat "$cg/pids.current")" -ge 60
	sleep 1
	[ "$(cat "$cg/pids.current")" -le 64 ]
	[ "$(grep -o 'max [0-9]*' "$cg/pids.events" | awk '{print $2}')" -ge 1 ]
	sbx delete -f f1
	[ ! -d "$cg" ]
}
