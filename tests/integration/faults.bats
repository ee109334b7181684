#!/usr/bin/env bats
# faults.bats: sbx killed (-9) at many points of create, start, run -d,
# exec and delete, a damaged state.json, two roots with one id, a full
# state filesystem: afterwards `delete --force` leaves no state directory,
# cgroup, mount or process (issue #13). Each kill point is deterministic
# (a hook that blocks, signalled once it runs), plus a bounded number of
# kills at random times. The whole file takes well under a minute.

# bats file_tags=host,vm

load helpers

setup() {
	sbx_setup
	requires root
	CG=$(cg_root)
	[ "$(stat -fc %T "$CG" 2>/dev/null)" = cgroup2fs ] || skip "no cgroup v2 hierarchy at $CG"
	# ids are global in the cgroup tree: keep them unique to this run
	P=f13-$$-$BATS_TEST_NUMBER
}

# ---------------------------------------------------------------- helpers

# block_hook KIND: a hook of that kind that records its pid and blocks.
block_hook() {
	cat >"$BATS_TEST_TMPDIR/block.sh" <<-'EOS'
	#!/bin/sh
	echo $$ >"$0.pid"
	exec sleep 30
	EOS
	chmod +x "$BATS_TEST_TMPDIR/block.sh"
	rm -f "$BATS_TEST_TMPDIR/block.sh.pid"
	update_config '.hooks = {($k): [{"path": $p}]}' --arg k "$1" --arg p "$BATS_TEST_TMPDIR/block.sh"
}

hook_running() { [ -s "$BATS_TEST_TMPDIR/block.sh.pid" ]; }

# kill_at_hook CMD...: run sbx CMD in the background, kill -9 it once the
# blocking hook runs, then end the hook. Prints sbx's child pids (inits).
kill_at_hook() {
	local pid kids
	"$SBX" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	retry 200 0.025 hook_running || { kill -9 "$pid"; return 1; }
	kids=$(pgrep -P "$pid" | tr '\n' ' ')
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	kill -9 "$(cat "$BATS_TEST_TMPDIR/block.sh.pid")" 2>/dev/null || true
	rm -f "$BATS_TEST_TMPDIR/block.sh.pid"
	echo "$kids"
}

# cg_has N ID: the default cgroup of ID holds at least N processes.
cg_has() { [ "$(wc -l <"$CG/sbx/$2/cgroup.procs")" -ge "$1" ]; }

# cg_pids ID: the processes in the default cgroup of ID.
cg_pids() { cat "$CG/sbx/$1/cgroup.procs" 2>/dev/null | tr '\n' ' '; }

# assert_clean ID [PID...]: nothing of ID is left: no state directory, no
# cgroup, no mount of the bundle, none of the PIDs alive.
assert_clean() {
	local id=$1 p
	shift
	[ ! -e "$ROOT/$id" ] || fail "state directory $ROOT/$id left"
	[ ! -e "$CG/sbx/$id" ] || fail "cgroup $CG/sbx/$id left (procs: $(cg_pids "$id"))"
	! grep -q "$BUNDLE" /proc/self/mountinfo || fail "mount left: $(grep "$BUNDLE" /proc/self/mountinfo)"
	for p; do
		wait_pid_gone "$p" || fail "process $p left: $(cat /proc/$p/cmdline 2>/dev/null | tr '\0' ' ')"
	done
}

# force_delete ID: delete --force must succeed and leave nothing.
force_delete() {
	run sbx delete --force "$1"
	[ "$status" -eq 0 ] || fail "delete --force $1: $output"
}

# ---------------------------------------------------------------- kill -9

@test "kill -9 of create at each host hook: delete --force leaves nothing" {
	set_args /bin/sleep 100
	for kind in createRuntime prestart; do
		block_hook "$kind"
		kids=$(kill_at_hook create --bundle "$BUNDLE" "$P-$kind")
		[ -n "$kids" ]
		force_delete "$P-$kind"
		assert_clean "$P-$kind" $kids
	done
}

@test "kill -9 of run -d at a hook, then delete --force leaves nothing" {
	set_args /bin/sleep 100
	block_hook createRuntime
	kids=$(kill_at_hook run -d --bundle "$BUNDLE" "$P")
	force_delete "$P"
	assert_clean "$P" $kids
}

@test "kill -9 of start in poststart: the container runs, delete --force leaves nothing" {
	set_args /bin/sleep 100
	block_hook poststart
	create_ctr "$P"
	[ "$status" -eq 0 ]
	init=$(ctr_pid "$P")
	kill_at_hook start "$P" >/dev/null
	[ "$(ctr_status "$P")" = running ]
	force_delete "$P"
	assert_clean "$P" "$init"
}

@test "kill -9 of delete in poststop, and of exec: delete --force leaves nothing" {
	set_args /bin/sleep 100
	block_hook poststop
	create_ctr "$P"
	[ "$status" -eq 0 ]
	init=$(ctr_pid "$P")
	run sbx start "$P"
	[ "$status" -eq 0 ]
	# exec killed -9 while its process runs: the process is in the cgroup
	"$SBX" --root "$ROOT" exec "$P" /bin/sleep 99 </dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- &
	ex=$!
	retry 200 0.05 cg_has 2 "$P" || fail "exec did not start: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	procs=$(cg_pids "$P")
	kill -9 "$ex"
	wait "$ex" 2>/dev/null || true
	kill_at_hook delete --force "$P" >/dev/null
	update_config 'del(.hooks)'
	force_delete "$P"
	assert_clean "$P" "$init" $procs
}

