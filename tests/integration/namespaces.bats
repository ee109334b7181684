#!/usr/bin/env bats
# Namespaces: new ones (compared with the host's) and joined ones (by path).

# bats file_tags=host

load helpers

# ns_inside NS...: run the container, printing readlink /proc/self/ns/NS
ns_inside() {
	set_args /bin/sh -c 'for n; do readlink /proc/self/ns/$n; done' sh "$@"
	run sbx run --bundle "$BUNDLE" ns
	[ "$status" -eq 0 ] || fail "run failed: $output"
}

@test "pid namespace: the program is pid 1 and sees only its processes" {
	set_args /bin/sh -c 'echo $$; set -- /proc/[0-9]*; echo $*; ps -o pid,comm; true'
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	# only sh itself: nothing from the host
	[ "${lines[1]}" = /proc/1 ]
	# ps: header, sh, ps
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[3]}" =~ ^\ *1\ +sh$ ]]
	ns_inside pid
	[ "$output" != "$(host_ns $$ pid)" ]
}

@test "pid namespace: probe pidns" {
	requires probe
	set_args /bin/probe pidns
	run sbx run --bundle "$BUNDLE" p1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^pid=1\ ppid=0\ ns=pid:\[[0-9]+\]$ ]]
	[[ "$output" != *"$(host_ns $$ pid)" ]]
}

@test "mount, ipc, uts, network namespaces differ from the host's" {
	ns_inside mnt ipc uts net
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" != "$(host_ns $$ mnt)" ]
	[ "${lines[1]}" != "$(host_ns $$ ipc)" ]
	[ "${lines[2]}" != "$(host_ns $$ uts)" ]
	[ "${lines[3]}" != "$(host_ns $$ net)" ]
	[[ "${lines[0]}" =~ ^mnt:\[[0-9]+\]$ ]]
}

@test "without a namespace entry the host's namespace is shared" {
	update_config '.linux.namespaces |= map(select(.type != "ipc" and .type != "network"))'
	ns_inside ipc net
	[ "${lines[0]}" = "$(host_ns $$ ipc)" ]
	[ "${lines[1]}" = "$(host_ns $$ net)" ]
}

@test "network namespace: only lo (as runc leaves it: up)" {
	set_args /bin/sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags'
	run sbx run --bundle "$BUNDLE" n1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ "${#lines[@]}" -eq 2 ]
	# IFF_UP | IFF_LOOPBACK (| IFF_RUNNING, not shown in flags)
	[ "$(( ${lines[1]} & 0x9 ))" -eq 9 ]
}

@test "uts namespace: hostname and domainname from the config" {
	update_config '.hostname = "sbx-host" | .domainname = "sbx.example"'
	set_args /bin/sh -c 'hostname; cat /proc/sys/kernel/domainname'
	run sbx run --bundle "$BUNDLE" u1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = sbx-host ]
	[ "${lines[1]}" = sbx.example ]
	# the host's names are untouched
	[ "$(hostname)" != sbx-host ]
	[ "$(cat /proc/sys/kernel/domainname)" != sbx.example ]
}

@test "hostname without a uts namespace is an error" {
	update_config '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "nope"'
	run sbx run --bundle "$BUNDLE" u1
	[ "$status" -ne 0 ]
	[ "$(hostname)" != nope ]
}

@test "cgroup namespace: /proc/self/cgroup shows 0::/" {
	update_config '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
	set_args /bin/sh -c 'cat /proc/self/cgroup; readlink /proc/self/ns/cgroup'
	run sbx run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	grep -qx '0::/' <<<"$output"
	[ "${lines[-1]}" != "$(host_ns $$ cgroup)" ]
}

@test "time namespace: monotonic and boottime offsets" {
	requires timens
	# /proc/uptime follows CLOCK_BOOTTIME, so the boottime offset shows there
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 86400, "nanosecs": 0}}'
	set_args /bin/sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	run sbx run --bundle "$BUNDLE" t1
	[ "$status" -eq 0 ]
	grep -Eq '^monotonic +86400 +0$' <<<"$output"
	grep -Eq '^boottime +86400 +0$' <<<"$output"
	host_up=$(cut -d. -f1 /proc/uptime)
	[ "${lines[-1]}" -ge $((host_up + 86400 - 5)) ]
	[ "${lines[-1]}" -le $((host_up + 86400 + 5)) ]
}

_hostname_of_is() { [ "$(nsenter -t "$1" -u hostname 2>/dev/null)" = "$2" ]; }

@test "join existing uts and network namespaces by path" {
	name=joined-$$-$RANDOM
	unshare --net --uts /bin/sh -c "hostname $name; exec sleep 100" &
	hpid=$!
	track_pid "$hpid"
	retry 100 0.05 _hostname_of_is "$hpid" "$name"
	update_config 'del(.hostname) | .linux.namespaces |= map(
		if .type == "uts" then .path = "/proc/\($p)/ns/uts"
		elif .type == "network" then .path = "/proc/\($p)/ns/net" else . end)' --arg p "$hpid"
	set_args /bin/sh -c 'hostname; readlink /proc/self/ns/uts; readlink /proc/self/ns/net'
	run sbx run --bundle "$BUNDLE" j1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$name" ]
	[ "${lines[1]}" = "$(host_ns "$hpid" uts)" ]
	[ "${lines[2]}" = "$(host_ns "$hpid" net)" ]
	# the joined namespace's hostname is unchanged
	[ "$(nsenter -t "$hpid" -u hostname)" = "$name" ]
}

