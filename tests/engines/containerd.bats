#!/usr/bin/env bats
# containerd 1.6 driving sbx through containerd-shim-runc-v2, with ctr and
# a private containerd (see helpers.bash): ctr run --runc-binary $SBX.
# The containerd config imports contrib/containerd/config.toml (the CRI
# runtime handler "sbx", BinaryName = $SBX).

# bats file_tags=host

load helpers

setup_file() { containerd_setup_file; }
teardown_file() { containerd_teardown_file; }
setup() { engines_setup; }
teardown() { containerd_teardown; }

@test "contrib/containerd/config.toml: the CRI plugin loads it; handler sbx -> runc v2 shim + BinaryName" {
	run c plugins ls
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^io\.containerd\.grpc\.v1 +cri +[^ ]+ +ok *$'
	run "$CONTAINERD" --config "$T/config.toml" config dump
	[ "$status" -eq 0 ]
	d=$output
	grep -q '^ *\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sbx\]$' <<<"$d"
	grep -q '^ *\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc\]$' <<<"$d"
	sbx_tbl=$(sed -n '/runtimes\.sbx\]$/,/^ *\[plugins\.[^]]*\]$/p; /runtimes\.sbx\.options\]$/,/^$/p' <<<"$d")
	grep -q '^ *runtime_type = "io.containerd.runc.v2"$' <<<"$sbx_tbl"
	grep -qF "BinaryName = \"$SBX\"" <<<"$sbx_tbl"
	grep -q '^ *default_runtime_name = "runc"$' <<<"$d"
	# and as shipped, on its own, it names /usr/local/bin/sbx
	run "$CONTAINERD" --config "$top_srcdir/contrib/containerd/config.toml" config dump
	[ "$status" -eq 0 ]
	[[ "$output" == *'BinaryName = "/usr/local/bin/sbx"'* ]]
}

@test "ctr run --rm: output, exit code; the runtime cleans up" {
	ctr_run --rm "$CTR_IMAGE" sbx-t1 echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	assert_clean sbx-t1
	ctr_run --rm "$CTR_IMAGE" sbx-t1b sh -c 'echo out; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	assert_clean sbx-t1b
	[ -z "$(c containers ls -q)" ]
	assert_mounts_baseline
}

@test "ctr run: ctr's default spec as the container sees it" {
	ctr_run --rm "$CTR_IMAGE" sbx-t-view sh -c '
		echo "pid=$$ host=$(hostname)"
		grep NoNewPrivs /proc/self/status
		ulimit -n
		grep -c " /run tmpfs " /proc/mounts
		cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pid=1 host=" ] || [[ "${lines[0]}" == "pid=1 host="* ]]
	[ "${lines[1]}" = "NoNewPrivs:	1" ]
	[ "${lines[2]}" = 1024 ]
	[ "${lines[3]}" = 1 ]
	assert_clean sbx-t-view
}

@test "ctr run -d; task exec; task ps; task kill -a -s 9; task delete" {
	ctr_run -d --log-uri "file://$T/t2.log" "$CTR_IMAGE" sbx-t2 sh -c 'echo ready; exec sleep 1000'
	[ "$status" -eq 0 ]
	retry 100 0.1 grep -q ready "$T/t2.log"
	[ "$(task_status sbx-t2)" = RUNNING ]
	pid=$(c tasks ls | awk '$1 == "sbx-t2" { print $2 }')
	[ -d "$STATE_ROOT/sbx-t2" ]
	grep -q "^0::/$CTR_NS/sbx-t2\$" "/proc/$pid/cgroup"

	run c tasks exec --exec-id x1 sbx-t2 sh -c 'echo in; hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in ]
	run c tasks exec --exec-id x2 sbx-t2 sh -c 'exit 7'
	[ "$status" -eq 7 ]
	# a background exec, to be killed by kill -a
	c tasks exec -d --exec-id x3 sbx-t2 sleep 997 </dev/null >/dev/null 2>&1 3>&- || true
	retry 50 0.1 sh -c "'$CTR' -a '$T/containerd.sock' -n '$CTR_NS' tasks ps sbx-t2 | grep -c . | grep -qx 3"

	run c tasks ps sbx-t2
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == PID*INFO ]]
	[ "${#lines[@]}" -eq 3 ]
	echo "$output" | grep -q "^$pid "
	epid=$(echo "$output" | awk 'NR > 1 && $1 != '"$pid"' { print $1 }')
	[ -n "$epid" ]
	[[ "$(tr '\0' ' ' <"/proc/$epid/cmdline")" == "sleep 997 " ]]

	run c tasks kill -a -s 9 sbx-t2
	[ "$status" -eq 0 ]
	retry 100 0.1 _task_stopped sbx-t2
	! kill -0 "$pid" 2>/dev/null
	retry 50 0.1 sh -c "! kill -0 $epid 2>/dev/null"

	run c tasks delete sbx-t2
	[ "$status" -eq 0 ]
	[ -z "$(task_status sbx-t2)" ]
	run c containers delete sbx-t2
	[ "$status" -eq 0 ]
	assert_clean sbx-t2 "$pid" "$epid"
	assert_mounts_baseline
}

