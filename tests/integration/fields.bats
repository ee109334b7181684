#!/usr/bin/env bats
# fields.bats: config.json fields of docs/config-fields.md that no other
# file shows taking effect.

# bats file_tags=host

load helpers

# A cgroup of this test's own: the default /sbx/ID is shared by every
# state root, and other test runs on this machine use the same ids.
own_cgroup() { update_config '.linux.cgroupsPath = $c' --arg c "/sbx-12a-$$-$BATS_TEST_NUMBER"; }

setup() {
	sbx_setup
	own_cgroup
}

@test "process.consoleSize: the pty has the configured rows and columns" {
	requires tty
	update_config '.process.terminal = true | .process.consoleSize = {"height": 37, "width": 123}'
	set_args /bin/stty size
	sock=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 3>&- &
	rpid=$!
	track_pid "$rpid"
	retry 100 0.05 test -S "$sock"
	create_ctr cs1 --console-socket "$sock"
	[ "$status" -eq 0 ]
	run sbx start cs1
	[ "$status" -eq 0 ]
	wait "$rpid" || true
	[ "$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")" = "37 123" ]
}
