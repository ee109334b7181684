#!/usr/bin/env bats
# crash.bats: sbx killed in the middle of create leaves nothing running, and
# the next command of the same id cleans up or reuses what is left.

# bats file_tags=host

load helpers

slow_hook() {
	cat >"$BATS_TEST_TMPDIR/slow.sh" <<-'EOS'
	#!/bin/sh
	sleep 30
	EOS
	chmod +x "$BATS_TEST_TMPDIR/slow.sh"
	update_config '.hooks = {"createRuntime": [{"path": $p}]}' --arg p "$BATS_TEST_TMPDIR/slow.sh"
}

# start `sbx create ID` in the background, wait until its init exists, kill -9 sbx
kill_create_midway() {
	local id=$1 pid init
	"$SBX" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	# the init is sbx's child; the hook is running once slow.sh appears
	retry 100 0.05 pgrep -f "$BATS_TEST_TMPDIR/slow.sh" >/dev/null
	init=$(pgrep -P "$pid" -x sbx | head -1)
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	pkill -f "$BATS_TEST_TMPDIR/slow.sh" || true
	echo "$init"
}

@test "create killed midway: the init exits, state says does not exist, list skips it" {
	slow_hook
	set_args /bin/sleep 100
	init=$(kill_create_midway k1)
	[ -n "$init" ]
	wait_pid_gone "$init"
	run sbx state k1
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not exist"* ]]
	run sbx list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "create killed midway: a new create of the same id reclaims the leftovers" {
	slow_hook
	set_args /bin/sleep 100
	kill_create_midway k2 >/dev/null
	update_config 'del(.hooks)'
	create_ctr k2
	[ "$status" -eq 0 ]
	[ "$(ctr_status k2)" = created ]
}

@test "create killed midway: delete removes the leftovers" {
	slow_hook
	set_args /bin/sleep 100
	kill_create_midway k3 >/dev/null
	[ -d "$ROOT/k3" ]
	run sbx delete k3
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/k3" ]
}

@test "start racing delete: one wins, the other gets a clear error" {
	set_args /bin/sleep 100
	create_ctr r1
	[ "$status" -eq 0 ]
	(rc=0; sbx start r1 >"$BATS_TEST_TMPDIR/start.out" 2>&1 || rc=$?; echo $rc >"$BATS_TEST_TMPDIR/start.rc") 3>&- &
	p1=$!
	(rc=0; sbx delete --force r1 >"$BATS_TEST_TMPDIR/del.out" 2>&1 || rc=$?; echo $rc >"$BATS_TEST_TMPDIR/del.rc") 3>&- &
	p2=$!
	wait "$p1" "$p2" || true
	[ "$(cat "$BATS_TEST_TMPDIR/del.rc")" = 0 ]
	if [ "$(cat "$BATS_TEST_TMPDIR/start.rc")" != 0 ]; then
		grep -Eq 'does not exist|not created|gone' "$BATS_TEST_TMPDIR/start.out"
	fi
	[ ! -e "$ROOT/r1" ]
}
