# helpers.bash: the attack suite's setup on top of the integration helpers.
#
# Each test runs a private COPY of the runtime ($SBX is replaced by
# $BATS_TEST_TMPDIR/bin/sbx): an attack that manages to write to the binary
# it finds spoils that copy only, and a rebuild of ./sbx during the run
# cannot be mistaken for an attack. The original is $SBX_ORIG.
#
# Per test, on the host and outside the bundle:
#   $HOST_SECRET  a file whose first line is $TOKEN; no container may read it
#   $HOST_DIR     an empty directory; nothing may appear in it
# and the state of the host is recorded (sec_snapshot) so that
# check_host_untouched can compare it after the containers are deleted:
# the sbx copy's sha256, /proc/sys/kernel/core_pattern, the host's mount
# table, $HOST_SECRET and $HOST_DIR.
#
# /bin/attack is in every test rootfs: tests/security/attack.c, built
# static by `make check` (or `make tests/security/attack`); $ATTACK names
# another build.
#
# SBX_TEST_MOUNTINFO_IGNORE: extended regex of host mount points that may
# change during a test because of other work on the machine (engines,
# VMs); default below.

load ../integration/helpers

SBX_ORIG=$SBX
if [ -z "${ATTACK:-}" ]; then
	ATTACK=$top_builddir/tests/security/attack
	[ -x "$ATTACK" ] || ATTACK=$top_srcdir/tests/security/attack
fi
: "${SBX_TEST_MOUNTINFO_IGNORE:=^/(var/lib/(docker|containerd|containers)|run/(docker|containerd|netns|user|credentials)|proc/sys/fs/binfmt_misc|sys/fs/cgroup/)}"

_copy_sbx() {
	install -m 0755 "$SBX_ORIG" "$SBX" && "$SBX" --version >/dev/null 2>&1
}

# mountinfo_points: the host's mounts as "mountpoint fstype source",
# sorted, without the mount points that other work may change.
# Other people's temporary directories in /tmp are left out too (but not
# this run's).
mountinfo_points() {
	awk -v run="$BATS_RUN_TMPDIR" '{ for (i = 7; $i != "-"; i++) ;
		if ($5 ~ "^/tmp/" && index($5, run) != 1) next
		print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo |
		grep -Ev "$SBX_TEST_MOUNTINFO_IGNORE" | sort
}

secret_state() { sha256sum "$HOST_SECRET" | cut -d' ' -f1; stat -c '%f %u %g %s %h' "$HOST_SECRET"; }

sec_snapshot() {
	SNAP_SBX=$(sha256sum "$SBX_COPY" | cut -d' ' -f1)
	SNAP_CORE=$(cat /proc/sys/kernel/core_pattern)
	SNAP_SECRET=$(secret_state)
	mountinfo_points >"$BATS_TEST_TMPDIR/mountinfo.before"
}

setup() {
	sbx_setup
	[ -x "$ATTACK" ] || fail "$ATTACK not built (make check, or make tests/security/attack)"
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	SBX=$BATS_TEST_TMPDIR/bin/sbx
	SBX_COPY=$SBX
	# (a rebuild of the original may be under way: retry until the copy runs)
	retry 50 0.2 _copy_sbx || fail "cannot make a working copy of $SBX_ORIG"
	cp "$ATTACK" "$ROOTFS/bin/attack"
	TOKEN=HOST-SECRET-$RANDOM$RANDOM$RANDOM
	HOST_SECRET=$BATS_TEST_TMPDIR/host-secret
	HOST_DIR=$BATS_TEST_TMPDIR/hostdir
	echo "$TOKEN" >"$HOST_SECRET"
	chmod 0600 "$HOST_SECRET"
	mkdir -p "$HOST_DIR"
	# so that uids other than root in the container could reach them if
	# the runtime let them (an attack should fail for the right reason)
	make_traversable
	sec_snapshot
}

teardown() {
	sbx_teardown
	# a failed defence must not leave the host broken for what runs next
	if [ -n "${SNAP_CORE:-}" ] && [ "$(cat /proc/sys/kernel/core_pattern)" != "$SNAP_CORE" ]; then
		echo "restoring the host core_pattern" >&2
		printf '%s\n' "$SNAP_CORE" >/proc/sys/kernel/core_pattern
	fi
}

# use_fallback_resolver: from now on $SBX runs under a seccomp filter that
# fails openat2 with ENOSYS (attack no-openat2), as on kernels before 5.6:
# the rootfs paths go through the runtime's O_NOFOLLOW walk instead.
use_fallback_resolver() {
	local w=$BATS_TEST_TMPDIR/bin/sbx-no-openat2
	printf '#!/bin/sh\nexec %s no-openat2 %s "$@"\n' "$ATTACK" "$SBX_COPY" >"$w"
	chmod 0755 "$w"
	"$w" --version >/dev/null || fail "cannot run the runtime under the no-openat2 filter"
	SBX=$w
}

# delete_all: force-delete every container of this test.
delete_all() {
	_delete_all -- "$ROOT"
}

# check_host_untouched: delete the containers, then compare the host with
# the snapshot taken in setup.
check_host_untouched() {
	local now
	delete_all
	now=$(sha256sum "$SBX_COPY" | cut -d' ' -f1)
	[ "$now" = "$SNAP_SBX" ] || fail "the runtime binary $SBX_COPY was modified (sha256 $SNAP_SBX -> $now)"
	now=$(cat /proc/sys/kernel/core_pattern)
	[ "$now" = "$SNAP_CORE" ] || fail "host core_pattern changed: '$SNAP_CORE' -> '$now'"
	[ "$(secret_state)" = "$SNAP_SECRET" ] || fail "$HOST_SECRET was changed"
	[ -z "$(ls -A "$HOST_DIR")" ] || fail "files appeared in the host dir $HOST_DIR: $(ls -lA "$HOST_DIR")"
	mountinfo_points >"$BATS_TEST_TMPDIR/mountinfo.after"
	diff "$BATS_TEST_TMPDIR/mountinfo.before" "$BATS_TEST_TMPDIR/mountinfo.after" >&2 ||
		fail "the host mount table changed (diff above)"
}

# no_token FILE...: the secret never shows up in FILE.
no_token() {
	local f
	for f; do
		if grep -q "$TOKEN" "$f" 2>/dev/null; then
			fail "the container read the host secret ($f): $(grep "$TOKEN" "$f")"
			return 1
		fi
	done
}

# run_ctr ID [FLAGS...]: sbx run (foreground) with stdin /dev/null;
# $status, $output, $lines like bats' run (stdout and stderr together).
# Close bats' fd 3 at the call (3>&-) unless the test passes its own fd 3.
run_ctr() {
	local id=$1
	shift
	status=0
	output=$("$SBX" --root "$ROOT" run --bundle "$BUNDLE" "$@" "$id" </dev/null 2>&1) || status=$?
	mapfile -t lines <<<"$output"
	echo "run $id -> $status: $output" >&2
}

# no_signal: the last command exited normally (no crash), status 0 or 1.
clean_exit() {
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail "exit status $status (a signal is 128+N): $output"
}

# root_empty: nothing left in the state root.
root_empty() {
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "left in --root: $(ls -lA "$ROOT")"
}

# drop_mount DEST: remove the config's mount at DEST.
drop_mount() {
	update_config '.mounts |= map(select(.destination != $d))' --arg d "$1"
}

# add_mount JSON: append a mount to the config.
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}