# issue #12: a task created and never started. ctr has no create-only
# command: a wrapper makes `start` fail, which leaves the task created.
# containerd itself refuses a plain `ctr task delete` of it ("must be
# stopped"); `delete -f` makes the shim run `kill --all ID 9`, then a plain
# `delete ID` (then `delete --force`). sbx now also deletes a created
# container without --force, as runc does (lifecycle.bats); this checks the
# whole engine path ends clean.
@test "a task created and never started: ctr task delete -f removes it and its init" {
	cat >"$T/sbx-nostart" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$T/sbx-nostart.calls"
	for a; do [ "\$a" = start ] && { echo "start refused by the test wrapper" >&2; exit 1; }; done
	exec "$SBX" "\$@"
	EOF
	chmod +x "$T/sbx-nostart"
	: >"$T/sbx-nostart.calls"
	run "$CTR" -a "$T/containerd.sock" -n "$CTR_NS" run $(ctr_run_flags | sed "s|--runc-binary [^ ]*|--runc-binary $T/sbx-nostart|") \
		"$CTR_IMAGE" sbx-t-created sleep 1000
	echo "ctr run -> $status: $output" >&2
	[ "$status" -ne 0 ]
	[ "$(task_status sbx-t-created)" = CREATED ]
	pid=$(cat "$STATE_ROOT/sbx-t-created/state.json" | jq -r .pid)
	kill -0 "$pid"
	run c tasks delete sbx-t-created
	[ "$status" -ne 0 ]
	[[ "$output" == *"must be stopped"* ]]
	run c tasks delete -f sbx-t-created
	echo "ctr tasks delete -f -> $status: $output" >&2
	cat "$T/sbx-nostart.calls" >&2
	[ "$status" -eq 0 ]
	grep -q " delete sbx-t-created\$" "$T/sbx-nostart.calls"
	[ -z "$(task_status sbx-t-created)" ]
	[ ! -e "$STATE_ROOT/sbx-t-created" ]
	run c containers delete sbx-t-created
	[ "$status" -eq 0 ]
	assert_clean sbx-t-created "$pid"
}

@test "ctr run -t: the program gets a pty" {
	in_pty "$CTR -a $T/containerd.sock -n $CTR_NS run $(ctr_run_flags | tr '\n' ' ')--rm -t $CTR_IMAGE sbx-t3 sh -c 'tty; [ -t 0 ] && echo stdin-tty; echo done; exit 4'"
	[ "$status" -eq 4 ]
	[[ "$output" =~ /dev/pts/[0-9]+ ]]
	[[ "$output" == *stdin-tty* ]]
	[[ "$output" == *done* ]]
	assert_clean sbx-t3
}

@test "ctr task pause / resume" {
	ctr_run -d --log-uri "file://$T/t4.log" "$CTR_IMAGE" sbx-t4 sh -c 'while :; do echo tick; sleep 0.05; done'
	[ "$status" -eq 0 ]
	retry 100 0.1 grep -q tick "$T/t4.log"
	run c tasks pause sbx-t4
	[ "$status" -eq 0 ]
	[ "$(task_status sbx-t4)" = PAUSED ]
	sleep 0.3	# lines in flight to the log when the freeze came
	n1=$(wc -l <"$T/t4.log")
	sleep 0.5
	[ "$(wc -l <"$T/t4.log")" -eq "$n1" ]
	run c tasks resume sbx-t4
	[ "$status" -eq 0 ]
	[ "$(task_status sbx-t4)" = RUNNING ]
	retry 50 0.1 sh -c "[ \$(wc -l <'$T/t4.log') -gt $n1 ]"
	run c tasks kill -s 9 sbx-t4
	retry 100 0.1 _task_stopped sbx-t4
	run c tasks delete sbx-t4
	[ "$status" -eq 0 ]
	c containers delete sbx-t4
	assert_clean sbx-t4
}

