#!/usr/bin/env bats
# --policy FILE: the operator's floor (contrib/policy/untrusted.json, the
# strict policy make install ships). A config beyond it is refused with the
# rule and the field named, before anything is made; one within it runs.

# bats file_tags=host

load helpers

POLICY_SRC=$top_srcdir/contrib/policy/untrusted.json

setup() {
	sbx_setup
	POL=$BATS_TEST_TMPDIR/pol/untrusted.json
	mkdir -p -m 0755 "$BATS_TEST_TMPDIR/pol"
	install -m 0644 "$POLICY_SRC" "$POL"
	# within the policy: sbx spec's defaults plus a seccomp filter
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["keyctl", "add_key", "request_key"], "action": "SCMP_ACT_ERRNO"}]}'
}

prun() { run sbx --policy "$POL" run --bundle "$BUNDLE" "$@" </dev/null; }

# refused PATTERN: the last prun failed naming PATTERN, and left nothing
refused() {
	[ "$status" -ne 0 ] || fail "accepted: $output"
	[[ "$output" == *"$1"* ]] || fail "expected '$1' in: $output"
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "state left in $ROOT: $(ls -A "$ROOT")"
	[ ! -e "$(cg_root)/sbx/p1" ] || fail "cgroup left"
}

@test "policy: a config within it runs; the shipped policy parses" {
	set_args /bin/sh -c 'grep NoNewPrivs /proc/self/status; grep Seccomp: /proc/self/status; cat /proc/self/uid_map'
	run --separate-stderr sbx --policy "$POL" run --bundle "$BUNDLE" p1 </dev/null
	[ "$status" -eq 0 ] || fail "$output $stderr"
	[ "${lines[0]}" = "NoNewPrivs:	1" ]
	[ "${lines[1]}" = "Seccomp:	2" ]
	# the shipped policy adds a user namespace, says so once on stderr
	read -r inside host size <<<"${lines[2]}"
	[ "$inside" = 0 ] && [ "$host" -ge 1879048192 ] && [ "$size" = 65536 ] || fail "uid_map: $output"
	[[ "$stderr" == "sbx: info: policy hardened the container: user namespace 0 -> $host (65536 ids), idmapped rootfs" ]] ||
		fail "stderr: $stderr"
}

@test "policy: a file others can write, or not root's, or in a writable directory, is refused" {
	chmod 0666 "$POL"
	prun p1
	refused "must be owned by root and writable by root only"
	chmod 0644 "$POL"
	chown 1000 "$POL"
	prun p1
	refused "must be owned by root"
	chown 0 "$POL"
	chmod 0777 "$BATS_TEST_TMPDIR/pol"
	prun p1
	refused "directory of"
	chmod 0755 "$BATS_TEST_TMPDIR/pol"
	echo '{"allow": {"capabilites": []}}' >"$POL"
	prun p1
	refused "allow.capabilites: unknown policy rule"
}

@test "policy: capabilities beyond the allowed set (also with exec --cap)" {
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	prun p1
	refused "policy allow.capabilities: process.capabilities.bounding has CAP_SYS_ADMIN"
	update_config '.process.capabilities.bounding -= ["CAP_SYS_ADMIN"] | .process.args = ["/bin/sleep", "100"]'
	run_bg "$BATS_TEST_TMPDIR/e1" sbx --policy "$POL" run -d --bundle "$BUNDLE" e1
	[ "$status" -eq 0 ] || fail "$output"
	run sbx --policy "$POL" exec --cap CAP_SYS_PTRACE e1 /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"allow.capabilities"*CAP_SYS_PTRACE* ]] || fail "exec --cap: $output"
	run sbx --policy "$POL" exec e1 /bin/true
	[ "$status" -eq 0 ]
}

@test "policy: a host namespace, joined by path or left out, is refused" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/1/ns/net" else . end)'
	prun p1
	refused "allow.hostNamespaces: linux.namespaces"
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/c.json"
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "pid"))'
	prun p1
	refused "has no pid namespace"
	# no mount namespace: runnable without a policy (a chroot), refused with one
	cp "$BATS_TEST_TMPDIR/c.json" "$BUNDLE/config.json"
	update_config '.linux.namespaces |= map(select(.type != "mount") | del(.path)) | .mounts = []
		| del(.linux.maskedPaths, .linux.readonlyPaths) | .root.readonly = false'
	prun p1
	refused "has no mount namespace"
}

