#!/usr/bin/env bats
# checkpoint.bats: `sbx checkpoint` / `sbx restore` through CRIU (issue #18).
# Runs in the VM pass of tests/run-all.sh: CRIU needs a kernel `criu check`
# accepts (the VM's 6.1 does; the development host's does not). On a host
# where `criu check` fails the CRIU tests skip saying so, and one test
# checks that sbx reports the failure with criu check's output instead.
# The container's stdout is a pipe (as engines give it): restore hands the
# new pipe to criu with --inherit-fd.
# bats file_tags=host,vm

load helpers

criu_works() {
	command -v criu >/dev/null || return 1
	criu check >/dev/null 2>&1
}

requires_criu() {
	command -v criu >/dev/null || skip "criu is not installed (Debian package criu)"
	local why
	why=$(criu check 2>&1) || skip "criu check fails on this kernel ($(uname -r)): $(echo "$why" | head -3 | tr '\n' ' ')"
}

setup() {
	sbx_setup
	IMG=$BATS_TEST_TMPDIR/img
	update_config '.process.args = ["sh", "-c", "i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done"]'
}

# counter_run ID: sbx run -d the counter; stdout through a pipe to ID.out.
counter_run() {
	sbx run -d --bundle "$BUNDLE" "$1" </dev/null 2>"$BATS_TEST_TMPDIR/$1.err" 3>&- \
		> >(exec cat >>"$BATS_TEST_TMPDIR/$1.out")
}

# restore_d ID [FLAGS...]: sbx restore -d from $IMG, stdout piped to ID.out.
restore_d() {
	local id=$1
	shift
	status=0
	sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" "$@" "$id" </dev/null \
		2>"$BATS_TEST_TMPDIR/$id.err" 3>&- > >(exec cat >>"$BATS_TEST_TMPDIR/$id.out") || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/$id.err")
	echo "restore $id -> $status: $output" >&2
}

last_count() { tail -n 1 "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null; }
first_count() { head -n 1 "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null; }
_count_at_least() { [ "$(last_count "$1")" -ge "$2" ] 2>/dev/null; }
# wait_count ID N: wait (30 s, TCG is slow) until ID has counted to N.
wait_count() { retry 300 0.1 _count_at_least "$1" "$2"; }

@test "checkpoint: a counter checkpointed and restored into a new id continues from its count" {
	requires root
	requires_criu
	counter_run c1
	wait_count c1 5
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# Without --leave-running the container is stopped and deleted (runc).
	run sbx state c1
	[ "$status" -ne 0 ]
	n=$(last_count c1)
	restore_d c2 --pid-file "$BATS_TEST_TMPDIR/c2.pid"
	[ "$status" -eq 0 ]
	wait_count c2 $((n + 3))
	# The first line the restored process writes is the next number.
	[ "$(first_count c2)" -eq $((n + 1)) ]
	[ "$(ctr_status c2)" = running ]
	[ "$(ctr_pid c2)" = "$(cat "$BATS_TEST_TMPDIR/c2.pid")" ]
	# It is the container's pid 1 in a pid namespace, in c2's cgroup.
	pid=$(ctr_pid c2)
	grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid/status"
	grep -q "/sbx/c2\$" "/proc/$pid/cgroup"
	run sbx kill c2 KILL
	[ "$status" -eq 0 ]
	wait_status c2 stopped
	run sbx delete c2
	[ "$status" -eq 0 ]
	[ ! -e "$(cg_root)/sbx/c2" ]
}

@test "checkpoint --leave-running: the original keeps counting, the copy continues from the dump" {
	requires root
	requires_criu
	counter_run c1
	wait_count c1 3
	run sbx checkpoint --leave-running --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status c1)" = running ]
	n=$(last_count c1)
	wait_count c1 $((n + 5))
	restore_d c2
	[ "$status" -eq 0 ]
	wait_count c2 1
	# The copy restarts at the checkpoint (n+1 or so), far behind c1 now.
	[ "$(first_count c2)" -le $((n + 1)) ]
	[ "$(first_count c2)" -ge 1 ]
	[ "$(ctr_status c1)" = running ]
	[ "$(ctr_status c2)" = running ]
	[ "$(ctr_pid c1)" != "$(ctr_pid c2)" ]
}

@test "checkpoint --pre-dump then --parent-path: the dump builds on the pre-dump" {
	requires root
	requires_criu
	counter_run c1
	wait_count c1 3
	run sbx checkpoint --pre-dump --image-path "$BATS_TEST_TMPDIR/pre" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status c1)" = running ]
	run sbx checkpoint --parent-path ../pre --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ -L "$IMG/parent" ]
	n=$(last_count c1)
	restore_d c2
	[ "$status" -eq 0 ]
	wait_count c2 $((n + 2))
	[ "$(first_count c2)" -eq $((n + 1)) ]
}

