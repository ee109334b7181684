#!/usr/bin/env bats
# Command line: version, help, spec, list, global --root/--log flags.

# bats file_tags=host

load helpers

@test "--version: first line is 'sbx version X.Y.Z'" {
	# sbx-specific (runc/crun print their own name).
	run "$SBX" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^sbx\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	# engines also read "spec:" and "commit:" lines; at least the spec version
	[[ "$output" == *"spec: 1."* ]]
}

@test "--help and CMD --help exit 0 and list the commands" {
	run "$SBX" --help
	[ "$status" -eq 0 ]
	for c in create start state kill delete run spec list checkpoint restore; do
		[[ "$output" == *"$c"* ]] || fail "--help does not mention $c"
	done
	for c in create start state kill delete run spec list checkpoint restore; do
		run "$SBX" "$c" --help
		[ "$status" -eq 0 ] || fail "$c --help exited $status"
		[[ "$output" == *"$c"* ]] || fail "$c --help does not name the command"
	done
}

@test "unknown command: non-zero exit and a message naming it" {
	run sbx frobnicate-the-thing
	[ "$status" -ne 0 ]
	[[ "$output" == *frobnicate-the-thing* ]]
}

@test "spec writes a valid config.json running sh" {
	cd "$BATS_TEST_TMPDIR"
	mkdir s && cd s
	run "$SBX" spec
	[ "$status" -eq 0 ]
	[ -f config.json ]
	run jq -c .process.args config.json
	[ "$status" -eq 0 ]
	[ "$output" = '["sh"]' ]
	[ "$(jq -r .root.path config.json)" = rootfs ]
	jq -e '.ociVersion | test("^1\\.")' config.json
	jq -e '[.linux.namespaces[].type] | index("mount") != null and index("pid") != null' config.json
	jq -e '[.mounts[].destination] | index("/proc") != null and index("/dev") != null' config.json
	# no user namespace by default
	jq -e '[.linux.namespaces[].type] | index("user") == null' config.json
}

@test "spec --rootless adds a user namespace with uid/gid mappings" {
	cd "$BATS_TEST_TMPDIR"
	mkdir s && cd s
	run "$SBX" spec --rootless
	[ "$status" -eq 0 ]
	jq -e '[.linux.namespaces[].type] | index("user") != null' config.json
	jq -e '.linux.uidMappings | length >= 1' config.json
	jq -e '.linux.gidMappings | length >= 1' config.json
	# container root maps to the calling user
	[ "$(jq '.linux.uidMappings[0].containerID' config.json)" = 0 ]
	[ "$(jq '.linux.uidMappings[0].hostID' config.json)" = "$(id -u)" ]
	[ "$(jq '.linux.uidMappings[0].size' config.json)" = 1 ]
}

@test "spec refuses to overwrite an existing config.json" {
	cd "$BATS_TEST_TMPDIR"
	mkdir s && cd s
	echo '{"mine":true}' >config.json
	run "$SBX" spec
	[ "$status" -ne 0 ]
	[[ "$output" == *config.json* ]]
	[ "$(cat config.json)" = '{"mine":true}' ]
}

@test "list: table header, -q and --format json" {
	run sbx list
	[ "$status" -eq 0 ]
	create_ctr lista
	[ "$status" -eq 0 ]
	create_ctr listb
	[ "$status" -eq 0 ]

	run sbx list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" =~ ^lista\ +[0-9]+\ +created\ +$BUNDLE ]]
	[[ "${lines[2]}" =~ ^listb\ +[0-9]+\ +created\ + ]]

	run sbx list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'lista\nlistb')" ]

	run sbx list --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r 'map(.id) | sort | join(",")' <<<"$output")" = lista,listb ]
	[ "$(jq -r '.[] | select(.id == "lista") | .status' <<<"$output")" = created ]
	[ "$(jq -r '.[] | select(.id == "lista") | .bundle' <<<"$output")" = "$BUNDLE" ]
}

@test "list --format json with no containers is an empty array or null" {
	run sbx list --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r 'length' <<<"$output")" = 0 ]
}

@test "--log FILE --log-format json: an error is logged as a JSON line" {
	log=$BATS_TEST_TMPDIR/log.json
	run "$SBX" --root "$ROOT" --log "$log" --log-format json start nonexistent-ctr
	[ "$status" -ne 0 ]
	# also printed on stderr
	[[ "$output" == *nonexistent-ctr* ]]
	[ -s "$log" ]
	# every line is a JSON object
	run jq -c . "$log"
	[ "$status" -eq 0 ]
	run jq -r 'select(.level == "error") | .msg' "$log"
	[ "$status" -eq 0 ]
	[[ "$output" == *nonexistent-ctr* ]]
	[[ "$output" == *"does not exist"* ]]
	jq -e 'select(.level == "error") | .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' "$log"
}

@test "--log FILE (text format): error logged with level and msg" {
	log=$BATS_TEST_TMPDIR/log.txt
	run "$SBX" --root "$ROOT" --log "$log" start nonexistent-ctr
	[ "$status" -ne 0 ]
	grep -q 'nonexistent-ctr' "$log"
	grep -qi 'error' "$log"
}

@test "errors: exit status 1 and the message on stderr, not stdout" {
	# sbx-specific: exit code 1 (runc also uses 1)
	run --separate-stderr sbx state nonexistent-ctr
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *'container "nonexistent-ctr" does not exist'* ]]
}

@test "--root is created (0700) when missing" {
	ROOT=$BATS_TEST_TMPDIR/a/b/state
	[ ! -e "$ROOT" ]
	create_ctr rootmk
	[ "$status" -eq 0 ]
	[ -d "$ROOT" ]
	[ "$(stat -c %a "$ROOT")" = 700 ]
	[ -d "$ROOT/rootmk" ]
}

# The flags are typed values now (issue #14), no JSON text: a value that
# does not fit its field is refused by name before any container is looked
# at, and a cpuset list is passed as it is.
@test "update: flag values out of range are refused, naming the flag" {
	run sbx update --blkio-weight 70000 nonexistent-ctr
	[ "$status" -ne 0 ]
	[[ "$output" == *"out of range for --blkio-weight"* ]]
	run sbx update --cpu-period -5 nonexistent-ctr
	[ "$status" -ne 0 ]
	[[ "$output" == *"out of range for --cpu-period"* ]]
	run sbx update --memory 12x nonexistent-ctr
	[ "$status" -ne 0 ]
	[[ "$output" == *"is not a number"* ]]
	run sbx update --memory 64m -r - nonexistent-ctr </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"exclude each other"* ]]
	run sbx update --cpuset-cpus '0"1' --memory 64m nonexistent-ctr
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "nonexistent-ctr" does not exist'* ]]
}

@test "features: runc's checkpoint annotation (checkpoint and restore exist)" {
	run "$SBX" features
	[ "$status" -eq 0 ]
	[ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = true ]
}
