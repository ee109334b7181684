#!/usr/bin/env bats
# Class 6: capabilities. CVE-2022-29162: `runc exec --cap` put the added
# capabilities into the inheritable set, so a program with inheritable
# file capabilities run by a non-root user gained them. Neither the
# defaults nor `exec --cap` may fill the inheritable or ambient sets.

# bats file_tags=host

load helpers

# capset NAME OUTPUT: the hex value of CapNAME in a /proc/PID/status dump.
capset() { awk -v k="Cap$1:" '$1 == k { print $2 }' <<<"$2"; }

@test "defaults: the container's process has no inheritable and no ambient capabilities" {
	set_args /bin/grep ^Cap /proc/self/status
	run_ctr c1 3>&-
	[ "$status" -eq 0 ]
	[ "$(capset Inh "$output")" = 0000000000000000 ]
	[ "$(capset Amb "$output")" = 0000000000000000 ]
	# and the config sbx writes asks for none either
	run jq -c '.process.capabilities | [.inheritable, .ambient]' "$BUNDLE/config.json"
	[ "$output" = '[null,null]' ] || [ "$output" = '[[],[]]' ]
	check_host_untouched
}

@test "exec --cap: added to bounding, effective and permitted only" {
	start_ctr c2 /bin/sleep 100
	run -0 "$SBX" --root "$ROOT" exec --cap CAP_SYS_ADMIN --cap net_raw c2 /bin/grep ^Cap /proc/self/status 3>&-
	[ "$(capset Inh "$output")" = 0000000000000000 ]
	[ "$(capset Amb "$output")" = 0000000000000000 ]
	# CAP_SYS_ADMIN is bit 21, CAP_NET_RAW bit 13
	(( (0x$(capset Eff "$output") >> 21) & 1 ))
	(( (0x$(capset Eff "$output") >> 13) & 1 ))
	check_host_untouched
}

@test "exec --cap --user 1000: a program with inheritable file capabilities gains nothing" {
	command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
	echo root-only >"$ROOTFS/root/secret"
	chmod 0600 "$ROOTFS/root/secret"
	chmod 0755 "$ROOTFS/root"
	# (named busybox, so that it takes the applet from argv[1])
	mkdir -p "$ROOTFS/opt/cap"
	cp "$ROOTFS/bin/busybox" "$ROOTFS/opt/cap/busybox"
	setcap cap_dac_override,cap_dac_read_search+ei "$ROOTFS/opt/cap/busybox" ||
		skip "the filesystem of $ROOTFS does not take file capabilities"
	start_ctr c3 /bin/sleep 100
	run "$SBX" --root "$ROOT" exec --user 1000:1000 --cap CAP_DAC_OVERRIDE --cap CAP_DAC_READ_SEARCH c3 \
		/opt/cap/busybox sh -c 'grep ^Cap /proc/self/status; /opt/cap/busybox cat /root/secret' 3>&-
	echo "$output" >&2
	[ "$(capset Inh "$output")" = 0000000000000000 ]
	[ "$(capset Amb "$output")" = 0000000000000000 ]
	[ "$(capset Eff "$output")" = 0000000000000000 ]
	[ "$(capset Prm "$output")" = 0000000000000000 ]
	[[ "$output" != *root-only* ]] || fail "uid 1000 read a root-only file through inheritable capabilities"
	check_host_untouched
}
