#!/usr/bin/env bats
# failclosed.bats: a config.json field sbx cannot apply on this host is an
# error that names it, a non-zero exit, and nothing left behind: no state
# dir in --root, no cgroup, no process (issue #12, "fail closed"). The
# program would print PROGRAM-RAN; it must never run.

# bats file_tags=host

load helpers

# A cgroup of this test's own: the default /sbx/ID is shared by every
# state root, and other test runs on this machine use the same ids.
own_cgroup() { update_config '.linux.cgroupsPath = $c' --arg c "/sbx-12a-$$-$BATS_TEST_NUMBER"; }

# reset_config: the base config.json again, with the test's own cgroup.
reset_config() {
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
	own_cgroup
}

setup() {
	sbx_setup
	own_cgroup
}

# Every process sbx starts for a test carries this in its environment (the
# caller's for sbx and the init before execve, process.env after).
_mark() { echo "SBX_FAILCLOSED_MARK=$BATS_TEST_NUMBER-$$"; }

# no_marked_process: no live process carries this test's mark.
no_marked_process() {
	local p m
	m=$(_mark)
	for p in /proc/[0-9]*; do
		[ "$p" != "/proc/$$" ] && [ "$p" != "/proc/$BASHPID" ] || continue
		grep -qz -- "^$m\$" "$p/environ" 2>/dev/null || continue
		grep -q '^State:.*Z' "$p/status" 2>/dev/null && continue
		fail "process ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) left behind"
		return 1
	done
}

# nothing_left CGROUP: no state dir, no cgroup, no process.
nothing_left() {
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "left in --root: $(ls -A "$ROOT")" || return 1
	[ ! -e "$(cg_root)$1" ] || fail "cgroup $1 left" || return 1
	no_marked_process
}

# refused FIELD [RUN_FLAGS...]: `sbx run` of the bundle fails at once,
# naming FIELD, and leaves nothing.
refused() {
	local field=$1 id=fc$BATS_TEST_NUMBER cg
	shift
	cg=/sbx-failclosed/$id-$$
	update_config '.linux.cgroupsPath = $c | .process.args = ["/bin/sh", "-c", "echo PROGRAM-RAN"]
		| .process.env += [$m]' --arg c "$cg" --arg m "$(_mark)"
	status=0
	output=$(env "$(_mark)" timeout -k 1 20 "$SBX" --root "$ROOT" run "$@" --bundle "$BUNDLE" "$id" </dev/null 2>&1 3>&-) ||
		status=$?
	echo "status $status: $output" >&2
	[ "$status" -ne 0 ] || fail "exit status 0" || return 1
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "sbx hung" || return 1
	[[ $output == *"$field"* ]] || fail "the error does not name $field" || return 1
	[[ $output != *PROGRAM-RAN* ]] || fail "the program ran" || return 1
	nothing_left "$cg"
}

# exec_refused FIELD EXEC_ARGS...: in a running container, `sbx exec`
# fails naming FIELD, runs nothing, and leaves no process.
exec_refused() {
	local field=$1
	shift
	status=0
	output=$(env "$(_mark)" timeout -k 1 20 "$SBX" --root "$ROOT" exec "$@" </dev/null 2>&1 3>&-) || status=$?
	echo "exec: status $status: $output" >&2
	[ "$status" -ne 0 ] || fail "exit status 0" || return 1
	[[ $output == *"$field"* ]] || fail "the error does not name $field" || return 1
	[[ $output != *PROGRAM-RAN* ]] || fail "the program ran" || return 1
	no_marked_process
}

