#!/usr/bin/env bats
# exec.bats: sbx exec into a running container: namespaces, cgroup, user,
# env, cwd, tty, exit status, detach, error cases.

# bats file_tags=host

load helpers

setup() {
	sbx_setup
	start_ctr e1 /bin/sleep 1000
}

@test "exec joins every namespace and the cgroup of the container" {
	run sbx exec e1 /bin/sh -c 'for n in pid mnt net ipc uts cgroup; do readlink /proc/self/ns/$n; done'
	[ "$status" -eq 0 ]
	i=0
	for n in pid mnt net ipc uts cgroup; do
		[ "${lines[$i]}" = "$(readlink /proc/$CTR_PID/ns/$n)" ]
		i=$((i + 1))
	done
	# the same cgroup, seen from the host
	run_bg "$BATS_TEST_TMPDIR/x" sbx exec -d --pid-file "$BATS_TEST_TMPDIR/x.pid" e1 /bin/sleep 100
	[ "$status" -eq 0 ]
	[ "$(cat /proc/$(cat "$BATS_TEST_TMPDIR/x.pid")/cgroup)" = "$(cat /proc/$CTR_PID/cgroup)" ]
}

@test "exec sees the container's processes (pid namespace)" {
	run sbx exec e1 /bin/sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -gt 1 ]
	[ "${lines[1]}" -le 4 ]
}

@test "exec propagates the exit status, 128+N for a signal" {
	run sbx exec e1 /bin/sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run sbx exec e1 /bin/sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "exec --user, --env, --cwd, --additional-gids" {
	run sbx exec --user 1000:1000 --additional-gids 10,20 --env FOO=bar --cwd /tmp e1 /bin/sh -c 'id -u; id -g; id -G; echo $FOO; pwd'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = "1000 10 20" ]
	[ "${lines[3]}" = bar ]
	[ "${lines[4]}" = /tmp ]
}

@test "exec --user is numeric only and bounded" {
	run sbx exec --user root e1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *numeric* ]]
	run sbx exec --user 4294967296 e1 /bin/true
	[ "$status" -ne 0 ]
	run sbx exec --user 1000:99999999999 e1 /bin/true
	[ "$status" -ne 0 ]
}

@test "exec --process FILE" {
	cat >"$BATS_TEST_TMPDIR/p.json" <<-'EOS'
	{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "args": ["/bin/sh", "-c", "echo $X; id -u; pwd"],
	 "env": ["X=from-process-file", "PATH=/bin"], "cwd": "/home/user"}
	EOS
	run sbx exec --process "$BATS_TEST_TMPDIR/p.json" e1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-process-file ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = /home/user ]
}

# containerd sends the container's oomScoreAdj with every exec (kubectl
# exec, exec probes): it must hold in the exec'd process, as in runc.
@test "exec --process FILE: oomScoreAdj applies to the exec'd process" {
	cat >"$BATS_TEST_TMPDIR/p.json" <<-'EOS'
	{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["/bin/cat", "/proc/self/oom_score_adj"],
	 "env": ["PATH=/bin"], "cwd": "/", "oomScoreAdj": 321}
	EOS
	run sbx exec --process "$BATS_TEST_TMPDIR/p.json" e1
	[ "$status" -eq 0 ]
	[ "$output" = 321 ]
	# and detached, seen from the host
	jq '.args = ["/bin/sleep", "100"]' "$BATS_TEST_TMPDIR/p.json" >"$BATS_TEST_TMPDIR/p2.json"
	run_bg "$BATS_TEST_TMPDIR/x" sbx exec -d --pid-file "$BATS_TEST_TMPDIR/x.pid" --process "$BATS_TEST_TMPDIR/p2.json" e1
	[ "$status" -eq 0 ]
	[ "$(cat "/proc/$(cat "$BATS_TEST_TMPDIR/x.pid")/oom_score_adj")" = 321 ]
}

@test "exec --cap adds to bounding/effective/permitted only" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	run sbx exec --cap CAP_CHOWN e1 /bin/grep -E '^Cap(Inh|Eff|Amb):' /proc/self/status
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
}

@test "exec --detach with --pid-file: the process runs on, orphaned" {
	run_bg "$BATS_TEST_TMPDIR/d" sbx exec --detach --pid-file "$BATS_TEST_TMPDIR/e.pid" e1 /bin/sleep 100
	[ "$status" -eq 0 ]
	pid=$(cat "$BATS_TEST_TMPDIR/e.pid")
	[[ "$pid" =~ ^[0-9]+$ ]]
	kill -0 "$pid"
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$CTR_PID/ns/pid)" ]
	[ "$(awk '/^PPid:/ {print $2}' /proc/$pid/status)" != "$$" ]
}

@test "exec of a missing binary: no such file or directory, status 1" {
	run sbx exec e1 /nonexistent
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such file or directory"* ]]
	run sbx exec e1 nosuchcmd
	[ "$status" -eq 1 ]
	[[ "$output" == *"executable file not found in \$PATH"* ]]
}

