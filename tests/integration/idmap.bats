#!/usr/bin/env bats
# Idmapped mounts (a mount's uidMappings/gidMappings, idmap, ridmap), the
# opt-in idmapped rootfs (annotation sbx.rootfs.idmap), and rootless
# subordinate ranges through newuidmap/newgidmap. The host's / is ext4
# here (idmappable); tmpfs and overlayfs depend on the kernel, so the
# "cannot be idmapped" case uses an overlay, which no kernel idmaps.

# bats file_tags=host

load helpers

# ctr_userns: container 0 -> host 100000, 65536 ids. The rootfs stays
# owned by host root (as Docker's images are): without an idmapped rootfs
# container root sees it as nobody.
ctr_userns() {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	make_traversable
}

idmap_rootfs() {
	update_config '.annotations["sbx.rootfs.idmap"] = "true"'
}

# vol DIR UID: a host directory owned by UID with a file f.
vol() {
	mkdir -p "$1"
	echo data >"$1/f"
	chown -R "$2:$2" "$1"
}

@test "idmap: a volume owned by host 1000, mapped {1000 -> 100000}, is container root's; writes land as 1000" {
	ctr_userns
	idmap_rootfs
	vol "$BATS_TEST_TMPDIR/vol" 1000
	update_config '.mounts += [{"destination": "/vol", "type": "bind", "source": $s, "options": ["rbind"],
		"uidMappings": [{"containerID": 1000, "hostID": 100000, "size": 1}],
		"gidMappings": [{"containerID": 1000, "hostID": 100000, "size": 1}]}]' --arg s "$BATS_TEST_TMPDIR/vol"
	set_args /bin/sh -c 'stat -c "%u:%g" /vol /vol/f; echo new >/vol/new && stat -c "%u:%g" /vol/new'
	run sbx run --bundle "$BUNDLE" i1
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 0:0 ]
	[ "${lines[2]}" = 0:0 ]
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/vol/new")" = 1000:1000 ]
}

@test "idmap without mappings of its own: the container's; without idmap: nobody" {
	ctr_userns
	idmap_rootfs
	vol "$BATS_TEST_TMPDIR/a" 0
	vol "$BATS_TEST_TMPDIR/b" 0
	update_config '.mounts += [{"destination": "/a", "type": "bind", "source": $a, "options": ["rbind", "idmap"]},
		{"destination": "/b", "type": "bind", "source": $b, "options": ["rbind"]}]' \
		--arg a "$BATS_TEST_TMPDIR/a" --arg b "$BATS_TEST_TMPDIR/b"
	set_args /bin/sh -c 'stat -c "%u" /a/f /b/f; touch /a/new; touch /b/new || echo b-denied'
	run sbx run --bundle "$BUNDLE" i1
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 65534 ]
	[[ "$output" == *b-denied* ]]
	[ "$(stat -c %u "$BATS_TEST_TMPDIR/a/new")" = 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/b/new" ]
}

@test "ridmap idmaps submounts too; idmap only the top mount" {
	ctr_userns
	idmap_rootfs
	vol "$BATS_TEST_TMPDIR/v" 1000
	vol "$BATS_TEST_TMPDIR/other" 1000
	mkdir -p "$BATS_TEST_TMPDIR/v/sub"
	mount --bind "$BATS_TEST_TMPDIR/other" "$BATS_TEST_TMPDIR/v/sub"
	track_path "$BATS_TEST_TMPDIR/v/sub"
	local maps='"uidMappings": [{"containerID": 1000, "hostID": 100000, "size": 1}], "gidMappings": [{"containerID": 1000, "hostID": 100000, "size": 1}]'
	update_config ".mounts += [{\"destination\": \"/r\", \"type\": \"bind\", \"source\": \$s, \"options\": [\"rbind\", \"ridmap\"], $maps},
		{\"destination\": \"/i\", \"type\": \"bind\", \"source\": \$s, \"options\": [\"rbind\", \"idmap\"], $maps}]" \
		--arg s "$BATS_TEST_TMPDIR/v"
	set_args /bin/sh -c 'stat -c "%u" /r/f /r/sub/f /i/f /i/sub/f'
	run sbx run --bundle "$BUNDLE" i1
	umount "$BATS_TEST_TMPDIR/v/sub"
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ] || fail "ridmap top: ${lines[0]}"
	[ "${lines[1]}" = 0 ] || fail "ridmap submount: ${lines[1]}"
	[ "${lines[2]}" = 0 ] || fail "idmap top: ${lines[2]}"
	[ "${lines[3]}" = 65534 ] || fail "idmap submount (not idmapped): ${lines[3]}"
}

