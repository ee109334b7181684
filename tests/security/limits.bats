#!/usr/bin/env bats
# Class 9: bounded lengths. config.json and --process files come from
# callers that may pass them through from an attacker (an image's labels,
# an API request): oversized paths, huge strings and deep nesting must be
# clean errors (exit status 1, not a signal), leaving nothing in --root.

# bats file_tags=host

load helpers

# no_crash: exit status 0 or 1, not 128+N; with 1, nothing left in --root.
no_crash() {
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail "exit status $status (crash?): ${output:0:300}"
	[ "$status" -eq 0 ] || root_empty
}

@test "a 70,000-byte mount destination is an error" {
	local d
	d=/$(head -c 35000 /dev/zero | tr '\0' 'a' | sed 's/a/a\//g')
	[ "${#d}" -ge 70000 ]
	add_mount "$(jq -nc --arg d "$d" '{destination: $d, type: "tmpfs", source: "tmpfs"}')"
	run_ctr l1 3>&-
	[ "$status" -eq 1 ] || fail "status $status: ${output:0:300}"
	root_empty
	# and as one 70,000-byte component
	d=/$(head -c 70000 /dev/zero | tr '\0' 'b')
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
	add_mount "$(jq -nc --arg d "$d" '{destination: $d, type: "tmpfs", source: "tmpfs"}')"
	run_ctr l2 3>&-
	[ "$status" -eq 1 ] || fail "status $status: ${output:0:300}"
	root_empty
	check_host_untouched
}

@test "10 MB strings in config.json: no crash, errors are clean" {
	local big=$BATS_TEST_TMPDIR/big field
	head -c 10000000 /dev/zero | tr '\0' 'x' >"$big"
	for field in hostname process.cwd process.args.1 process.env.0 annotations.big root.path mounts.0.destination process.apparmorProfile linux.cgroupsPath; do
		cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
		update_config 'setpath($f | split(".") | map(tonumber? // .); (if $f == "process.cwd" or $f == "mounts.0.destination" then "/" else "" end) + $s)' \
			--arg f "$field" --rawfile s "$big"
		[ "$(stat -c %s "$BUNDLE/config.json")" -gt 10000000 ]
		status=0
		output=$(timeout -k 1 60 "$SBX" --root "$ROOT" run --bundle "$BUNDLE" "s$RANDOM" </dev/null 2>&1 3>&-) || status=$?
		echo "$field -> $status: ${output:0:200}" >&2
		[ "$status" -ne 124 ] || fail "$field: sbx hung"
		# the program may run (status 0) or not (an error: 1); exec failures
		# of the program itself (E2BIG) are 127
		[ "$status" -le 1 ] || { [[ $field == process.args.1 || $field == process.env.0 ]] && [ "$status" -eq 127 ]; } ||
			fail "$field: exit status $status: ${output:0:300}"
		[ "${#output}" -lt 100000 ] || fail "$field: ${#output} bytes of error message"
		delete_all
		root_empty
	done
	check_host_untouched
}

@test "100,000 nested [ in config.json: an error, not a stack overflow" {
	{
		printf '{"ociVersion": "1.0.2", "annotations": {"a": '
		head -c 100000 /dev/zero | tr '\0' '['
	} >"$BUNDLE/config.json"
	run_ctr n1 3>&-
	[ "$status" -eq 1 ] || fail "status $status: ${output:0:300}"
	[[ "$output" == *nest* ]] || fail "not refused for nesting: ${output:0:300}"
	root_empty
	# nesting hidden in a string does not count, and the file stays valid
	# for the checker
	head -c 100000 /dev/zero | tr '\0' '{' >"$BUNDLE/config.json"
	run_ctr n2 3>&-
	[ "$status" -eq 1 ]
	root_empty
	check_host_untouched
}

@test "exec --process and update --resources with 100,000 nested [ or a 10 MB string: clean errors" {
	local p=$BATS_TEST_TMPDIR/process.json
	start_ctr e1 /bin/sleep 100
	{
		printf '{"args": ["/bin/true"], "cwd": "/", "env": '
		head -c 100000 /dev/zero | tr '\0' '['
	} >"$p"
	run "$SBX" --root "$ROOT" exec --process "$p" e1 3>&-
	[ "$status" -eq 1 ] || fail "exec --process: status $status: ${output:0:300}"
	jq -nc --rawfile s <(head -c 10000000 /dev/zero | tr '\0' 'y') '{args: ["/bin/true"], cwd: ("/" + $s)}' >"$p"
	run "$SBX" --root "$ROOT" exec --process "$p" e1 3>&-
	[ "$status" -eq 1 ] || fail "exec --process with a 10 MB cwd: status $status: ${output:0:300}"
	{
		printf '{"unified": '
		head -c 100000 /dev/zero | tr '\0' '['
	} >"$p"
	run "$SBX" --root "$ROOT" update --resources "$p" e1 3>&-
	[ "$status" -eq 1 ] || fail "update: status $status: ${output:0:300}"
	check_host_untouched
}

@test "a config.json over the size cap (17 MB) is refused without being parsed" {
	jq --rawfile s <(head -c 17000000 /dev/zero | tr '\0' 'z') '.annotations.big = $s' \
		"$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
	run_ctr z1 3>&-
	[ "$status" -eq 1 ] || fail "status $status: ${output:0:300}"
	root_empty
	check_host_untouched
}

# A create that succeeds must leave a container the other commands can
# handle: before the fix, a 10 MB annotation gave a state.json that start,
# state and delete --force all refused to read (a stuck container).
@test "create with a 10 MB annotation: fails cleanly, or start/state/delete all work" {
	update_config '.annotations.big = $s' --rawfile s <(head -c 10000000 /dev/zero | tr '\0' 'x')
	set_args /bin/sleep 100
	create_ctr a1
	no_crash
	if [ "$status" -eq 0 ]; then
		run -0 sbx state a1
		run -0 sbx start a1
		run -0 sbx delete --force a1
	fi
	root_empty
	check_host_untouched
}
