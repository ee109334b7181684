#!/usr/bin/env bats
# Class 3: every path under the rootfs is resolved inside it.
# CVE-2019-18837 / CVE-2021-30465 (mount destinations through symlinks,
# raced with RENAME_EXCHANGE from another container sharing a volume),
# CVE-2019-19921 (/proc a symlink), CVE-2023-27561 (the same, regressed),
# CVE-2024-45310 (directories created outside the root through a raced
# symlink). The image is the attacker's: anything in the rootfs may be a
# symlink to a host path, absolute or "../../..".

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

# up: enough "../" to leave any rootfs.
up=../../../../../../../../../../../..

attack_dest_symlinks() {
	# the same path exists inside the rootfs: that is where they must go
	mkdir -p "$ROOTFS$HOST_DIR"
	touch "$ROOTFS$HOST_SECRET"
	ln -s "$HOST_DIR" "$ROOTFS/mnt/abs"
	ln -s "$up$HOST_DIR" "$ROOTFS/mnt/rel"
	ln -s "$HOST_SECRET" "$ROOTFS/mnt/file"
	mkdir -p "$BATS_TEST_TMPDIR/src" && echo from-the-bundle >"$BATS_TEST_TMPDIR/src/f"
	echo bind-file >"$BATS_TEST_TMPDIR/srcfile"
	add_mount '{"destination": "/mnt/abs/sub", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/mnt/rel/sub2", type: "bind", source: $s, options: ["bind"]}')"
	add_mount '{"destination": "/mnt/rel", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/srcfile" '{destination: "/mnt/file", type: "bind", source: $s, options: ["bind"]}')"
	set_args /bin/sh -c 'cut -d" " -f5 /proc/self/mountinfo; cat /mnt/file'
	run_ctr m1 3>&-
	[ "$status" -eq 0 ]
	# the mounts are where the symlinks lead inside the root
	[[ "$output" == *"$HOST_DIR/sub"* ]]
	[[ "$output" == *bind-file* ]]
	[ -d "$ROOTFS$HOST_DIR/sub" ]
	check_host_untouched
}

attack_dest_dangling() {
	ln -s "$HOST_DIR" "$ROOTFS/mnt/abs"
	ln -s "$up$HOST_DIR" "$ROOTFS/mnt/rel"
	ln -s "$HOST_DIR/f" "$ROOTFS/mnt/file"
	echo bind-file >"$BATS_TEST_TMPDIR/srcfile"
	for m in '{"destination": "/mnt/abs/sub", "type": "tmpfs", "source": "tmpfs"}' \
		'{"destination": "/mnt/rel", "type": "tmpfs", "source": "tmpfs"}' \
		"$(jq -nc --arg s "$BATS_TEST_TMPDIR/srcfile" '{destination: "/mnt/file", type: "bind", source: $s, options: ["bind"]}')"; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		add_mount "$m"
		run_ctr m1 3>&-
		clean_exit
	done
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
	update_config '.process.cwd = "/mnt/rel/sub"'
	set_args /bin/touch pwned
	run_ctr m2 3>&-
	clean_exit
	check_host_untouched
}

# /proc or /sys a symlink in the image: refused (runc refuses it too), and
# nothing made anywhere. Before the fix the mounts followed the symlinks
# (inside the root) and the container ran with /proc wherever the image
# pointed it. Each symlink alone, absolute and ../, dangling or not.
attack_proc_sys_symlinks() {
	local sysdir=$BATS_TEST_TMPDIR/hostdir-sys d
	mkdir -p "$sysdir"
	for d in proc sys; do
		for target in "$HOST_DIR" "$up$sysdir" /bad-$d; do
			rm -rf "${ROOTFS:?}/proc" "${ROOTFS:?}/sys" "$ROOTFS$HOST_DIR" "$ROOTFS$sysdir"
			mkdir -p "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS$HOST_DIR" "$ROOTFS$sysdir" "$ROOTFS/bad-$d"
			rmdir "$ROOTFS/$d"
			ln -s "$target" "$ROOTFS/$d"
			run_ctr p1 3>&-
			[ "$status" -ne 0 ] || fail "/$d -> $target was accepted: $output"
			[[ "$output" == *"destination \`/$d"*"symlink"* ]] || fail "the error does not name /$d as a symlink: $output"
			[ ! -e "$ROOT/p1" ] || fail "state of p1 left behind"
			[ -z "$(find "$ROOTFS$HOST_DIR" "$ROOTFS$sysdir" "$ROOTFS/bad-$d" -mindepth 1)" ] || fail "something was made through /$d -> $target"
		done
	done
	[ -z "$(ls -A "$sysdir")" ]
	check_host_untouched
}