@test "idmapped rootfs: an image owned by host root is container root's, writes land as host root; exec sees the same" {
	ctr_userns
	set_args /bin/sh -c 'stat -c %u /bin/busybox'
	run sbx run --bundle "$BUNDLE" n1
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ] || fail "without the annotation the image should be nobody's: $output"
	idmap_rootfs
	set_args /bin/sh -c 'stat -c %u /bin/busybox; touch /made-inside; cat /proc/self/uid_map; sleep 100'
	start_ctr i1
	wait_output i1 100000
	mapfile -t out < <(ctr_out i1)
	[ "${out[0]}" = 0 ]
	[ "$(echo ${out[1]})" = "0 100000 65536" ]
	[ "$(stat -c %u:%g "$ROOTFS/made-inside")" = 0:0 ]
	run sbx exec i1 stat -c %u /bin/busybox /made-inside
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ]
	[[ "$(grep '^Uid:' "/proc/$CTR_PID/status")" =~ ^Uid:[[:space:]]+100000[[:space:]] ]]
}

@test "idmapped rootfs: container root still cannot read a host root-only file, nor write a host-owned one" {
	ctr_userns
	idmap_rootfs
	echo top-secret >"$BATS_TEST_TMPDIR/secret"
	chmod 0600 "$BATS_TEST_TMPDIR/secret"
	echo host >"$BATS_TEST_TMPDIR/hostfile"
	chmod 0644 "$BATS_TEST_TMPDIR/hostfile"
	update_config '.mounts += [{"destination": "/secret", "type": "bind", "source": $s, "options": ["bind"]},
		{"destination": "/hostfile", "type": "bind", "source": $h, "options": ["bind"]}]' \
		--arg s "$BATS_TEST_TMPDIR/secret" --arg h "$BATS_TEST_TMPDIR/hostfile"
	set_args /bin/sh -c 'cat /secret; echo "rc=$?"; echo pwned >/hostfile; echo "wrc=$?"; id -u'
	run sbx run --bundle "$BUNDLE" i1
	[ "$status" -eq 0 ]
	[[ "$output" != *top-secret* ]]
	[[ "$output" == *rc=1* ]] && [[ "$output" == *wrc=1* ]]
	[ "${lines[-1]}" = 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/hostfile")" = host ]
}

@test "an overlay mount's root is idmapped by its layers; a directory inside one cannot be: an error naming it, nothing left" {
	ctr_userns
	idmap_rootfs
	local lower=$BATS_TEST_TMPDIR/lower ov=$BATS_TEST_TMPDIR/ov
	mv "$ROOTFS" "$lower"
	mkdir -p "$ROOTFS" "$ov/upper" "$ov/work"
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$ov/upper,workdir=$ov/work" "$ROOTFS"
	track_path "$ROOTFS"
	before=$(grep -c . /proc/self/mountinfo)
	set_args /bin/sh -c 'stat -c %u /bin/busybox; echo x >/bin/new && stat -c %u /bin/new'
	run sbx run --bundle "$BUNDLE" o1
	[ "$status" -eq 0 ] && [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ] || fail "$output"
	# written through the idmapped upper layer: host root's on the disk
	[ "$(stat -c %u "$ov/upper/bin/new")" = 0 ]
	[ "$(grep -c . /proc/self/mountinfo)" -eq "$before" ]
	umount "$ROOTFS"
	# part of an overlay mount has no layers of its own
	mkdir "$lower/sub"
	cp -a "$lower/bin" "$lower/sub/"
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$ov/upper,workdir=$ov/work" "$ROOTFS"
	update_config '.root.path = "rootfs/sub"'
	run sbx run --bundle "$BUNDLE" o2
	umount "$ROOTFS"
	[ "$status" -ne 0 ]
	[[ "$output" == *"root.path"*"overlay"*"cannot be idmapped"* ]] || fail "unclear error: $output"
	[[ "$output" == *sbx.rootfs.idmap* ]]
	[ ! -e "$ROOT/o2" ]
	[ "$(grep -c . /proc/self/mountinfo)" -eq $((before - 1)) ]
}

@test "idmap refusals name the field: a tmpfs, half the maps, no user namespace, a bad annotation" {
	run_refused() {
		run sbx run --bundle "$BUNDLE" r1
		[ "$status" -ne 0 ] || fail "accepted: $1"
		[[ "$output" == *$1* ]] || fail "expected '$1' in: $output"
		[ ! -e "$ROOT/r1" ]
	}
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
	update_config '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}]'
	run_refused "bind mounts only"
	cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
	update_config '.mounts += [{"destination": "/v", "type": "bind", "source": "/tmp", "options": ["rbind", "idmap"]}]'
	run_refused "needs the container's"
	cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
	update_config '.mounts += [{"destination": "/v", "type": "bind", "source": "/tmp", "options": ["rbind"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]'
	run_refused "go together"
	cp "$BATS_TEST_TMPDIR/base.json" "$BUNDLE/config.json"
	idmap_rootfs
	run_refused "needs a new user namespace"
	update_config '.annotations["sbx.rootfs.idmap"] = "yes"'
	run_refused "not true or false"
}

