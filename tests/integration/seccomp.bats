#!/usr/bin/env bats
# seccomp.bats: linux.seccomp as the program sees it: errno actions, kill
# and trap, argument conditions, notify with a listener, bad profiles.

# bats file_tags=host

load helpers

profile() { # JSON for .linux.seccomp
	update_config ".linux.seccomp = $1"
}

# kept_with NAME program|profile: the files of /run/sbx-seccomp holding
# NAME, compiled programs (seccomp-cache.c) or parsed profiles
# (spec-cache.c, their key starts "config linux.seccomp")
kept_with() {
	local x
	find /run/sbx-seccomp -type f -exec grep -l "$1" {} + 2>/dev/null | while read -r x; do
		if grep -q 'config linux.seccomp 1' "$x"; then
			[ "$2" = profile ] && echo "$x"
		else
			[ "$2" = program ] && echo "$x"
		fi
	done
	return 0
}

@test "deny mkdir with EPERM; the filter is visible in /proc/self/status" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sh -c 'mkdir /tmp/d 2>&1; grep ^Seccomp: /proc/self/status; touch /tmp/f && echo touch-ok'
	run sbx run --bundle "$BUNDLE" s1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"Operation not permitted"* ]]
	[[ "${lines[1]}" == *2 ]]
	[ "${lines[2]}" = touch-ok ]
}

@test "errnoRet 38 gives ENOSYS; defaultErrnoRet is used for the default action" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	set_args /bin/sh -c 'mkdir /tmp/d 2>&1'
	run sbx run --bundle "$BUNDLE" s2
	[[ "$output" == *"Function not implemented"* ]]
}

@test "SCMP_ACT_KILL_PROCESS on uname: the program dies of SIGSYS (status 159)" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	set_args /bin/uname -a
	run sbx run --bundle "$BUNDLE" s3
	[ "$status" -eq 159 ]
}

@test "SCMP_ACT_TRAP: SIGSYS as well" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_TRAP"}]}'
	set_args /bin/uname -a
	run sbx run --bundle "$BUNDLE" s4
	[ "$status" -eq 159 ]
}

@test "an argument condition: a 6-byte write fails, others work" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 2, "value": 6, "op": "SCMP_CMP_EQ"}]}]}'
	set_args /bin/sh -c 'echo abcd; echo abcde; echo abcdef'
	run --separate-stderr sbx run --bundle "$BUNDLE" s5
	[ "${lines[0]}" = abcd ]
	[ "${lines[1]}" = abcdef ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "SCMP_CMP_MASKED_EQ: personality(PER_LINUX32) denied, PER_LINUX allowed" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	set_args /bin/sh -c 'linux32 uname -m 2>&1; linux64 uname -m'
	run sbx run --bundle "$BUNDLE" s6
	[[ "${lines[0]}" == *"Operation not permitted"* ]]
	[ "${lines[1]}" = x86_64 ]
}

