#!/usr/bin/env bats
# Docker's bridge networking on sbx: dockerd's libnetwork sets the
# container's network up from the prestart hook it puts in config.json
# (sbx runs it in the runtime's namespaces, with the state on stdin), so a
# container on the bridge gets a veth with an address and reaches the
# gateway. The bridge is our own (sbxbr-$$, 10.213.77.1/24) and dockerd
# runs without iptables, so the host's firewall and docker0 are not touched.

# bats file_tags=host

load helpers

setup_file() {
	command -v ip >/dev/null || skip "needs ip (apt package iproute2)"
	export BR=sbxbr$$
	ip link add "$BR" type bridge
	ip addr add 10.213.77.1/24 dev "$BR"
	ip link set "$BR" up
	export DOCKERD_JQ=".bridge = \"$BR\""
	docker_setup_file
}

teardown_file() {
	docker_teardown_file
	ip link del "$BR" 2>/dev/null || true
}

setup() { engines_setup; }
teardown() { docker_teardown; }

@test "docker run on a bridge: eth0 gets an address from the bridge and reaches the gateway" {
	drun --rm "$IMAGE" sh -c 'ip -4 -o addr show eth0; ping -c 1 -W 5 10.213.77.1 >/dev/null && echo reached'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ eth0\ +inet\ 10\.213\.77\.[0-9]+/24 ]]
	[ "${lines[1]}" = reached ]
	# the veth's host end was on our bridge and is gone with the container
	[ -z "$(ip -o link show master "$BR" 2>/dev/null)" ]
	assert_clean "$CID"
}
