#!/usr/bin/env bats
# sbx check: the host's readiness for sandboxing, item by item, checked
# against what this host (or the VM) really has.

# bats file_tags=host,vm

load helpers

item() { grep -E "^[a-zA-Z]+ +$1 " <<<"$output"; }
level() { item "$1" | awk '{ print $1 }'; }

@test "check: every item is reported, with a level" {
	run sbx check
	for i in "cgroup v2" "cgroup controllers" "user namespaces" "subordinate ids" newuidmap \
		"idmapped mounts" openat2 clone3 "seccomp notify" apparmor selinux "sbx binary" "unprivileged bpf"; do
		[ -n "$(item "$i")" ] || fail "no line for $i: $output"
		[[ "$(level "$i")" =~ ^(ok|info|warn|FAIL)$ ]] || fail "bad level for $i"
	done
}

@test "check: the cgroup line and the exit status say what the host has" {
	run sbx check
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		[ "$(level "cgroup v2")" = ok ]
	else
		[ "$(level "cgroup v2")" = FAIL ] || fail "hybrid or v1 host reported as: $(item "cgroup v2")"
		[[ "$(item "cgroup v2")" == *unified_cgroup_hierarchy* ]]
	fi
	if grep -q '^FAIL' <<<"$output"; then [ "$status" -eq 1 ]; else [ "$status" -eq 0 ]; fi
}

@test "check: openat2, clone3, seccomp notify, AppArmor, SELinux, unprivileged bpf match the kernel" {
	run sbx check
	[ "$(level openat2)" = ok ]
	[ "$(level clone3)" = ok ]
	if grep -qw user_notif /proc/sys/kernel/seccomp/actions_avail; then
		[ "$(level "seccomp notify")" = ok ]
	else
		[ "$(level "seccomp notify")" = warn ]
	fi
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
		[[ "$(item apparmor)" == *enabled* ]]
	else
		[[ "$(item apparmor)" == *refused* ]]
	fi
	[[ "$(item selinux)" == *refused* ]] || [ -e /sys/fs/selinux/enforce ]
	if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" = 0 ]; then
		[ "$(level "unprivileged bpf")" = warn ]
	else
		[ "$(level "unprivileged bpf")" = ok ]
	fi
}

@test "check: subordinate ranges and newuidmap as installed; --format json" {
	run sbx check --format json
	jq -e 'length >= 13 and all(.[]; .item and (.level | test("^(ok|info|warn|fail)$")))' <<<"$output"
	sub=$(jq -r '.[] | select(.item == "subordinate ids") | .level' <<<"$output")
	if [ -s /etc/subuid ] && [ -s /etc/subgid ]; then [ "$sub" = ok ]; else [ "$sub" = warn ]; fi
	nu=$(jq -r '.[] | select(.item == "newuidmap") | .level' <<<"$output")
	if [ -x /usr/bin/newuidmap ]; then [ "$nu" = ok ]; else [ "$nu" = warn ]; fi
	run sbx check --format yaml
	[ "$status" -ne 0 ]
}
