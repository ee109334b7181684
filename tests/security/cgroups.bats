#!/usr/bin/env bats
# Class 8: cgroup paths stay inside the container's cgroup. `exec --cgroup`,
# linux.cgroupsPath and linux.resources.unified keys are paths the caller
# (or a compromised engine config) controls: ".." must be refused before
# anything is created or written. The container's own /sys/fs/cgroup is
# read-only by default.

# bats file_tags=host

load helpers

# a victim process on the host whose cgroup must not change
start_victim() {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	VICTIM=$!
	track_pid "$VICTIM"
	VICTIM_CG=$(cat "/proc/$VICTIM/cgroup")
}

victim_unmoved() {
	[ "$(cat "/proc/$VICTIM/cgroup")" = "$VICTIM_CG" ] || fail "the host process $VICTIM changed cgroups"
}

@test "exec --cgroup with .., absolute or empty components is refused before any write" {
	local cg name
	cg=$(cg_root)
	name=escape-$RANDOM$RANDOM
	start_ctr g1 /bin/sleep 100
	for sub in "../../$name" "../$name" "a/../../$name" "/$name" "$cg/$name" "./" "a//b" ".." "."; do
		run "$SBX" --root "$ROOT" exec --cgroup "$sub" g1 /bin/true 3>&-
		[ "$status" -eq 1 ] || fail "exec --cgroup '$sub': status $status: $output"
	done
	[ ! -e "$cg/$name" ] && [ ! -e "$cg/sbx/$name" ] || fail "a cgroup was created outside the container's"
	check_host_untouched
}

@test "linux.cgroupsPath with .. is refused, nothing created, nothing left in --root" {
	local cg name p
	cg=$(cg_root)
	name=escape-$RANDOM$RANDOM
	for p in "/../../$name" "/sbx/../$name" "../$name" "sbx/../../$name" "a:b:../$name" "/a/b/../../../$name"; do
		update_config '.linux.cgroupsPath = $p' --arg p "$p"
		run_ctr "p$RANDOM" 3>&-
		[ "$status" -eq 1 ] || fail "cgroupsPath '$p': status $status: $output"
	done
	[ ! -e "$cg/$name" ] && [ ! -e "$cg/sbx/$name" ] && [ ! -e "/sys/fs/$name" ] || fail "a cgroup was created"
	root_empty
	check_host_untouched
}

@test "linux.resources.unified keys that are paths or cgroup.* files are refused before any write" {
	local key
	start_victim
	for key in "../cgroup.procs" "../../cgroup.procs" "memory.max/../../cgroup.procs" "/cgroup.procs" \
		"cgroup.procs" "cgroup.threads" "cgroup.subtree_control" "./cgroup.procs" "pids.max/../cgroup.procs"; do
		update_config '.linux.resources.unified = {($k): $v}' --arg k "$key" --arg v "$VICTIM"
		run_ctr "u$RANDOM" 3>&-
		[ "$status" -eq 1 ] || fail "unified key '$key': status $status: $output"
		[[ "$output" == *unified* ]] || fail "unified key '$key' not refused by name: $output"
		victim_unmoved
	done
	root_empty
	check_host_untouched
}

@test "update: unified keys with .. on a running container are refused" {
	start_victim
	start_ctr g4 /bin/sleep 100
	for key in "../cgroup.procs" "cgroup.procs" "../../cgroup.procs"; do
		run "$SBX" --root "$ROOT" update --resources - g4 3>&- <<<"$(jq -nc --arg k "$key" --arg v "$VICTIM" '{unified: {($k): $v}}')"
		[ "$status" -eq 1 ] || fail "update with unified key '$key': status $status: $output"
		victim_unmoved
	done
	check_host_untouched
}

@test "/sys/fs/cgroup in the container is read-only by default, and stays so" {
	set_args /bin/sh -c 'grep " /sys/fs/cgroup " /proc/self/mountinfo; mkdir /sys/fs/cgroup/pwned 2>&1; /bin/probe write /sys/fs/cgroup/pwned-file; mount -o remount,rw /sys/fs/cgroup 2>&1; /bin/probe write /sys/fs/cgroup/pwned-file; sleep 100'
	start_ctr g5
	retry 40 0.05 sh -c "[ \$(grep -c '' $BATS_TEST_TMPDIR/g5.out) -ge 5 ]"
	run ctr_out g5
	echo "$output" >&2
	[[ "${lines[0]}" == *" ro,"* ]] || fail "/sys/fs/cgroup is not mounted read-only: ${lines[0]}"
	[[ "$output" != *$'\nok'* ]] || fail "a file was created in /sys/fs/cgroup"
	[ ! -e "$(cg_root)/sbx/g5/pwned" ] && [ ! -e "$(cg_root)/sbx/g5/pwned-file" ]
	check_host_untouched
}
