#!/usr/bin/env bats
# leaks.bats: a few hundred create/start/exec/kill/delete cycles leave the
# host as they found it: the same number of mounts, cgroups, state
# entries, open fds and container processes before and after (issue #13).
# SBX_TEST_LEAK_CYCLES sets the count (default 200, about 20 s here).

# bats file_tags=host

load helpers

# counts: one line a resource, so a difference names what leaked.
counts() {
	# the host's mount table is shared with whatever else runs here: count
	# the mounts that name this test's files (bundle, rootfs, state)
	echo "mounts $(grep -c "$BATS_TEST_TMPDIR" /proc/self/mountinfo)"
	echo "mounts-pid1 $(grep -c "$BATS_TEST_TMPDIR" /proc/1/mountinfo)"
	echo "cgroups $(find "$(cg_root)" -type d 2>/dev/null | grep -c "/$P-")"
	echo "state $(ls -A "$ROOT" 2>/dev/null | wc -l)"
	echo "fds $(ls /proc/$$/fd | wc -l)"
	echo "procs $(pgrep -fc "sleep 4$P_NUM")"
	echo "zombies $(ps -o stat= --ppid $$ | grep -c Z)"
}

@test "create/start/exec/kill/delete cycles leak no mount, cgroup, state entry, fd or process" {
	requires root
	P=l13-$$
	P_NUM=$((1000 + $$ % 8000))
	n=${SBX_TEST_LEAK_CYCLES:-200}
	set_args /bin/sleep "4$P_NUM"
	mkdir -p "$ROOT"
	# one cycle first: lazily made parents (the sbx cgroup, the root) exist
	start_ctr "$P-0"
	sbx delete --force "$P-0"
	before=$(counts)
	for i in $(seq 1 "$n"); do
		id=$P-$i
		"$SBX" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&- || fail "create $id"
		sbx start "$id" || fail "start $id"
		[ "$(sbx exec "$id" /bin/echo hi 3>&-)" = hi ] || fail "exec $id"
		sbx kill "$id" KILL || fail "kill $id"
		retry 100 0.02 _status_is "$id" stopped || fail "$id did not stop"
		sbx delete "$id" || fail "delete $id"
	done
	after=$(counts)
	echo "before: $before" >&2
	echo "after:  $after" >&2
	[ "$before" = "$after" ]
}