@test "exec into a stopped or unknown container is an error" {
	run sbx kill e1 KILL
	wait_status e1 stopped
	run sbx exec e1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	run sbx exec nope /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "nope" does not exist'* ]]
}

@test "exec --cgroup must stay inside the container's cgroup" {
	run sbx exec --cgroup ../../escape e1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"not allowed"* ]]
	run sbx exec --cgroup /../escape e1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"not allowed"* ]]
	run sbx exec --cgroup sub/../../escape e1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"not allowed"* ]]
	# "/abs" is a sub-cgroup of the container's (as in runc), here missing
	run sbx exec --cgroup /abs e1 /bin/true
	[ "$status" -ne 0 ]
}

# issue #12: the stdio pipes stayed owned by host root.
@test "exec --user 1000: the process can reopen its stdio pipes" {
	run sbx exec --user 1000:1000 e1 /bin/sh -c 'echo via-proc >/proc/self/fd/1 && stat -Lc "%u:%g" /proc/self/fd/1' </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = via-proc ]
	[ "${lines[1]}" = 1000:1000 ]
}

# issue #12: the flag was appended after process.env's PATH, which won.
@test "exec --env overrides a key already in process.env" {
	grep -q '"PATH=' "$BUNDLE/config.json"
	run sbx exec --env PATH=/custom:/bin --env NEW=1 e1 /bin/sh -c 'echo "$PATH"; env | grep -c "^PATH="; echo "$NEW"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /custom:/bin ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = 1 ]
	run sbx exec --env =x e1 /bin/true
	[ "$status" -ne 0 ]
}

@test "exec --tty with --console-socket: the process has a tty" {
	requires tty
	sock=$BATS_TEST_TMPDIR/tty.sock
	"$RECVTTY" --print "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 &
	track_pid $!
	retry 50 0.05 test -S "$sock"
	run sbx exec --tty --console-socket "$sock" e1 /bin/sh -c 'tty; test -t 0 && echo stdin-is-tty'
	[ "$status" -eq 0 ]
	retry 100 0.05 grep -q stdin-is-tty "$BATS_TEST_TMPDIR/tty.out"
	grep -q '^/dev/pts/' "$BATS_TEST_TMPDIR/tty.out"
}

@test "exec does not leak the runtime's fds" {
	requires probe
	run sbx exec e1 probe fds 5</dev/null 7</etc/passwd
	[ "$status" -eq 0 ]
	[ "$(grep -cvE '^[012] ' <<<"$output")" -eq 0 ]
}

@test "exec runs under the container's seccomp filter" {
	sbx delete --force e1
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_ctr e2 /bin/sleep 1000
	run sbx exec e2 /bin/sh -c 'mkdir /tmp/x 2>/dev/null; echo $?; grep ^Seccomp: /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == *2 ]]
}

# issue #14's drift: exec set HOME after the user switch, create before it;
# with an /etc/passwd only root can read, exec fell back to "/"
@test "exec --user 1000: HOME comes from /etc/passwd even when only root can read it (as in create)" {
	chmod 0600 "$ROOTFS/etc/passwd"
	run sbx exec --user 1000 e1 /bin/sh -c 'echo "$HOME"'
	[ "$status" -eq 0 ]
	[ "$output" = /home/user ] || fail "HOME=$output"
}

# issue #14's drift: exec dropped the SCMP_ACT_NOTIFY listener fd that
# create forwards, so a notified syscall in an exec'd process never got an
# answer from the listener (ENOSYS)
@test "exec: an SCMP_ACT_NOTIFY filter's fd reaches linux.seccomp.listenerPath, as in create" {
	command -v python3 >/dev/null || fail "needs python3 for the listener"
	sbx delete -f e1
	sock=$BATS_TEST_TMPDIR/notify.sock
	python3 "$top_srcdir/tests/helpers/seccomp-listener.py" "$sock" "$BATS_TEST_TMPDIR/msg1.json" 18 &
	track_pid $!
	retry 100 0.05 test -S "$sock"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $p,
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' --arg p "$sock"
	start_ctr n1 /bin/sleep 100
	[ "$status" -eq 0 ]
	retry 100 0.05 test -s "$BATS_TEST_TMPDIR/msg1.json"
	# a second listener on the same path answers for the exec'd process
	rm -f "$sock"
	python3 "$top_srcdir/tests/helpers/seccomp-listener.py" "$sock" "$BATS_TEST_TMPDIR/msg2.json" 18 &
	track_pid $!
	retry 100 0.05 test -S "$sock"
	run timeout 20 "$SBX" --root "$ROOT" exec n1 /bin/sh -c 'mkdir /tmp/d 2>&1'
	[[ "$output" == *"Invalid cross-device link"* ]] || fail "the exec'd process got: $output"
	[ "$(jq -r '.message.state.id' "$BATS_TEST_TMPDIR/msg2.json")" = n1 ]
	[ "$(jq -r .nfds "$BATS_TEST_TMPDIR/msg2.json")" = 1 ]
}