@test "policy: bind sources outside the allowed prefixes, engine sockets, symlinks that lead out" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$BATS_TEST_TMPDIR/data"
	prun p1
	refused "allow.bindSources: mounts["
	# an allowed prefix, reached through a symlink that leads elsewhere
	jq --arg p "$BATS_TEST_TMPDIR/ok" '.allow.bindSources += [$p]' "$POLICY_SRC" >"$POL"
	mkdir -p "$BATS_TEST_TMPDIR/ok"
	ln -s "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/ok/link"
	update_config '.mounts[-1].source = $s' --arg s "$BATS_TEST_TMPDIR/ok/link"
	prun p1
	refused "is under no allowed prefix"
	update_config '.mounts[-1].source = $s' --arg s "$BATS_TEST_TMPDIR/ok"
	prun p1
	[ "$status" -eq 0 ] || fail "an allowed source was refused: $output"
	# an engine socket, whatever the prefixes
	jq '.allow.bindSources += ["/run", "/var/run"]' "$POLICY_SRC" >"$POL"
	update_config '.mounts[-1].source = "/run/docker.sock"'
	[ -e /run/docker.sock ] || { mkdir -p "$BATS_TEST_TMPDIR/run"; python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$BATS_TEST_TMPDIR/run/x.sock"; update_config '.mounts[-1].source = $s' --arg s "$BATS_TEST_TMPDIR/run/x.sock"; jq --arg p "$BATS_TEST_TMPDIR/run" '.allow.bindSources += [$p]' "$POLICY_SRC" >"$POL"; }
	prun p1
	refused "socket"
}

@test "policy: seccomp absent, noNewPrivileges false" {
	update_config 'del(.linux.seccomp)'
	prun p1
	refused "policy require.seccomp: linux.seccomp is absent"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW"}'
	prun p1
	refused "an empty allow-all filter"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}
		| .process.noNewPrivileges = false'
	prun p1
	refused "policy require.noNewPrivileges"
}

@test "policy: devices, sysctls, hooks beyond the allow-lists" {
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/c.json"
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
	prun p1
	refused "allow.devices: linux.devices[0] \`/dev/fuse\` is c 10:229"
	cp "$BATS_TEST_TMPDIR/c.json" "$BUNDLE/config.json"
	update_config '.linux.resources.devices += [{"allow": true, "access": "rwm"}]'
	prun p1
	refused "allows a *:*"
	cp "$BATS_TEST_TMPDIR/c.json" "$BUNDLE/config.json"
	update_config '.linux.sysctl = {"kernel.shmmax": "1000000"}'
	prun p1
	refused "allow.sysctls: linux.sysctl has kernel.shmmax"
	cp "$BATS_TEST_TMPDIR/c.json" "$BUNDLE/config.json"
	update_config '.hooks = {"createRuntime": [{"path": "/bin/true"}]}'
	prun p1
	refused "allow.hooks: hooks.createRuntime[0] runs \`/bin/true\`"
}

@test "policy: writable /sys or /proc/sys, fewer masked paths" {
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/c.json"
	update_config '.mounts |= map(if .type == "sysfs" then .options -= ["ro"] else . end)'
	prun p1
	refused "require.readonlyKernelFs: mounts["
	cp "$BATS_TEST_TMPDIR/c.json" "$BUNDLE/config.json"
	update_config '.linux.readonlyPaths -= ["/proc/sys"]'
	prun p1
	refused "/proc/sys is in neither"
	cp "$BATS_TEST_TMPDIR/c.json" "$BUNDLE/config.json"
	update_config '.linux.maskedPaths -= ["/proc/kcore"]'
	prun p1
	refused "require.maskedPaths: linux.maskedPaths lacks /proc/kcore"
}

@test "policy: without --policy nothing is enforced (the same refused config runs)" {
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | del(.linux.seccomp)'
	run sbx run --bundle "$BUNDLE" p1 </dev/null
	[ "$status" -eq 0 ]
}

# harden: what the policy adds where the config lacks it
harden_policy() {
	jq --argjson h "$1" '.harden = $h' "$POLICY_SRC" >"$POL"
}

