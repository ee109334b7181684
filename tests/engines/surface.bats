#!/usr/bin/env bats
# Docker through the sandbox policy, and the kernel attack surface each
# setup leaves open. dockerd (private, see helpers.bash) has three runtimes:
# "cmp" (crun where it runs, i.e. on cgroup v2; runc on this hybrid host),
# "sbx", and "sbx-untrusted" = sbx with runtimeArgs ["--policy", FILE], the
# shipped strict policy (contrib/policy/untrusted.json) with this dockerd's
# own directories as the allowed bind sources. The probe
# (tests/helpers/surface) runs in each under Docker's own default config.
# SURFACE_TABLE=FILE also writes the table there (bench/surface.sh).

# bats file_tags=host

load helpers

setup_file() {
	export SURFACE=${SURFACE:-$top_builddir/tests/helpers/surface}
	[ -x "$SURFACE" ] || { echo "build $SURFACE first (make check builds it)" >&2; return 1; }
	CMP_NAME=runc
	CMP_PATH=$(command -v runc || echo /usr/sbin/runc)
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && command -v crun >/dev/null; then
		CMP_NAME=crun
		CMP_PATH=$(command -v crun)
	fi
	export CMP_NAME CMP_PATH
	export POL=$BATS_FILE_TMPDIR/pol/untrusted.json
	mkdir -p -m 0755 "$BATS_FILE_TMPDIR/pol"
	chmod 0755 "$BATS_FILE_TMPDIR"
	export DOCKERD_JQ=".runtimes[\"sbx-untrusted\"] = {path: \$sbx, runtimeArgs: [\"--policy\", \"$POL\"]}
		| .runtimes.cmp = {path: \"$CMP_PATH\"}"
	# the strict policy's harden.userns idmaps the vfs rootfs: not on the
	# VM's tmpfs
	export ENGINES_EXT4=1
	docker_setup_file || return 1
	jq --arg d "$T/data" '.allow.bindSources = [$d + "/containers", $d + "/volumes"]' \
		"$top_srcdir/contrib/policy/untrusted.json" >"$POL"
	chmod 0644 "$POL"
	cp -a "$T/rootfs" "$T/rootfs-surface"
	cp "$SURFACE" "$T/rootfs-surface/bin/surface"
	tar -C "$T/rootfs-surface" -c . | dk import - sbx-surface >/dev/null
}

teardown_file() { docker_teardown_file; }
setup() { engines_setup; }
teardown() { docker_teardown; }

@test "policy: docker run --privileged through sbx-untrusted is refused, naming the rule; nothing left" {
	drun --rm --runtime sbx-untrusted --privileged "$IMAGE" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"policy allow.capabilities"* ]] || fail "no policy error: $output"
	assert_clean "$CID"
	drun --rm --runtime sbx-untrusted --security-opt no-new-privileges -v /:/host "$IMAGE" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"policy: mounts["*"reaches the engine socket"* ]] || fail "no policy error: $output"
	mkdir -p "$BATS_TEST_TMPDIR/vol"
	drun --rm --runtime sbx-untrusted --security-opt no-new-privileges -v "$BATS_TEST_TMPDIR/vol:/vol" "$IMAGE" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"allow.bindSources"* ]] || fail "no policy error: $output"
	drun --rm --runtime sbx-untrusted --security-opt no-new-privileges --security-opt seccomp=unconfined "$IMAGE" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"require.seccomp"* ]] || fail "no policy error: $output"
	drun --rm --runtime sbx-untrusted "$IMAGE" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"require.noNewPrivileges"* ]] || fail "no policy error: $output"
}

# bats test_tags=vm
@test "policy: a hardened default docker run works, and denies every step of the attack-surface probe" {
	drun --rm --runtime sbx-untrusted --security-opt no-new-privileges sbx-surface \
		sh -c 'echo hello; cat /proc/self/uid_map; stat -c %u:%g /bin/busybox /etc/hosts; surface'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = hello ]
	# harden.userns: a range of its own; the image and Docker's /etc/hosts
	# (idmapped) are container root's
	read -r inside host size <<<"${lines[1]}"
	[ "$inside" = 0 ] && [ "$host" -ge 1879048192 ] && [ "$size" = 65536 ] || fail "uid_map: $output"
	[ "${lines[2]}" = 0:0 ] && [ "${lines[3]}" = 0:0 ] || fail "$output"
	hard=$(sed 1,4d <<<"$output")
	[ "$(grep -c . <<<"$hard")" -eq 21 ] || fail "probe output: $hard"
	open=$(grep ' allowed$' <<<"$hard" || true)
	[ -z "$open" ] || fail "the strict policy leaves open: $open"
	# side by side: Docker's default config under the comparison runtime
	# and under sbx, then under sbx with the strict policy
	drun --rm --runtime cmp sbx-surface surface
	[ "$status" -eq 0 ] || fail "$CMP_NAME: $output"
	cmp=$output
	drun --rm --runtime sbx sbx-surface surface
	[ "$status" -eq 0 ] || fail "sbx: $output"
	plain=$output
	[ "$(grep -c . <<<"$cmp")" -eq 21 ] && [ "$(grep -c . <<<"$plain")" -eq 21 ]
	table=$BATS_TEST_TMPDIR/table.md
	{
		echo "| precondition | Docker default, $CMP_NAME | Docker default, sbx | Docker default + no-new-privileges, sbx --policy untrusted.json |"
		echo "|---|---|---|---|"
		paste -d'\t' <(cut -d' ' -f1 <<<"$hard") <(cut -d' ' -f2- <<<"$cmp") <(cut -d' ' -f2- <<<"$plain") \
			<(cut -d' ' -f2- <<<"$hard") | awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
		printf '| **denied** | %d of 21 | %d of 21 | %d of 21 |\n' "$(grep -vc ' allowed$' <<<"$cmp")" \
			"$(grep -vc ' allowed$' <<<"$plain")" "$(grep -vc ' allowed$' <<<"$hard")"
	} >"$table"
	cat "$table" >&2
	[ -z "${SURFACE_TABLE:-}" ] || cp "$table" "$SURFACE_TABLE"
	# sbx without a policy leaves open no more than the comparison runtime
	[ "$(grep -c ' allowed$' <<<"$plain")" -le "$(grep -c ' allowed$' <<<"$cmp")" ]
}

