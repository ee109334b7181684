#!/usr/bin/env bats
# Class 7: a numeric user is a number. The image's /etc/passwd is the
# attacker's: a line named "1000" with uid 0 must not make `--user 1000`
# root, and a huge file, a fifo, a device or a symlink there must not hang,
# crash or leak. Ids outside 0..2^32-2 are errors.

# bats file_tags=host

load helpers

@test "exec --user 1000 with a passwd line named \"1000\" mapping to uid 0: still uid 1000" {
	printf '1000:x:0:0:root:/root:/bin/sh\nroot:x:1000:1000::/home/user:/bin/sh\n' >"$ROOTFS/etc/passwd"
	start_ctr u1 /bin/sleep 100
	run -0 "$SBX" --root "$ROOT" exec --user 1000 u1 /bin/probe ids 3>&-
	[[ "$output" == "uid=1000 gid="*" euid=1000 "* ]] || fail "exec --user 1000 ran as: $output"
	run -0 "$SBX" --root "$ROOT" exec --user 1000:1000 u1 /bin/probe ids 3>&-
	[[ "$output" == "uid=1000 gid=1000 euid=1000 egid=1000 "* ]]
	check_host_untouched
}

@test "process.user.uid 1000 with the same hostile passwd: uid 1000" {
	printf '1000:x:0:0:root:/root:/bin/sh\n' >"$ROOTFS/etc/passwd"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/probe ids
	run_ctr u2 3>&-
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=1000 gid=1000 euid=1000 egid=1000 "* ]]
	check_host_untouched
}

@test "user names are refused: --user root, --user 1000:wheel" {
	start_ctr u3 /bin/sleep 100
	for u in root 1000:wheel "" " 1000" 1e3 0x10; do
		run "$SBX" --root "$ROOT" exec --user "$u" u3 /bin/true 3>&-
		[ "$status" -eq 1 ] || fail "--user '$u': status $status: $output"
	done
	check_host_untouched
}

@test "uid or gid 4294967296 and 4294967295 (-1) are errors, not truncated" {
	start_ctr u4 /bin/sleep 100
	for u in 4294967296 4294967295 18446744073709551616 -1 1000:4294967296 1000:4294967295 4294967296:0; do
		run "$SBX" --root "$ROOT" exec --user "$u" u4 /bin/probe ids 3>&-
		[ "$status" -eq 1 ] || fail "--user $u: status $status: $output"
		[[ "$output" != *uid=* ]]
	done
	for uid in 4294967296 4294967295 -1; do
		update_config '.process.user.uid = ($u | tonumber)' --arg u "$uid"
		run_ctr "cfg$RANDOM" 3>&-
		[ "$status" -eq 1 ] || fail "process.user.uid $uid: status $status: $output"
	done
	sbx delete --force u4 3>&-
	root_empty
	check_host_untouched
}

# exec_in_time ID SECONDS ARGS...: sbx exec must come back within SECONDS.
exec_in_time() {
	local id=$1 t=$2
	shift 2
	status=0
	output=$(timeout -k 1 "$t" "$SBX" --root "$ROOT" exec "$@" "$id" /bin/sh -c '/bin/probe ids; echo "HOME=$HOME"' </dev/null 2>&1 3>&-) || status=$?
	echo "exec $* -> $status: $output" >&2
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "sbx exec hung on the image's /etc/passwd"
}

@test "a 64 MB /etc/passwd: exec and run finish, bounded, no crash" {
	{
		for i in $(seq 1 2000); do printf 'u%d:x:%d:%d::/home/%s:/bin/sh\n' "$i" "$((i + 5000))" "$i" "$TOKEN"; done
		head -c 64M /dev/zero | tr '\0' 'a'
		printf '\nuser:x:1000:1000::/%s:/bin/sh\n' "$TOKEN"
	} >"$ROOTFS/etc/passwd"
	update_config '.process.env |= map(select(startswith("HOME=") | not))'
	start_ctr u5 /bin/sleep 100
	exec_in_time u5 20 --user 1000
	[ "$status" -eq 0 ]
	[[ "$output" == uid=1000* ]] || fail "exec --user 1000: $output"
	no_token <(echo "$output")
	check_host_untouched
}

@test "/etc/passwd a fifo, /dev/zero, a directory, a dangling symlink: exec and run do not hang" {
	update_config '.process.env |= map(select(startswith("HOME=") | not))'
	start_ctr u6 /bin/sleep 100
	for kind in fifo zero dir dangling; do
		rm -rf "$ROOTFS/etc/passwd"
		case $kind in
		fifo) mkfifo "$ROOTFS/etc/passwd" ;;
		zero) ln -s /dev/zero "$ROOTFS/etc/passwd" ;;
		dir) mkdir "$ROOTFS/etc/passwd" ;;
		dangling) ln -s /nonexistent/passwd "$ROOTFS/etc/passwd" ;;
		esac
		exec_in_time u6 10 --user 1000
		[ "$status" -eq 0 ] || fail "exec with /etc/passwd a $kind: status $status: $output"
		[[ "$output" == uid=1000* ]] || fail "exec with /etc/passwd a $kind: $output"
		status=0
		set_args /bin/true
		output=$(timeout -k 1 10 "$SBX" --root "$ROOT" run --bundle "$BUNDLE" "r$kind" </dev/null 2>&1 3>&-) || status=$?
		[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "sbx run hung with /etc/passwd a $kind"
		[ "$status" -eq 0 ] || fail "run with /etc/passwd a $kind: status $status: $output"
	done
	check_host_untouched
}