@test "policy harden: read-only rootfs, noexec on writable mounts, procfs subset=pid; recorded in state" {
	harden_policy '{"readonlyRootfs": true, "noexecWritable": true, "procSubsetPid": true}'
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]}]'
	set_args /bin/sh -c 'touch /x 2>&1 | grep -o "Read-only file system"; cp /bin/busybox /scratch/bb; /scratch/bb true 2>&1 | grep -o "Permission denied"; ls /proc/sys >/dev/null 2>&1 || echo no-proc-sys; cat /proc/self/status >/dev/null && echo self-ok; sleep 100'
	start_with_policy() { run_bg "$BATS_TEST_TMPDIR/h1" sbx --policy "$POL" run -d --bundle "$BUNDLE" h1; }
	start_with_policy
	[ "$status" -eq 0 ] || fail "$output"
	wait_output h1 self-ok
	mapfile -t out < <(ctr_out h1)
	[ "${out[0]}" = "Read-only file system" ] || fail "rootfs writable: ${out[*]}"
	[ "${out[1]}" = "Permission denied" ] || fail "exec from a writable tmpfs: ${out[*]}"
	[ "${out[2]}" = no-proc-sys ] || fail "procfs is not subset=pid: ${out[*]}"
	run -0 sbx state h1
	a=$(jq -r '.annotations["sbx.policy.hardened"]' <<<"$output")
	[[ "$a" == *"root.readonly true"* ]] || fail "not recorded: $a"
	[[ "$a" == *"/scratch +noexec"* ]]
	[[ "$a" == *"+subset=pid,hidepid=invisible"* ]]
	# the config itself cannot claim it
	sbx delete -f h1
	update_config '.annotations["sbx.policy.hardened"] = "nothing"'
	prun p2
	[ "$status" -ne 0 ]
	[[ "$output" == *"set by the policy, not by a config"* ]]
}

@test "policy harden: bad values are refused when the policy is read" {
	harden_policy '{"memory": 0}'
	prun p1
	refused "harden.memory: must be above 0"
	harden_policy '{"readOnlyRootfs": true}'
	prun p1
	refused "harden.readOnlyRootfs: unknown policy rule"
}