@test "ctr run /nonexistent: a readable error, nothing left" {
	ctr_run --rm "$CTR_IMAGE" sbx-t5 /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *'/nonexistent'*'no such file or directory'* ]]
	[[ "$output" != *'unable to retrieve OCI runtime error'* ]]
	c containers delete sbx-t5 2>/dev/null || true
	assert_clean sbx-t5
}

# Kubernetes-style user namespaces through containerd 1.6: ctr's --uidmap
# and --gidmap put a user namespace in the spec and give the container a
# snapshot chowned for the mapping (containerd 1.6 has no idmapped
# snapshots; the CRI's hostUsers: false needs containerd 1.7+). sbx runs it.
@test "ctr run --uidmap/--gidmap: a user namespace from containerd, the image root's inside" {
	ctr_run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$CTR_IMAGE" sbx-t-userns \
		sh -c 'cat /proc/self/uid_map; stat -c %u /bin/busybox; id -u; touch /new && echo wrote'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = wrote ]
	assert_clean sbx-t-userns
}

# containerd through the sandbox policy: BinaryName (here --runc-binary) is
# a wrapper that adds sbx's global --policy (docs/policy.md)
@test "ctr through the policy: a privileged task refused; a hardened one runs" {
	local pol=$T/pol/untrusted.json w=$T/pol/sbx-untrusted
	mkdir -p -m 0755 "$T/pol"
	chmod 0755 "$T"
	install -m 0644 "$top_srcdir/contrib/policy/untrusted.json" "$pol"
	printf '#!/bin/sh\nexec %s --policy %s "$@"\n' "$SBX" "$pol" >"$w"
	chmod 0755 "$w"
	# ctr_run_flags with the wrapper as the runtime (and --cpu-shares 0 on
	# a host whose cpu controller is on cgroup v1)
	local flags
	flags=$(ctr_run_flags | sed "s|--runc-binary $SBX|--runc-binary $w|")
	run "$CTR" -a "$T/containerd.sock" -n "$CTR_NS" run --rm $flags \
		--privileged "$CTR_IMAGE" sbx-t-pol1 true
	[ "$status" -ne 0 ]
	[[ "$output" == *"policy allow.capabilities"* ]] || fail "no policy error: $output"
	assert_clean sbx-t-pol1
	# ctr's default spec has no seccomp filter: --seccomp gives containerd's
	run "$CTR" -a "$T/containerd.sock" -n "$CTR_NS" run --rm $flags \
		--seccomp "$CTR_IMAGE" sbx-t-pol2 sh -c 'echo hardened; grep Seccomp_filters /proc/self/status; cat /proc/self/uid_map; stat -c %u:%g /bin/busybox; echo x >>/etc/passwd && echo wrote'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = hardened ]
	[[ "${lines[1]}" =~ Seccomp_filters:[[:space:]]+1 ]] || fail "the policy's filter is not joined to the engine's: $output"
	# harden.userns: a range of its own; the snapshot (an overlay mount)
	# is container root's, idmapped by its layers, and writable
	read -r inside host size <<<"${lines[2]}"
	[ "$inside" = 0 ] && [ "$host" -ge 1879048192 ] && [ "$size" = 65536 ] || fail "uid_map: $output"
	[ "${lines[3]}" = 0:0 ] && [ "${lines[4]}" = wrote ] || fail "$output"
	assert_clean sbx-t-pol2
}

# checkpoint/restore (issue #18): the shim runs `sbx checkpoint` for ctr c
# checkpoint --task and `sbx restore` for ctr c restore --live. In the VM
# pass: criu check fails on the development host's kernel. The counter
# writes its count to /count (no open file) so task exec can read it.
# Every ctr call is bounded: a hang fails the test with containerd's log.
ct() { timeout 120 "$CTR" -a "$T/containerd.sock" -n "$CTR_NS" "$@"; }
# _ctr_count [ID]: the count of task ID (default sbx-cr)
_ctr_count() { ct tasks exec --exec-id "r$RANDOM" "${1:-sbx-cr}" cat /count 2>/dev/null </dev/null; }
_ctr_count_at_least() { [ "$(_ctr_count "${2:-sbx-cr}")" -ge "$1" ] 2>/dev/null; }
_task_running() { [ "$(task_status "$1")" = RUNNING ]; }
_ctr_diag() {
	echo "--- containerd.log" >&2
	tail -n 30 "$T/containerd.log" >&2
	"$SBX" --root "$STATE_ROOT" list >&2
	ct tasks ls >&2
}

