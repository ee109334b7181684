#!/usr/bin/env bats
# --policy harden.userns and harden.network (docs/policy.md, issue #16):
# a user namespace with a fresh host id range per container, taken without
# collisions and given back when the container is gone, with the rootfs and
# binds idmapped; a fresh network namespace with only `lo`, up. Runs on
# the host (idmapped ext4; the VM's /tmp is tmpfs on 6.1, which cannot be
# idmapped).

# bats file_tags=host

load helpers

# 5 ranges of 65536 ids, far from anything else on the machine
FIRST=2000000000
IDS="$FIRST-$((FIRST + 5 * 65536 - 1))"
ALLOC=/run/sbx-userns

setup() {
	sbx_setup
	mkdir -p -m 0755 "$BATS_TEST_TMPDIR/pol"
	POL=$BATS_TEST_TMPDIR/pol/p.json
	policy '{"harden": {"userns": {"ids": $ids, "size": 65536}}}'
	# the template has no user namespace, as Docker's configs
	update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
	# the range's root must reach the rootfs (bats' temp dirs are 0700)
	make_traversable
}

teardown() {
	sbx_teardown
	rm -f "$ALLOC/$FIRST" "$(entry $((FIRST + 2 * 65536)))"
	[ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
	umount "$BATS_TEST_TMPDIR/ov" 2>/dev/null || true
	ip link del sbxpol0 2>/dev/null || true
	ip link del sbxpol1 2>/dev/null || true
}

policy() { jq -n --arg ids "$IDS" "$1" >"$POL"; chmod 0644 "$POL"; }
psbx() { sbx --policy "$POL" "$@"; }
# range ID: the host id the container's root is (uid_map's second column)
range() { awk '{print $2}' "/proc/$(ctr_pid "$1")/uid_map"; }
# taken_by ID: the first id of the range whose entry (a symlink FIRST-LAST
# to "DEV INO PATH", never followed) names the container's state directory
taken_by() {
	local e want=" $(realpath "$ROOT")/$1"
	for e in "$ALLOC"/*-*; do
		[ -L "$e" ] && [[ "$(readlink "$e")" == *"$want" ]] && basename "${e%-*}"
	done
	return 0
}
# entry FIRST: the path of the range's entry
entry() { echo "$ALLOC/$1-$(($1 + 65535))"; }

@test "harden.userns: its own range in uid_map, an idmapped rootfs and binds (root's files are root's), exec in the same" {
	mkdir -p "$BATS_TEST_TMPDIR/vol"
	echo v >"$BATS_TEST_TMPDIR/vol/f"
	chmod 0755 "$BATS_TEST_TMPDIR/vol"
	update_config '.mounts += [{"destination": "/vol", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$BATS_TEST_TMPDIR/vol"
	set_args /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /bin/busybox; touch /made-inside; stat -c %u /made-inside; stat -c %u /vol/f; echo done; sleep 100'
	run_bg "$BATS_TEST_TMPDIR/u1" psbx run -d --bundle "$BUNDLE" u1
	[ "$status" -eq 0 ] || fail "$output"
	wait_output u1 done
	mapfile -t out < <(ctr_out u1)
	r=$(range u1)
	[ $(((r - FIRST) % 65536)) -eq 0 ] && [ "$r" -ge "$FIRST" ] && [ "$r" -lt $((FIRST + 5 * 65536)) ] || fail "range $r"
	[ "$(echo ${out[0]})" = "0 $r 65536" ] || fail "uid_map: ${out[0]}"
	[ "$(echo ${out[1]})" = "0 $r 65536" ] || fail "gid_map: ${out[1]}"
	[ "${out[2]}" = 0:0 ] || fail "the image is not root's inside: ${out[2]}"
	[ "${out[3]}" = 0 ]
	[ "${out[4]}" = 0 ] || fail "the bind volume is not idmapped: ${out[4]}"
	pid=$(ctr_pid u1)
	[[ "$(grep '^Uid:' /proc/$pid/status)" =~ ^Uid:[[:space:]]+$r[[:space:]] ]] || fail "host uid: $(grep Uid: /proc/$pid/status)"
	# outside, through the container's idmapped mount, the file is the range's root's;
	# on the disk it is host root's (what an idmapped image means)
	[ "$(stat -c %u "/proc/$pid/root/made-inside")" = "$r" ]
	[ "$(stat -c %u "$ROOTFS/made-inside")" = 0 ]
	[ "$(taken_by u1)" = "$r" ]
	[[ "$(ctr_state u1 | jq -r '.annotations["sbx.policy.hardened"]')" == *"user namespace 0 -> $r (65536 ids), idmapped rootfs"* ]]
	# exec joins the user namespace, though the saved config has none (and without --policy)
	run sbx exec u1 /bin/sh -c 'cat /proc/self/uid_map; id -u'
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(echo ${lines[0]})" = "0 $r 65536" ] && [ "${lines[1]}" = 0 ] || fail "exec: $output"
}

@test "harden.userns rootfs unmapped: the image is nobody's inside, what the range owns is written as the range outside" {
	policy '{"harden": {"userns": {"ids": $ids, "rootfs": "unmapped"}}}'
	mkdir "$ROOTFS/mine"
	set_args /bin/sh -c 'stat -c %u /bin/busybox; touch /x 2>/dev/null; echo "root=$?"; cat /proc/self/uid_map; sleep 100'
	run_bg "$BATS_TEST_TMPDIR/m1" psbx run -d --bundle "$BUNDLE" m1
	[ "$status" -eq 0 ] || fail "$output"
	wait_output m1 ' 65536'
	r=$(range m1)
	mapfile -t out < <(ctr_out m1)
	[ "${out[0]}" = 65534 ] || fail "busybox: ${out[0]}"
	[ "${out[1]}" = root=1 ] || fail "container root wrote to host root's /: ${out[1]}"
	chown "$r:$r" "$ROOTFS/mine"
	run sbx exec m1 /bin/sh -c 'stat -c %u /mine; touch /mine/f'
	[ "$status" -eq 0 ] && [ "$output" = 0 ] || fail "$output"
	[ "$(stat -c %u:%g "$ROOTFS/mine/f")" = "$r:$r" ]
}

@test "harden.userns: concurrent creates get disjoint ranges" {
	set_args /bin/sleep 100
	for i in 1 2 3; do
		psbx create --bundle "$BUNDLE" "c$i" </dev/null >"$BATS_TEST_TMPDIR/c$i.out" 2>&1 3>&- &
	done
	wait
	for i in 1 2 3; do [ "$(ctr_status "c$i")" = created ] || fail "c$i: $(cat "$BATS_TEST_TMPDIR/c$i.out")"; done
	a=$(range c1) b=$(range c2) c=$(range c3)
	[ "$(printf '%s\n' "$a" "$b" "$c" | sort -u | wc -l)" = 3 ] || fail "ranges $a $b $c"
	for x in $a $b $c; do [ $(((x - FIRST) % 65536)) -eq 0 ] || fail "unaligned $x"; done
	[ "$(taken_by c1)" = "$a" ] && [ "$(taken_by c2)" = "$b" ] && [ "$(taken_by c3)" = "$c" ]
}

@test "harden.userns: delete gives the range back, a new container reuses it; all taken is an error" {
	set_args /bin/sleep 100
	psbx create --bundle "$BUNDLE" d1 </dev/null >/dev/null 3>&-
	a=$(range d1)
	psbx create --bundle "$BUNDLE" d2 </dev/null >/dev/null 3>&-
	[ "$(range d2)" != "$a" ]
	sbx delete --force d1
	[ -z "$(taken_by d1)" ] && [ ! -L "$(entry "$a")" ] || fail "the range of d1 is still taken"
	psbx create --bundle "$BUNDLE" d3 </dev/null >/dev/null 3>&-
	[ "$(range d3)" = "$a" ]
	for i in 4 5 6; do psbx create --bundle "$BUNDLE" "d$i" </dev/null >/dev/null 3>&-; done
	run_bg "$BATS_TEST_TMPDIR/d7" psbx create --bundle "$BUNDLE" d7
	[ "$status" -ne 0 ] && [[ "$output" == *"harden.userns: all 5 ranges of $IDS are in use"* ]] || fail "$output"
	[ ! -e "$ROOT/d7" ]
	run sbx delete d2
	[ "$status" -eq 0 ]
	run_bg "$BATS_TEST_TMPDIR/d7" psbx create --bundle "$BUNDLE" d7
	[ "$status" -eq 0 ] || fail "$output"
}

@test "harden.userns: an entry whose directory is gone is taken back once every range looks taken; an earlier sbx's file still holds its range" {
	set_args /bin/sleep 100
	mkdir -p -m 0700 "$ALLOC" "$BATS_TEST_TMPDIR/live"
	# an earlier sbx's record (a file FIRST: "SIZE DEV INO PATH") of a live directory
	echo "65536 $(stat -c '%d %i' "$BATS_TEST_TMPDIR/live") $BATS_TEST_TMPDIR/live" >"$ALLOC/$FIRST"
	# the third range, taken for a directory that is gone
	ln -s "1 2 $BATS_TEST_TMPDIR/gone" "$(entry $((FIRST + 2 * 65536)))"
	psbx create --bundle "$BUNDLE" e1 </dev/null >/dev/null 3>&-
	[ "$(range e1)" = $((FIRST + 65536)) ] || fail "e1 got $(range e1)"
	psbx create --bundle "$BUNDLE" e2 </dev/null >/dev/null 3>&-
	[ "$(range e2)" = $((FIRST + 3 * 65536)) ] || fail "e2 got $(range e2): a free range by name comes first"
	[ -L "$(entry $((FIRST + 2 * 65536)))" ] || fail "the dead entry went before it had to"
	psbx create --bundle "$BUNDLE" e3 </dev/null >/dev/null 3>&-
	# every range looks taken now: the dead entry goes, the earlier sbx's file stays
	psbx create --bundle "$BUNDLE" e4 </dev/null >/dev/null 3>&-
	[ "$(range e4)" = $((FIRST + 2 * 65536)) ] || fail "e4 got $(range e4)"
	[ "$(taken_by e4)" = $((FIRST + 2 * 65536)) ]
	[ -f "$ALLOC/$FIRST" ]
	# the earlier sbx's directory is gone: its range comes back too
	rmdir "$BATS_TEST_TMPDIR/live"
	psbx create --bundle "$BUNDLE" e5 </dev/null >/dev/null 3>&-
	[ "$(range e5)" = "$FIRST" ] || fail "e5 got $(range e5)"
	[ ! -e "$ALLOC/$FIRST" ]
	for i in 1 2 3 4 5; do sbx delete --force "e$i"; done
	for i in 0 1 2 3 4; do [ ! -L "$(entry $((FIRST + i * 65536)))" ] || fail "range $i still taken"; done
}

@test "harden.userns: sbx killed -9 mid-create keeps the range until delete --force" {
	set_args /bin/sleep 100
	update_config '.hooks = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "60"]}]}'
	"$SBX" --root "$ROOT" --policy "$POL" create --bundle "$BUNDLE" k1 </dev/null >/dev/null 2>&1 3>&- &
	spid=$!
	retry 100 0.05 taken_by k1 >/dev/null || fail "no range taken for k1"
	retry 100 0.05 pgrep -P "$spid" -x sleep >/dev/null
	hook=$(pgrep -P "$spid" -x sleep)
	a=$(taken_by k1)
	kill -9 "$spid"
	kill -9 "$hook"
	wait "$spid" || true
	update_config 'del(.hooks)'
	psbx create --bundle "$BUNDLE" k2 </dev/null >/dev/null 3>&-
	[ "$(range k2)" != "$a" ] || fail "k2 got the range a killed create holds"
	[ "$(taken_by k1)" = "$a" ]
	sbx delete --force k1
	[ ! -e "$ROOT/k1" ] && [ ! -L "$(entry "$a")" ] || fail "delete --force left the range of k1"
	psbx create --bundle "$BUNDLE" k3 </dev/null >/dev/null 3>&-
	[ "$(range k3)" = "$a" ]
}

# An engine's rootfs: an overlay mount of layers in storage no id of the
# range may search (0700, as /var/lib/containers/storage), its merged dir
# the root of the mount.
engine_overlay() {
	S=$BATS_TEST_TMPDIR/storage
	mkdir -p "$S/l2/etc" "$S/c/diff" "$S/c/work" "$S/c/merged"
	mv "$ROOTFS" "$S/l1"
	mkdir "$ROOTFS"
	echo two >"$S/l2/etc/layer2"
	chmod 0700 "$S"
	mount -t overlay overlay -o "lowerdir=$S/l2:$S/l1,upperdir=$S/c/diff,workdir=$S/c/work" "$S/c/merged"
	update_config '.root.path = $p' --arg p "$S/c/merged"
}

engine_overlay_done() {
	umount "$S/c/merged"
	update_config '.root.path = "rootfs"'
	rmdir "$ROOTFS" && mv "$S/l1" "$ROOTFS"
}

@test "harden.userns idmap: an engine's overlay rootfs in 0700 storage is idmapped by its layers" {
	engine_overlay
	set_args /bin/sh -c 'cat /proc/self/uid_map; stat -c %u:%g /bin/busybox /etc/layer2; cat /etc/layer2; touch /made-inside; stat -c %u /made-inside; echo root:x:0:0::/root:/bin/sh >>/etc/passwd && echo appended; grep -c . /proc/self/mountinfo; echo done; sleep 100'
	run_bg "$BATS_TEST_TMPDIR/o1" psbx run -d --bundle "$BUNDLE" o1
	[ "$status" -eq 0 ] || fail "$output"
	wait_output o1 done
	mapfile -t out < <(ctr_out o1)
	r=$(range o1)
	[ "$(echo ${out[0]})" = "0 $r 65536" ] || fail "uid_map: ${out[*]}"
	[ "${out[1]}" = 0:0 ] && [ "${out[2]}" = 0:0 ] || fail "the layers are not root's inside: ${out[*]}"
	[ "${out[3]}" = two ] || fail "the upper lower layer is missing: ${out[*]}"
	[ "${out[4]}" = 0 ] && [ "${out[5]}" = appended ] || fail "container root cannot write the image: ${out[*]}"
	# on the disk, what the container wrote is in the engine's upper
	# directory, host root's; the lower layers are untouched
	[ "$(stat -c %u "$S/c/diff/made-inside")" = 0 ] && [ "$(stat -c %u "$S/c/diff/etc/passwd")" = 0 ] ||
		fail "upper: $(ls -ln "$S/c/diff")"
	[ ! -e "$S/l1/made-inside" ] && ! grep -q '^root:x:0:0::/root' "$S/l1/etc/passwd"
	[[ "$(ctr_state o1 | jq -r '.annotations["sbx.policy.hardened"]')" == *"idmapped rootfs"* ]]
	# the layers were staged in a private mount namespace: the host sees
	# only the engine's own overlay of this storage
	[ "$(grep -c "$S" /proc/self/mountinfo)" = 1 ] || fail "$(grep "$S" /proc/self/mountinfo)"
	# sbx's overlay has a work directory of its own next to the upper one:
	# the engine's mount copies up as before (through its own work dir)
	[ -d "$S/c/.sbx-work" ] || fail "no work directory of sbx's: $(ls -a "$S/c")"
	echo engine >>"$S/c/merged/bin/busybox-note" && echo more >>"$S/c/merged/etc/layer2" || fail "the engine's mount cannot write"
	[ "$(cat "$S/c/diff/etc/layer2")" = "two
more" ]
	sbx delete --force o1
	[ "$(grep -c "$S" /proc/self/mountinfo)" = 1 ]
	# unmapped: the same storage, reached as well; the image is nobody's
	policy '{"harden": {"userns": {"ids": $ids, "rootfs": "unmapped"}}}'
	set_args /bin/sh -c 'stat -c %u /bin/busybox; head -n1 /etc/layer2'
	run psbx run --bundle "$BUNDLE" o2 </dev/null
	[ "$status" -eq 0 ] && [ "${lines[-2]}" = 65534 ] && [ "${lines[-1]}" = two ] || fail "$output"
	engine_overlay_done
}

@test "harden.userns: refused when it cannot apply, naming the rule, leaving nothing" {
	local lower=$BATS_TEST_TMPDIR/lower ov=$BATS_TEST_TMPDIR/ov
	mkdir -p "$BATS_TEST_TMPDIR/up" "$BATS_TEST_TMPDIR/work" "$ov" "$lower"
	mv "$ROOTFS" "$lower/r"
	mkdir "$ROOTFS"
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$BATS_TEST_TMPDIR/up,workdir=$BATS_TEST_TMPDIR/work" "$ov"
	# a directory inside an overlay mount (not its root, whose layers
	# could be idmapped) cannot be idmapped
	update_config '.root.path = $p' --arg p "$ov/r"
	before=$(ls "$ALLOC" 2>/dev/null | wc -l)
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.userns.rootfs idmap: root.path"*"inside an overlayfs mount"* ]] || fail "$output"
	[ -z "$(ls -A "$ROOT")" ] && [ "$(ls "$ALLOC" 2>/dev/null | wc -l)" = "$before" ] || fail "left state or a range"
	# the same rootfs runs with "unmapped", in a user namespace still
	policy '{"harden": {"userns": {"ids": $ids, "rootfs": "unmapped"}}}'
	set_args /bin/cat /proc/self/uid_map
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -eq 0 ] && [ "$(echo ${lines[-1]})" = "0 $FIRST 65536" ] || fail "$output"
	umount "$ov"
	update_config '.root.path = "rootfs"'
	rmdir "$ROOTFS" && mv "$lower/r" "$ROOTFS"
	# a user namespace of the config's own that maps host root; one joined by path; the annotation
	update_config '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
		| .linux.gidMappings = .linux.uidMappings'
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.userns: linux.uidMappings/gidMappings map host id 0"* ]] || fail "$output"
	update_config '.linux.namespaces |= map(if .type == "user" then .path = "/proc/1/ns/user" else . end) | del(.linux.uidMappings, .linux.gidMappings)'
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.userns: linux.namespaces joins the user namespace"* ]] || fail "$output"
	update_config '.linux.namespaces |= map(select(.type != "user")) | .annotations["sbx.policy.userns"] = "0 65536"'
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"annotations.sbx.policy.userns: set by the policy"* ]] || fail "$output"
	[ -z "$(ls -A "$ROOT")" ] || fail "state left"
	# the user must be inside the range
	policy '{"harden": {"userns": {"ids": $ids, "size": 1000}}}'
	update_config 'del(.annotations["sbx.policy.userns"]) | .process.user.uid = 1000'
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.userns.size: process.user.uid 1000 is outside the 1000 ids"* ]] || fail "$output"
	[ -z "$(ls -A "$ROOT")" ] || fail "state left"
	echo '{"harden": {"userns": {"ids": "5-1"}}}' >"$POL"
	run psbx run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"harden.userns.ids"* ]] || fail "$output"
}

@test "harden.network loopback: a fresh namespace with only lo, up; nothing outside reachable; exec joins it" {
	policy '{"harden": {"network": "loopback"}}'
	port=$((20000 + RANDOM % 10000))
	python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
	LISTENER=$!
	hostip=$(ip -4 -o addr show scope global | awk '{sub("/.*", "", $4); print $4; exit}')
	[ -n "$hostip" ] || hostip=127.0.0.1
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	set_args /bin/sh -c "cat /proc/net/dev; cat /sys/class/net/lo/flags
		nc -w 2 127.0.0.1 $port </dev/null && echo reached-lo-listener
		nc -w 2 $hostip $port </dev/null && echo reached-host
		nc -l -p 5555 & l=\$!
		for i in 1 2 3 4 5 6 7 8 9 10; do echo over-lo | nc -w 1 127.0.0.1 5555 2>/dev/null && break; sleep 0.2; done
		wait \$l; echo end"
	run psbx run --bundle "$BUNDLE" n1 </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	ifs=$(grep -E '^ *[[:alnum:]]+: +[0-9]' <<<"$output" | cut -d: -f1 | tr -d ' ')
	[ "$ifs" = lo ] || fail "interfaces: $ifs"
	[[ "$output" == *0x9* ]] || fail "lo not up: $output"
	[[ "$output" != *reached* ]] || fail "$output"
	[[ "$output" == *over-lo*end* ]] || fail "nothing over lo: $output"
	# exec joins it
	set_args /bin/sleep 100
	run_bg "$BATS_TEST_TMPDIR/n2" psbx run -d --bundle "$BUNDLE" n2
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(readlink /proc/$(ctr_pid n2)/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	run sbx exec n2 /bin/readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/$(ctr_pid n2)/ns/net)" ] || fail "exec: $output"
	[[ "$(ctr_state n2 | jq -r '.annotations["sbx.policy.hardened"]')" == *"linux.namespaces +network (loopback only)"* ]]
}

@test "harden.network loopback: a joined network namespace, netDevices, an interface a hook moved in are refused" {
	policy '{"harden": {"network": "loopback"}}'
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/1/ns/net" else . end)'
	run psbx run --bundle "$BUNDLE" j1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.network loopback: linux.namespaces joins the network namespace \`/proc/1/ns/net\`"* ]] || fail "$output"
	update_config '.linux.namespaces |= map(if .type == "network" then del(.path) else . end) | .linux.netDevices = {"sbxpol0": {}}'
	ip link add sbxpol0 type dummy 2>/dev/null || ip link add sbxpol0 type veth peer name sbxpol1
	run psbx run --bundle "$BUNDLE" j1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.network loopback: linux.netDevices moves \`sbxpol0\` in"* ]] || fail "$output"
	[ -z "$(ls -A "$ROOT")" ] || fail "state left"
	# a createRuntime hook that moves an interface in fails the create
	cat >"$BATS_TEST_TMPDIR/movein.sh" <<-'EOS'
	#!/bin/sh
	pid=$(jq -r .pid)
	ip link set sbxpol1 netns "$pid"
	EOS
	chmod +x "$BATS_TEST_TMPDIR/movein.sh"
	ip link show sbxpol1 >/dev/null 2>&1 || ip link add sbxpol1 type veth peer name sbxpol2
	update_config 'del(.linux.netDevices) | .hooks = {"createRuntime": [{"path": $h}]}' --arg h "$BATS_TEST_TMPDIR/movein.sh"
	run psbx run --bundle "$BUNDLE" j1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"policy harden.network loopback: the network namespace has \`sbxpol1\`"* ]] || fail "$output"
	[ -z "$(ls -A "$ROOT")" ] || fail "state left"
	echo '{"harden": {"network": "none"}}' >"$POL"
	run psbx run --bundle "$BUNDLE" j1 </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == *"harden.network: \`none\` is not loopback"* ]] || fail "$output"
}

@test "audit --policy: the namespaces the policy adds, and what its namespace rules refuse" {
	policy '{"harden": {"userns": {"ids": $ids}, "network": "loopback"}}'
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	run sbx audit --policy "$POL" "$BUNDLE"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"policyNamespaces       user(65536 ids from $IDS, rootfs idmap) network(loopback only, added)"* ]] || fail "$output"
	update_config '.linux.namespaces += [{"type": "network", "path": "/proc/1/ns/net"}, {"type": "user", "path": "/proc/1/ns/user"}]'
	run sbx audit --policy "$POL" --format json "$BUNDLE"
	[ "$status" -eq 1 ] || fail "$output"
	jq -e '.policyViolations | any(.[]; startswith("policy harden.network loopback: linux.namespaces joins"))' <<<"$output"
	jq -e '.policyViolations | any(.[]; startswith("policy harden.userns: linux.namespaces joins the user namespace"))' <<<"$output"
	[ "$(jq -c .policyNamespaces <<<"$output")" = '[]' ]
}
