#!/usr/bin/env bats
# mempolicy.bats: linux.memoryPolicy (runtime-spec 1.2) is applied with
# set_mempolicy in the init (and the exec child) before execve; what the
# kernel or runc would refuse is refused before anything is made.

# bats file_tags=host

load helpers

# A cgroup of this test's own: the default /sbx/ID is shared by every
# state root, and other test runs on this machine use the same ids.
own_cgroup() { update_config '.linux.cgroupsPath = $c' --arg c "/sbx-12a-$$-$BATS_TEST_NUMBER"; }

# the policy of the program's first mapping, as numa_maps shows it
POLICY='head -1 /proc/self/numa_maps | cut -d" " -f2'

setup() {
	sbx_setup
	own_cgroup
	[ -e /proc/self/numa_maps ] || skip "kernel without CONFIG_NUMA (no /proc/self/numa_maps)"
	[ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0"
}

@test "memoryPolicy MPOL_BIND to node 0: the program runs bound, exec too" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	start_ctr m1 /bin/sh -c "$POLICY; exec sleep 100"
	wait_output m1 .
	[ "$(ctr_out m1)" = bind:0 ]
	run sbx exec m1 /bin/sh -c "$POLICY"
	[ "$status" -eq 0 ]
	[ "$output" = bind:0 ]
	# without the field: the default policy
	run sbx exec m1 /bin/sh -c 'cat /proc/1/status >/dev/null; echo ok'
	[ "$output" = ok ]
}

@test "memoryPolicy MPOL_INTERLEAVE with MPOL_F_STATIC_NODES, and MPOL_LOCAL" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	set_args /bin/sh -c "$POLICY"
	run sbx run --bundle "$BUNDLE" m2
	[ "$status" -eq 0 ]
	[ "$output" = interleave=static:0 ]
	update_config '.linux.memoryPolicy = {"mode": "MPOL_LOCAL"}'
	run sbx run --bundle "$BUNDLE" m3
	[ "$status" -eq 0 ]
	[ "$output" = local ]
	update_config 'del(.linux.memoryPolicy)'
	run sbx run --bundle "$BUNDLE" m4
	[ "$status" -eq 0 ]
	[ "$output" = default ]
}

@test "memoryPolicy: a bad mode, flag or node list is refused before anything is made" {
	for mp in '{"mode": "MPOL_NOPE"}' '{"mode": "MPOL_BIND"}' '{"mode": "MPOL_DEFAULT", "nodes": "0"}' \
		'{"mode": "MPOL_BIND", "nodes": "0-"}' '{"mode": "MPOL_BIND", "nodes": "5000"}' \
		'{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_NOPE"]}' '{"nodes": "0"}'; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		own_cgroup
		update_config '.linux.memoryPolicy = $m' --argjson m "$mp"
		run sbx run --bundle "$BUNDLE" m5
		echo "$mp -> $status: $output" >&2
		[ "$status" -ne 0 ]
		[[ $output == *linux.memoryPolicy* ]]
		[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	done
}

@test "memoryPolicy on a node that does not exist: an error from the init, nothing left" {
	[ ! -d /sys/devices/system/node/node1000 ] || skip "node 1000 exists"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "1000"}'
	run sbx run --bundle "$BUNDLE" m6
	[ "$status" -ne 0 ]
	[[ $output == *linux.memoryPolicy* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "features lists the memoryPolicy modes and flags" {
	run "$SBX" features
	[ "$status" -eq 0 ]
	jq -e '.linux.memoryPolicy.modes | index("MPOL_BIND") and index("MPOL_WEIGHTED_INTERLEAVE")' <<<"$output"
	jq -e '.linux.memoryPolicy.flags | index("MPOL_F_STATIC_NODES")' <<<"$output"
}