@test "restore: memory and pids limits of the new config are in force in the new cgroup" {
	requires root cgroup2
	requires_criu
	update_config '.linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 20'
	counter_run c1
	wait_count c1 3
	run sbx checkpoint --image-path "$IMG" c1
	[ "$status" -eq 0 ]
	update_config '.linux.resources.memory.limit = 50331648 | .linux.resources.pids.limit = 16'
	restore_d c2
	[ "$status" -eq 0 ]
	cg=$(cg_root)/sbx/c2
	[ "$(cat "$cg/memory.max")" = 50331648 ]
	[ "$(cat "$cg/pids.max")" = 16 ]
	pid=$(ctr_pid c2)
	grep -qx "$pid" "$cg/cgroup.procs"
	# Enforced: the 17th process cannot be forked.
	run sbx exec c2 sh -c 'for i in $(seq 1 20); do sleep 5 & done; wait'
	[[ "$output" == *"fork"* || "$output" == *"resource"* || "$status" -ne 0 ]]
	[ "$(cat "$cg/pids.current")" -le 16 ]
}

@test "restore: read-only rootfs and masked paths survive" {
	requires root
	requires_criu
	update_config '.root.readonly = true'
	counter_run c1
	wait_count c1 3
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	restore_d c2
	[ "$status" -eq 0 ]
	wait_count c2 1
	run sbx exec c2 touch /newfile
	[ "$status" -ne 0 ]
	[ ! -e "$ROOTFS/newfile" ]
	# /proc/kcore (a file) reads as the null device, /proc/scsi (a
	# directory, when the kernel has it) as an empty tmpfs.
	run sbx exec c2 sh -c 'wc -c < /proc/kcore'
	[ "$status" -eq 0 ]
	[ "$output" -eq 0 ]
	run sbx exec c2 sh -c 'grep -c " /proc/kcore " /proc/self/mountinfo'
	[ "$output" -ge 1 ]
	run sbx exec c2 sh -c 'awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == ro* ]]
}

@test "restore: a container with a user namespace keeps its id maps" {
	requires root userns
	requires_criu
	make_traversable
	chown -R 100000:100000 "$ROOTFS"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# stderr a pipe too: criu reopens an inherited regular file through
	# /proc/self/fd from inside the user namespace, where the container's
	# root may not open a host file ("Can't open file fd/2 on restore:
	# Permission denied"); engines give pipes.
	sbx run -d --bundle "$BUNDLE" c1 </dev/null 3>&- \
		2> >(exec cat >>"$BATS_TEST_TMPDIR/c1.err") > >(exec cat >>"$BATS_TEST_TMPDIR/c1.out")
	wait_count c1 3
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c2 </dev/null 3>&- \
		2> >(exec cat >>"$BATS_TEST_TMPDIR/c2.err") > >(exec cat >>"$BATS_TEST_TMPDIR/c2.out")
	wait_count c2 1
	n=$(first_count c2)
	wait_count c2 $((n + 2))
	pid=$(ctr_pid c2)
	[ "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map")" = "0 100000 65536" ]
	[ "$(stat -c %u "/proc/$pid")" = 100000 ]
}

# tty_lines FILE: the counter's lines in a pty transcript (no \r, no echo).
tty_lines() { tr -d '\r' <"$1" | grep -E '^[0-9]+ (tty|notty)$'; }
_tty_count_at_least() { [ "$(tty_lines "$1" | tail -n 1 | cut -d' ' -f1)" -ge "$2" ] 2>/dev/null; }

