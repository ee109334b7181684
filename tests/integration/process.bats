#!/usr/bin/env bats
# The process: args, env, cwd, user, umask, terminal, inherited fds.

# bats file_tags=host

load helpers

@test "args are passed verbatim" {
	set_args /bin/sh -c 'for a; do echo "[$a]"; done' sh 'a b' '' '$HOME' "quote'd"
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '[a b]\n[]\n[$HOME]\n[quote'"'"'d]')" ]
}

@test "args: the binary is looked up in the container's PATH" {
	update_config '.process.env = ["PATH=/usr/local/bin:/bin"]'
	set_args echo found
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "$output" = found ]
}

@test "env: exactly the configured variables" {
	update_config '.process.env = ["PATH=/bin:/sbin", "FOO=bar baz", "EMPTY="]'
	set_args /bin/env
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[[ "$output" == *"PATH=/bin:/sbin"* ]]
	[[ "$output" == *"FOO=bar baz"* ]]
	[[ "$output" == *"EMPTY="* ]]
	# nothing from the runtime's environment
	[[ "$output" != *BATS_* ]]
	# at most HOME is added (runc adds HOME when missing)
	n=$(grep -cv -e '^PATH=' -e '^FOO=' -e '^EMPTY=' -e '^HOME=' <<<"$output" || true)
	[ "$n" -eq 0 ]
}

@test "env: the created init's memory holds nothing of sbx's environment" {
	local mark=SBX_ENV_MARK_$$ raw pid
	run_bg "$BATS_TEST_TMPDIR/e1" env "$mark=secret" "$SBX" --root "$ROOT" create --bundle "$BUNDLE" e1
	[ "$status" -eq 0 ]
	pid=$(ctr_pid e1)
	# the area execve filled, as the kernel shows it: there, and all zeros
	raw=$(wc -c <"/proc/$pid/environ")
	[ "$raw" -gt ${#mark} ]
	[ -z "$(tr -d '\0' <"/proc/$pid/environ")" ]
	sbx delete --force e1
}

@test "env: HOME is set from /etc/passwd when missing" {
	update_config '.process.env = ["PATH=/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c 'echo "$HOME"'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "$output" = /home/user ]
}

@test "cwd: set, and created when missing" {
	requires probe
	update_config '.process.cwd = "/work/dir"'
	set_args /bin/sh -c 'probe cwd; readlink /proc/1/cwd'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /work/dir ]
	[ "${lines[1]}" = /work/dir ]
	[ -d "$ROOTFS/work/dir" ]
}

# issue #12: the missing cwd was made after the root turned read-only.
@test "cwd: created when missing even with root.readonly" {
	requires probe
	update_config '.process.cwd = "/work/dir" | .root.readonly = true'
	set_args /bin/sh -c 'probe cwd; probe write /etc/x'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /work/dir ]
	[ "${lines[1]}" = EROFS ]
	[ -d "$ROOTFS/work/dir" ]
}

@test "cwd: a cwd inside a masked directory sees the mask, not what it hides" {
	mkdir -p "$ROOTFS/secret"
	echo hidden >"$ROOTFS/secret/file"
	update_config '.process.cwd = "/secret" | .linux.maskedPaths = ["/secret"]'
	set_args /bin/sh -c 'pwd; ls -A .; cat file 2>&1 || echo no-file'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /secret ]
	[ "${lines[1]}" != file ]
	[[ "$output" != *hidden* ]]
}

@test "cwd of the container init is inside the container (seen from the host)" {
	update_config '.process.cwd = "/tmp"'
	set_args sleep 100
	start_ctr c1
	# its root is the rootfs, its cwd the rootfs' /tmp (same inode)
	[ "$(cat "/proc/$CTR_PID/root/etc/sbx-rootfs")" = sbx-test-rootfs ]
	[ "$(stat -Lc %d:%i "/proc/$CTR_PID/cwd")" = "$(stat -c %d:%i "$ROOTFS/tmp")" ]
	[ "$(stat -Lc %d:%i "/proc/$CTR_PID/root")" = "$(stat -c %d:%i "$ROOTFS")" ]
}

@test "user: uid, gid and additionalGids" {
	requires probe
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}'
	set_args /bin/probe ids
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "$output" = "uid=1000 gid=1000 euid=1000 egid=1000 groups=10,20" ]
}

@test "user: root without additionalGids has no supplementary groups" {
	requires probe
	update_config '.process.user = {"uid": 0, "gid": 0}'
	set_args /bin/probe ids
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "$output" = "uid=0 gid=0 euid=0 egid=0 groups=" ]
}

@test "user: a non-root user cannot write root-owned files" {
	requires probe
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c 'probe write /etc/passwd; probe write /home/user/f'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EACCES ]
	[ "${lines[1]}" = ok ]
}

# issue #12: the stdio pipes stayed owned by host root.
@test "user: a non-root user can reopen its stdio pipes (/proc/self/fd/1)" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c 'echo via-proc >/proc/self/fd/1 && stat -Lc "%u:%g" /proc/self/fd/1'
	run sbx run --bundle "$BUNDLE" p1 </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = via-proc ]
	[ "${lines[1]}" = 1000:1000 ]
}

@test "user: in a user namespace the stdio pipes are owned by the process user as mapped" {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	chown -R 100000:100000 "$ROOTFS"
	make_traversable
	# host root is unmapped here: a pipe left to it would show as 65534
	set_args /bin/sh -c 'echo via-proc >/proc/self/fd/1 && stat -Lc "%u:%g" /proc/self/fd/1'
	run sbx run --bundle "$BUNDLE" p1 </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = via-proc ]
	[ "${lines[1]}" = 1000:1000 ]
}

