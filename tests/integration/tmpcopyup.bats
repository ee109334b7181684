#!/usr/bin/env bats
# tmpcopyup.bats: the tmpcopyup mount option copies the image's directory
# into the tmpfs that covers it (owners and modes kept), through fds inside
# the root: a symlink in the image is copied as a symlink, never followed.

# bats file_tags=host

load helpers

# A cgroup of this test's own: the default /sbx/ID is shared by every
# state root, and other test runs on this machine use the same ids.
own_cgroup() { update_config '.linux.cgroupsPath = $c' --arg c "/sbx-12a-$$-$BATS_TEST_NUMBER"; }

add_mount() { update_config '.mounts += [$m]' --argjson m "$1"; }

setup() {
	sbx_setup
	own_cgroup
	mkdir -p "$ROOTFS/data/sub" "$BATS_TEST_TMPDIR/hostdir"
	echo host-secret >"$BATS_TEST_TMPDIR/hostdir/secret"
	echo aaa >"$ROOTFS/data/a"
	echo bbb >"$ROOTFS/data/sub/b"
	mkfifo "$ROOTFS/data/fifo"
	chown 1000:1001 "$ROOTFS/data/a"
	chmod 0640 "$ROOTFS/data/a"
	chown 1002:1003 "$ROOTFS/data/sub" "$ROOTFS/data/sub/b"
	chmod 0750 "$ROOTFS/data/sub"
	chmod 4755 "$ROOTFS/data/sub/b"
	chown 1004:1005 "$ROOTFS/data"
	chmod 0711 "$ROOTFS/data"
	# links out of the root: copied as they are, never followed
	ln -s "$BATS_TEST_TMPDIR/hostdir/secret" "$ROOTFS/data/evil"
	ln -s ../../../../../../.. "$ROOTFS/data/up"
	ln -s "$BATS_TEST_TMPDIR/hostdir" "$ROOTFS/evildir"
	# root in the container reads files of other owners
	update_config '.process.capabilities |= with_entries(.value += ["CAP_DAC_OVERRIDE"])'
}

@test "tmpcopyup: the tmpfs holds the directory's content, owners and modes" {
	add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}'
	set_args /bin/sh -c 'grep " /data " /proc/self/mountinfo | grep -c " - tmpfs "
		cd /data && stat -c "%n %a %u:%g %F" . a sub sub/b fifo
		cat a sub/b; readlink evil; readlink up
		echo new >/data/new && echo written'
	run sbx run --bundle "$BUNDLE" t1
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = ". 711 1004:1005 directory" ]
	[ "${lines[2]}" = "a 640 1000:1001 regular file" ]
	[ "${lines[3]}" = "sub 750 1002:1003 directory" ]
	[ "${lines[4]}" = "sub/b 4755 1002:1003 regular file" ]
	[ "${lines[5]}" = "fifo 644 0:0 fifo" ]
	[ "${lines[6]}" = aaa ]
	[ "${lines[7]}" = bbb ]
	[ "${lines[8]}" = "$BATS_TEST_TMPDIR/hostdir/secret" ]
	[ "${lines[9]}" = ../../../../../../.. ]
	[ "${lines[10]}" = written ]
	# the writes went to the tmpfs, not to the image or the host
	[ ! -e "$ROOTFS/data/new" ]
	[ "$(cat "$BATS_TEST_TMPDIR/hostdir/secret")" = host-secret ]
	[ "$(ls "$BATS_TEST_TMPDIR/hostdir")" = secret ]
}

@test "tmpcopyup: a destination that is a symlink out of the root copies nothing from the host" {
	add_mount '{"destination": "/evildir", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
	set_args /bin/sh -c 'cat /evildir/secret 2>/dev/null || echo no-secret'
	run sbx run --bundle "$BUNDLE" t2
	echo "$output" >&2
	# the link resolves inside the root, where nothing is: the mount is
	# refused as any mount onto a dangling link is (paths.bats)
	[[ $output != *host-secret* ]]
	[ "$status" -ne 0 ] || [ "$output" = no-secret ]
	[ "$(ls "$BATS_TEST_TMPDIR/hostdir")" = secret ]
	# the same host path inside the rootfs: that one is copied
	mkdir -p "$ROOTFS$BATS_TEST_TMPDIR/hostdir"
	echo inside >"$ROOTFS$BATS_TEST_TMPDIR/hostdir/secret"
	run sbx run --bundle "$BUNDLE" t2b
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
}

@test "tmpcopyup with ro: the copy is made, then the tmpfs is read-only" {
	add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "ro"]}'
	set_args /bin/sh -c 'cat /data/a; (echo x >/data/new) 2>/dev/null && echo writable || echo read-only'
	run sbx run --bundle "$BUNDLE" t3
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = aaa ]
	[ "${lines[1]}" = read-only ]
}

@test "tmpcopyup of a directory missing from the image: an empty tmpfs" {
	add_mount '{"destination": "/nothere", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
	set_args /bin/sh -c 'ls -A /nothere | wc -l'
	run sbx run --bundle "$BUNDLE" t4
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}
