#!/usr/bin/env bats
# Class 2: the runtime binary cannot be overwritten from a container
# (CVE-2019-5736). The attacker gets hold of the file the runtime runs
# from (/proc/PID/exe of a runtime process it can see), keeps an O_PATH
# fd of it, and re-opens /proc/self/fd/N for writing until the runtime has
# exited (ETXTBSY until then). The defence has to make that last write
# fail for good (EROFS: a read-only mount; EPERM: a sealed memfd) or keep
# the runtime's binary out of reach (EACCES: not dumpable).
#
# Every test runs the private copy $SBX (see helpers.bash), so a successful
# attack damages nothing else.

# bats file_tags=host

load helpers

# attack_result ID: check the attacker's report in ID.out: no WROTE, and
# every binary it held still refused writing after the runtime was gone.
attack_result() {
	local out=$BATS_TEST_TMPDIR/$1.out line
	cat "$out" >&2
	grep -q '^DONE' "$out" || fail "the attacker did not finish"
	! grep -q '^WROTE' "$out" || fail "the attacker wrote to a runtime binary: $(grep WROTE "$out")"
	while read -r line; do
		[[ $line =~ open=(EROFS|EPERM|EACCES)|write=(EROFS|EPERM) ]] ||
			fail "a write to the runtime binary did not fail for good after the runtime exited: $line"
	done < <(grep '^FINAL' "$out")
}

got_count() { grep -c '^GOT' "$BATS_TEST_TMPDIR/$1.out"; }

# The classic exploit: the program `sbx exec` is asked to run is a script
# whose interpreter is /proc/self/exe. The kernel resolves that while the
# exec'd process is still the runtime, so the runtime's own binary starts
# inside the container, where the attacker (the container's init) finds
# it in /proc.
@test "#!/proc/self/exe via exec: the runtime binary cannot be written" {
	printf '#!/proc/self/exe\n' >"$ROOTFS/bin/evil"
	chmod 0755 "$ROOTFS/bin/evil"
	start_ctr x1 /bin/attack hunt-exe /tmp/final 60
	[ "$status" -eq 0 ]
	for i in $(seq 1 20); do
		"$SBX" --root "$ROOT" exec x1 /bin/evil </dev/null >/dev/null 2>&1 3>&- || true
		[ "$(got_count x1)" -gt 0 ] && break
	done
	# every runtime process has exited now: the attacker's last try
	touch "$ROOTFS/tmp/final"
	retry 200 0.05 _status_is x1 stopped
	[ "$(got_count x1)" -gt 0 ] || fail "the attacker never saw the runtime's binary (inconclusive): $(ctr_out x1)"
	attack_result x1
	check_host_untouched
}

# Same script as a container's own program (process.args[0]): the init
# executes it, so /proc/self/exe is whatever binary the init runs from.
# The hunter is the init of a first container; the victim joins its pid
# namespace, so the hunter outlives it.
@test "#!/proc/self/exe as process.args[0]: the runtime binary cannot be written" {
	local hpid b2=$BATS_TEST_TMPDIR/bundle2
	printf '#!/proc/self/exe\n' >"$ROOTFS/bin/evil"
	chmod 0755 "$ROOTFS/bin/evil"
	start_ctr hunter /bin/attack hunt-exe /tmp/final 60
	[ "$status" -eq 0 ]
	hpid=$CTR_PID
	mkdir -p "$b2"
	jq '.root.path = $r | .process.args = ["/bin/evil"]
	    | .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
		--arg r "$ROOTFS" --arg p "/proc/$hpid/ns/pid" "$BUNDLE/config.json" >"$b2/config.json"
	for i in $(seq 1 20); do
		"$SBX" --root "$ROOT" run --bundle "$b2" "victim$i" </dev/null >/dev/null 2>&1 3>&- || true
		[ "$(got_count hunter)" -gt 0 ] && break
	done
	touch "$ROOTFS/tmp/final"
	retry 200 0.05 _status_is hunter stopped
	[ "$(got_count hunter)" -gt 0 ] || fail "the attacker never saw the runtime's binary (inconclusive): $(ctr_out hunter)"
	attack_result hunter
	check_host_untouched
}

# The init, before `start`, is the runtime's binary running in the
# container's pid namespace as pid 1: a process exec'd into the created
# container goes for /proc/1/exe directly.
@test "/proc/1/exe of the waiting init: cannot be opened, or not written" {
	set_args /bin/sleep 100
	create_ctr x3
	[ "$status" -eq 0 ]
	"$SBX" --root "$ROOT" exec -d x3 /bin/sh -c '/bin/attack hunt-exe /tmp/final 60 1 >/tmp/hunt.out 2>&1' </dev/null >/dev/null 2>&1 3>&- ||
		fail "exec the hunter"
	sleep 1
	run sbx start x3
	[ "$status" -eq 0 ]
	retry 100 0.05 _status_is x3 running
	sleep 0.5
	touch "$ROOTFS/tmp/final"
	retry 100 0.05 grep -q '^DONE' "$ROOTFS/tmp/hunt.out" || fail "no hunter report: $(cat "$ROOTFS/tmp/hunt.out")"
	cp "$ROOTFS/tmp/hunt.out" "$BATS_TEST_TMPDIR/hunt.out"
	grep -q '^OPENFAIL pid=1\|^GOT pid=1' "$BATS_TEST_TMPDIR/hunt.out" ||
		fail "the hunter never tried the init: $(cat "$BATS_TEST_TMPDIR/hunt.out")"
	attack_result hunt
	check_host_untouched
}

# Many `sbx exec`s while the attacker scans /proc: the joining runtime is
# visible in the container's pid namespace between clone and execve.
@test "racing sbx exec: the joining runtime's binary cannot be written" {
	start_ctr x4 /bin/attack hunt-exe /tmp/final 60
	[ "$status" -eq 0 ]
	for i in $(seq 1 40); do
		"$SBX" --root "$ROOT" exec x4 /bin/true </dev/null >/dev/null 2>&1 3>&- || fail "exec $i failed"
	done
	touch "$ROOTFS/tmp/final"
	retry 200 0.05 _status_is x4 stopped
	attack_result x4
	check_host_untouched
}