# libseccomp 2.5.4 spins without end on this rule set (runc hangs on it):
# sbx compiles in a child with a deadline, and refuses the config
@test "a filter libseccomp cannot finish compiling is an error after 10 s, not a stuck create; nothing is left" {
	profile '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [
		{"names": ["mount"], "action": "SCMP_ACT_TRAP", "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_LE"},
			{"index": 0, "value": 268435473, "op": "SCMP_CMP_LT"}]},
		{"names": ["unshare", "getpid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_LT"},
			{"index": 0, "value": 4294967295, "op": "SCMP_CMP_GE"}]},
		{"names": ["uname", "personality"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["getcwd", "personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 17,
			"valueTwo": 268435473, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["mount"], "action": "SCMP_ACT_TRAP", "args": [{"index": 0, "value": 268435473, "op": "SCMP_CMP_LT"},
			{"index": 1, "value": 16, "valueTwo": 4294967313, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["socketpair", "mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 34, "args": [{"index": 1,
			"value": 2114060288, "op": "SCMP_CMP_LT"}]},
		{"names": ["personality", "socketpair", "write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0,
			"value": 268435473, "op": "SCMP_CMP_LE"}, {"index": 1, "value": 10, "valueTwo": 4294967295,
			"op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW"}]}'
	start=$SECONDS
	run timeout 60 "$SBX" --root "$ROOT" run --bundle "$BUNDLE" sp1
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "status $status: $output"
	[[ "$output" == *"linux.seccomp: libseccomp did not finish compiling the filter in 10000 ms"* ]] || fail "$output"
	[ $((SECONDS - start)) -lt 30 ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$ROOT")"
	[ ! -e "$(cg_root)/sbx/sp1" ] || fail "cgroup left"
	[ -z "$(pgrep -f 'sbx.* run --bundle .* sp1')" ] || fail "a process left"
	# sbx killed with -9 while libseccomp spins: the compiling child goes too
	rm -f /run/sbx-seccomp/* # a cache
	"$SBX" --root "$ROOT" run --bundle "$BUNDLE" sp2 </dev/null >/dev/null 2>&1 &
	spid=$!
	retry 50 0.1 pgrep -P "$spid" >/dev/null || fail "no compiling child"
	child=$(pgrep -P "$spid")
	kill -9 "$spid"
	wait "$spid" || true
	retry 50 0.1 bash -c "! kill -0 $child 2>/dev/null" || fail "the compiling child $child outlived sbx"
	run sbx delete --force sp2
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "state left: $(ls -A "$ROOT")"
}

@test "unknown syscall names are skipped, an unknown action or operator is an error naming it" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sh -c 'mkdir /tmp/d 2>/dev/null || echo denied'
	run sbx run --bundle "$BUNDLE" s7
	[ "$status" -eq 0 ]
	[ "$output" = denied ]
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]}'
	run sbx run --bundle "$BUNDLE" s8
	[ "$status" -ne 0 ]
	[[ "$output" == *SCMP_ACT_EXPLODE* ]]
	[[ "$output" == *"syscalls[0].action"* ]]
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]}'
	run sbx run --bundle "$BUNDLE" s9
	[ "$status" -ne 0 ]
	[[ "$output" == *SCMP_CMP_ALMOST* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "SCMP_ACT_NOTIFY: the listener gets the fd and the state, and answers the syscall" {
	command -v python3 >/dev/null || skip "needs python3 for the listener"
	sock=$BATS_TEST_TMPDIR/notify.sock
	python3 "$top_srcdir/tests/helpers/seccomp-listener.py" "$sock" "$BATS_TEST_TMPDIR/msg.json" 18 &
	track_pid $!
	retry 100 0.05 test -S "$sock"
	# with the flags a listener may carry (TSYNC, which the kernel refuses
	# next to a listener, is dropped: the init has one thread)
	profile "$(jq -nc --arg p "$sock" '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $p, "listenerMetadata": "meta-1",
		"flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}')"
	set_args /bin/sh -c 'mkdir /tmp/d 2>&1'
	run sbx run --bundle "$BUNDLE" s10
	[[ "$output" == *"Invalid cross-device link"* ]]
	[ "$(jq -r .nfds "$BATS_TEST_TMPDIR/msg.json")" = 1 ]
	[ "$(jq -r '.message.fds[0]' "$BATS_TEST_TMPDIR/msg.json")" = seccompFd ]
	[ "$(jq -r '.message.metadata' "$BATS_TEST_TMPDIR/msg.json")" = meta-1 ]
	[ "$(jq -r '.message.state.id' "$BATS_TEST_TMPDIR/msg.json")" = s10 ]
	[ "$(jq -r '.message.pid' "$BATS_TEST_TMPDIR/msg.json")" -gt 0 ]
}

@test "the filter is loaded last: the runtime's own set-up is not filtered" {
	# mount, pivot_root, sethostname would all fail under this profile
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount", "pivot_root", "sethostname", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "mount_setattr", "setns", "capset"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sh -c 'hostname; mount -t tmpfs none /mnt 2>/dev/null || echo mount-denied'
	run sbx run --bundle "$BUNDLE" s11
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = mount-denied ]
}

# The config's filter is compiled once per profile (seccomp-cache.c): the
# second create loads the kept program, which still enforces; exec too; a
# program cut short is compiled again; past 256 kept programs the
# directory starts again from empty.
@test "linux.seccomp is compiled once: kept in /run/sbx-seccomp, enforced from there, for exec too" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat", "sbx_cache_probe_name"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sh -c 'mkdir /tmp/d 2>&1 || echo denied'
	mkdir -p /run/sbx-seccomp
	find /run/sbx-seccomp -type f -exec grep -l sbx_cache_probe_name {} + | xargs -r rm -f
	run sbx run --bundle "$BUNDLE" k1
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "$output"
	f=$(kept_with sbx_cache_probe_name program)
	[ -n "$f" ] && [ "$(wc -l <<<"$f")" = 1 ] || fail "not one program kept: $f"
	[ "$(stat -c %u:%a "$f")" = 0:600 ]
	m=$(stat -c %i "$f")
	sleep 0.05
	run sbx run --bundle "$BUNDLE" k2
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "from the cache: $output"
	[ "$(stat -c %i "$f")" = "$m" ] || fail "compiled again"
	set_args /bin/sleep 100
	run_bg "$BATS_TEST_TMPDIR/k3" sbx run -d --bundle "$BUNDLE" k3
	[ "$status" -eq 0 ] || fail "$output"
	run sbx exec k3 /bin/sh -c 'mkdir /tmp/e 2>&1 || echo denied'
	[ "${lines[-1]}" = denied ] || fail "exec: $output"
	[ "$(stat -c %i "$f")" = "$m" ] || fail "exec compiled again"
	sbx delete --force k3
	truncate -s -8 "$f"
	set_args /bin/sh -c 'mkdir /tmp/d 2>&1 || echo denied'
	run sbx run --bundle "$BUNDLE" k4
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "cut short: $output"
	[ "$(stat -c %i "$f")" != "$m" ] || fail "not compiled again"
	# past the limit: emptied, then this program is kept again
	for i in $(seq 256); do : >"/run/sbx-seccomp/filler$i"; done
	rm -f "$f"
	run sbx run --bundle "$BUNDLE" k5
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "$output"
	[ ! -e /run/sbx-seccomp/filler1 ] || fail "not pruned"
	# this program (its parsed profile, below, was kept before: emptied)
	[ "$(find /run/sbx-seccomp -type f | wc -l)" = 1 ]
	[ -n "$(kept_with sbx_cache_probe_name program)" ]
}

# The profile's bytes in config.json are kept with what they parse to
# (spec-cache.c): a create with the same bytes takes the profile from
# there, a damaged entry is parsed again, other bytes are other profiles.
@test "linux.seccomp is parsed once: the profile kept by its bytes, enforced from there, parsed again when damaged" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat", "sbx_parse_probe_name"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sh -c 'mkdir /tmp/d 2>&1 || echo denied'
	mkdir -p /run/sbx-seccomp
	find /run/sbx-seccomp -type f -exec grep -l sbx_parse_probe_name {} + | xargs -r rm -f
	run sbx run --bundle "$BUNDLE" q1
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "$output"
	f=$(kept_with sbx_parse_probe_name profile)
	[ -n "$f" ] && [ "$(wc -l <<<"$f")" = 1 ] || fail "not one profile kept: $f"
	[ "$(stat -c %u:%a "$f")" = 0:600 ]
	m=$(stat -c %i "$f")
	run sbx run --bundle "$BUNDLE" q2
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "from the cache: $output"
	[ "$(stat -c %i "$f")" = "$m" ] || fail "parsed and kept again"
	truncate -s -3 "$f"
	run sbx run --bundle "$BUNDLE" q3
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = denied ] || fail "damaged: $output"
	[ "$(stat -c %i "$(kept_with sbx_parse_probe_name profile)")" != "$m" ] || fail "not parsed again"
	# the same names allowed: other bytes, another profile
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat", "sbx_parse_probe_name"], "action": "SCMP_ACT_ALLOW"}]}'
	run sbx run --bundle "$BUNDLE" q4
	[ "$status" -eq 0 ] && [[ "$output" != *denied* ]] || fail "the kept profile served other bytes: $output"
}

# With no_new_privs the filter goes on last, and when the syscalls left
# after it (the wait on exec.fifo, closing fds, execve) pass it whatever
# their arguments, "last" is before the wait for start: under `run` the
# kernel compiles it while the parent ends create and starts. Otherwise,
# or with a startContainer hook (it runs between), just before execve.
seccomp_while_created() { # ID: the created init's Seccomp and Seccomp_filters
	awk '/^Seccomp(_filters)?:/ { printf "%s ", $2 }' "/proc/$(ctr_pid "$1")/status"
}

# ID WANT: create ID, its init's "Seccomp Seccomp_filters " while created
# is WANT; start it: the program is denied mkdir under one filter
created_then_started() {
	create_ctr "$1"
	[ "$status" -eq 0 ] || fail "create $1: $output"
	[ "$(seccomp_while_created "$1")" = "$2" ] || fail "$1 while created: $(seccomp_while_created "$1")"
	run sbx start "$1"
	[ "$status" -eq 0 ] || fail "start $1: $output"
	wait_output "$1" Seccomp_filters
	[ "$(ctr_out "$1")" = "$(printf 'denied\nSeccomp_filters:\t1')" ] || fail "$1: $(ctr_out "$1")"
}

@test "with no_new_privs the filter is on while the container waits for start, if the wait passes it; the program runs under it" {
	update_config '.process.noNewPrivileges = true'
	deny='{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}'
	profile "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$deny]}"
	set_args /bin/sh -c 'mkdir /tmp/d 2>/dev/null && echo made || echo denied; grep ^Seccomp_filters: /proc/self/status'
	created_then_started e1 "2 1 "
	# one of the wait's syscalls depends on its arguments: before execve
	profile "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$deny,
		{\"names\": [\"fcntl\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1033, \"op\": \"SCMP_CMP_EQ\"}]}]}"
	created_then_started e2 "0 0 "
	# one is denied outright (poll): the same
	profile "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$deny, {\"names\": [\"poll\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
	created_then_started e3 "0 0 "
	# a startContainer hook runs between: the same
	profile "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$deny]}"
	update_config '.hooks.startContainer = [{"path": "/bin/true"}]'
	created_then_started e4 "0 0 "
}
