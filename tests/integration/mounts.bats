#!/usr/bin/env bats
# Mounts: every type docker uses, options, readonly root, propagation,
# destination creation, and confinement of destinations to the rootfs.

# bats file_tags=host,vm

load helpers

# add_mount JSON: append one mount to config.json
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# mountinfo_of DEST: (after run) the container's mountinfo line for DEST
mountinfo_of() {
	awk -v d="$1" '$5 == d' <<<"$output" | tail -n1
}

@test "default mounts: proc, sysfs ro, devpts, shm, mqueue, cgroup" {
	set_args cat /proc/self/mountinfo
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[[ "$(mountinfo_of /proc)" == *" - proc "* ]]
	l=$(mountinfo_of /sys)
	[[ "$l" == *" - sysfs "* ]]
	[[ "$(cut -d' ' -f6 <<<"$l")" =~ (^|,)ro(,|$) ]]
	[[ "$(mountinfo_of /dev/pts)" == *" - devpts "* ]]
	[[ "$(mountinfo_of /dev/shm)" == *" - tmpfs "* ]]
	[[ "$(mountinfo_of /dev/mqueue)" == *" - mqueue "* ]]
	[[ "$(mountinfo_of /sys/fs/cgroup)" =~ \ -\ (cgroup2|tmpfs|cgroup)\  ]]
	[[ "$(mountinfo_of /dev)" == *" - tmpfs "* ]]
	# the root is the bundle's rootfs, and nothing of the host leaks in
	[ -z "$(awk '$5 ~ "^/(home|work|root|boot)"' <<<"$output")" ]
}

@test "proc with nosuid,noexec,nodev shows those flags" {
	update_config '.mounts |= map(if .destination == "/proc" then .options = ["nosuid", "noexec", "nodev"] else . end)'
	set_args cat /proc/self/mountinfo
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	opts=$(mountinfo_of /proc | cut -d' ' -f6)
	[[ "$opts" == *nosuid* && "$opts" == *nodev* && "$opts" == *noexec* ]]
}

@test "tmpfs with size and mode" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "mode=1770", "size=1m"]}'
	set_args /bin/sh -c 'stat -c %a /scratch; cat /proc/self/mountinfo'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1770 ]
	l=$(mountinfo_of /scratch)
	[[ "$l" == *" - tmpfs "* ]]
	[[ "$l" == *size=1024k* ]]
	[[ "$l" == *mode=1770* ]]
	opts=$(cut -d' ' -f6 <<<"$l")
	[[ "$opts" == *nosuid* && "$opts" == *nodev* && "$opts" == *noexec* ]]
}

@test "noexec tmpfs: executing from it fails" {
	add_mount '{"destination": "/ne", "type": "tmpfs", "source": "tmpfs", "options": ["noexec"]}'
	set_args /bin/sh -c 'cp /bin/busybox /ne/bb; /ne/bb true; echo rc=$?'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[[ "$output" == *"rc=126"* ]]
}

@test "atime options: strictatime, noatime, default relatime" {
	add_mount '{"destination": "/strict", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime"]}'
	add_mount '{"destination": "/noat", "type": "tmpfs", "source": "tmpfs", "options": ["noatime"]}'
	add_mount '{"destination": "/rel", "type": "tmpfs", "source": "tmpfs", "options": []}'
	set_args cat /proc/self/mountinfo
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	o=$(mountinfo_of /strict | cut -d' ' -f6)
	[[ "$o" != *relatime* && "$o" != *noatime* ]]
	[[ "$(mountinfo_of /noat | cut -d' ' -f6)" == *noatime* ]]
	[[ "$(mountinfo_of /rel | cut -d' ' -f6)" == *relatime* ]]
}

@test "devpts: newinstance with ptmxmode" {
	set_args /bin/sh -c 'stat -c %a /dev/pts/ptmx; cat /proc/self/mountinfo'
	update_config '.mounts |= map(if .destination == "/dev/pts" then .options = ["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"] else . end)'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 666 ]
	l=$(mountinfo_of /dev/pts)
	[[ "$l" == *ptmxmode=666* ]]
	[[ "$l" == *mode=620* ]]
	[[ "$l" == *gid=5* ]]
}

@test "bind mount ro: writes fail with EROFS; rw bind: writes land on the host" {
	requires probe
	mkdir "$BATS_TEST_TMPDIR/ro" "$BATS_TEST_TMPDIR/rw"
	echo hostdata >"$BATS_TEST_TMPDIR/ro/f"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/ro" '{destination: "/ro", type: "bind", source: $s, options: ["rbind", "ro", "nosuid", "nodev"]}')"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/rw" '{destination: "/rw", type: "bind", source: $s, options: ["bind"]}')"
	set_args /bin/sh -c 'cat /ro/f; probe write /ro/new; probe write /rw/new; echo written > /rw/new; cat /proc/self/mountinfo'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hostdata ]
	[ "${lines[1]}" = EROFS ]
	[ "${lines[2]}" = ok ]
	[ "$(cat "$BATS_TEST_TMPDIR/rw/new")" = written ]
	[ ! -e "$BATS_TEST_TMPDIR/ro/new" ]
	o=$(mountinfo_of /ro | cut -d' ' -f6)
	[[ "$o" =~ (^|,)ro(,|$) && "$o" == *nosuid* && "$o" == *nodev* ]]
	# the host's bind source is still writable
	touch "$BATS_TEST_TMPDIR/ro/host-can-write"
}