@test "user: a host file given as stdout is not chowned" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/echo hi
	: >"$BATS_TEST_TMPDIR/out"
	chmod 666 "$BATS_TEST_TMPDIR/out"
	sbx run --bundle "$BUNDLE" p1 >"$BATS_TEST_TMPDIR/out" </dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = hi ]
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/out")" = 0:0 ]
}

@test "umask 0027" {
	requires probe
	update_config '.process.user.umask = 23'
	set_args /bin/sh -c 'probe umask; touch /tmp/f; stat -c %a /tmp/f'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0027 ]
	[ "${lines[1]}" = 640 ]
}

@test "terminal: true with --console-socket: a pty on 0,1,2" {
	requires tty probe
	update_config '.process.terminal = true'
	set_args /bin/sh -c 'tty; probe isatty; echo through-the-pty'
	sock=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" --print --name-file "$BATS_TEST_TMPDIR/ptyname" "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 3>&- &
	rpid=$!
	track_pid "$rpid"
	retry 100 0.05 test -S "$sock"
	create_ctr t1 --console-socket "$sock"
	[ "$status" -eq 0 ]
	run sbx start t1
	[ "$status" -eq 0 ]
	st=0
	wait "$rpid" || st=$?
	[ "$st" -eq 0 ]
	out=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
	[[ "$out" =~ /dev/(pts/0|console) ]]
	[[ "$out" == *"0 yes"*"1 yes"*"2 yes"* ]]
	[[ "$out" == *through-the-pty* ]]
	# nothing went to the runtime's stdout
	[ ! -s "$BATS_TEST_TMPDIR/t1.out" ]
	[ -s "$BATS_TEST_TMPDIR/ptyname" ]
	wait_status t1 stopped
}

@test "terminal: input written to the master reaches the program" {
	requires tty
	update_config '.process.terminal = true'
	set_args /bin/sh -c 'read line; echo "got:$line"'
	sock=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" --input $'hello\n' "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 3>&- &
	rpid=$!
	track_pid "$rpid"
	retry 100 0.05 test -S "$sock"
	create_ctr t1 --console-socket "$sock"
	[ "$status" -eq 0 ]
	sbx start t1
	wait "$rpid"
	grep -q 'got:hello' "$BATS_TEST_TMPDIR/tty.out"
}

@test "terminal: true without --console-socket fails for create" {
	update_config '.process.terminal = true'
	create_ctr t1
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "--preserve-fds 2: fds 3 and 4 are passed, nothing higher" {
	requires probe
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	set_args /bin/probe fds
	run sbx run --preserve-fds 2 --bundle "$BUNDLE" p1 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5</dev/null
	[ "$status" -eq 0 ]
	fds=$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')
	[ "$fds" = "0 1 2 3 4 " ]
	[[ "${lines[3]}" == "3 "*f3 ]]
	[[ "${lines[4]}" == "4 "*f4 ]]
}

@test "LISTEN_FDS=1: fd 3 passed, LISTEN_FDS=1 and LISTEN_PID=1 in the container" {
	requires probe
	echo sock >"$BATS_TEST_TMPDIR/f3"
	set_args /bin/sh -c 'probe fds; echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID"'
	# LISTEN_PID must name the runtime itself (systemd socket activation)
	run bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@"' _ \
		"$SBX" --root "$ROOT" run --bundle "$BUNDLE" p1 3<"$BATS_TEST_TMPDIR/f3" 4</dev/null
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"$(grep '^[0-9]' <<<"$output")" | tr '\n' ' ')" = "0 1 2 3 " ]
	[[ "$output" == *"3 "*f3* ]]
	[[ "$output" == *"LISTEN_FDS=1 LISTEN_PID=1"* ]]
}

@test "no fd leak: only 0,1,2 even when the runtime has more fds open" {
	requires probe
	set_args /bin/probe fds
	run sbx run --bundle "$BUNDLE" p1 5</dev/null 7</etc/passwd 9</etc/hostname
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" = "0 1 2 " ]
}

@test "no fd leak: create + start, checked from the host" {
	set_args sleep 100
	exec 5</etc/passwd 7</etc/hostname
	create_ctr p1
	exec 5<&- 7<&-
	[ "$status" -eq 0 ]
	run sbx start p1
	wait_status p1 running
	pid=$(ctr_pid p1)
	fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
	[ "$fds" = "0 1 2 " ]
	# stdio is what create got: /dev/null and the output file
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ]
	[ "$(readlink "/proc/$pid/fd/1")" = "$BATS_TEST_TMPDIR/p1.out" ]
}

@test "the user program replaces the init: /proc/1/exe and cmdline" {
	set_args /bin/sh -c 'readlink /proc/1/exe; tr "\0" " " < /proc/1/cmdline; echo'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /bin/busybox ]
	[[ "${lines[1]}" == "/bin/sh -c "* ]]
}

@test "rlimits are applied" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 512}]'
	set_args /bin/sh -c 'ulimit -n; ulimit -Hn'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 256 ]
	[ "${lines[1]}" = 512 ]
}

@test "noNewPrivileges is visible in /proc/self/status" {
	update_config '.process.noNewPrivileges = true'
	set_args grep NoNewPrivs /proc/self/status
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1 ]]
}