apparmor_off() { [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; }
selinux_off() { [ "$(stat -fc %T /sys/fs/selinux 2>/dev/null)" != selinuxfs ]; }

@test "process.apparmorProfile without AppArmor is refused (runc refuses it; sbx used to skip it)" {
	apparmor_off || skip "AppArmor is enabled here: envelope.bats tests the profile taking effect"
	update_config '.process.apparmorProfile = "docker-default"'
	refused process.apparmorProfile
}

@test "process.selinuxLabel without SELinux is refused" {
	selinux_off || skip "SELinux is enabled here"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	refused process.selinuxLabel
}

@test "linux.mountLabel without SELinux is refused" {
	selinux_off || skip "SELinux is enabled here"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	refused linux.mountLabel
}

@test "exec --apparmor / --process-label where the LSM is off are refused" {
	apparmor_off || selinux_off || skip "AppArmor and SELinux are both enabled here"
	start_ctr e1 /bin/sleep 100
	if apparmor_off; then
		exec_refused apparmorProfile --apparmor docker-default e1 /bin/sh -c 'echo PROGRAM-RAN'
		jq -n '{args: ["/bin/sh", "-c", "echo PROGRAM-RAN"], cwd: "/", apparmorProfile: "docker-default"}' \
			>"$BATS_TEST_TMPDIR/p.json"
		exec_refused apparmorProfile --process "$BATS_TEST_TMPDIR/p.json" e1
	fi
	if selinux_off; then
		exec_refused selinuxLabel --process-label system_u:system_r:container_t:s0 e1 /bin/sh -c 'echo PROGRAM-RAN'
	fi
	[ "$(ctr_status e1)" = running ]
}

@test "linux.intelRdt is refused" {
	update_config '.linux.intelRdt = {"closID": "sbx-test", "l3CacheSchema": "L3:0=f"}'
	refused linux.intelRdt
}

@test "linux.resources.network is refused (net_cls/net_prio are cgroup v1 only)" {
	[ -n "$(cg_root)" ] && [ -w "$(cg_root)" ] || skip "no writable cgroup v2 hierarchy"
	update_config '.linux.resources.network = {"classID": 1048577}'
	refused linux.resources.network
}

@test "process.execCPUAffinity is refused (sbx does not set it)" {
	update_config '.process.execCPUAffinity = {"initial": "0", "final": "0"}'
	refused process.execCPUAffinity
}

# idmapped mounts are implemented (idmap.bats); what cannot be applied is
# still refused, naming the mount: idmap on a tmpfs, or without the
# container's maps to take.
@test "idmap and ridmap that cannot be applied are refused, naming the mount" {
	mkdir "$BATS_TEST_TMPDIR/src"
	for o in idmap ridmap; do
		reset_config
		update_config '.mounts += [{"destination": "/mnt/idm", "type": "bind", "source": $s, "options": ["rbind", $o]}]' \
			--arg s "$BATS_TEST_TMPDIR/src" --arg o "$o"
		refused "needs the container's"
		[[ $output == *"/mnt/idm"* ]]
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		update_config '.mounts += [{"destination": "/mnt/idm", "type": "tmpfs", "source": "tmpfs", "options": [$o]}]' --arg o "$o"
		refused "bind mounts only"
		[[ $output == *"/mnt/idm"* ]]
	done
}

@test "an unknown option on a bind mount is refused (tmpfs already refused it)" {
	mkdir "$BATS_TEST_TMPDIR/src"
	update_config '.mounts += [{"destination": "/mnt/b", "type": "bind", "source": $s, "options": ["rbind", "noexecc"]}]' \
		--arg s "$BATS_TEST_TMPDIR/src"
	refused noexecc
	[[ $output == *"/mnt/b"* ]]
	reset_config
	update_config '.mounts += [{"destination": "/mnt/b", "type": "bind", "source": $s, "options": ["rbind", "mode=0700"]}]' \
		--arg s "$BATS_TEST_TMPDIR/src"
	refused mode=0700
	reset_config
	update_config '.mounts += [{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs", "options": ["noexecc"]}]'
	refused noexecc
	reset_config
	update_config '.mounts += [{"destination": "/mnt/b", "type": "bind", "source": $s, "options": ["rbind", "tmpcopyup"]}]' \
		--arg s "$BATS_TEST_TMPDIR/src"
	refused tmpcopyup
}

@test "process.env entries without = are refused (create and exec --process)" {
	update_config '.process.env += ["NOEQUALS"]'
	refused 'process.env['
	[[ $output == *NOEQUALS* ]]
	reset_config
	start_ctr e2 /bin/sleep 100
	jq -n '{args: ["/bin/sh", "-c", "echo PROGRAM-RAN"], cwd: "/", env: ["PATH=/bin", "NOEQUALS"]}' >"$BATS_TEST_TMPDIR/p.json"
	exec_refused 'process.env[1]' --process "$BATS_TEST_TMPDIR/p.json" e2
}

@test "terminal: true with no console socket and a stdin that is not a terminal fails at once (run)" {
	update_config '.process.terminal = true'
	refused 'stdin is not a terminal'
}

@test "sysctl: an unknown key is said not to exist" {
	update_config '.linux.sysctl = {"kernel.sbx_no_such_key": "1"}'
	refused kernel.sbx_no_such_key
	[[ $output == *"does not exist"* ]]
	[[ $output != *"not namespaced"* ]]
}

@test "sysctl: kernel.hostname / kernel.domainname conflicting with hostname / domainname are refused" {
	update_config '.hostname = "one" | .linux.sysctl = {"kernel.hostname": "two"}'
	refused kernel.hostname
	[[ $output == *hostname* ]]
	reset_config
	update_config '.domainname = "one.example" | .linux.sysctl = {"kernel.domainname": "two.example"}'
	refused kernel.domainname
	# the same value twice is no conflict
	reset_config
	update_config '.hostname = "same" | .linux.sysctl = {"kernel.hostname": "same"}'
	set_args /bin/hostname
	run sbx run --bundle "$BUNDLE" ok1
	[ "$status" -eq 0 ]
	[ "$output" = same ]
}

@test "seccomp: listenerPath without an SCMP_ACT_NOTIFY rule is refused" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/sbx-no-agent.sock",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	refused linux.seccomp.listenerPath
}

