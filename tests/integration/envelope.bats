#!/usr/bin/env bats
# envelope.bats: the process's security envelope (issue 3): capabilities,
# no_new_privs, rlimits, oom_score_adj, sysctl, masked/readonly paths,
# personality, user namespaces vs. host files. Checked from inside
# (/proc/self/status, what a write returns) and from the host.

# bats file_tags=host,vm

load helpers

status_line() { # FIELD: the value of FIELD in the output of `grep FIELD /proc/self/status`
	grep "^$1:" <<<"$output" | awk '{print $2}'
}

@test "capabilities: the five sets are exactly the configured ones" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_CHOWN", "CAP_KILL"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL"],
		"ambient": ["CAP_KILL"]}'
	set_args /bin/grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	run sbx run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	# CHOWN=0 KILL=5 NET_BIND_SERVICE=10. The program runs as uid 0, so at
	# execve the kernel gives it its bounding set as permitted/effective;
	# the sets sbx controls exactly are bounding, inheritable and ambient.
	[ "$(status_line CapBnd)" = 0000000000000421 ]
	[ "$(status_line CapInh)" = 0000000000000020 ]
	[ "$(status_line CapAmb)" = 0000000000000020 ]
}

@test "capabilities: a non-root user keeps exactly the ambient set" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"effective": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	set_args /bin/grep -E '^(Uid|Cap(Inh|Prm|Eff|Bnd|Amb)):' /proc/self/status
	run sbx run --bundle "$BUNDLE" c2
	[ "$status" -eq 0 ]
	[[ "$output" == *"Uid:	1000	1000	1000	1000"* ]]
	[ "$(status_line CapEff)" = 0000000000000400 ]
	[ "$(status_line CapPrm)" = 0000000000000400 ]
	[ "$(status_line CapAmb)" = 0000000000000400 ]
	[ "$(status_line CapBnd)" = 0000000000000420 ]
}

@test "capabilities: a non-root user without capabilities has none" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_KILL"]}'
	set_args /bin/grep -E '^Cap(Prm|Eff|Amb):' /proc/self/status
	run sbx run --bundle "$BUNDLE" c3
	[ "$status" -eq 0 ]
	[ "$(status_line CapEff)" = 0000000000000000 ]
	[ "$(status_line CapPrm)" = 0000000000000000 ]
}

@test "capabilities: without CAP_CHOWN, chown fails inside" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	set_args /bin/sh -c 'touch /tmp/f; chown 1000 /tmp/f && echo chowned || echo refused'
	run sbx run --bundle "$BUNDLE" c4
	[ "$status" -eq 0 ]
	[[ "$output" == *refused* ]]
}

@test "capabilities: an unknown name is an error naming it, nothing left" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_FLY"]}'
	run sbx run --bundle "$BUNDLE" c5
	[ "$status" -ne 0 ]
	[[ "$output" == *'"CAP_FLY"'* ]]
	[[ "$output" == *capabilities.bounding* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "noNewPrivileges: NoNewPrivs is 1 inside, 0 without it" {
	update_config '.process.noNewPrivileges = true'
	set_args /bin/grep '^NoNewPrivs:' /proc/self/status
	run sbx run --bundle "$BUNDLE" n1
	[ "$status" -eq 0 ]
	[ "$(status_line NoNewPrivs)" = 1 ]
	update_config '.process.noNewPrivileges = false'
	run sbx run --bundle "$BUNDLE" n2
	[ "$status" -eq 0 ]
	[ "$(status_line NoNewPrivs)" = 0 ]
}

@test "rlimits: soft and hard values reach the program" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
		{"type": "RLIMIT_NPROC", "soft": 77, "hard": 88}]'
	set_args /bin/sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Su; ulimit -Hu'
	run sbx run --bundle "$BUNDLE" r1
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "123 456 77 88" ]
}