@test "rbind rro (recursive read-only) applies to submounts too" {
	requires probe
	src=$BATS_TEST_TMPDIR/rb
	mkdir -p "$src/sub"
	mount -t tmpfs tmpfs "$src/sub"
	track_path "$src/sub"
	add_mount "$(jq -nc --arg s "$src" '{destination: "/rb", type: "bind", source: $s, options: ["rbind", "rro"]}')"
	set_args /bin/sh -c 'probe write /rb/x; probe write /rb/sub/x'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = EROFS ]
	[ "${lines[1]}" = EROFS ]
	umount "$src/sub"
}

@test "bind (not rbind) does not carry submounts" {
	src=$BATS_TEST_TMPDIR/b
	mkdir -p "$src/sub"
	touch "$src/sub/under"
	mount -t tmpfs tmpfs "$src/sub"
	track_path "$src/sub"
	touch "$src/sub/over"
	add_mount "$(jq -nc --arg s "$src" '{destination: "/b", type: "bind", source: $s, options: ["bind"]}')"
	set_args ls /b/sub
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$output" = under ]
	umount "$src/sub"
}

@test "root.readonly: writing to / fails with EROFS, tmpfs mounts stay writable" {
	requires probe
	update_config '.root.readonly = true'
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []}'
	set_args /bin/sh -c 'probe write /newfile; probe write /etc/passwd; probe write /tmp/x; probe write /dev/shm/x'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'EROFS\nEROFS\nok\nok')" ]
	[ ! -e "$ROOTFS/newfile" ]
}

@test "rootfsPropagation shared / private" {
	update_config '.linux.rootfsPropagation = "shared"'
	set_args cat /proc/self/mountinfo
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[[ "$(mountinfo_of /)" =~ \ shared:[0-9]+ ]]

	update_config '.linux.rootfsPropagation = "private"'
	run sbx run --bundle "$BUNDLE" m2
	[ "$status" -eq 0 ]
	l=$(mountinfo_of /)
	[[ "$l" != *shared:* && "$l" != *master:* ]]
}

@test "missing mount destinations are created, nested" {
	add_mount '{"destination": "/a/b/c", "type": "tmpfs", "source": "tmpfs", "options": []}'
	set_args /bin/sh -c 'grep " /a/b/c " /proc/self/mountinfo | wc -l'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	[ -d "$ROOTFS/a/b/c" ]
}

@test "bind of a file onto a missing file creates a file" {
	echo file-content >"$BATS_TEST_TMPDIR/hostfile"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/hostfile" '{destination: "/etc/sub/newfile", type: "bind", source: $s, options: ["bind", "ro"]}')"
	set_args /bin/sh -c 'cat /etc/sub/newfile; stat -c %F /etc/sub/newfile'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = file-content ]
	[ "${lines[1]}" = "regular file" ]
	[ -f "$ROOTFS/etc/sub/newfile" ]
}

@test "a bind mount with a missing source fails create, naming the source" {
	add_mount '{"destination": "/x", "type": "bind", "source": "/nonexistent/source", "options": ["bind"]}'
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -ne 0 ]
	[[ "$output" == */nonexistent/source* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "symlink escape: /evil -> / keeps the mount in the rootfs" {
	name=sbx-escape-$$-$RANDOM
	ln -s / "$ROOTFS/evil"
	track_path "/$name"
	add_mount "$(jq -nc --arg d "/evil/$name" '{destination: $d, type: "tmpfs", source: "tmpfs", options: []}')"
	set_args /bin/sh -c "grep -c ' /$name ' /proc/self/mountinfo; touch /$name/inside"
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ ! -e "/$name" ]
	[ -d "$ROOTFS/$name" ]
}

@test "symlink escape: relative ../../ link to a host dir stays in the rootfs" {
	hostdir=/tmp/sbx-hostdir-$$-$RANDOM
	mkdir "$hostdir"
	track_path "$hostdir"
	ln -s "../../../../../../../../../../../..$hostdir" "$ROOTFS/evil"
	mkdir -p "$ROOTFS$hostdir"
	add_mount '{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs", "options": []}'
	set_args /bin/sh -c "grep -c ' $hostdir/x ' /proc/self/mountinfo"
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	# nothing appeared in the host directory
	[ -z "$(ls -A "$hostdir")" ]
	[ -d "$ROOTFS$hostdir/x" ]
}

@test "symlink escape: absolute link in a bind destination resolves in the rootfs" {
	hostdir=/tmp/sbx-hostdir-$$-$RANDOM
	mkdir "$hostdir"
	track_path "$hostdir"
	ln -s "$hostdir" "$ROOTFS/abs"
	mkdir -p "$ROOTFS$hostdir"
	echo data >"$BATS_TEST_TMPDIR/f"
	add_mount "$(jq -nc --arg s "$BATS_TEST_TMPDIR/f" '{destination: "/abs/file", type: "bind", source: $s, options: ["bind"]}')"
	set_args cat "$hostdir/file"
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$output" = data ]
	[ -z "$(ls -A "$hostdir")" ]
}

@test "destination /../../etc/... stays inside the rootfs" {
	name=sbx-dotdot-$$-$RANDOM
	track_path "/etc/$name"
	add_mount "$(jq -nc --arg d "/../../etc/$name" '{destination: $d, type: "tmpfs", source: "tmpfs", options: []}')"
	set_args /bin/sh -c "grep -c ' /etc/$name ' /proc/self/mountinfo"
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	[ ! -e "/etc/$name" ]
	[ -d "$ROOTFS/etc/$name" ]
}

@test "--no-pivot: the container still sees its rootfs as /" {
	set_args /bin/sh -c 'cat /etc/sbx-rootfs; ls /'
	run sbx run --no-pivot --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = sbx-test-rootfs ]
	[[ "$output" != *work* ]]
}

@test "the host's mount table is unchanged by a container" {
	before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
	add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": []}'
	set_args /bin/true
	run sbx run --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" = "$before" ]
}
