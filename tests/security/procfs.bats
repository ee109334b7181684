#!/usr/bin/env bats
# Class 4: the runtime never writes through the container's /proc.
# CVE-2019-16884 (AppArmor/SELinux labels written into a fake /proc from
# the image or a volume), CVE-2025-52881 (runtime writes to /proc files
# redirected by mounts over the container's /proc). sysctls, labels and
# oom_score_adj must reach the kernel and never the attacker's files.

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

@test "a host directory mounted as /proc (not a procfs) receives nothing" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	drop_mount /proc
	update_config '.mounts = [$m] + .mounts' --argjson m \
		"$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake" '{destination: "/proc", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	with_sysctl_and_oom
	start_ctr s2
	check_kernel_got_it s2
	fake_untouched "$BATS_TEST_TMPDIR/fake"
	check_host_untouched
}

@test "host dirs over /proc/self and /proc/thread-self, a tmpfs over /proc/sys/net: nothing written there" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	# (thread-self first: /proc/self leads to /proc/1, which holds it)
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/thread-self" '{destination: "/proc/thread-self", type: "bind", source: $s, options: ["bind", "rw"]}')"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/self" '{destination: "/proc/self", type: "bind", source: $s, options: ["bind", "rw"]}')"
	add_mount '{"destination": "/proc/sys/net", "type": "tmpfs", "source": "tmpfs"}'
	with_sysctl_and_oom
	start_ctr s3
	check_kernel_got_it s3
	fake_untouched "$BATS_TEST_TMPDIR/fake"
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

@test "exec: sysctls and labels do not go through an over-mounted /proc of the container" {
	fake_proc "$BATS_TEST_TMPDIR/fake"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/fake/self" '{destination: "/proc/self", type: "bind", source: $s, options: ["bind", "rw"]}')"
	set_args /bin/sleep 100
	start_ctr s5
	[ "$status" -eq 0 ]
	run "$SBX" --root "$ROOT" exec s5 /bin/true 3>&-
	[ "$status" -eq 0 ]
	fake_untouched "$BATS_TEST_TMPDIR/fake"
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
