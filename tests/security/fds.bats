#!/usr/bin/env bats
# Class 1: no host fd and no host cwd reaches the container.
# CVE-2016-9962 (runc exec: the init's fds reachable through /proc/PID/fd
# before execve), CVE-2024-21626 (a leaked host directory fd used as
# process.cwd "/proc/self/fd/N", or reached by the container before exec).

# bats file_tags=host

load helpers

# fds_ok OUTPUT ALLOWED: the fd numbers "probe fds" printed are ALLOWED.
fds_ok() {
	local fds
	fds=$(cut -d' ' -f1 <<<"$1" | tr '\n' ' ')
	[ "$fds" = "$2" ] || fail "fds in the container: '$fds', expected '$2'; probe said: $1"
}

@test "run: host directory fds 5 and 7 of the caller do not reach the container" {
	set_args /bin/probe fds
	run_ctr f1 3>&- 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	fds_ok "$output" "0 1 2 "
	check_host_untouched
}

@test "run --preserve-fds 1: fd 3 passes, host directory fds 5 and 7 do not" {
	set_args /bin/probe fds
	run_ctr f1 --preserve-fds 1 3</dev/null 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	fds_ok "$output" "0 1 2 3 "
	check_host_untouched
}

attack_cwd_fd() {
	local n
	for n in $(seq 3 20); do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		set_args /bin/sh -c 'pwd; cat ../../../../../../../../'"${HOST_SECRET#/}"' ../host-secret ../../host-secret ../../../host-secret ../../../../host-secret 2>&1; ls -a'
		run_ctr "c$n" 3>&- 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR"
		echo "$output" >>"$BATS_TEST_TMPDIR/all.out"
		clean_exit
		if [ "$status" -eq 0 ]; then
			[[ "${lines[0]}" == /* ]] || fail "cwd /proc/self/fd/$n: pwd says '${lines[0]}'"
			[[ "$output" != *"(unreachable)"* ]] || fail "cwd /proc/self/fd/$n outside the root: $output"
		fi
	done
	no_token "$BATS_TEST_TMPDIR/all.out"
	check_host_untouched
}

@test "process.cwd /proc/self/fd/N (N = 3..20) never lands outside the root" {
	attack_cwd_fd
}

@test "process.cwd /proc/self/fd/N, fallback resolver (openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_cwd_fd
}

@test "exec --cwd /proc/self/fd/N (N = 3..20) never lands outside the root" {
	local n
	start_ctr e1 /bin/sleep 100
	[ "$status" -eq 0 ]
	for n in $(seq 3 20); do
		status=0
		output=$("$SBX" --root "$ROOT" exec --cwd "/proc/self/fd/$n" e1 /bin/sh -c \
			'pwd; cat ../host-secret ../../host-secret ../../../host-secret ../../../../host-secret ../../../../../host-secret 2>&1' \
			</dev/null 2>&1 3>&- 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR") || status=$?
		echo "$output" >>"$BATS_TEST_TMPDIR/all.out"
		clean_exit
		if [ "$status" -eq 0 ]; then
			[[ "${output%%$'\n'*}" == /* ]] || fail "exec cwd /proc/self/fd/$n: $output"
		fi
	done
	no_token "$BATS_TEST_TMPDIR/all.out"
	check_host_untouched
}

@test "exec: host directory fds 5 and 7 of the caller do not reach the process" {
	start_ctr e1 /bin/sleep 100
	run -0 "$SBX" --root "$ROOT" exec e1 /bin/probe fds 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR" 3>&-
	fds_ok "$output" "0 1 2 "
	run -0 "$SBX" --root "$ROOT" exec --preserve-fds 1 e1 /bin/probe fds 3</dev/null 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR"
	fds_ok "$output" "0 1 2 3 "
	check_host_untouched
}

# The CVE-2016-9962 race: while `sbx exec` joins the container, a process
# already inside walks /proc/*/fd, /proc/*/cwd and /proc/*/root of every
# process it can see, looking for a way back to a host directory.
@test "exec race: the container cannot reach the joining runtime's fds, cwd or root" {
	local i
	update_config '.process.capabilities.bounding += ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"]
		| .process.capabilities.effective += ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"]
		| .process.capabilities.permitted += ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"]'
	start_ctr r1 /bin/attack fd-scan "$HOST_SECRET" 12
	[ "$status" -eq 0 ]
	for i in $(seq 1 40); do
		(cd "$BATS_TEST_TMPDIR" && "$SBX" --root "$ROOT" exec r1 /bin/true </dev/null 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR" 3>&-) ||
			fail "exec $i failed"
		_status_is r1 running || break
	done
	retry 300 0.05 _status_is r1 stopped
	ctr_out r1 | grep -v '^SEEN' >&2
	echo "pids seen by the attacker: $(grep -c '^SEEN' "$BATS_TEST_TMPDIR/r1.out")" >&2
	run ctr_out r1
	[[ "$output" == *"DONE scans="* ]] || fail "the attacker did not finish: $output"
	[[ "$output" != *LEAK* ]] || fail "host file read from the container: $(grep LEAK <<<"$output")"
	no_token "$BATS_TEST_TMPDIR/r1.out"
	check_host_untouched
}

# ptrace_attack: a container whose PID 1 has CAP_SYS_PTRACE seizes every
# new pid it sees while `sbx exec` joins it 40 times, with a secret in the
# caller's environment and host directories on fds 5 and 7. Non-dumpable
# does not stop this tracer (it has the capability in the initial user
# namespace): the joining process must simply hold nothing.
@test "exec under a CAP_SYS_PTRACE tracer: joining processes hold no host fd and no caller environment" {
	local i
	update_config '.process.capabilities.bounding += ["CAP_SYS_PTRACE"]
		| .process.capabilities.effective += ["CAP_SYS_PTRACE"]
		| .process.capabilities.permitted += ["CAP_SYS_PTRACE"]'
	start_ctr t1 /bin/attack ptrace-seize "$TOKEN" "$HOST_SECRET" 30
	[ "$status" -eq 0 ]
	for i in $(seq 1 40); do
		(cd "$BATS_TEST_TMPDIR" && SBX_TEST_SECRET=$TOKEN "$SBX" --root "$ROOT" exec t1 /bin/true \
			</dev/null 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR" 3>&-) || true
	done
	sbx kill t1 KILL
	retry 100 0.05 _status_is t1 stopped
	run ctr_out t1
	echo "$output" | grep -c '^SEIZED' >&2
	[[ "$output" == *"DONE"* || "$output" == *SEIZED* ]] || fail "the attacker did not run: $output"
	[ "$(grep -c '^SEIZED' <<<"$output")" -ge 5 ] || fail "the attacker seized fewer than 5 processes: the test proves nothing"
	[[ "$output" != *ENVLEAK* ]] || fail "the caller's environment was readable: $(grep ENVLEAK <<<"$output")"
	[[ "$output" != *LEAK\ via* ]] || fail "host file read through a joining process: $(grep 'LEAK via' <<<"$output")"
	# what a joining process may hold beyond stdio: its sync socket, and
	# files of the container's own tree
	bad=$(grep '^FD ' <<<"$output" | awk '$3 > 2 { print $4 }' | grep -vE '^socket:' | sort -u || true)
	[ -z "$bad" ] || fail "host fds held by a joining process: $bad"
	no_token "$BATS_TEST_TMPDIR/t1.out"
	check_host_untouched
}

# The init of a created container waits for `start` inside the container's
# namespaces: it must hold only stdio, exec.fifo and the sync socket, and
# none of the caller's environment.
@test "created init: only stdio, exec.fifo and the sync socket; no caller environment" {
	set_args /bin/true
	(cd "$BATS_TEST_TMPDIR" && SBX_TEST_SECRET=$TOKEN "$SBX" --root "$ROOT" create --bundle "$BUNDLE" c1 \
		</dev/null >/dev/null 2>&1 5<"$HOST_DIR" 7<"$BATS_TEST_TMPDIR" 3>&-)
	pid=$(ctr_pid c1)
	ls -l "/proc/$pid/fd" >&2
	fds=$(find "/proc/$pid/fd" -mindepth 1 -printf '%f %l\n' | sort -n)
	bad=$(awk '$1 > 2' <<<"$fds" | grep -vE " (socket:|$ROOT/c1/exec.fifo$)" || true)
	[ -z "$bad" ] || fail "the created init holds: $bad"
	[ "$(awk '$1 > 2' <<<"$fds" | grep -c exec.fifo)" -eq 1 ] || fail "no exec.fifo among: $fds"
	if tr '\0' '\n' <"/proc/$pid/environ" | grep -q "$TOKEN"; then
		fail "the created init shows the caller's environment"
	fi
	sbx start c1
	check_host_untouched
}