# issue #12: a /dev symlink used to be followed inside the root (or, when
# dangling, left the program a /dev that was not its tmpfs): it is refused
# now, before anything is mounted, in both cases.
attack_dev_symlink() {
	rmdir "$ROOTFS/dev"
	mkdir -p "$ROOTFS$HOST_DIR"
	ln -s "$HOST_DIR" "$ROOTFS/dev"
	set_args /bin/sh -c 'stat -c "%F %t:%T" /dev/null; echo x >/dev/null && echo null-ok'
	run_ctr d1 3>&-
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev is a symlink"* ]]
	[ -z "$(ls -A "$ROOTFS$HOST_DIR")" ]
	root_empty
	check_host_untouched
	# and with the symlink dangling inside the rootfs: refused too
	rm -rf "$ROOTFS$HOST_DIR"
	run_ctr d2 3>&-
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev is a symlink"* ]]
	[ ! -e "$ROOTFS$HOST_DIR" ]
	root_empty
	check_host_untouched
}

attack_dev_entries() {
	drop_mount /dev
	ln -s "$HOST_SECRET" "$ROOTFS/dev/null"
	ln -s "$up$HOST_SECRET" "$ROOTFS/dev/zero"
	ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/full"
	ln -s "$HOST_DIR/tty" "$ROOTFS/dev/tty"
	update_config '.linux.devices = [
		{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
		{"path": "/dev/zero", "type": "c", "major": 1, "minor": 5, "fileMode": 438},
		{"path": "/dev/full", "type": "c", "major": 1, "minor": 7, "fileMode": 438},
		{"path": "/dev/tty", "type": "c", "major": 5, "minor": 0, "fileMode": 438}]'
	set_args /bin/sh -c 'for d in null zero full tty; do stat -c "%n %F %t:%T" /dev/$d; done; echo "|/tmp/pwn" >/dev/null; echo "|/tmp/pwn" >/dev/full; head -c 4 /dev/zero | od -An -c'
	run_ctr d2 3>&-
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null character special file 1:3"* ]]
	[[ "$output" == *"/dev/zero character special file 1:5"* ]]
	[[ "$output" == *"/dev/full character special file 1:7"* ]]
	[[ "$output" == *"/dev/tty character special file 5:0"* ]]
	no_token <(echo "$output")
	check_host_untouched
}

attack_cwd_symlink() {
	mkdir -p "$ROOTFS$HOST_DIR/sub"
	ln -s "$HOST_DIR" "$ROOTFS/work"
	ln -s "$up$HOST_DIR" "$ROOTFS/work2"
	update_config '.process.cwd = "/work"'
	set_args /bin/sh -c 'pwd; touch pwned-run; cat ../host-secret 2>/dev/null; cat '"$up$HOST_SECRET"' 2>/dev/null; /bin/sleep 100'
	run_d c1
	[ "$status" -eq 0 ]
	retry 100 0.05 test -e "$ROOTFS$HOST_DIR/pwned-run"
	for cwd in /work /work2 /work2/sub /proc/self/cwd /proc/1/root/work /proc/self/root; do
		status=0
		output=$("$SBX" --root "$ROOT" exec --cwd "$cwd" c1 /bin/sh -c 'pwd; touch pwned-exec; cat ../host-secret '"$up$HOST_SECRET"' 2>/dev/null' </dev/null 2>&1 3>&-) || status=$?
		echo "exec --cwd $cwd -> $status: $output" | tee -a "$BATS_TEST_TMPDIR/all.out" >&2
		clean_exit
	done
	no_token "$BATS_TEST_TMPDIR/all.out" "$BATS_TEST_TMPDIR/c1.out"
	check_host_untouched
}

attack_passwd_symlink() {
	printf 'root:x:0:0::/%s:/bin/sh\nuser:x:1000:1000::/%s:/bin/sh\n' "$TOKEN" "$TOKEN" >"$BATS_TEST_TMPDIR/passwd"
	ln -sf "$BATS_TEST_TMPDIR/passwd" "$ROOTFS/etc/passwd"
	update_config '.process.user.uid = 1000 | .process.user.gid = 1000 | .process.env |= map(select(startswith("HOME=") | not))'
	set_args /bin/sh -c 'echo "HOME=$HOME"; /bin/sleep 100'
	run_d pw1
	[ "$status" -eq 0 ]
	wait_output pw1 HOME=
	ln -sf "$up$BATS_TEST_TMPDIR/passwd" "$ROOTFS/etc/passwd"
	run "$SBX" --root "$ROOT" exec --user 1000 pw1 /bin/sh -c 'echo "HOME=$HOME"' 3>&-
	echo "$output" >"$BATS_TEST_TMPDIR/exec.out"
	no_token "$BATS_TEST_TMPDIR/pw1.out" "$BATS_TEST_TMPDIR/exec.out"
	check_host_untouched
}

