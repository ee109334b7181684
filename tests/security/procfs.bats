#!/usr/bin/env bats
# Class 4: the runtime never writes through the container's /proc.
# CVE-2019-16884 (AppArmor/SELinux labels written into a fake /proc from
# the image or a volume), CVE-2025-52881 (runtime writes to /proc files
# redirected by mounts over the container's /proc). sysctls, labels and
# oom_score_adj must reach the kernel and never the attacker's files.

# bats file_tags=host

load helpers

# fake_proc DIR: a directory that looks like the /proc files the runtime
# writes, each holding "untouched".
fake_proc() {
	local d=$1 f
	for f in sys/net/ipv4/ip_forward sys/kernel/shmmax sys/kernel/core_pattern \
		self/oom_score_adj self/attr/exec self/attr/current self/attr/apparmor/exec \
		thread-self/attr/exec thread-self/attr/apparmor/exec 1/oom_score_adj; do
		mkdir -p "$d/$(dirname "$f")"
		echo untouched >"$d/$f"
	done
}

# fake_untouched DIR: every file of fake_proc DIR still says "untouched".
fake_untouched() {
	local f bad=
	while read -r f; do
		[ "$(cat "$f")" = untouched ] || bad+=" ${f#"$1"/}=$(head -c 40 "$f")"
	done < <(find "$1" -type f)
	[ -z "$bad" ] || fail "the runtime wrote into the attacker's files:$bad"
}

with_sysctl_and_oom() {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "12345678"}
		| .process.oomScoreAdj = 123'
	set_args /bin/sleep 100
}

# check_kernel_got_it: the values reached the container's namespaces and
# its init, not just some file.
check_kernel_got_it() {
	local pid
	pid=$(ctr_pid "$1")
	[ "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "net.ipv4.ip_forward was not set"
	[ "$(nsenter -t "$pid" -i cat /proc/sys/kernel/shmmax)" = 12345678 ] || fail "kernel.shmmax was not set"
	[ "$(cat "/proc/$pid/oom_score_adj")" = 123 ] || fail "oom_score_adj was not set"
}

@test "a host directory bind-mounted over /proc/sys does not receive the sysctls" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/sys" '{destination: "/proc/sys", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	with_sysctl_and_oom
	start_ctr s1
	[ "$status" -eq 0 ]
	check_kernel_got_it s1
	fake_untouched "$BATS_TEST_TMPDIR/fake"
	check_host_untouched
}

# expect_refused ID PATTERN: run_ctr ID fails, the error matches PATTERN,
# and nothing of ID is left.
expect_refused() {
	run_ctr "$1" 3>&-
	[ "$status" -ne 0 ] || fail "$1: the config was accepted: $output"
	[[ "$output" == $2 ]] || fail "$1: unexpected error: $output"
	[ ! -e "$ROOT/$1" ] || fail "$1: state left behind"
}

@test "a host directory mounted as /proc (not a procfs) is refused" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	drop_mount /proc
	update_config '.mounts = [$m] + .mounts' --argjson m \
		"$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake" '{destination: "/proc", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	with_sysctl_and_oom
	expect_refused s2 "*\`/proc\` is the container's /proc: only a procfs*"
	# and after the proc mount, over it: refused too
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
	add_mount '{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}'
	expect_refused s2b "*\`/proc\` is the container's /proc*"
	fake_untouched "$BATS_TEST_TMPDIR/fake"
	check_host_untouched
}

@test "host dirs over /proc/self and /proc/thread-self, a tmpfs over /proc/sys/net: each refused" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	local m
	for m in "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/thread-self" '{destination: "/proc/thread-self", type: "bind", source: $s, options: ["bind", "rw"]}')" \
		"$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/self/attr" '{destination: "/proc/self/attr", type: "bind", source: $s, options: ["rbind", "rw"]}')" \
		'{"destination": "/proc/sys/net", "type": "tmpfs", "source": "tmpfs"}' \
		'{"destination": "/proc/1/attr", "type": "tmpfs", "source": "tmpfs"}'; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		add_mount "$m"
		with_sysctl_and_oom
		expect_refused s3 "*inside a procfs*"
	done
	fake_untouched "$BATS_TEST_TMPDIR/fake"
	check_host_untouched
}

@test "a volume symlink that leads into /proc: a mount through it is refused (CVE-2019-16884 pattern)" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	mkdir -p "$ROOTFS/vol"
	ln -s /proc/self/attr "$ROOTFS/vol/attr"
	ln -s ../proc/sys "$ROOTFS/vol/sys"
	for d in /vol/attr /vol/sys/kernel; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/self/attr" --arg d "$d" '{destination: $d, type: "bind", source: $s, options: ["rbind", "rw"]}')"
		expect_refused s6 "*\`$d\` is inside a procfs*"
	done
	fake_untouched "$BATS_TEST_TMPDIR/fake"
	check_host_untouched
}

@test "what may go over /proc still works: lxcfs' files, masked paths, a bind of a procfs" {
	echo "12345.67 0.00" >"$BATS_TEST_TMPDIR/uptime"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/uptime" '{destination: "/proc/uptime", type: "bind", source: $s, options: ["bind", "ro"]}')"
	add_mount '{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}'
	set_args /bin/sh -c 'cat /proc/uptime; stat -f -c %T /proc/sys'
	run_ctr s7 3>&-
	[ "$status" -eq 0 ] || fail "refused: $output"
	[ "${lines[0]}" = "12345.67 0.00" ]
	[ "${lines[1]}" = tmpfs ]
	# a bind of a procfs over /proc (here the host's: only a test would)
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
	drop_mount /proc
	update_config '.mounts = [{"destination": "/proc", "type": "bind", "source": "/proc", "options": ["rbind"]}] + .mounts'
	set_args /bin/sh -c 'stat -f -c %T /proc'
	run_ctr s8 3>&-
	[ "$status" -eq 0 ] || fail "refused: $output"
	[ "${lines[0]}" = proc ]
	check_host_untouched
}

@test "the image's own /proc, pre-populated and with no procfs mounted on it, receives nothing" {
	drop_mount /proc
	fake_proc "$ROOTFS/proc"
	with_sysctl_and_oom
	start_ctr s4
	check_kernel_got_it s4
	fake_untouched "$ROOTFS/proc"
	check_host_untouched
}

@test "AppArmor profile: the exec label is not written into an over-mounted /proc/self/attr" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
		skip "AppArmor is not enabled in this kernel: no label is ever written"
	fake_proc "$BATS_TEST_TMPDIR/fake"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/self/attr" '{destination: "/proc/self/attr", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/thread-self/attr" '{destination: "/proc/thread-self/attr", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	update_config '.process.apparmorProfile = "unconfined"'
	run_ctr a1 3>&-
	clean_exit
	fake_untouched "$BATS_TEST_TMPDIR/fake"
	check_host_untouched
}
