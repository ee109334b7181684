#!/usr/bin/env bats
# rdma.bats: linux.resources.rdma. Needs an RDMA device and the rdma
# controller: the VM pass that boots Debian's generic kernel (the cloud
# kernel has no soft-RDMA driver) makes one with rdma_rxe over a dummy
# netdev. Elsewhere `requires rdma` skips, saying so.

# bats file_tags=host,vm-rdma

load helpers

setup_file() {
	# only in the throw-away VM: never add devices to a real host
	if [ "${SBX_VM:-}" = 1 ] && [ ! -e /dev/infiniband/uverbs0 ] && modprobe rdma_rxe 2>/dev/null; then
		ip link add sbxrdma0 type dummy && ip link set sbxrdma0 up &&
			rdma link add rxe0 type rxe netdev sbxrdma0
	fi
	return 0
}

setup() {
	sbx_setup
	CG_REL=/sbx-test-$$-$BATS_TEST_NUMBER
	update_config '.linux.cgroupsPath = $p' --arg p "$CG_REL/c"
}

teardown() {
	sbx_teardown
	rmdir "$(cg_root)$CG_REL" 2>/dev/null || true
}

# in_cgroup CMD...: run CMD from the host inside the container's cgroup
# (the busybox rootfs has no libibverbs; the limit is the cgroup's).
in_cgroup() {
	run sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"
	echo "$*: status $status: $output"
}

@test "rdma: hcaHandles and hcaObjects land in rdma.max, the kernel enforces them, update changes them" {
	requires rdma
	# the device node is allowed, so only the rdma limit decides
	update_config '.linux.resources.rdma = {"rxe0": {"hcaHandles": 0, "hcaObjects": 10}}
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 231, "minor": 192, "access": "rw"}]'
	start_ctr r1 /bin/sleep 100
	CG=$(cg_root)$CG_REL/c
	grep -Eq '^rxe0 hca_handle=0 hca_object=10 *$' "$CG/rdma.max"
	in_cgroup ibv_devinfo -d rxe0
	[ "$status" -ne 0 ]
	[[ "$output" == *"Failed to open device"* ]]
	run sbx update -r - r1 <<<'{"rdma": {"rxe0": {"hcaHandles": 1, "hcaObjects": 10}}}'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^rxe0 hca_handle=1 hca_object=10 *$' "$CG/rdma.max"
	in_cgroup ibv_devinfo -d rxe0
	[ "$status" -eq 0 ]
	[[ "$output" == *"hca_id:	rxe0"* ]]
}

@test "rdma: a device the host does not have is an error naming the field, nothing left" {
	requires rdma
	update_config '.linux.resources.rdma = {"nosuchdev": {"hcaHandles": 1}}'
	run sbx run --bundle "$BUNDLE" r2 </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *linux.resources.rdma* ]]
	[ -z "$(sbx list -q)" ]
	[ ! -d "$(cg_root)$CG_REL/c" ]
}