@test "features: mountExtensions.idmap is what the kernel has; idmap and ridmap are listed" {
	run -0 sbx features
	[ "$(jq -r .linux.mountExtensions.idmap.enabled <<<"$output")" = true ]
	jq -e '.mountOptions | index("idmap") and index("ridmap")' <<<"$output"
}

# rootless_sub SCRIPT: run SCRIPT (bash) in a private mount namespace where
# uid $ROOTLESS_UID has a passwd entry and the subordinate ranges
# 200000-265535 (/etc/subuid, /etc/subgid bound over the host's), so
# newuidmap/newgidmap accept them; nothing on the host changes.
rootless_sub() {
	local d=$BATS_TEST_TMPDIR/etc
	mkdir -p "$d"
	{ grep -v "^sbxsub:" /etc/passwd; echo "sbxsub:x:$ROOTLESS_UID:$ROOTLESS_UID::/:/bin/sh"; } >"$d/passwd"
	{ grep -v "^sbxsub:" /etc/group; echo "sbxsub:x:$ROOTLESS_UID:"; } >"$d/group"
	echo "sbxsub:200000:65536" >"$d/subuid"
	echo "sbxsub:200000:65536" >"$d/subgid"
	touch /etc/subuid /etc/subgid
	export d SBX ROOTLESS_UID rl ROOTLESS_ROOT
	unshare -m --propagation private bash -c '
		for f in passwd group subuid subgid; do mount --bind "$d/$f" "/etc/$f"; done
		'"$1"
}

@test "rootless with subordinate ranges: newuidmap maps 0 and 1..65536; processes run as 0 and 1000 inside" {
	requires rootless
	command -v newuidmap >/dev/null || fail "newuidmap missing (Debian package uidmap; bootstrap.sh installs it)"
	rootless_bundle '["/bin/sh", "-c", "cat /proc/self/uid_map; id -u; stat -c %u /home"]'
	jq --argjson u "$ROOTLESS_UID" '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 200000, "size": 65536}]' \
		"$rl/config.json" >"$rl/c" && mv "$rl/c" "$rl/config.json"
	chown "$ROOTLESS_UID" "$rl/config.json"
	chown 200999:200999 "$rl/rootfs/home"
	run rootless_sub 'cd "$rl" && setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$SBX" --root "$ROOTLESS_ROOT" run s1 </dev/null'
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(echo ${lines[0]})" = "0 $ROOTLESS_UID 1" ]
	[ "$(echo ${lines[1]})" = "1 200000 65536" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 1000 ]
	# a process as uid 1000 inside is host 200999
	jq '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["/bin/sh", "-c", "id -u; grep ^Uid: /proc/self/status; sleep 100"]' \
		"$rl/config.json" >"$rl/c" && mv "$rl/c" "$rl/config.json"
	chown "$ROOTLESS_UID" "$rl/config.json"
	run rootless_sub 'cd "$rl" && setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$SBX" --root "$ROOTLESS_ROOT" run -d s2 </dev/null >/dev/null 2>&1
		pid=$(setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" --clear-groups "$SBX" --root "$ROOTLESS_ROOT" state s2 | sed -n "s/.*\"pid\": *\([0-9]*\).*/\1/p")
		grep "^Uid:" /proc/$pid/status
		setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" --clear-groups "$SBX" --root "$ROOTLESS_ROOT" delete -f s2'
	[ "$status" -eq 0 ] || fail "$output"
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+200999[[:space:]] ]] || fail "host uid of container uid 1000: ${lines[0]}"
}

@test "rootless: a subordinate range the user does not own is a clear error, nothing left" {
	requires rootless
	rootless_bundle '["/bin/true"]'
	jq --argjson u "$ROOTLESS_UID" '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 300000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 300000, "size": 65536}]' \
		"$rl/config.json" >"$rl/c" && mv "$rl/c" "$rl/config.json"
	chown "$ROOTLESS_UID" "$rl/config.json"
	run rootless_sub 'cd "$rl" && setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$SBX" --root "$ROOTLESS_ROOT" run s3 </dev/null'
	[ "$status" -ne 0 ]
	[[ "$output" == *"newuidmap refused the mapping"*"/etc/subuid"* ]] || fail "unclear error: $output"
	[ ! -e "$ROOTLESS_ROOT/s3" ]
}
