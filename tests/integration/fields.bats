#!/usr/bin/env bats
# fields.bats: config.json fields of docs/config-fields.md that no other
# file shows taking effect.

load helpers

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