@test "checkpoint/restore with process.terminal: a new pty, its master sent to --console-socket" {
	requires root tty
	requires_criu
	update_config '.process.terminal = true'
	# A counter on the pty's output, and a reader of its input that writes
	# what it read (and whether stdin is a tty) to /got.
	set_args /bin/sh -c 'i=0; while :; do [ -t 1 ] && t=tty || t=notty; echo "$i $t"; i=$((i+1)); sleep 0.1; done &
		while read line; do [ -t 0 ] && t=tty || t=notty; echo "got:$line $t" >/got; done'
	"$RECVTTY" "$BATS_TEST_TMPDIR/s1" >"$BATS_TEST_TMPDIR/tty1.out" 2>&1 3>&- &
	r1=$!
	track_pid "$r1"
	retry 100 0.05 test -S "$BATS_TEST_TMPDIR/s1"
	run sbx run -d --console-socket "$BATS_TEST_TMPDIR/s1" --bundle "$BUNDLE" c1 </dev/null 3>&-
	[ "$status" -eq 0 ]
	retry 300 0.1 _tty_count_at_least "$BATS_TEST_TMPDIR/tty1.out" 3
	fds1=$(ls "/proc/$(ctr_pid c1)/fd" | sort -n | tr '\n' ' ')
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# criu was told the slave is external, by criu's own key.
	grep -q 'tty\[[0-9a-f]*:[0-9a-f]*\]' "$IMG/sbx-tty.json"
	# c1's processes are gone: the first master hangs up.
	wait "$r1" || true
	n=$(tty_lines "$BATS_TEST_TMPDIR/tty1.out" | tail -n 1 | cut -d' ' -f1)
	# Without --console-socket there is nobody to give the new master to.
	restore_d c0
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket"* ]]
	[ ! -e "$ROOT/c0" ]
	# A config without a terminal cannot take a checkpoint that has one.
	update_config '.process.terminal = false'
	restore_d c0
	[ "$status" -ne 0 ]
	[[ "$output" == *"holds a terminal"* ]]
	[ ! -e "$ROOT/c0" ]
	[ ! -e "$(cg_root)/sbx/c0" ]
	update_config '.process.terminal = true'
	"$RECVTTY" --input $'hello\n' --name-file "$BATS_TEST_TMPDIR/name2" "$BATS_TEST_TMPDIR/s2" \
		>"$BATS_TEST_TMPDIR/tty2.out" 2>&1 3>&- &
	r2=$!
	track_pid "$r2"
	retry 100 0.05 test -S "$BATS_TEST_TMPDIR/s2"
	restore_d c2 --console-socket "$BATS_TEST_TMPDIR/s2"
	[ "$status" -eq 0 ]
	# Output written after the restore reaches the new master, continuing
	# the count, and stdout is still a terminal.
	retry 300 0.1 _tty_count_at_least "$BATS_TEST_TMPDIR/tty2.out" $((n + 3))
	tty_lines "$BATS_TEST_TMPDIR/tty2.out" | head -n 1 | grep -qx "$((n + 1)) tty"
	! tty_lines "$BATS_TEST_TMPDIR/tty2.out" | grep -q notty
	# Input written to the new master reaches the restored reader, whose
	# stdin is a terminal.
	retry 100 0.1 test -s "$ROOTFS/got"
	[ "$(cat "$ROOTFS/got")" = "got:hello tty" ]
	[[ "$(cat "$BATS_TEST_TMPDIR/name2")" == /dev/pts/* ]]
	# Seen from outside: the init's stdin is that pty and its controlling
	# terminal is set (tty_nr, field 7 of stat).
	pid=$(ctr_pid c2)
	[ "$(readlink "/proc/$pid/fd/0")" = "$(cat "$BATS_TEST_TMPDIR/name2")" ]
	# The init has the fds it had, no more (nothing of sbx's leaked in).
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "$fds1" ]
	[ "$(awk '{print $7}' "/proc/$pid/stat")" -ne 0 ]
	# /dev/console in the container is the new slave: the same device
	# (major 136 = 0x88, minor) on the same devpts as the init's stdin.
	run sbx exec c2 stat -c '%t:%T %d' /dev/console
	echo "/dev/console: $output; init's stdin: $(stat -L -c '%t:%T %d' "/proc/$pid/fd/0")"
	[ "$status" -eq 0 ]
	[ "$(tr -d '\r' <<<"$output")" = "$(stat -L -c '%t:%T %d' "/proc/$pid/fd/0")" ]
	[[ "$output" == 88:* ]]
	# Nothing went to sbx restore's own stdout.
	[ ! -s "$BATS_TEST_TMPDIR/c2.out" ]
	# The restored container checkpoints again: its slave is external too.
	run sbx checkpoint --leave-running --image-path "$BATS_TEST_TMPDIR/img2" c2
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'tty\[88' "$BATS_TEST_TMPDIR/img2/sbx-tty.json"
	[ "$(ctr_status c2)" = running ]
	run sbx kill c2 KILL
	[ "$status" -eq 0 ]
	wait_status c2 stopped
	# The last process holding the slave is gone: the new master hangs up.
	wait "$r2"
}

@test "checkpoint --lazy-pages --page-server, criu lazy-pages, restore --lazy-pages: the counter continues" {
	requires root
	requires_criu
	why=$(criu check --feature uffd-noncoop 2>&1) || skip "criu cannot restore lazily on this kernel: $why"
	counter_run c1
	wait_count c1 3
	# Refused before anything is dumped: the pages need a server address;
	# --status-fd means nothing without --lazy-pages.
	run sbx checkpoint --lazy-pages --image-path "$IMG" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"--page-server"* ]]
	run sbx checkpoint --status-fd 1 --image-path "$IMG" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"--status-fd needs --lazy-pages"* ]]
	run sbx checkpoint --lazy-pages --page-server "127.0.0.1:1" --status-fd 77 --image-path "$IMG" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"--status-fd 77: not an open file descriptor"* ]]
	[ "$(ctr_status c1)" = running ]
	port=27277
	mkfifo "$BATS_TEST_TMPDIR/status"
	sbx checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd 9 --image-path "$IMG" c1 \
		9>"$BATS_TEST_TMPDIR/status" >"$BATS_TEST_TMPDIR/cpt.log" 2>&1 3>&- &
	cpt=$!
	track_pid "$cpt"
	# criu writes one \0 once it serves the pages (the tree is frozen).
	st=$(timeout 120 head -c 1 "$BATS_TEST_TMPDIR/status" | od -An -tx1 | tr -d ' \n')
	[ "$st" = 00 ]
	[ -e "$IMG/inventory.img" ]
	# Nothing of the memory is in the images: criu serves it.
	! ls "$IMG"/pages-*.img 2>/dev/null | grep -q .
	n=$(last_count c1)
	# restore without the lazy-pages daemon: refused, naming it
	restore_d c0 --lazy-pages
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu lazy-pages"* ]]
	[ ! -e "$ROOT/c0" ]
	criu lazy-pages --page-server --address 127.0.0.1 --port "$port" -D "$IMG" \
		-o lazy-pages.log -v4 3>&- &
	lp=$!
	track_pid "$lp"
	retry 300 0.1 test -S "$IMG/lazy-pages.socket"
	restore_d c2 --lazy-pages
	[ "$status" -eq 0 ]
	wait_count c2 $((n + 3))
	[ "$(first_count c2)" -eq $((n + 1)) ]
	# Once every page is fetched the dump ends: c1 is gone, c2 runs on.
	st=0
	wait "$cpt" || st=$?
	cat "$BATS_TEST_TMPDIR/cpt.log"
	[ "$st" -eq 0 ]
	wait "$lp"
	run sbx state c1
	[ "$status" -ne 0 ]
	[ "$(ctr_status c2)" = running ]
	m=$(last_count c2)
	wait_count c2 $((m + 2))
	# The daemon did the work: it logged fetching the pages.
	grep -q -i "uffd" "$IMG/lazy-pages.log"
}

@test "checkpoint --page-server without --lazy-pages: the pages go to a criu page-server" {
	requires root
	requires_criu
	counter_run c1
	wait_count c1 3
	ps=$BATS_TEST_TMPDIR/ps
	mkdir -p "$ps"
	# criu page-server -d returns once it listens; the memory lands in its
	# own directory, the rest of the images in the dump's.
	criu page-server --images-dir "$ps" --address 127.0.0.1 --port 27278 -d \
		--pidfile "$BATS_TEST_TMPDIR/ps.pid" -o page-server.log 3>&-
	track_pid "$(cat "$BATS_TEST_TMPDIR/ps.pid")"
	run sbx checkpoint --page-server 127.0.0.1:27278 --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	ls "$ps"/pages-*.img
	! ls "$IMG"/pages-*.img 2>/dev/null | grep -q .
	cp "$ps"/*.img "$IMG"/
	n=$(last_count c1)
	restore_d c2
	[ "$status" -eq 0 ]
	wait_count c2 $((n + 2))
	[ "$(first_count c2)" -eq $((n + 1)) ]
	# A bad port is refused by name before anything is dumped.
	run sbx checkpoint --page-server 127.0.0.1:99999 --image-path "$BATS_TEST_TMPDIR/x" c2
	[ "$status" -ne 0 ]
	[[ "$output" == *"port"* ]]
	[ "$(ctr_status c2)" = running ]
}

@test "restore: bad images leave nothing behind" {
	requires root
	requires_criu
	mkdir -p "$IMG"
	restore_d c2
	[ "$status" -ne 0 ]
	[[ "$output" == *"sbx-stdio.json"* || "$output" == *"criu"* ]]
	run sbx state c2
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/c2" ]
	[ ! -e "$(cg_root)/sbx/c2" ]
}

@test "restore: stdin was /dev/null, restore's is a pipe (containerd's shim): the init gets /dev/null again" {
	requires root
	requires_criu
	counter_run c1
	wait_count c1 3
	[ "$(readlink "/proc/$(ctr_pid c1)/fd/0")" = /dev/null ]
	fds=$(ls "/proc/$(ctr_pid c1)/fd" | sort -n | tr '\n' ' ')
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '"null0"' "$IMG/sbx-stdio.json"
	n=$(last_count c1)
	# criu cannot set a file's position on a pipe ("Can't restore file
	# pos: Illegal seek"): sbx hands it a /dev/null of its own.
	sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c2 < <(exec sleep 100) \
		2>"$BATS_TEST_TMPDIR/c2.err" 3>&- > >(exec cat >>"$BATS_TEST_TMPDIR/c2.out") ||
		fail "restore: $(cat "$BATS_TEST_TMPDIR/c2.err")"
	wait_count c2 $((n + 2))
	[ "$(first_count c2)" -eq $((n + 1)) ]
	pid=$(ctr_pid c2)
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ]
	[[ "$(readlink "/proc/$pid/fd/1")" == pipe:* ]]
	# sbx's /dev/null did not stay open as another fd
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "$fds" ]
}

@test "restore: stdout was a host file, restore's is a pipe: refused by name, nothing left behind" {
	requires root
	requires_criu
	sbx run -d --bundle "$BUNDLE" c1 </dev/null 2>"$BATS_TEST_TMPDIR/c1.err" 3>&- \
		>>"$BATS_TEST_TMPDIR/c1.out"
	wait_count c1 3
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	restore_d c2
	[ "$status" -ne 0 ]
	[[ "$output" == *"stdout: the checkpointed container had a host file there"* ]]
	run sbx state c2
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/c2" ]
	[ ! -e "$(cg_root)/sbx/c2" ]
	# the same images restore with a file (opened for appending) as stdout
	sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c3 </dev/null \
		2>"$BATS_TEST_TMPDIR/c3.err" 3>&- >>"$BATS_TEST_TMPDIR/c1.out" ||
		fail "restore: $(cat "$BATS_TEST_TMPDIR/c3.err")"
	n=$(last_count c1)
	wait_count c1 $((n + 2))
	[ "$(ctr_status c3)" = running ]
}

@test "restore: stdout a file not opened for appending: another size is refused with the reason, the same file works" {
	requires root
	requires_criu
	o=$BATS_TEST_TMPDIR/o.txt
	sbx run -d --bundle "$BUNDLE" c1 </dev/null 2> >(exec cat >>"$BATS_TEST_TMPDIR/c1.err") 3>&- >"$o"
	retry 300 0.1 sh -c "[ \$(wc -l <'$o') -ge 3 ]"
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	size=$(stat -c %s "$o")
	# (not bats' run: its capture would be the stdout)
	status=0
	output=$(sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c2 </dev/null 3>&- \
		2>&1 >>"$BATS_TEST_TMPDIR/other.txt") || status=$?
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"bad size"* ]]
	[[ "$output" == *"stdout: the checkpointed container's stdout was a regular file not opened for appending"* ]]
	[ ! -e "$ROOT/c2" ]
	[ ! -e "$(cg_root)/sbx/c2" ]
	# the file it had, at the size it had: the count goes on in it
	[ "$(stat -c %s "$o")" = "$size" ]
	sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c3 </dev/null 3>&- \
		2> >(exec cat >>"$BATS_TEST_TMPDIR/c3.err") >>"$o" || fail "restore c3 failed"
	n=$(tail -n 1 "$o")
	retry 300 0.1 sh -c "[ \$(tail -n 1 '$o') -ge $((n + 2)) ]"
}

@test "restore: a user namespace and a host file as stdout: criu's refusal explained; a file its root may open works" {
	requires root userns
	requires_criu
	make_traversable
	chown -R 100000:100000 "$ROOTFS"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	o=$BATS_TEST_TMPDIR/o.txt
	: >"$o"
	chmod 0644 "$o"
	sbx run -d --bundle "$BUNDLE" c1 </dev/null 3>&- \
		2> >(exec cat >>"$BATS_TEST_TMPDIR/c1.err") >>"$o"
	retry 300 0.1 sh -c "[ \$(wc -l <'$o') -ge 3 ]"
	run sbx checkpoint --image-path "$IMG" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# stderr a pipe (the capture), stdout the file
	status=0
	output=$(sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c2 </dev/null 3>&- \
		2>&1 >>"$o") || status=$?
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" == *"stdout: with a user namespace criu reopens a file given as stdout"* ]]
	[ ! -e "$ROOT/c2" ]
	# a file the container's root (host uid 100000) may write
	chown 100000 "$o"
	sbx restore -d --bundle "$BUNDLE" --image-path "$IMG" c3 </dev/null 3>&- \
		2> >(exec cat >>"$BATS_TEST_TMPDIR/c3.err") >>"$o" || fail "restore c3 failed"
	n=$(tail -n 1 "$o")
	retry 300 0.1 sh -c "[ \$(tail -n 1 '$o') -ge $((n + 2)) ]"
}

@test "checkpoint/restore refusals: a stopped container, bad options, --lazy-pages without a daemon, build hooks" {
	requires root
	update_config '.process.args = ["true"]'
	run sbx run --keep --bundle "$BUNDLE" s1 </dev/null 3>&-
	run sbx checkpoint --image-path "$IMG" s1
	[ "$status" -ne 0 ]
	[[ "$output" == *"not running"* ]]
	run sbx checkpoint --manage-cgroups-mode bogus s1
	[ "$status" -ne 0 ]
	run sbx checkpoint --empty-ns pid s1
	[ "$status" -ne 0 ]
	[[ "$output" == *"--empty-ns"* ]]
	mkdir -p "$IMG"
	# no `criu lazy-pages` daemon (or no userfaultfd): refused by name
	run sbx restore --lazy-pages --bundle "$BUNDLE" --image-path "$IMG" s2 </dev/null 3>&-
	[ "$status" -ne 0 ]
	[[ "$output" == *"--lazy-pages"* ]]
	[ ! -e "$ROOT/s2" ]
	# hooks that build the process cannot run for a restored one: refused
	update_config '.hooks.prestart = [{"path": "/bin/true"}]'
	run sbx restore --bundle "$BUNDLE" --image-path "$IMG" s3 </dev/null 3>&-
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks: prestart"* ]]
	[ ! -e "$ROOT/s3" ]
	[ ! -e "$(cg_root)/sbx/s3" ]
}

@test "checkpoint: where criu check fails, sbx names what is missing" {
	requires root
	command -v criu >/dev/null || skip "criu is not installed"
	criu_works && skip "criu check passes on this kernel ($(uname -r)): nothing to report"
	counter_run c1
	wait_count c1 1
	run sbx checkpoint --image-path "$IMG" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu check"* ]]
	[[ "$output" == *"CRIU cannot work here"* ]]
	# The container was not touched.
	[ "$(ctr_status c1)" = running ]
}