# the policy's filter joins the config's: a syscall runs only if both
# allow it (one program, seccomp-compose.c); the socket-family allowlist
# is part of it
@test "policy harden: socket families and a seccomp profile, joined to the config's filter (run and exec)" {
	requires probe
	harden_policy '{"socketFamilies": ["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK_ROUTE"],
		"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}}'
	# the config's own filter denies keyctl (setup); the policy's getcwd
	set_args /bin/sh -c 'for a in "1 1 0" "2 2 0" "10 2 0" "16 3 0" "16 3 9" "17 3 0" "38 5 0" "40 1 0"; do
		set -- $a; echo "$1/$3 $(probe socket $1 $2 $3)"; done; probe cwd; grep -c "^Seccomp_filters:" /proc/self/status; grep Seccomp_filters: /proc/self/status; sleep 100'
	run_bg "$BATS_TEST_TMPDIR/s1" sbx --policy "$POL" run -d --bundle "$BUNDLE" s1
	[ "$status" -eq 0 ] || fail "$output"
	wait_output s1 Seccomp_filters
	out=$(ctr_out s1)
	echo "$out" >&2
	grep -qx "1/0 ok" <<<"$out"
	grep -qx "2/0 ok" <<<"$out"
	grep -qx "10/0 ok" <<<"$out"
	grep -qx "16/0 ok" <<<"$out" || fail "netlink route refused"
	grep -qx "16/9 EAFNOSUPPORT" <<<"$out" || fail "netlink audit allowed"
	grep -qx "17/0 EAFNOSUPPORT" <<<"$out" || fail "AF_PACKET allowed"
	grep -qx "38/0 EAFNOSUPPORT" <<<"$out" || fail "AF_ALG allowed"
	grep -qx "40/0 EAFNOSUPPORT" <<<"$out" || fail "AF_VSOCK allowed"
	grep -qx "error EPERM" <<<"$out" || fail "the policy profile's getcwd rule is not in force"
	[[ "$(grep Seccomp_filters: <<<"$out")" =~ [[:space:]]1$ ]] || fail "not one program for both filters"
	# exec gets the policy's filter too
	run sbx --policy "$POL" exec s1 probe socket 17 3 0
	[ "$output" = EAFNOSUPPORT ]
	run sbx --policy "$POL" exec s1 probe socket 2 2 0
	[ "$output" = ok ]
	# the kernel reads the family as an int: high bits must not get
	# AF_PACKET (17) or netfilter netlink past the filter
	run sbx --policy "$POL" exec s1 probe socket 0x100000011 3 0
	[ "$output" = EAFNOSUPPORT ] || fail "AF_PACKET with high bits: $output"
	run sbx --policy "$POL" exec s1 probe socket 0x100000010 3 0x10000000c
	[ "$output" = EAFNOSUPPORT ] || fail "netfilter netlink with high bits: $output"
	harden_policy '{"socketFamilies": ["AF_BANANA"]}'
	prun p2
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown family \`AF_BANANA\`"* ]]
}

# SECCOMP_FILTER_FLAG_LOG acts per filter (the policy's refusals would be
# logged too): such a config's filter and the policy's stay two, both in force
@test "policy harden: a config filter with SECCOMP_FILTER_FLAG_LOG stays a filter of its own, both enforced" {
	requires probe
	harden_policy '{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}}'
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG"]
		| .linux.seccomp.syscalls += [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	set_args /bin/sh -c 'probe cwd; mkdir /tmp/x 2>/dev/null || echo mkdir refused; grep Seccomp_filters: /proc/self/status'
	prun l1
	[ "$status" -eq 0 ] || fail "$output"
	grep -qx "error EPERM" <<<"$output" || fail "the policy's getcwd rule: $output"
	grep -qx "mkdir refused" <<<"$output" || fail "the config's mkdir rule: $output"
	[[ "$output" =~ Seccomp_filters:[[:space:]]+2 ]] || fail "not two filters: $output"
}

# A startContainer hook runs in the container before its program, after
# the point where the joined program would load (just before execve): with
# one, the policy's filter stays its own, loaded before the hook runs.
@test "policy harden: a startContainer hook runs under the policy's filter (then not joined)" {
	requires probe
	jq '.harden = {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}}
		| .allow.hooks += ["/bin/sh"]' "$POLICY_SRC" >"$POL"
	update_config '.hooks = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "probe cwd >/tmp/hook-saw; exit 0"]}]}'
	set_args /bin/sh -c 'cat /tmp/hook-saw; probe cwd; grep Seccomp_filters: /proc/self/status'
	prun s1
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = "error EPERM" ] || fail "the hook ran without the policy's filter: $output"
	[ "${lines[1]}" = "error EPERM" ] || fail "$output"
	[[ "${lines[2]}" =~ Seccomp_filters:[[:space:]]+2 ]] || fail "$output"
}

# bench/policy.sh: compiling the policy's filter on every create and exec
# was most of the policy's cost; the programs are kept in /run/sbx-seccomp:
# the policy's, the config's, and the two joined (seccomp-cache.c)
@test "policy harden: the joined filter is compiled once; a cache file not root's 0600, or cut short, is not used" {
	requires probe
	harden_policy '{"socketFamilies": ["AF_UNIX", "AF_INET"],
		"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}}'
	set_args /bin/sh -c 'probe cwd; probe socket 17 3 0; grep Seccomp_filters: /proc/self/status'
	want=$(printf 'error EPERM\nEAFNOSUPPORT\nSeccomp_filters:\t1')
	rm -f /run/sbx-seccomp/* # a cache: an earlier run's program would be found
	touch "$BATS_TEST_TMPDIR/mark"
	sleep 0.05
	prun c1
	[ "$status" -eq 0 ] && [ "$output" = "$want" ] || fail "$output"
	new() { find /run/sbx-seccomp -type f -newer "$BATS_TEST_TMPDIR/mark" "$@"; }
	# the policy's program, and the joined one (the config's: seccomp.bats)
	p=$(new -exec grep -l getcwd {} + | xargs -r grep -L "joined policy-first")
	f=$(new -exec grep -l "joined policy-first" {} +)
	[ -n "$p" ] && [ "$(wc -l <<<"$p")" = 1 ] || fail "not one policy program written: $p"
	[ -n "$f" ] && [ "$(wc -l <<<"$f")" = 1 ] && grep -q getcwd "$f" && grep -q keyctl "$f" || fail "not one joined program: $f"
	[ "$(stat -c %u:%a "$f")" = 0:600 ]
	m=$(stat -c %i "$f")
	sleep 0.05
	prun c2
	[ "$status" -eq 0 ] && [ "$output" = "$want" ] || fail "cached: $output"
	[ "$(stat -c %i "$f")" = "$m" ] || fail "compiled again"
	truncate -s -8 "$f"
	prun c3
	[ "$status" -eq 0 ] && [ "$output" = "$want" ] || fail "cut short: $output"
	[ "$(stat -c %i "$f")" != "$m" ] || fail "a program cut short was kept"
	chmod 0644 "$f"
	prun c4
	[ "$status" -eq 0 ] && [ "$output" = "$want" ] || fail "0644: $output"
	[ "$(stat -c %a "$f")" = 600 ] || fail "not rewritten"
}

# Parsing the policy file (yajl's tree of it) was a third of what the
# policy cost without its user namespace; the parsed policy is kept in
# /run/sbx-policy under the file's bytes (spec-policy.c, run-cache.c).
@test "policy: the parsed file is kept in /run/sbx-policy and enforced from there; an edit counts at once; a bad entry is not used" {
	set_args /bin/true
	rm -f /run/sbx-policy/*
	prun k1
	[ "$status" -eq 0 ] || fail "$output"
	f=$(find /run/sbx-policy -type f)
	[ -n "$f" ] && [ "$(wc -l <<<"$f")" = 1 ] || fail "not one entry: $f"
	[ "$(stat -c %u:%a "$f")" = 0:600 ]
	grep -q -F '"CAP_AUDIT_WRITE"' "$f" || fail "the key is not the file's bytes"
	m=$(stat -c %i "$f")
	# from the entry: what the policy refuses is refused
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	prun k2
	refused "policy allow.capabilities: process.capabilities.bounding has CAP_SYS_ADMIN"
	[ "$(stat -c %i "$f")" = "$m" ] || fail "parsed again"
	update_config '.process.capabilities.bounding -= ["CAP_SYS_ADMIN"]'
	# the file edited: the edit holds from the next create, under its own entry
	cp "$POL" "$BATS_TEST_TMPDIR/orig.json"
	jq '.allow.capabilities -= ["CAP_KILL"]' "$BATS_TEST_TMPDIR/orig.json" >"$POL"
	prun k3
	refused "policy allow.capabilities: process.capabilities.bounding has CAP_KILL"
	[ "$(find /run/sbx-policy -type f | wc -l)" = 2 ] || fail "no entry for the edited file"
	cp "$BATS_TEST_TMPDIR/orig.json" "$POL"
	prun k4
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(stat -c %i "$f")" = "$m" ] || fail "the first entry was not used again"
	# cut short, or not root's 0600: parsed again, and the entry rewritten
	truncate -s -8 "$f"
	prun k5
	[ "$status" -eq 0 ] || fail "cut short: $output"
	[ "$(stat -c %i "$f")" != "$m" ] || fail "an entry cut short was kept"
	chmod 0644 "$f"
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	prun k6
	refused "policy allow.capabilities: process.capabilities.bounding has CAP_SYS_ADMIN"
	[ "$(stat -c %a "$f")" = 600 ] || fail "a 0644 entry was used"
}

@test "policy harden: rlimit ceilings, for the container and for exec" {
	harden_policy '{"rlimits": {"RLIMIT_NOFILE": "512", "RLIMIT_NPROC": "200"}}'
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024}]'
	set_args /bin/sh -c 'ulimit -n; ulimit -Hn; ulimit -u; sleep 100'
	run_bg "$BATS_TEST_TMPDIR/r1" sbx --policy "$POL" run -d --bundle "$BUNDLE" r1
	[ "$status" -eq 0 ] || fail "$output"
	wait_output r1 200
	mapfile -t out < <(ctr_out r1)
	[ "${out[0]}" = 512 ] && [ "${out[1]}" = 512 ] && [ "${out[2]}" = 200 ] || fail "${out[*]}"
	run -0 sbx --policy "$POL" exec r1 /bin/sh -c 'ulimit -n; ulimit -u'
	[ "${lines[0]}" = 512 ] && [ "${lines[1]}" = 200 ] || fail "exec: $output"
	run -0 sbx state r1
	[[ "$(jq -r '.annotations["sbx.policy.hardened"]' <<<"$output")" == *"RLIMIT_NOFILE 512"* ]]
	harden_policy '{"rlimits": {"RLIMIT_BANANA": "1"}}'
	prun p2
	[ "$status" -ne 0 ]
	[[ "$output" == *"RLIMIT_BANANA"* ]]
}
