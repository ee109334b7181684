#!/usr/bin/env bats
# sbx run: foreground and detached.

# bats file_tags=host

load helpers

@test "run: prints the output and exits with the program's status" {
	set_args /bin/echo hello from the container
	run sbx run --bundle "$BUNDLE" r0
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]

	for code in 3 42; do
		set_args /bin/sh -c "echo code-$code; exit $code"
		run sbx run --bundle "$BUNDLE" "r$code"
		[ "$status" -eq "$code" ]
		[ "$output" = "code-$code" ]
	done
}

@test "run: the bundle defaults to the current directory" {
	set_args /bin/cat /etc/sbx-rootfs
	cd "$BUNDLE"
	run sbx run r1
	[ "$status" -eq 0 ]
	[ "$output" = sbx-test-rootfs ]
}

@test "run: a program killed by a signal gives 128+N" {
	# without a pid namespace, so that the shell is not the namespace's init
	# (an init ignores signals it has no handler for, even SIGKILL from itself)
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args /bin/sh -c 'kill -9 $$'
	run sbx run --bundle "$BUNDLE" r1
	[ "$status" -eq 137 ]
	set_args /bin/sh -c 'kill -TERM $$'
	run sbx run --bundle "$BUNDLE" r2
	[ "$status" -eq 143 ]
}

@test "run: container killed with sbx kill KILL: run exits 137" {
	set_args sleep 100
	sbx run --bundle "$BUNDLE" r1 </dev/null >/dev/null 2>&1 3>&- &
	rpid=$!
	track_pid "$rpid"
	wait_status r1 running
	sbx kill r1 KILL
	st=0
	wait "$rpid" || st=$?
	[ "$st" -eq 137 ]
}

@test "run -d returns at once with the container running" {
	set_args /bin/sh -c 'echo detached-ok; exec sleep 100'
	start=$(date +%s%N)
	run_d r1
	[ "$status" -eq 0 ]
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -lt 5000 ]
	[ "$(ctr_status r1)" = running ]
	wait_output r1 detached-ok
	kill -0 "$(ctr_pid r1)"
}

@test "run: SIGTERM and SIGUSR1 sent to run are forwarded to the container" {
	requires probe
	for sig in TERM USR1; do
		set_args /bin/probe signal-wait
		out=$BATS_TEST_TMPDIR/fwd-$sig.out
		# not the sbx() function: $! must be the runtime itself
		"$SBX" --root "$ROOT" run --bundle "$BUNDLE" "f$sig" </dev/null >"$out" 2>&1 3>&- &
		rpid=$!
		track_pid "$rpid"
		retry 100 0.05 grep -q ready "$out"
		kill -s "$sig" "$rpid"
		st=0
		wait "$rpid" || st=$?
		[ "$st" -eq 0 ] || fail "run exited $st after SIG$sig: $(cat "$out")"
		grep -qx "SIG$sig" "$out"
	done
}

@test "run: stdin, stdout and stderr are the runtime's" {
	set_args /bin/sh -c 'read line; echo "got:$line"; echo to-stderr >&2'
	sbx run --bundle "$BUNDLE" r1 <<<"input-line" >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[ "$(cat "$BATS_TEST_TMPDIR/o")" = "got:input-line" ]
	[ "$(cat "$BATS_TEST_TMPDIR/e")" = "to-stderr" ]
}

@test "run: the container is deleted after it exits (like runc)" {
	set_args /bin/true
	run sbx run --bundle "$BUNDLE" r1
	[ "$status" -eq 0 ]
	run sbx state r1
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/r1" ]
	# the id can be reused
	run sbx run --bundle "$BUNDLE" r1
	[ "$status" -eq 0 ]
}

# issue #12: runc's --keep was an unknown option.
@test "run --keep: the stopped container stays until delete" {
	set_args /bin/sh -c 'exit 3'
	run sbx run --keep --bundle "$BUNDLE" k1
	[ "$status" -eq 3 ]
	[ "$(ctr_status k1)" = stopped ]
	[ -e "$ROOT/k1/state.json" ]
	run sbx delete k1
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/k1" ]
	run sbx create --keep --bundle "$BUNDLE" k2
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown option"* ]]
}

