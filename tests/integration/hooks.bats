#!/usr/bin/env bats
# hooks.bats: the six OCI hook kinds: when they run, in which namespaces,
# with what on stdin, and what a failure does.

# bats file_tags=host

load helpers

setup() {
	sbx_setup
	LOG=$BATS_TEST_TMPDIR/hooks.log
	: >"$LOG"
	# a host hook: records its kind, the state's status and pid, its mount
	# namespace, its args and one env var
	HOOK=$BATS_TEST_TMPDIR/hook.sh
	cat >"$HOOK" <<-EOS
	#!/bin/sh
	state=\$(cat)
	echo "\$1 \$(echo "\$state" | jq -r '.status + " " + (.pid|tostring) + " " + .id') \$(readlink /proc/self/ns/mnt) \${HOOK_VAR:-none} \$(pwd)" >>"$LOG"
	exit \${HOOK_EXIT:-0}
	EOS
	chmod +x "$HOOK"
}

hook() { # KIND [ENV_JSON] -> a hook object
	jq -nc --arg p "$HOOK" --arg k "$1" --argjson e "${2:-[]}" \
		'{path: $p, args: ["hook.sh", $k]} + (if $e == [] then {} else {env: $e} end)'
}

@test "prestart, createRuntime, createContainer, poststart, poststop run in order with the state on stdin" {
	update_config '.hooks = {
		"prestart": [$pre], "createRuntime": [$cr], "createContainer": [$cc],
		"poststart": [$ps], "poststop": [$pst]}' \
		--argjson pre "$(hook prestart '["HOOK_VAR=v1", "PATH=/usr/bin:/bin"]')" \
		--argjson cr "$(hook createRuntime)" --argjson cc "$(hook createContainer)" \
		--argjson ps "$(hook poststart)" --argjson pst "$(hook poststop)"
	set_args /bin/sleep 100
	create_ctr h1
	[ "$status" -eq 0 ]
	pid=$(ctr_pid h1)
	[ "$(wc -l <"$LOG")" -eq 3 ]
	read -r kind st p id ns var cwd < <(sed -n 1p "$LOG")
	[ "$kind $st $p $id $var $cwd" = "prestart creating $pid h1 v1 $BUNDLE" ]
	[ "$ns" = "$(readlink /proc/$$/ns/mnt)" ]     # runtime namespace
	read -r kind st p id ns var cwd < <(sed -n 2p "$LOG")
	[ "$kind $st $p" = "createRuntime creating $pid" ]
	[ "$ns" = "$(readlink /proc/$$/ns/mnt)" ]
	read -r kind st p id ns var cwd < <(sed -n 3p "$LOG")
	[ "$kind $p" = "createContainer $pid" ]
	[ "$ns" = "$(readlink /proc/$pid/ns/mnt)" ]    # container namespace
	[ "$ns" != "$(readlink /proc/$$/ns/mnt)" ]
	run sbx start h1
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$LOG")" -eq 4 ]
	read -r kind st p id ns var cwd < <(sed -n 4p "$LOG")
	[ "$kind $st $p" = "poststart running $pid" ]
	run sbx delete --force h1
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$LOG")" -eq 5 ]
	read -r kind st p id rest < <(sed -n 5p "$LOG")
	[ "$kind $st $id" = "poststop stopped h1" ]
}

@test "startContainer runs inside the container, after start, before the program" {
	mkdir -p "$ROOTFS/hooks"
	cat >"$ROOTFS/hooks/start.sh" <<-'EOS'
	#!/bin/sh
	echo "startContainer $(cat /etc/sbx-rootfs) $$" >/tmp/hook-ran
	EOS
	chmod +x "$ROOTFS/hooks/start.sh"
	update_config '.hooks = {"startContainer": [{"path": "/hooks/start.sh"}]}'
	set_args /bin/sh -c 'cat /tmp/hook-ran'
	run sbx run --bundle "$BUNDLE" h2
	[ "$status" -eq 0 ]
	[[ "$output" == "startContainer sbx-test-rootfs "* ]]
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
	update_config '.hooks = {"createRuntime": [$h]}' --argjson h "$(hook createRuntime '["HOOK_EXIT=3"]')"
	set_args /bin/sleep 100
	run sbx create --bundle "$BUNDLE" h3
	[ "$status" -ne 0 ]
	[[ "$output" == *"createRuntime hook"*"exit status 3"* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	[ ! -d /sys/fs/cgroup/unified/sbx/h3 ] && [ ! -d /sys/fs/cgroup/sbx/h3 ]
}

@test "a failing prestart hook fails run" {
	update_config '.hooks = {"prestart": [$h]}' --argjson h "$(hook prestart '["HOOK_EXIT=1"]')"
	run sbx run --bundle "$BUNDLE" h4
	[ "$status" -ne 0 ]
	[[ "$output" == *"prestart hook"* ]]
}

@test "a failing poststart hook is only a warning" {
	update_config '.hooks = {"poststart": [$h]}' --argjson h "$(hook poststart '["HOOK_EXIT=1"]')"
	set_args /bin/sleep 100
	create_ctr h5
	[ "$status" -eq 0 ]
	run sbx start h5
	[ "$status" -eq 0 ]
	[[ "$output" == *warning*"poststart hook"* ]]
	[ "$(ctr_status h5)" = running ]
}

@test "a hook past its timeout is killed and fails create quickly" {
	cat >"$BATS_TEST_TMPDIR/slow.sh" <<-'EOS'
	#!/bin/sh
	sleep 30
	EOS
	chmod +x "$BATS_TEST_TMPDIR/slow.sh"
	update_config '.hooks = {"prestart": [{"path": $p, "timeout": 1}]}' --arg p "$BATS_TEST_TMPDIR/slow.sh"
	start=$(date +%s)
	run sbx run --bundle "$BUNDLE" h6
	[ "$status" -ne 0 ]
	[[ "$output" == *"timed out after 1 s"* ]]
	[ $(($(date +%s) - start)) -lt 10 ]
	! pgrep -f "$BATS_TEST_TMPDIR/slow.sh"
}

@test "hook output goes to the runtime's log" {
	cat >"$BATS_TEST_TMPDIR/talk.sh" <<-'EOS'
	#!/bin/sh
	echo "hello from the hook"
	EOS
	chmod +x "$BATS_TEST_TMPDIR/talk.sh"
	update_config '.hooks = {"createRuntime": [{"path": $p}]}' --arg p "$BATS_TEST_TMPDIR/talk.sh"
	run sbx --log "$BATS_TEST_TMPDIR/log.json" --log-format json run --bundle "$BUNDLE" h7
	[ "$status" -eq 0 ]
	grep '"level":"info"' "$BATS_TEST_TMPDIR/log.json" | grep -q 'hello from the hook'
}
