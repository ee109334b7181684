#!/usr/bin/env bats
# netdevices.bats: linux.netDevices (runtime-spec 1.2). sbx moves the named
# host interface into the container's network namespace, renamed, with its
# permanent global addresses, and sets it up, before the program runs.
# Nothing moves it back: when the namespace dies the kernel destroys a
# virtual device (as here) and returns a physical one to the host.

# bats file_tags=host

load helpers

# A cgroup of this test's own: the default /sbx/ID is shared by every
# state root, and other test runs on this machine use the same ids.
own_cgroup() { update_config '.linux.cgroupsPath = $c' --arg c "/sbx-12a-$$-$BATS_TEST_NUMBER"; }

setup() {
	sbx_setup
	own_cgroup
	requires root
	command -v ip >/dev/null || skip "needs ip (iproute2)"
	LINK=sbxnd$$
	# a dummy where the kernel has the module, else one end of a veth pair
	ip link add "$LINK" type dummy 2>/dev/null || ip link add "$LINK" type veth peer name "${LINK}p" ||
		skip "cannot create a dummy or veth interface"
	ip addr add 192.0.2.10/24 brd + dev "$LINK"
	ip addr add 198.51.100.7/32 scope host dev "$LINK"
}

teardown() {
	sbx_teardown
	ip link del "$LINK" 2>/dev/null || true
	ip link del "${LINK}p" 2>/dev/null || true
}

@test "netDevices: the interface moves in, renamed, up, with its global addresses; the program sees it" {
	update_config '.linux.netDevices = {($l): {"name": "ctr0"}}' --arg l "$LINK"
	start_ctr n1 /bin/sh -c 'grep -o "ctr0" /proc/net/dev; exec sleep 100'
	wait_output n1 ctr0
	# gone from the host
	! ip link show "$LINK" 2>/dev/null
	run nsenter -t "$CTR_PID" -n ip -o link show ctr0
	[ "$status" -eq 0 ]
	[[ $output == *"<"*UP*">"* ]]
	run nsenter -t "$CTR_PID" -n ip -o addr show dev ctr0
	echo "$output" >&2
	[[ $output == *"inet 192.0.2.10/24 brd 192.0.2.255"* ]]
	# only permanent addresses of global scope move (the spec)
	[[ $output != *198.51.100.7* ]]
	# delete: the namespace dies; the kernel destroys a virtual device
	run sbx delete --force n1
	[ "$status" -eq 0 ]
	retry 100 0.05 sh -c '! ip link show ctr0 2>/dev/null'
	! ip link show "$LINK" 2>/dev/null
}

@test "netDevices: without a name the host name is kept; features lists netDevices" {
	update_config '.linux.netDevices = {($l): {}}' --arg l "$LINK"
	set_args /bin/sh -c "grep -c '$LINK:' /proc/net/dev"
	run sbx run --bundle "$BUNDLE" n2
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	run "$SBX" features
	[ "$(jq -r .linux.netDevices.enabled <<<"$output")" = true ]
}

@test "netDevices: a %d template lets the kernel pick the name" {
	update_config '.linux.netDevices = {($l): {"name": "sbx%d"}}' --arg l "$LINK"
	start_ctr n5 /bin/sleep 100
	run nsenter -t "$CTR_PID" -n ip -o addr show to 192.0.2.10/24
	echo "$output" >&2
	[[ $output == *" sbx0 "*"inet 192.0.2.10/24"* ]]
	[[ "$(nsenter -t "$CTR_PID" -n ip -o link show sbx0)" == *"<"*UP*">"* ]]
}

@test "netDevices: an interface missing on the host, a bad name, no network namespace: refused, nothing left" {
	for cfg in '.linux.netDevices = {"sbx-no-such0": {}}' \
		'.linux.netDevices = {($l): {"name": "a/b"}}' \
		'.linux.netDevices = {($l): {}} | .linux.namespaces |= map(select(.type != "network"))'; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		own_cgroup
		update_config "$cfg" --arg l "$LINK"
		run sbx run --bundle "$BUNDLE" n3
		echo "$cfg -> $status: $output" >&2
		[ "$status" -ne 0 ]
		[[ $output == *linux.netDevices* ]]
		[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	done
	ip link show "$LINK" >/dev/null
}

@test "netDevices: a name already taken in the container (lo) fails the create; the interface stays on the host" {
	update_config '.linux.netDevices = {($l): {"name": "lo"}}' --arg l "$LINK"
	set_args /bin/sh -c 'echo PROGRAM-RAN'
	run sbx run --bundle "$BUNDLE" n4
	echo "$output" >&2
	[ "$status" -ne 0 ]
	[[ $output == *"linux.netDevices.$LINK"* ]]
	[[ $output != *PROGRAM-RAN* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	ip link show "$LINK" >/dev/null
	[[ "$(ip -o addr show dev "$LINK")" == *192.0.2.10/24* ]]
}
