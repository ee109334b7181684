#!/usr/bin/env bats
# User namespaces: id mappings and rootless containers.

# bats file_tags=host

load helpers

# userns_config: container 0 -> host 100000, 65536 ids; rootfs owned by the
# mapped root so that the container's root owns it.
userns_config() {
	requires userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown -R 100000:100000 "$ROOTFS"
	chown 101000:101000 "$ROOTFS/home/user"
	make_traversable
}

@test "userns: uid_map/gid_map inside, Uid 100000 seen from the host" {
	userns_config
	set_args /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user; exec sleep 100'
	start_ctr u1
	wait_output u1 'user:'
	mapfile -t out < <(ctr_out u1)
	[ "$(echo ${out[0]})" = "0 100000 65536" ]
	[ "$(echo ${out[1]})" = "0 100000 65536" ]
	[ "${out[2]}" = 0 ]
	[ "${out[3]}" != "$(host_ns $$ user)" ]
	[ "${out[3]}" = "$(host_ns "$CTR_PID" user)" ]
	# from the host
	[[ "$(grep '^Uid:' "/proc/$CTR_PID/status")" =~ ^Uid:[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000$ ]]
	[[ "$(grep '^Gid:' "/proc/$CTR_PID/status")" =~ ^Gid:[[:space:]]+100000[[:space:]] ]]
	[ "$(echo $(cat "/proc/$CTR_PID/uid_map"))" = "0 100000 65536" ]
}

@test "userns: a file only host root can read stays unreadable for container root" {
	userns_config
	secret=$BATS_TEST_TMPDIR/secret
	echo top-secret >"$secret"
	chmod 0600 "$secret"
	chown 0:0 "$secret"
	update_config '.mounts += [{"destination": "/secret", "type": "bind", "source": $s, "options": ["bind"]}]' --arg s "$secret"
	set_args /bin/sh -c 'cat /secret; echo "rc=$?"; echo x >> /secret; echo "wrc=$?"'
	run sbx run --bundle "$BUNDLE" u1
	[ "$status" -eq 0 ]
	[[ "$output" != *top-secret* ]]
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *"wrc=1"* ]]
	[ "$(cat "$secret")" = top-secret ]
}

@test "userns: files owned by host root appear as nobody (overflow id)" {
	userns_config
	touch "$ROOTFS/hostroot"
	chown 0:0 "$ROOTFS/hostroot"
	set_args /bin/sh -c 'stat -c "%u %g" /hostroot /bin/busybox'
	run sbx run --bundle "$BUNDLE" u1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "65534 65534" ]
	[ "${lines[1]}" = "0 0" ]
}

@test "userns: a mapping that does not cover the process uid fails" {
	userns_config
	update_config '.process.user.uid = 70000'
	run sbx run --bundle "$BUNDLE" u1
	[ "$status" -ne 0 ]
}

@test "rootless: run as an unprivileged host user" {
	requires rootless
	rootless_bundle '["/bin/sh", "-c", "cat /proc/self/uid_map; id -u; exec sleep 100"]'
	out=$BATS_TEST_TMPDIR/rl.out
	st=0
	as_user "$SBX" --root "$ROOTLESS_ROOT" run -d --bundle "$rl" rl1 </dev/null >"$out" 2>&1 3>&- || st=$?
	[ "$st" -eq 0 ] || fail "rootless run failed: $(cat "$out")"
	retry 100 0.05 grep -q '^0$' "$out"
	[ "$(echo $(head -n1 "$out"))" = "0 $ROOTLESS_UID 1" ]
	s=$(as_user "$SBX" --root "$ROOTLESS_ROOT" state rl1)
	[ "$(jq -r .status <<<"$s")" = running ]
	pid=$(jq -r .pid <<<"$s")
	[[ "$(grep '^Uid:' "/proc/$pid/status")" =~ ^Uid:[[:space:]]+$ROOTLESS_UID[[:space:]] ]]
	# the state belongs to the user
	[ "$(stat -c %u "$ROOTLESS_ROOT")" = "$ROOTLESS_UID" ]
	as_user "$SBX" --root "$ROOTLESS_ROOT" kill rl1 KILL
	retry 100 0.05 _rl_stopped rl1
	as_user "$SBX" --root "$ROOTLESS_ROOT" delete rl1
	[ ! -e "$ROOTLESS_ROOT/rl1" ]
}

_rl_stopped() {
	[ "$(as_user "$SBX" --root "$ROOTLESS_ROOT" state "$1" | jq -r .status)" = stopped ]
}