@test "kill -9 of create and run -d at random times (20 rounds): delete --force leaves nothing" {
	set_args /bin/sleep 100
	for i in $(seq 1 20); do
		id=$P-r$i
		if [ $((i % 2)) = 0 ]; then cmd=(create); else cmd=(run -d); fi
		"$SBX" --root "$ROOT" "${cmd[@]}" --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.0$(printf %02d $((RANDOM % 15)))"
		kids=$(pgrep -P "$pid" | tr '\n' ' ')
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		procs=$(cg_pids "$id")
		force_delete "$id"
		assert_clean "$id" $kids $procs
	done
}

# ---------------------------------------------------------------- damaged state

@test "state.json corrupted, truncated, empty or missing: list shows unknown, delete --force kills and removes all" {
	for how in corrupt truncate empty missing; do
		id=$P-$how
		start_ctr "$id" /bin/sleep 100
		init=$(ctr_pid "$id")
		procs=$(cg_pids "$id")
		[ -n "$procs" ]
		f=$ROOT/$id/state.json
		case $how in
		corrupt) printf '{"pid": "garbage", ' >"$f" ;;
		truncate) head -c 40 "$f" >"$f.x" && mv "$f.x" "$f" ;;
		empty) : >"$f" ;;
		missing) rm "$f" ;;
		esac
		run sbx list
		[ "$status" -eq 0 ]
		echo "$output" | grep -E "^$id +[0-9]+ +unknown"
		run sbx list --format json
		[ "$(echo "$output" | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" = unknown ]
		# without --force it is refused: something is alive
		run sbx delete "$id"
		[ "$status" -ne 0 ]
		kill -0 "$init"
		force_delete "$id"
		assert_clean "$id" "$init" $procs
	done
}

# ---------------------------------------------------------------- cgroups

@test "two roots, one id: the second create is refused, delete --force in either root spares the other's container" {
	set_args /bin/sleep 100
	ROOT2=$BATS_TEST_TMPDIR/state2
	create_ctr "$P"
	[ "$status" -eq 0 ]
	init=$(ctr_pid "$P")
	# (a create that wrongly succeeds leaves an init holding its stdio:
	# run_bg, not bats' run, so the test fails instead of hanging)
	run_bg "$BATS_TEST_TMPDIR/second" "$SBX" --root "$ROOT2" create --bundle "$BUNDLE" "$P"
	[ "$status" -ne 0 ]
	[[ "$output" == *"already has processes"* ]]
	[ "$(cg_pids "$P")" = "$init " ]
	run "$SBX" --root "$ROOT2" delete --force "$P"
	[ "$status" -eq 0 ]
	kill -0 "$init"
	[ "$(ctr_status "$P")" = created ]
	[ ! -e "$ROOT2/$P" ]
	force_delete "$P"
	assert_clean "$P" "$init"
}

@test "a state.json that names another container's cgroup is refused, not obeyed" {
	set_args /bin/sleep 100
	start_ctr "$P-a" /bin/sleep 100
	start_ctr "$P-b" /bin/sleep 100
	b=$(ctr_pid "$P-b")
	f=$ROOT/$P-a/state.json
	jq -c --arg cg "$CG/sbx/$P-b" '.cgroupPath = $cg' "$f" >"$f.x" && mv "$f.x" "$f"
	run sbx kill --all "$P-a" KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"not this container's"* ]]
	run sbx pause "$P-a"
	[ "$status" -ne 0 ]
	run sbx update --pids-limit 10 "$P-a"
	[ "$status" -ne 0 ]
	run sbx delete --force "$P-a"
	[ "$status" -eq 0 ]
	kill -0 "$b"
	[ "$(ctr_status "$P-b")" = running ]
	[ -e "$CG/sbx/$P-b" ]
	# a's own cgroup was left (its record was replaced); its init was
	# killed by pid, so it empties
	force_delete "$P-b"
	assert_clean "$P-b" "$b"
	retry 100 0.05 rmdir "$CG/sbx/$P-a"
}

@test "a leftover empty cgroup of the id is refused at create until delete --force removes it" {
	mkdir "$CG/sbx/$P" 2>/dev/null || mkdir -p "$CG/sbx/$P"
	track_path "$CG/sbx/$P"
	create_ctr "$P"
	[ "$status" -ne 0 ]
	[[ "$output" == *"did not make it"* ]]
	[ ! -e "$ROOT/$P" ]
	[ -d "$CG/sbx/$P" ]
	force_delete "$P"
	assert_clean "$P"
	create_ctr "$P"
	[ "$status" -eq 0 ]
}

# ---------------------------------------------------------------- full disk

@test "a full state filesystem: create fails cleanly, delete --force still works" {
	T=$BATS_TEST_TMPDIR/tiny
	mkdir -p "$T"
	mount -t tmpfs -o size=64k tmpfs "$T"
	track_path "$T"
	ROOT=$T/state
	set_args /bin/sleep 100
	create_ctr "$P-1"
	[ "$status" -eq 0 ]
	init=$(ctr_pid "$P-1")
	dd if=/dev/zero of="$T/fill" bs=4k 2>/dev/null || true
	create_ctr "$P-2"
	[ "$status" -ne 0 ]
	echo "$output" | grep -qi "no space left"
	[ ! -e "$CG/sbx/$P-2" ]
	run sbx delete --force "$P-2"
	[ "$status" -eq 0 ]
	assert_clean "$P-2"
	force_delete "$P-1"
	assert_clean "$P-1" "$init"
}

# ---------------------------------------------------------------- console

@test "--console-socket without process.terminal is refused (as runc does)" {
	create_ctr "$P" --console-socket "$BATS_TEST_TMPDIR/no.sock"
	[ "$status" -ne 0 ]
	[[ "$output" == *"terminal is false"* ]]
	[ ! -e "$ROOT/$P" ]
}