@test "rlimits: soft above hard and unknown names are errors" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 500, "hard": 100}]'
	run sbx run --bundle "$BUNDLE" r2
	[ "$status" -ne 0 ]
	[[ "$output" == *"soft limit 500 is above hard limit 100"* ]]
	update_config '.process.rlimits = [{"type": "RLIMIT_WINGS", "soft": 1, "hard": 1}]'
	run sbx run --bundle "$BUNDLE" r3
	[ "$status" -ne 0 ]
	[[ "$output" == *'"RLIMIT_WINGS"'* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "oomScoreAdj: seen inside and from the host" {
	update_config '.process.oomScoreAdj = 345'
	start_ctr o1 /bin/sh -c 'cat /proc/self/oom_score_adj; sleep 100'
	wait_output o1 345
	[ "$(cat /proc/$CTR_PID/oom_score_adj)" = 345 ]
}

@test "sysctl: a namespaced key is set inside, the host is unchanged" {
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
	set_args /bin/sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	run sbx run --bundle "$BUNDLE" s1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1234 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "sysctl: a host-wide key (kernel.core_pattern) is refused before anything runs" {
	before=$(cat /proc/sys/kernel/core_pattern)
	update_config '.linux.sysctl = {"kernel.core_pattern": "|/tmp/pwn"}'
	run sbx run --bundle "$BUNDLE" s2
	[ "$status" -ne 0 ]
	[[ "$output" == *kernel.core_pattern*"not namespaced"* ]]
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "sysctl: a net key without a private network namespace is refused" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run sbx run --bundle "$BUNDLE" s3
	[ "$status" -ne 0 ]
	[[ "$output" == *network\ namespace* ]]
}

@test "sysctl: a key with .. is refused" {
	update_config '.linux.sysctl = {"net/../../kernel/core_pattern": "x"}'
	run sbx run --bundle "$BUNDLE" s4
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid key"* ]]
}

@test "maskedPaths: a file reads empty, a directory is an empty read-only tmpfs" {
	mkdir -p "$ROOTFS/secret-dir"
	echo hidden >"$ROOTFS/secret-dir/f"
	echo hidden >"$ROOTFS/secret-file"
	update_config '.linux.maskedPaths = ["/secret-file", "/secret-dir", "/does/not/exist", "/proc/keys"]'
	set_args /bin/sh -c 'echo "[$(cat /secret-file)]"; ls -A /secret-dir | wc -l; touch /secret-dir/x 2>/dev/null && echo writable || echo ro; echo "[$(cat /proc/keys)]"'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = ro ]
	[ "${lines[3]}" = "[]" ]
	[ "$(cat "$ROOTFS/secret-file")" = hidden ]
}

@test "maskedPaths: an image that swapped /dev/null or planted a symlink cannot redirect the mask" {
	echo host-secret >"$BATS_TEST_TMPDIR/host-secret"
	track_path "$BATS_TEST_TMPDIR/host-secret"
	mkdir -p "$ROOTFS/etc"
	echo inside >"$ROOTFS/etc/masked"
	# the image's /dev/null is a regular file with content, and /evil links
	# to the host file by absolute path
	mkdir -p "$ROOTFS/dev"
	echo not-null >"$ROOTFS/dev/null"
	ln -s "$BATS_TEST_TMPDIR/host-secret" "$ROOTFS/evil"
	update_config '.mounts |= map(select(.destination != "/dev"))
		| .linux.maskedPaths = ["/etc/masked", "/evil"]'
	set_args /bin/sh -c 'echo "[$(cat /etc/masked)]"; stat -c "%t:%T" /etc/masked'
	run sbx run --bundle "$BUNDLE" m2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = "1:3" ]
	[ "$(cat "$BATS_TEST_TMPDIR/host-secret")" = host-secret ]
}

@test "readonlyPaths: writes fail with EROFS inside, the file is writable on the host" {
	requires probe
	mkdir -p "$ROOTFS/data"
	update_config '.linux.readonlyPaths = ["/data", "/proc/sys"]'
	set_args /bin/sh -c 'probe write /data/x; probe write /tmp/y; (echo 1 > /proc/sys/kernel/domainname) 2>/dev/null && echo w || echo ro'
	run sbx run --bundle "$BUNDLE" ro1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EROFS ]
	[ "${lines[1]}" = ok ]
	[ "${lines[2]}" = ro ]
	touch "$ROOTFS/data/host-write"
}

@test "personality LINUX32: uname -m reports i686" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_args /bin/uname -m
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "$output" = i686 ]
}

@test "scheduler and ioPriority are applied" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}
		| .process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	start_ctr sch /bin/sleep 100
	[ "$(awk '{print $19}' /proc/$CTR_PID/stat)" = 7 ]
	[ "$(awk '{print $41}' /proc/$CTR_PID/stat)" = 3 ] # SCHED_BATCH
	ionice -p "$CTR_PID" | grep -q idle
}

@test "user namespace: container root cannot read a host file only host root can read" {
	requires userns
	echo top-secret >"$BATS_TEST_TMPDIR/root-only"
	chmod 0600 "$BATS_TEST_TMPDIR/root-only"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts += [{"destination": "/secret", "type": "bind", "source": $s, "options": ["bind"]}]' \
		--arg s "$BATS_TEST_TMPDIR/root-only"
	chown -R 100000:100000 "$ROOTFS"
	make_traversable
	set_args /bin/sh -c 'id -u; cat /secret 2>&1 || echo denied'
	run sbx run --bundle "$BUNDLE" u1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "$output" == *denied* ]]
	[[ "$output" != *top-secret* ]]
}

@test "apparmorProfile: the program runs confined by the profile; an unknown profile is an error" {
	requires apparmor
	# a profile of our own, loaded into the kernel for this test only
	prof=sbx-test-$$-$BATS_TEST_NUMBER
	cat >"$BATS_TEST_TMPDIR/profile" <<-EOF
	profile $prof flags=(attach_disconnected,mediate_deleted) {
	  file,
	  capability,
	  signal,
	  deny /etc/hostname r,
	}
	EOF
	apparmor_parser -r "$BATS_TEST_TMPDIR/profile"
	update_config '.process.apparmorProfile = $p' --arg p "$prof"
	set_args /bin/sh -c 'cat /proc/self/attr/current; cat /etc/hostname >/dev/null 2>&1 && echo read || echo denied; cat /etc/passwd >/dev/null && echo read'
	run sbx run --bundle "$BUNDLE" aa1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$prof (enforce)" ]
	[ "${lines[1]}" = denied ]
	[ "${lines[2]}" = read ]
	# exec gets the container's profile too
	set_args /bin/sleep 100
	start_ctr aa2 /bin/sleep 100
	run sbx exec aa2 cat /proc/self/attr/current
	[ "$output" = "$prof (enforce)" ]
	apparmor_parser -R "$BATS_TEST_TMPDIR/profile"
	update_config '.process.apparmorProfile = "sbx-no-such-profile"'
	run sbx run --bundle "$BUNDLE" aa3
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.apparmorProfile "sbx-no-such-profile"'* ]]
	[ ! -e "$ROOT/aa3" ]
}