# Without CAP_SYS_ADMIN sbx cannot make a read-only bind of its binary, so
# it re-executes from a sealed memfd copy: the init, which runs sbx's code
# in the container until start, is that copy, and no write reaches it
# (CVE-2019-5736 for a user who owns their sbx binary).
@test "rootless: the waiting init runs from a sealed memfd copy of sbx" {
	requires rootless
	rootless_bundle '["/bin/true"]'
	own=$BATS_TEST_TMPDIR/own-sbx
	cp "$SBX" "$own"
	chown "$ROOTLESS_UID" "$own"
	sum=$(sha256sum <"$own")
	st=0
	as_user "$own" --root "$ROOTLESS_ROOT" create --bundle "$rl" rl2 </dev/null >"$BATS_TEST_TMPDIR/o" 2>&1 3>&- || st=$?
	[ "$st" -eq 0 ] || fail "rootless create failed: $(cat "$BATS_TEST_TMPDIR/o")"
	pid=$(as_user "$own" --root "$ROOTLESS_ROOT" state rl2 | jq -r .pid)
	[[ "$(readlink "/proc/$pid/exe")" == "/memfd:sbx (deleted)" ]]
	# hold it (as the attacker would), let every sbx process end, then even
	# host root cannot write it: sealed (not just ETXTBSY)
	exec 9<"/proc/$pid/exe"
	as_user "$own" --root "$ROOTLESS_ROOT" delete --force rl2
	retry 100 0.05 test ! -e "/proc/$pid"
	run python3 -c 'import os
try:
    fd = os.open("/proc/self/fd/9", os.O_WRONLY)
    os.write(fd, b"x")
    print("WROTE")
except OSError as e:
    print(os.strerror(e.errno))'
	exec 9<&-
	echo "$output"
	[ "$output" = "Operation not permitted" ]
	[ "$(sha256sum <"$own")" = "$sum" ]
}

_own_userns() { [ "$(readlink "/proc/$1/ns/user")" != "$(readlink /proc/self/ns/user)" ]; }

# lo_up_out FILE: the output of `cat /sys/class/net/lo/flags` in FILE
# shows IFF_UP | IFF_LOOPBACK
lo_up_out() {
	local f
	f=$(tail -n1 "$1")
	[ -n "$f" ] && [ "$((f & 0x9))" -eq 9 ] || fail "lo flags: $(cat "$1")"
}

# A new network namespace gets lo up, as runc leaves it. Root's sbx brings
# it up itself while the init builds the root (the namespace exists from
# clone3); in a joined user namespace the init makes the network
# namespace later and brings lo up itself, as it does rootless.
@test "userns: lo is up in the new network namespace: clone3's (sbx), a joined user namespace's and rootless (the init)" {
	userns_config
	set_args /bin/cat /sys/class/net/lo/flags
	run sbx run --bundle "$BUNDLE" lo1
	[ "$status" -eq 0 ] || fail "$output"
	echo "$output" >"$BATS_TEST_TMPDIR/lo1"
	lo_up_out "$BATS_TEST_TMPDIR/lo1"
	# joined: a user namespace with the same maps, held by a sleep
	unshare -U sleep 1000 &
	holder=$!
	track_pid "$holder"
	retry 100 0.05 _own_userns "$holder"
	echo "0 100000 65536" >"/proc/$holder/uid_map"
	echo "0 100000 65536" >"/proc/$holder/gid_map"
	update_config '.linux.namespaces |= map(if .type == "user" then .path = $p else . end)
		| del(.linux.uidMappings, .linux.gidMappings)' --arg p "/proc/$holder/ns/user"
	run sbx run --bundle "$BUNDLE" lo2
	[ "$status" -eq 0 ] || fail "$output"
	echo "$output" >"$BATS_TEST_TMPDIR/lo2"
	lo_up_out "$BATS_TEST_TMPDIR/lo2"
	kill "$holder"
	requires rootless
	rootless_bundle '["/bin/cat", "/sys/class/net/lo/flags"]'
	# `spec --rootless` shares the host's network, as runc's: ask for one
	jq '.linux.namespaces += [{"type": "network"}]' "$rl/config.json" >"$rl/c" && mv "$rl/c" "$rl/config.json"
	chown "$ROOTLESS_UID" "$rl/config.json"
	as_user "$SBX" --root "$ROOTLESS_ROOT" run --bundle "$rl" lo3 </dev/null >"$BATS_TEST_TMPDIR/lo3" \
		2>"$BATS_TEST_TMPDIR/lo3.err" 3>&- || fail "rootless: $(cat "$BATS_TEST_TMPDIR/lo3.err")"
	lo_up_out "$BATS_TEST_TMPDIR/lo3"
	# and says nothing else (a rootless delete has no id range to give back)
	[ ! -s "$BATS_TEST_TMPDIR/lo3.err" ] || fail "rootless run said: $(cat "$BATS_TEST_TMPDIR/lo3.err")"
}