@test "features: apparmor and selinux enabled say what the host has" {
	run "$SBX" features
	[ "$status" -eq 0 ]
	aa=false se=false
	apparmor_off || aa=true
	selinux_off || se=true
	[ "$(jq -r .linux.apparmor.enabled <<<"$output")" = "$aa" ]
	[ "$(jq -r .linux.selinux.enabled <<<"$output")" = "$se" ]
}

# the refusals' own cgroups are leaves of /sbx-failclosed, which sbx makes
# as their parent and (like runc) keeps: remove it when it is empty
teardown() {
	sbx_teardown
	rmdir "$(cg_root)/sbx-failclosed" 2>/dev/null || true
}

# A bundle path that is not UTF-8 used to make a container whose state.json
# could not be read back (state and delete -f failed, the init stayed).
@test "a bundle or rootfs path that is not valid UTF-8 is refused before anything exists" {
	local b
	b=$BATS_TEST_TMPDIR/$(printf 'bad\xffbundle')
	mkdir -p "$b"
	cp -a "$ROOTFS" "$b/rootfs"
	cp "$BUNDLE/config.json" "$b/config.json"
	run "$SBX" --root "$ROOT" --log-format json create --bundle "$b" u8 </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"bundle: the path is not valid UTF-8"* ]] || fail "$output"
	[ ! -e "$ROOT/u8" ]
	[ ! -e "$(cg_root)/sbx/u8" ]
	# a rootfs reached through a symlink whose target is not UTF-8
	mv "$b/rootfs" "$BATS_TEST_TMPDIR/$(printf 'root\xfe')"
	ln -s "$BATS_TEST_TMPDIR/$(printf 'root\xfe')" "$BUNDLE/rootfs-link"
	update_config '.root.path = "rootfs-link"'
	run "$SBX" --root "$ROOT" create --bundle "$BUNDLE" u9 </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"root.path: the path is not valid UTF-8"* ]] || fail "$output"
	[ ! -e "$ROOT/u9" ]
}

# cgroup v2 has no kernel memory limit, no leaf weights and is always
# hierarchical: these used to be dropped with a warning
@test "cgroup v1-only resources are refused: memory.kernel, kernelTCP, useHierarchy false, blockIO leafWeight" {
	local c
	for c in '.linux.resources.memory = {"kernel": 67108864}' \
		'.linux.resources.memory = {"kernelTCP": 1048576}' \
		'.linux.resources.memory = {"useHierarchy": false}' \
		'.linux.resources.blockIO = {"leafWeight": 100}' \
		'.linux.resources.blockIO = {"weightDevice": [{"major": 8, "minor": 0, "leafWeight": 100}]}'; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		update_config "$c"
		case $c in
		*kernelTCP*) refused memory.kernelTCP ;;
		*kernel*) refused memory.kernel ;;
		*useHierarchy*) refused useHierarchy ;;
		*weightDevice*) refused "weightDevice[0].leafWeight" ;;
		*) refused blockIO.leafWeight ;;
		esac
	done
	# what asks for nothing still runs: 0, -1 (unlimited), useHierarchy true
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
	update_config '.linux.resources.memory = {"kernel": -1, "kernelTCP": 0, "useHierarchy": true} | .process.args = ["/bin/true"]'
	run "$SBX" --root "$ROOT" run --bundle "$BUNDLE" ok1 </dev/null
	[ "$status" -eq 0 ] || fail "$output"
}
