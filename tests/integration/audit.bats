#!/usr/bin/env bats
# sbx audit: what a config grants, and every rule a policy refuses in it.

# bats file_tags=host

load helpers

@test "audit: a privileged-like config: dangerous caps, host paths and namespaces, no seccomp" {
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]
		| .linux.namespaces |= map(select(.type != "network"))
		| .mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]
		| .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]
		| .process.noNewPrivileges = false'
	run sbx audit "$BUNDLE"
	[ "$status" -eq 0 ] # no policy: nothing to break
	[[ "$(grep ^dangerousCapabilities <<<"$output")" == *CAP_SYS_ADMIN*CAP_SYS_PTRACE* ]]
	[[ "$(grep ^hostNamespaces <<<"$output")" == *network* ]]
	[[ "$(grep ^hostPaths <<<"$output")" == *"/:/host:rw"* ]]
	[[ "$(grep ^devices <<<"$output")" == */dev/fuse* ]]
	[ "$(grep ^seccomp <<<"$output" | awk '{ print $2 }')" = no ]
	[[ "$(grep ^dangerousSyscalls <<<"$output")" == *" keyctl "*" bpf "* ]]
	[ "$(grep ^noNewPrivileges <<<"$output" | awk '{ print $2 }')" = no ]
}

@test "audit --format json: the seccomp filter's coverage, argument rules as conditional" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["keyctl", "bpf", "ptrace"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO"}]}'
	run -0 sbx audit --format json "$BUNDLE"
	jq -e '.seccomp == true' <<<"$output"
	jq -e '(.dangerousSyscalls | any(.[]; . == "keyctl" or . == "bpf" or . == "ptrace")) | not' <<<"$output"
	jq -e '.dangerousSyscalls | any(.[]; . == "personality(args)") and any(.[]; . == "mount")' <<<"$output"
	# default deny: only what is allowed by name shows
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "unshare"], "action": "SCMP_ACT_ALLOW"}]}'
	run -0 sbx audit --format json "$BUNDLE"
	[ "$(jq -c .dangerousSyscalls <<<"$output")" = '["unshare"]' ]
}

@test "audit --policy: every rule the config breaks, exit 1; a config within it, exit 0" {
	mkdir -p -m 0755 "$BATS_TEST_TMPDIR/pol"
	install -m 0644 "$top_srcdir/contrib/policy/untrusted.json" "$BATS_TEST_TMPDIR/pol/p.json"
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .linux.sysctl = {"kernel.shmmax": "1"}'
	run sbx audit --policy "$BATS_TEST_TMPDIR/pol/p.json" "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"REFUSE policy allow.capabilities: process.capabilities.bounding has CAP_SYS_ADMIN"* ]]
	[[ "$output" == *"REFUSE policy require.seccomp"* ]]
	[[ "$output" == *"REFUSE policy allow.sysctls: linux.sysctl has kernel.shmmax"* ]]
	run sbx --policy "$BATS_TEST_TMPDIR/pol/p.json" audit --format json "$BUNDLE"
	[ "$status" -eq 1 ]
	[ "$(jq '.policyViolations | length' <<<"$output")" -ge 3 ]
	update_config '.process.capabilities.bounding -= ["CAP_SYS_ADMIN"] | del(.linux.sysctl)
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}'
	run sbx audit --policy "$BATS_TEST_TMPDIR/pol/p.json" "$BUNDLE"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"the config is within"* ]]
}