# issue #12: hostname with a joined uts namespace was refused; runc sets it
# there (the spec allows a hostname with any uts namespace).
@test "hostname with a uts namespace joined by path: set in that namespace" {
	old=old-$$-$RANDOM
	unshare --uts /bin/sh -c "hostname $old; exec sleep 100" &
	hpid=$!
	track_pid "$hpid"
	retry 100 0.05 _hostname_of_is "$hpid" "$old"
	host_name=$(hostname)
	update_config '.hostname = "newname" | .linux.namespaces |= map(
		if .type == "uts" then .path = "/proc/\($p)/ns/uts" else . end)' --arg p "$hpid"
	set_args /bin/sh -c 'hostname; readlink /proc/self/ns/uts'
	run sbx run --bundle "$BUNDLE" j2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = newname ]
	[ "${lines[1]}" = "$(host_ns "$hpid" uts)" ]
	[ "$(nsenter -t "$hpid" -u hostname)" = newname ]
	[ "$(hostname)" = "$host_name" ]
}

# issue #12: without a mount namespace the container inherits the
# runtime's (runtime-spec) and its root is a chroot. runc 1.1.5 then makes
# the rootfs, /proc and /dev mounts in the caller's mount namespace and
# leaves them there; sbx makes no mount at all and refuses every field that
# would need one.
nomnt_config() {
	update_config '.linux.namespaces |= map(select(.type != "mount"))
		| .mounts = [] | del(.linux.maskedPaths, .linux.readonlyPaths, .linux.devices, .linux.rootfsPropagation)
		| .root.readonly = false'
}

@test "no mount namespace: the host's is shared, the root is root.path, nothing is mounted" {
	nomnt_config
	echo inside > "$ROOTFS/marker"
	before=$(grep -c . /proc/self/mountinfo)
	set_args sleep 100
	start_ctr m1
	[ "$(host_ns "$CTR_PID" mnt)" = "$(host_ns $$ mnt)" ]
	[ "$(readlink "/proc/$CTR_PID/root")" = "$(readlink -f "$ROOTFS")" ]
	# exec lands in the same root
	run sbx exec m1 cat /marker
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
	run sbx exec m1 ls /
	[ "$status" -eq 0 ]
	[ "$output" = "$(ls "$ROOTFS")" ]
	[ "$(grep -c . /proc/self/mountinfo)" = "$before" ]
	! grep -q " $(readlink -f "$ROOTFS")" /proc/self/mountinfo
	sbx delete --force m1
	[ ! -e "$ROOT/m1" ]
}

@test "no mount namespace: the program runs in the root and sees an empty /proc" {
	nomnt_config
	echo inside > "$ROOTFS/marker"
	set_args /bin/sh -c 'cat /marker; ls /proc | wc -l'
	run sbx run --bundle "$BUNDLE" m2
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = inside ]
	[ "${lines[1]}" = 0 ]
}

@test "no mount namespace: every field that needs a mount is refused, naming it" {
	local f
	for f in '.mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}]|mounts' \
		'.linux.maskedPaths = ["/proc/kcore"]|linux.maskedPaths' \
		'.linux.readonlyPaths = ["/proc/sys"]|linux.readonlyPaths' \
		'.root.readonly = true|root.readonly' \
		'.linux.rootfsPropagation = "private"|linux.rootfsPropagation' \
		'.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]|linux.devices' \
		'.annotations["sbx.rootfs.idmap"] = "true"|annotations.sbx.rootfs.idmap'; do
		cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/saved.json"
		nomnt_config
		update_config "${f%|*}"
		before=$(grep -c . /proc/self/mountinfo)
		run sbx run --bundle "$BUNDLE" m3
		[ "$status" -ne 0 ] || fail "${f#*|} accepted"
		[[ "$output" == *"${f#*|}: needs a mount namespace"* ]] || fail "${f#*|}: $output"
		[ "$(grep -c . /proc/self/mountinfo)" = "$before" ]
		[ ! -e "$ROOT/m3" ]
		cp "$BATS_TEST_TMPDIR/saved.json" "$BUNDLE/config.json"
	done
}

@test "join an ipc namespace of another container" {
	set_args sleep 100
	start_ctr a
	apid=$CTR_PID
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/\($p)/ns/ipc" else . end)' --arg p "$apid"
	set_args readlink /proc/self/ns/ipc
	run sbx run --bundle "$BUNDLE" b
	[ "$status" -eq 0 ]
	[ "$output" = "$(host_ns "$apid" ipc)" ]
}

@test "a namespace path that is not a namespace of that type fails" {
	update_config '.linux.namespaces |= map(if .type == "uts" then .path = "/proc/self/ns/net" else . end)'
	run sbx run --bundle "$BUNDLE" bad
	[ "$status" -ne 0 ]
	update_config 'del(.hostname) | .linux.namespaces |= map(if .type == "uts" then .path = "/nonexistent/ns" else . end)'
	run sbx run --bundle "$BUNDLE" bad
	[ "$status" -ne 0 ]
	[[ "$output" == */nonexistent/ns* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}