# bats test_tags=vm
@test "ctr c checkpoint --task: sbx checkpoint makes the image, the task goes on" {
	requires_criu
	ctr_run -d --log-uri "file://$T/cr.log" "$CTR_IMAGE" sbx-cr \
		sh -c 'i=0; while :; do echo $i >/count; i=$((i+1)); sleep 0.1; done'
	[ "$status" -eq 0 ]
	retry 60 0.5 _ctr_count_at_least 30 || { _ctr_diag; false; }
	run ct containers checkpoint --task sbx-cr sbx-cr-ckpt:1
	echo "$output"
	[ "$status" -eq 0 ] || { _ctr_diag; false; }
	run ct images ls -q
	[[ "$output" == *sbx-cr-ckpt:1* ]]
	# ctr asks for no exit: the shim passes --leave-running
	[ "$(task_status sbx-cr)" = RUNNING ]
	[ -d "$STATE_ROOT/sbx-cr" ]
	n=$(_ctr_count)
	sleep 1
	[ "$(_ctr_count)" -gt "$n" ]
}

# bats test_tags=vm
@test "ctr c checkpoint --task; ctr c restore --live: the counter continues" {
	requires_criu
	# The task's stdin is the host's /dev/null (ctr run -d), the restored
	# one's is the shim's stdin pipe: sbx opens /dev/null again for criu.
	# Its own id: with the id and command of the test above, containerd
	# 1.6 made a checkpoint image that ctr c restore refused ("media type
	# not found") before any runtime call; likely containerd's (the task's
	# spec blob already exists, an error ctr c checkpoint ignores), see
	# docs/engines.md.
	ctr_run -d --log-uri "file://$T/cr.log" "$CTR_IMAGE" sbx-cr2 \
		sh -c 'i=0; while :; do echo $i >/count; i=$((i+1)); sleep 0.1; done'
	[ "$status" -eq 0 ]
	retry 60 0.5 _ctr_count_at_least 30 sbx-cr2 || { _ctr_diag; false; }
	pid=$(ct tasks ls | awk '$1 == "sbx-cr2" { print $2 }')
	run ct containers checkpoint --task sbx-cr2 sbx-cr-ckpt:2
	echo "$output"
	[ "$status" -eq 0 ] || { _ctr_diag; false; }
	run ct images ls -q
	[[ "$output" == *sbx-cr-ckpt:2* ]]
	# ctr c checkpoint does not ask for the task's exit: the shim passes
	# --leave-running, the task goes on
	[ "$(task_status sbx-cr2)" = RUNNING ]
	[ -d "$STATE_ROOT/sbx-cr2" ]
	ct tasks kill -s 9 sbx-cr2
	retry 100 0.1 _task_stopped sbx-cr2
	run ct tasks delete sbx-cr2
	[ "$status" -eq 0 ]
	[ ! -d "$STATE_ROOT/sbx-cr2" ]
	run ct containers delete sbx-cr2
	[ "$status" -eq 0 ]
	# Without a terminal, ctr c restore returns once the task is started
	# (the shim runs `sbx restore --detach --pid-file ... -no-subreaper`
	# and waits for it to exit); a failed restore is its exit status.
	run ct containers restore --live sbx-cr2 sbx-cr-ckpt:2 </dev/null 3>&-
	echo "ctr containers restore --live -> $status: $output" >&2
	[ "$status" -eq 0 ] || { grep -h restore "$T"/state/io.containerd.runtime.v2.task/*/sbx-cr2/log.json >&2; _ctr_diag; false; }
	[ "$(task_status sbx-cr2)" = RUNNING ] || { _ctr_diag; false; }
	newpid=$(ct tasks ls | awk '$1 == "sbx-cr2" { print $2 }')
	[ "$newpid" != "$pid" ]
	[ -d "$STATE_ROOT/sbx-cr2" ]
	grep -q '^NSpid:.*[[:space:]]1$' "/proc/$newpid/status"
	# a fresh start would be at 10 after a second (at most 20 after the
	# retries below): the restored one is past the 30 it had reached. An
	# exec that fails is tried again for a second, its error shown.
	sleep 1
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		n=$(ct tasks exec --exec-id "r$RANDOM" sbx-cr2 cat /count 2>"$T/count.err" </dev/null) && [ -n "$n" ] && break
		sleep 0.1
	done
	echo "count after restore: $n (exec: $(cat "$T/count.err"))" >&2
	[ "$n" -gt 30 ] || { _ctr_diag; false; }
}