# CVE-2021-30465: container B shares a volume with container A and swaps a
# directory and a symlink to a host path in it, as fast as it can, while
# A is created again and again with mounts whose destinations go through
# that directory.
attack_exchange_race() {
	local vol=$BATS_TEST_TMPDIR/vol b2=$BATS_TEST_TMPDIR/bundle2 i ok=0 bad=0 end
	mkdir -p "$vol/d" "$vol/e" "$BATS_TEST_TMPDIR/src" "$ROOTFS$HOST_DIR"
	ln -s "$HOST_DIR" "$vol/l"
	ln -s "$up$HOST_DIR" "$vol/r"
	add_mount "$(jq -nc --arg s "$vol" '{destination: "/vol", type: "bind", source: $s, options: ["rbind"]}')"
	# B: the attacker, swapping d<->l and e<->r
	set_args /bin/sh -c '/bin/attack exchange /vol/d /vol/l /vol/stop 60 & /bin/attack exchange /vol/e /vol/r /vol/stop 60; wait'
	run_d swapper
	[ "$status" -eq 0 ]
	# A: the victim
	mkdir -p "$b2"
	jq --arg r "$ROOTFS" --arg s "$BATS_TEST_TMPDIR/src" '.root.path = $r | .process.args = ["/bin/true"]
		| .mounts += [{destination: "/vol/d/tmp", type: "tmpfs", source: "tmpfs"},
		              {destination: "/vol/e/sub/bind", type: "bind", source: $s, options: ["bind"]},
		              {destination: "/vol/d/a/b/c", type: "tmpfs", source: "tmpfs"}]' \
		"$BUNDLE/config.json" >"$b2/config.json"
	end=$((SECONDS + ${RACE_SECONDS:-25}))
	for i in $(seq 1 300); do
		if "$SBX" --root "$ROOT" create --bundle "$b2" "victim$i" </dev/null >/dev/null 2>>"$BATS_TEST_TMPDIR/victim.err" 3>&-; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		"$SBX" --root "$ROOT" delete --force "victim$i" >/dev/null 2>&1 3>&-
		[ -z "$(ls -A "$HOST_DIR")" ] || break
		[ "$SECONDS" -lt "$end" ] || break
	done
	touch "$vol/stop"
	retry 200 0.05 _status_is swapper stopped
	echo "creates: $ok succeeded, $bad failed; swapper: $(ctr_out swapper)" >&2
	sort "$BATS_TEST_TMPDIR/victim.err" | uniq -c | sort -rn | head -5 >&2
	[[ "$(ctr_out swapper)" =~ swaps=[1-9] ]] || fail "the swapper did not swap"
	[ $((ok + bad)) -ge 50 ] || fail "only $((ok + bad)) iterations"
	check_host_untouched
}

@test "mount destinations through absolute and ../ symlinks stay in the rootfs" {
	attack_dest_symlinks
}

@test "mount destinations through absolute and ../ symlinks stay in the rootfs (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_dest_symlinks
}

@test "mount destinations and cwd through dangling symlinks to host paths: nothing outside" {
	attack_dest_dangling
}

@test "mount destinations and cwd through dangling symlinks to host paths: nothing outside (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_dest_dangling
}

@test "/proc and /sys as symlinks (out of the rootfs or inside it): refused, nothing made" {
	attack_proc_sys_symlinks
}

@test "/proc and /sys as symlinks (out of the rootfs or inside it): refused, nothing made (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_proc_sys_symlinks
}

@test "/dev a symlink out of the rootfs: refused, nothing written inside or outside" {
	attack_dev_symlink
}

@test "/dev a symlink out of the rootfs: refused, nothing written inside or outside (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_dev_symlink
}

@test "/dev entries as symlinks to host files and to core_pattern are replaced, not followed" {
	attack_dev_entries
}

@test "/dev entries as symlinks to host files and to core_pattern are replaced, not followed (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_dev_entries
}

@test "process.cwd through a symlink out of the rootfs stays inside (run and exec)" {
	attack_cwd_symlink
}

@test "process.cwd through a symlink out of the rootfs stays inside (run and exec) (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	attack_cwd_symlink
}

@test "/etc/passwd a symlink to a host file: HOME is not taken from it (run and exec)" {
	attack_passwd_symlink
}

@test "race: RENAME_EXCHANGE of a dir and a symlink in a shared volume while another container mounts into it" {
	attack_exchange_race
}

@test "race: RENAME_EXCHANGE of a dir and a symlink in a shared volume while another container mounts into it (fallback resolver: openat2 fails with ENOSYS)" {
	use_fallback_resolver
	RACE_SECONDS=12
	attack_exchange_race
}
