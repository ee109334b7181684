#!/usr/bin/env bats
# Class 5: the runtime never borrows a device inode from the image.
# CVE-2025-31133 (maskedPaths covered with the container's /dev/null, which
# the image made a symlink to /proc/sys/kernel/core_pattern: the "mask"
# becomes a writable bind of core_pattern), CVE-2025-52565 (the /dev/console
# bind-mount redirected the same way).

# bats file_tags=host

load helpers

# masked_file: a file of the default maskedPaths that this kernel has.
masked_file() {
	local f
	for f in $(jq -r '.linux.maskedPaths[]' "$BUNDLE/config.json"); do
		[ -f "$f" ] && { echo "$f"; return; }
	done
	fail "none of the default maskedPaths exists on this host"
}

@test "rootfs /dev/null -> /proc/sys/kernel/core_pattern: masks use the real null device, core_pattern unchanged" {
	local m
	m=$(masked_file)
	drop_mount /dev
	rm -f "$ROOTFS/dev/null"
	ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/null"
	set_args /bin/sh -c 'stat -c "%t:%T" '"$m"'; /bin/attack write '"$m"' "|/tmp/pwn"; /bin/attack write /dev/null "|/tmp/pwn"; cat /proc/sys/kernel/core_pattern'
	run_ctr n1 3>&-
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1:3 ] || fail "$m is not masked by the null device: ${lines[0]}"
	[ "${lines[2]}" = EROFS ] || fail "writing core_pattern through the image's /dev/null: ${lines[2]}"
	[ "${lines[3]}" = "$SNAP_CORE" ]
	check_host_untouched
}

@test "rootfs /dev/null -> a host file: masks use the real null device, the host file is untouched" {
	local m
	m=$(masked_file)
	drop_mount /dev
	rm -f "$ROOTFS/dev/null"
	ln -s "$HOST_SECRET" "$ROOTFS/dev/null"
	set_args /bin/sh -c 'stat -c "%t:%T" '"$m"'; /bin/attack write '"$m"' pwned; cat '"$m"'; echo pwned >/dev/null; true'
	run_ctr n2 3>&-
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1:3 ] || fail "$m is not masked by the null device: ${lines[0]}"
	[ "${lines[1]}" = ok ]
	no_token <(echo "$output")
	check_host_untouched
}

# Start ID with terminal: true through a console socket; the program's
# output (through the pty) ends up in $BATS_TEST_TMPDIR/tty.out.
run_with_console() {
	local id=$1 sock=$BATS_TEST_TMPDIR/console.sock rpid st=0
	update_config '.process.terminal = true'
	"$RECVTTY" --print "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 3>&- &
	rpid=$!
	track_pid "$rpid"
	retry 100 0.05 test -S "$sock"
	create_ctr "$id" --console-socket "$sock"
	[ "$status" -eq 0 ] || return 1
	sbx start "$id" 3>&-
	wait "$rpid" || st=$?
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out" >"$BATS_TEST_TMPDIR/tty.txt"
	cat "$BATS_TEST_TMPDIR/tty.txt" >&2
	return "$st"
}

@test "terminal: rootfs /dev/console -> /proc/sys/kernel/core_pattern: the pty goes on /dev/console only" {
	requires tty
	drop_mount /dev
	ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/console"
	set_args /bin/sh -c 'grep -c " /proc/sys/kernel/core_pattern " /proc/self/mountinfo; stat -c "%F %t" /dev/console; cat /proc/sys/kernel/core_pattern'
	run_with_console c1
	run cat "$BATS_TEST_TMPDIR/tty.txt"
	[ "${lines[0]}" = 0 ] || fail "something is mounted on core_pattern in the container"
	[ "${lines[1]}" = "character special file 88" ] || fail "/dev/console is not the pty (major 136): ${lines[1]}"
	[ "${lines[2]}" = "$SNAP_CORE" ]
	check_host_untouched
}

@test "terminal: rootfs /dev/console -> a host file: the host file is untouched" {
	requires tty
	drop_mount /dev
	ln -s "$HOST_SECRET" "$ROOTFS/dev/console"
	set_args /bin/sh -c 'stat -c "%F %t" /dev/console; echo pwned >/dev/console'
	run_with_console c2
	run cat "$BATS_TEST_TMPDIR/tty.txt"
	[ "${lines[0]}" = "character special file 88" ] || fail "/dev/console is not the pty (major 136): ${lines[0]}"
	no_token "$BATS_TEST_TMPDIR/tty.txt"
	check_host_untouched
}

# In a user namespace mknod is refused: the host's node is bind-mounted
# onto the path instead, which must not follow the image's symlink.
@test "userns: rootfs /dev/null -> /proc/sys/kernel/core_pattern: the host node is bound on /dev/null itself" {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]'
	drop_mount /dev
	rm -f "$ROOTFS/dev/null"
	ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/null"
	chown -R 100000:100000 "$ROOTFS"
	chown -h 100000:100000 "$ROOTFS/dev/null"
	set_args /bin/sh -c 'grep -c " /proc/sys/kernel/core_pattern " /proc/self/mountinfo; stat -c "%F %t:%T" /dev/null'
	run_ctr u1 3>&-
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ] || fail "something is mounted on core_pattern in the container"
	[ "${lines[1]}" = "character special file 1:3" ] || fail "/dev/null: ${lines[1]}"
	check_host_untouched
}
