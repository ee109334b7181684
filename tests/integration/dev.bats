#!/usr/bin/env bats
# /dev: default nodes and links, linux.devices.

# bats file_tags=host

load helpers

@test "default devices with their major:minor" {
	set_args /bin/sh -c 'for d in null zero full random urandom tty; do stat -c "$d %F %t:%T %a" /dev/$d; done'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "null character special file 1:3 666" ]
	[ "${lines[1]}" = "zero character special file 1:5 666" ]
	[ "${lines[2]}" = "full character special file 1:7 666" ]
	[ "${lines[3]}" = "random character special file 1:8 666" ]
	[ "${lines[4]}" = "urandom character special file 1:9 666" ]
	[ "${lines[5]}" = "tty character special file 5:0 666" ]
}

@test "default devices work" {
	set_args /bin/sh -c 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; head -c 16 /dev/urandom | wc -c; echo x > /dev/full; echo full-rc=$?'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = null-ok ]
	[ "$(echo ${lines[1]})" = "00 00 00 00" ]
	[ "$(echo ${lines[2]})" = 16 ]
	[[ "$output" == *"No space left on device"* ]]
	[[ "$output" == *full-rc=1* ]]
}

@test "/dev links: ptmx, fd, stdin, stdout, stderr" {
	set_args /bin/sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ptmx pts/ptmx" ]
	[ "${lines[1]}" = "fd /proc/self/fd" ]
	[ "${lines[2]}" = "stdin /proc/self/fd/0" ]
	[ "${lines[3]}" = "stdout /proc/self/fd/1" ]
	[ "${lines[4]}" = "stderr /proc/self/fd/2" ]
}

@test "/dev is a tmpfs with only the expected entries" {
	set_args /bin/sh -c 'ls /dev | sort | tr "\n" " "'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	# no host devices leak in (e.g. the host's disks)
	[[ "$output" != *vda* && "$output" != *sda* && "$output" != *kmsg* && "$output" != *mem\ * ]]
	for e in full fd mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero; do
		[[ " $output" == *" $e "* ]] || fail "/dev/$e missing: $output"
	done
}

@test "no tty: /dev/console is absent or not the host's console" {
	set_args /bin/sh -c 'if [ -e /dev/console ]; then stat -c "%t:%T" /dev/console; else echo none; fi'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "$output" = none ] || [ "$output" != "5:1" ]
}

@test "/dev/pts and /dev/shm are mounted and usable" {
	set_args /bin/sh -c 'grep -c " /dev/pts " /proc/self/mountinfo; echo shm > /dev/shm/f && cat /dev/shm/f'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = shm ]
}

@test "linux.devices: /dev/mynull c 1 3 mode 0666 appears and works" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]'
	set_args /bin/sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo x > /dev/mynull && echo write-ok'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3 666 0:0" ]
	[ "${lines[1]}" = write-ok ]
}

@test "linux.devices: fileMode, uid and gid are applied" {
	update_config '.linux.devices = [{"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5, "fileMode": 416, "uid": 1000, "gid": 1000}]'
	set_args stat -c "%F %t:%T %a %u:%g" /dev/sub/myzero
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "$output" = "character special file 1:5 640 1000:1000" ]
}

@test "linux.devices in a user namespace: a bind mount of the host device" {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]'
	chown -R 100000:100000 "$ROOTFS"
	make_traversable
	set_args /bin/sh -c 'stat -c "%F %t:%T" /dev/mynull /dev/null; echo x > /dev/mynull && echo write-ok; grep -c " /dev/mynull " /proc/self/mountinfo'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3" ]
	[ "${lines[1]}" = "character special file 1:3" ]
	[ "${lines[2]}" = write-ok ]
	[ "${lines[3]}" = 1 ]
}

userns_dev_config() {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown -R 100000:100000 "$ROOTFS"
	make_traversable
}

# issue #12: the binds of the host's nodes kept the host /dev's flags.
@test "user namespace: the default /dev nodes are bound nosuid,noexec" {
	userns_dev_config
	set_args /bin/sh -c 'for n in null zero full random urandom tty; do grep " /dev/$n " /proc/self/mountinfo | cut -d" " -f5,6; done'
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do
		[[ ",${l#* }," == *,nosuid,* ]] || fail "not nosuid: $l"
		[[ ",${l#* }," == *,noexec,* ]] || fail "not noexec: $l"
		[[ ",${l#* }," != *,nodev,* ]] || fail "nodev: $l"
	done
}

# issue #12: a node the host lacks was refused ("no such node on the host
# to bind"); root makes it, owned by the node's ids as mapped.
@test "user namespace: a linux.devices node absent on the host is made, owned as mapped" {
	userns_dev_config
	[ ! -e /dev/char/4000:77 ] && ! find /dev -xdev \( -type c -o -type b \) -printf '%Hr:%Lr\n' 2>/dev/null | grep -qx '4000:77' ||
		skip "the host has a node 4000:77"
	update_config '.linux.devices = [{"path": "/dev/sub/odd", "type": "c", "major": 4000, "minor": 77, "fileMode": 416, "uid": 1000, "gid": 2000},
		{"path": "/dev/oddb", "type": "b", "major": 4000, "minor": 78}]'
	set_args /bin/sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/sub/odd /dev/oddb; grep " /dev/sub/odd " /proc/self/mountinfo | cut -d" " -f6; exec sleep 100'
	start_ctr d1
	wait_output d1 'rw'
	mapfile -t out < <(ctr_out d1)
	[ "${out[0]}" = "character special file fa0:4d 640 1000:2000" ]
	[ "${out[1]}" = "block special file fa0:4e 666 0:0" ]
	[[ ",${out[2]}," == *,nosuid,*noexec,* ]]
	# from the host: owned by the mapped ids
	[ "$(stat -c '%u:%g' "/proc/$CTR_PID/root/dev/sub/odd")" = "101000:102000" ]
}

@test "mknod of a new device is refused without CAP_MKNOD" {
	requires probe
	set_args probe mknod /tmp/mem c 1 1
	run sbx run --bundle "$BUNDLE" d1
	[ "$status" -eq 0 ]
	[ "$output" = EPERM ]
}