@test "run: failure to start leaves nothing behind" {
	set_args /nonexistent
	run sbx run --bundle "$BUNDLE" r1
	[ "$status" -ne 0 ]
	[ "$status" -ne 137 ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "run --pid-file writes the container pid" {
	set_args /bin/sh -c 'echo $$ > /dev/null; exec sleep 100'
	run_d r1 --pid-file "$BATS_TEST_TMPDIR/r1.pid"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/r1.pid")" = "$(ctr_pid r1)" ]
}

# A foreground run holds its container's life lock until the container
# exits; the commands that act on a running container take only the short
# ops lock, so none of them waits for run (issue #14, docs/design.md).
@test "run in the foreground: exec, pause, resume, update and kill of its container do not wait for run" {
	set_args sleep 100
	sbx run --bundle "$BUNDLE" r1 </dev/null >/dev/null 2>&1 3>&- &
	rpid=$!
	track_pid "$rpid"
	wait_status r1 running
	run timeout 10 "$SBX" --root "$ROOT" exec r1 /bin/echo exec-ok
	[ "$status" -eq 0 ]
	[ "$output" = exec-ok ]
	run timeout 10 "$SBX" --root "$ROOT" pause r1
	[ "$status" -eq 0 ]
	[ "$(ctr_status r1)" = paused ]
	run timeout 10 "$SBX" --root "$ROOT" resume r1
	[ "$status" -eq 0 ]
	[ "$(ctr_status r1)" = running ]
	# without a pids controller (a hybrid host) update fails, but at once
	run timeout 10 "$SBX" --root "$ROOT" update --pids-limit 50 r1
	[ "$status" -ne 124 ]
	run timeout 10 "$SBX" --root "$ROOT" kill r1 KILL
	[ "$status" -eq 0 ]
	st=0
	wait "$rpid" || st=$?
	[ "$st" -eq 137 ]
}

# Each of them waits while another holds the ops lock, and goes on when it
# is released; read-only commands never wait. exec holds it only until its
# process is in the container, not while it runs.
@test "the commands that change a container serialise on its ops lock; exec lets go once its process runs" {
	start_ctr r1 /bin/sleep 100
	[ -e "$ROOT/r1/ops.lock" ]
	for cmd in "kill r1 CONT" "pause r1" "exec r1 /bin/true" "update --pids-limit 60 r1"; do
		flock "$ROOT/r1/ops.lock" sleep 1.5 &
		hpid=$!
		sleep 0.3
		t0=$(date +%s%N)
		run timeout 10 "$SBX" --root "$ROOT" $cmd
		t1=$(date +%s%N)
		wait "$hpid"
		# update fails without a pids controller (a hybrid host), after the lock
		[ "$status" -eq 0 ] || { [[ $cmd == update* ]] && [ "$status" -ne 124 ]; } || fail "$cmd: $output"
		[ $(((t1 - t0) / 1000000)) -ge 900 ] || fail "$cmd did not wait for the lock"
		[ "$cmd" != "pause r1" ] || sbx resume r1
	done
	flock "$ROOT/r1/ops.lock" sleep 2 &
	hpid=$!
	sleep 0.3
	run timeout 1 "$SBX" --root "$ROOT" state r1
	[ "$status" -eq 0 ]
	run timeout 1 "$SBX" --root "$ROOT" ps r1
	[ "$status" -eq 0 ]
	wait "$hpid"
	# a foreground exec keeps running while kill goes through
	sbx exec r1 /bin/sleep 5 </dev/null >/dev/null 2>&1 3>&- &
	epid=$!
	track_pid "$epid"
	retry 50 0.1 bash -c "[ \$('$SBX' --root '$ROOT' ps --format json r1 | jq length) -ge 2 ]"
	run timeout 3 "$SBX" --root "$ROOT" kill r1 CONT
	[ "$status" -eq 0 ]
	kill -0 "$epid"
}

@test "delete --force of a container whose state.json is damaged, with ops.lock in place" {
	start_ctr r1 /bin/sleep 100
	pid=$(ctr_pid r1)
	echo '{"pid": ' >"$ROOT/r1/state.json"
	run sbx kill r1 KILL
	[ "$status" -ne 0 ]
	run sbx delete --force r1
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/r1" ]
	wait_pid_gone "$pid"
}
