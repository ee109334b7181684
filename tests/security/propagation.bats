#!/usr/bin/env bats
# Class 6: mounts made for a container never propagate into the host.
# On a systemd host "/" is rshared, so a bind source cloned from the host
# is a peer of the host's mount: whatever is mounted below it in the
# container (a tmpfs or bind of the config) used to appear on the host at
# the volume's source, and stay after delete; with a second container
# renaming directories in the shared volume meanwhile, at a path the
# attacker chose (the CVE-2021-30465 pattern). Each test runs sbx in a
# private mount namespace whose "/" is made rshared (this machine's root
# is private): that namespace plays the host. Per-mount propagation the
# config asks for still works both ways (Kubernetes' HostToContainer is
# rslave, Bidirectional rshared).

# bats file_tags=host,vm

load helpers

# vol_setup: the volume's source $SRC (with d and e) and $OTHER.
vol_setup() {
	SRC=$BATS_TEST_TMPDIR/vol
	OTHER=$BATS_TEST_TMPDIR/other
	mkdir -p "$SRC/d" "$SRC/e" "$OTHER"
	echo other >"$OTHER/f"
}

# on_shared_host SCRIPT: bash SCRIPT in a new mount namespace whose / is
# rshared; $SBX, $ROOT, $BUNDLE, $SRC, $OTHER and $ATTACK are exported.
# mi prints that namespace's mount points (sorted) inside SCRIPT.
on_shared_host() {
	vol_setup
	export SBX ROOT BUNDLE SRC OTHER ATTACK
	unshare -m --propagation unchanged bash -c '
		set -u
		mount --make-rshared /
		mi() { awk "{ print \$5 }" /proc/self/mountinfo | sort; }
		'"$1"
}

vol_mounts() {
	vol_setup
	add_mount "$(jq -nc --arg s "$SRC" '{destination: "/vol", type: "bind", source: $s, options: ["rbind"]}')"
	add_mount '{"destination": "/vol/d", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "$(jq -nc --arg s "$OTHER" '{destination: "/vol/d/x", type: "bind", source: $s, options: ["rbind", "ro"]}')"
}

@test "run, run -d and delete leave the mount table of an rshared host unchanged" {
	vol_mounts
	set_args /bin/sh -c 'cat /vol/d/x/f; grep -c " /vol" /proc/self/mountinfo'
	run -0 on_shared_host '
		mi >/tmp/before.$$
		for i in 1 2 3 4 5; do "$SBX" --root "$ROOT" run --bundle "$BUNDLE" r$i </dev/null || exit 1; done
		"$SBX" --root "$ROOT" run -d --bundle "$BUNDLE" d1 </dev/null >/dev/null || exit 1
		echo during; mi | diff /tmp/before.$$ - && echo same-during
		"$SBX" --root "$ROOT" delete -f d1
		mi | diff /tmp/before.$$ - && echo same-after
		rm -f /tmp/before.$$'
	echo "$output" >&2
	[ "${lines[0]}" = other ] || fail "the config mounts did not work: $output"
	[[ "$output" == *same-during* ]] || fail "container mounts appeared on the host while it ran"
	[[ "$output" == *same-after* ]] || fail "container mounts left on the host after delete"
	check_host_untouched
}

@test "with a renaming attacker in the shared volume: no mount lands on the host" {
	vol_mounts
	set_args /bin/true
	run -0 on_shared_host '
		mi >/tmp/before.$$
		"$ATTACK" exchange "$SRC/d" "$SRC/e" "$SRC/stop" 20 >/tmp/x.$$ &
		for i in $(seq 1 20); do "$SBX" --root "$ROOT" run --bundle "$BUNDLE" r$i </dev/null >/dev/null 2>&1; done
		touch "$SRC/stop"; wait
		cat /tmp/x.$$
		for i in $(seq 1 20); do "$SBX" --root "$ROOT" delete -f r$i 2>/dev/null; done
		mi | diff /tmp/before.$$ - && echo same-after
		rm -f /tmp/before.$$ /tmp/x.$$'
	echo "$output" >&2
	[[ "$output" == *"DONE swaps="* ]] || fail "the attacker did not run"
	[[ "$output" == *same-after* ]] || fail "mounts landed on the host"
	check_host_untouched
}

@test "rslave volume: a mount made on the host later shows in the container" {
	vol_setup
	add_mount "$(jq -nc --arg s "$SRC" '{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rslave"]}')"
	set_args /bin/sleep 100
	run -0 on_shared_host '
		"$SBX" --root "$ROOT" run -d --bundle "$BUNDLE" s1 </dev/null >/dev/null || exit 1
		mkdir -p "$SRC/late" && mount -t tmpfs late "$SRC/late" && echo hi >"$SRC/late/f"
		"$SBX" --root "$ROOT" exec s1 cat /vol/late/f
		"$SBX" --root "$ROOT" exec s1 grep " /vol " /proc/self/mountinfo
		"$SBX" --root "$ROOT" delete -f s1; umount "$SRC/late"'
	echo "$output" >&2
	[ "${lines[0]}" = hi ] || fail "the host mount did not reach the container"
	[[ "${lines[1]}" == *master:* ]] || fail "/vol is not a slave: ${lines[1]}"
	[[ "${lines[1]}" != *shared:* ]] || fail "/vol is shared with the host: ${lines[1]}"
	check_host_untouched
}

@test "rshared volume: a mount made in the container reaches the host; rshared tmpfs is shared" {
	vol_setup
	add_mount "$(jq -nc --arg s "$SRC" '{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rshared"]}')"
	add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["rshared"]}'
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	set_args /bin/sh -c 'mkdir -p /vol/inside && mount -t tmpfs inside /vol/inside && echo mounted; grep " /t " /proc/self/mountinfo; sleep 100'
	run -0 on_shared_host '
		"$SBX" --root "$ROOT" run -d --bundle "$BUNDLE" b1 </dev/null >"$BATS_TEST_TMPDIR/b1.out" 2>&1 || exit 1
		for i in $(seq 50); do grep -q " /t " "$BATS_TEST_TMPDIR/b1.out" && break; sleep 0.1; done
		cat "$BATS_TEST_TMPDIR/b1.out"
		mi | grep -qx "$SRC/inside" && echo on-host
		"$SBX" --root "$ROOT" delete -f b1
		umount "$SRC/inside" 2>/dev/null; true'
	echo "$output" >&2
	[ "${lines[0]}" = mounted ] || fail "the container could not mount: $output"
	[[ "${lines[1]}" == *shared:* ]] || fail "the rshared tmpfs is not shared: ${lines[1]}"
	[[ "$output" == *on-host* ]] || fail "the container's mount did not reach the host"
	check_host_untouched
}
