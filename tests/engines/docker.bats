#!/usr/bin/env bats
# Docker 20.10 driving sbx as its default runtime, through a private dockerd
# (see helpers.bash): dockerd -> containerd -> containerd-shim-runc-v2 -> sbx.
# Every test checks what the container sees and that the runtime leaves
# nothing behind: no state dir under $STATE_ROOT, no cgroup, no mount, no shim.

# bats file_tags=host

load helpers

setup_file() { docker_setup_file; }
teardown_file() { docker_teardown_file; }
setup() { engines_setup; }
teardown() { docker_teardown; }

@test "docker info: sbx is the default runtime and its --version is read" {
	run dk info
	[ "$status" -eq 0 ]
	[[ "$output" == *"Default Runtime: sbx"* ]]
	[[ "$output" =~ Runtimes:.*\ sbx ]]
	# docker shows the "commit:" line of "<default runtime> --version" as
	# the runc version; N/A when it cannot parse the output
	commit=$("$SBX" --version | sed -n 's/^commit: *//p')
	[ -n "$commit" ]
	[ "$(dk info -f '{{.RuncCommit.ID}}')" = "$commit" ]
	[ "$(dk info -f '{{.RuncCommit.Expected}}')" = "$commit" ]
}

# bats test_tags=vm
@test "docker run --rm: output, exit code 0; exit 3 propagates" {
	drun --rm "$IMAGE" echo hello-from-sbx
	[ "$status" -eq 0 ]
	# exactly the program's output: nothing from the runtime on its stderr
	[ "$output" = hello-from-sbx ]
	assert_clean "$CID"

	drun --rm "$IMAGE" sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "out"$'\n'"err" ] || [ "$output" = "err"$'\n'"out" ]
	assert_clean "$CID"
	assert_mounts_baseline
}

@test "docker run: the container's view (pid 1, hostname, mounts, caps, seccomp)" {
	drun --rm --hostname h-sbx "$IMAGE" sh -c '
		echo "pid=$$ host=$(hostname)"
		grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
		grep -E " /(proc|dev|sys|dev/pts|dev/shm|dev/mqueue|etc/hosts|etc/resolv.conf) " /proc/mounts | cut -d" " -f2 | sort | tr "\n" " "; echo
		ls /dev | sort | tr "\n" " "'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "pid=1 host=h-sbx" ]]
	# Docker's 14 default capabilities
	[[ "$output" == *"CapEff:	00000000a80425fb"* ]]
	[[ "$output" == *"NoNewPrivs:	0"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *"/dev /dev/mqueue /dev/pts /dev/shm /etc/hosts /etc/resolv.conf /proc /sys "* ]]
	for d in fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero; do
		[[ " ${lines[-1]} " == *" $d "* ]] || fail "/dev/$d missing: ${lines[-1]}"
	done
	assert_clean "$CID"
}

@test "docker run /nonexistent: exit 127 and a readable message" {
	drun -127 --rm "$IMAGE" /nonexistent
	[[ "$output" == *'OCI runtime create failed'* ]]
	[[ "$output" == *'/nonexistent'*'no such file or directory'* ]]
	[[ "$output" != *'unable to retrieve OCI runtime error'* ]]
	assert_clean "$CID"
	assert_mounts_baseline
}

@test "docker run: a file that is not executable: exit 126 (permission denied)" {
	drun --rm "$IMAGE" /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$output" == *'permission denied'* ]]
	[[ "$output" != *'unable to retrieve OCI runtime error'* ]]
	assert_clean "$CID"
}

@test "docker run -d, stop (the program handles SIGTERM), rm" {
	drun -d --name t-stop "$IMAGE" sh -c 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	[ "$output" = "$CID" ]
	wait_logs t-stop ready
	[ "$(inspect '{{.State.Status}}' t-stop)" = running ]
	pid=$(inspect '{{.State.Pid}}' t-stop)
	kill -0 "$pid"
	# the runtime's state dir is where the shim's --root points
	[ -d "$STATE_ROOT/$CID" ]
	[ -f "$BUNDLES/$CID/config.json" ]
	# the init is the shim's child, in the container's cgroup
	ppid=$(awk '{ print $4 }' "/proc/$pid/stat")
	[[ "$(tr '\0' ' ' <"/proc/$ppid/cmdline")" == *containerd-shim-runc-v2*"$CID"* ]]
	grep -q "^0::/docker/$CID\$" "/proc/$pid/cgroup"

	SECONDS=0
	run dk stop t-stop
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 8 ]
	[ "$(inspect '{{.State.Status}} {{.State.ExitCode}}' t-stop)" = "exited 0" ]
	dk logs t-stop | grep -qx got-term
	! kill -0 "$pid" 2>/dev/null
	run dk rm t-stop
	[ "$status" -eq 0 ]
	assert_clean "$CID" "$pid"
	assert_mounts_baseline
}

@test "docker stop -t 1: a program that ignores SIGTERM is killed (137)" {
	drun -d --name t-kill9 "$IMAGE" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	wait_logs t-kill9 ready
	pid=$(inspect '{{.State.Pid}}' t-kill9)
	SECONDS=0
	run dk stop -t 1 t-kill9
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 6 ]
	[ "$(inspect '{{.State.Status}} {{.State.ExitCode}}' t-kill9)" = "exited 137" ]
	run dk start t-kill9
	[ "$status" -eq 0 ]
	wait_status t-kill9 running
	rm_and_assert_clean t-kill9
	! kill -0 "$pid" 2>/dev/null
}

@test "docker run -it: the program gets a pty" {
	f=$BATS_TEST_TMPDIR/cid
	in_pty "$DOCKER run -it --rm --cidfile $f $IMAGE sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; ps -o pid,tty | tail -1; echo done; exit 4'"
	[ "$status" -eq 4 ]
	[[ "$output" =~ /dev/pts/[0-9]+ ]]
	[[ "$output" == *all-tty* ]]
	[[ "$output" == *done* ]]
	assert_clean "$(cat "$f")"
}

@test "docker exec: output, exit code, the container's namespaces, -u -w -e" {
	drun -d --name t-exec --hostname h-exec "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	run dk exec t-exec sh -c 'echo in-exec; hostname; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = "in-exec"$'\n'"h-exec" ]
	run dk exec t-exec sh -c 'readlink /proc/1/exe; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
	run dk exec -u 1000:1000 -w /tmp -e X=ex-val t-exec sh -c 'id -u; id -g; pwd; echo $X'
	[ "$status" -eq 0 ]
	[ "$output" = "1000"$'\n'"1000"$'\n'"/tmp"$'\n'"ex-val" ]
	# exec's stdin is a pipe with -i
	run bash -c "echo piped | '$DOCKER' exec -i t-exec cat"
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
	# a missing program: docker exec reports it (126/127) and the message
	run dk exec t-exec /nonexistent
	[ "$status" -eq 126 ] || [ "$status" -eq 127 ]
	[[ "$output" == *'no such file or directory'* ]]
	[[ "$output" != *'unable to retrieve OCI runtime error'* ]]
	# the container is still fine
	run dk exec t-exec echo still
	[ "$output" = still ]
	rm_and_assert_clean t-exec
}

@test "docker exec -it: the program gets a pty" {
	drun -d --name t-exec-it "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	in_pty "$DOCKER exec -it t-exec-it sh -c 'tty; [ -t 0 ] && echo stdin-tty; echo done; exit 6'"
	[ "$status" -eq 6 ]
	[[ "$output" =~ /dev/pts/[0-9]+ ]]
	[[ "$output" == *stdin-tty* ]]
	[[ "$output" == *done* ]]
	rm_and_assert_clean t-exec-it
}

@test "docker kill -s USR1 reaches a trap in the container; kill ends it" {
	drun -d --name t-usr1 "$IMAGE" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	wait_logs t-usr1 ready
	run dk kill -s USR1 t-usr1
	[ "$status" -eq 0 ]
	wait_logs t-usr1 got-usr1
	[ "$(inspect '{{.State.Status}}' t-usr1)" = running ]
	run dk kill t-usr1
	[ "$status" -eq 0 ]
	wait_status t-usr1 exited
	[ "$(inspect '{{.State.ExitCode}}' t-usr1)" = 137 ]
	rm_and_assert_clean t-usr1
}

@test "docker pause / unpause: frozen, then running again" {
	drun -d --name t-pause "$IMAGE" sh -c 'while :; do echo tick; sleep 0.05; done'
	[ "$status" -eq 0 ]
	wait_logs t-pause tick
	run dk pause t-pause
	[ "$status" -eq 0 ]
	[ "$(inspect '{{.State.Status}} {{.State.Paused}}' t-pause)" = "paused true" ]
	# (lines already in flight to the log when the freeze came may still
	# land: let them, then count)
	sleep 0.3
	n1=$(dk logs t-pause | wc -l)
	sleep 0.5
	n2=$(dk logs t-pause | wc -l)
	[ "$n1" -eq "$n2" ] || fail "the container kept running while paused ($n1 -> $n2 lines)"
	run dk exec t-pause true
	[ "$status" -ne 0 ]
	[[ "$output" == *paused* ]]
	run dk unpause t-pause
	[ "$status" -eq 0 ]
	[ "$(inspect '{{.State.Status}} {{.State.Paused}}' t-pause)" = "running false" ]
	retry 50 0.1 sh -c "[ \$('$DOCKER' logs t-pause | wc -l) -gt $n2 ]"
	# removing a paused container works too
	run dk pause t-pause
	[ "$status" -eq 0 ]
	rm_and_assert_clean t-pause
}

@test "docker top: lists the container's processes" {
	drun -d --name t-top "$IMAGE" sh -c 'sleep 999 & exec sleep 998'
	[ "$status" -eq 0 ]
	retry 50 0.1 sh -c "'$DOCKER' top t-top | grep -q 'sleep 999'"
	run dk top t-top
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == UID*PID*CMD ]]
	[[ "$output" == *"sleep 998"* ]]
	[[ "$output" == *"sleep 999"* ]]
	[ "${#lines[@]}" -eq 3 ]
	pid=$(inspect '{{.State.Pid}}' t-top)
	[[ "$output" == *" $pid "* ]]
	rm_and_assert_clean t-top
}

@test "docker restart -t 1: same container, new process" {
	drun -d --name t-restart "$IMAGE" sh -c 'echo start >>/count; echo started; exec sleep 1000'
	[ "$status" -eq 0 ]
	wait_logs t-restart started
	pid1=$(inspect '{{.State.Pid}}' t-restart)
	SECONDS=0
	run dk restart -t 1 t-restart
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 8 ]
	wait_status t-restart running
	pid2=$(inspect '{{.State.Pid}}' t-restart)
	[ "$pid2" != "$pid1" ]
	! kill -0 "$pid1" 2>/dev/null
	run dk exec t-restart cat /count
	[ "$output" = "start"$'\n'"start" ]
	[ -d "$STATE_ROOT/$CID" ]
	rm_and_assert_clean t-restart
}

@test "docker run --init: pid 1 is docker-init" {
	drun --rm --init "$IMAGE" sh -c 'cat /proc/1/comm; echo "sh=$$"; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = docker-init ]
	[ "${lines[1]}" != "sh=1" ]
	[[ "${lines[2]}" == "/sbin/docker-init -- sh -c"* ]]
	assert_clean "$CID"
}

@test "docker run --read-only: / is read-only, /dev/shm is not" {
	drun --rm --read-only "$IMAGE" sh -c 'touch /x || echo ro-root; touch /dev/shm/y && echo shm-ok'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *ro-root* ]]
	[[ "$output" == *shm-ok* ]]
	assert_clean "$CID"
}

@test "docker run --cap-drop ALL: no capabilities" {
	drun --rm --cap-drop ALL "$IMAGE" sh -c 'grep -E "^Cap(Eff|Prm|Bnd):" /proc/self/status; chown 1 /tmp || echo no-chown'
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"CapPrm:	0000000000000000"* ]]
	[[ "$output" == *"CapBnd:	0000000000000000"* ]]
	[[ "$output" == *no-chown* ]]
	assert_clean "$CID"
}

@test "docker run --security-opt no-new-privileges: NoNewPrivs 1" {
	drun --rm --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs /proc/self/status
	[ "$status" -eq 0 ]
	[ "$output" = "NoNewPrivs:	1" ]
	assert_clean "$CID"
}

@test "docker run --user 1000:1000 (and with --group-add)" {
	drun --rm --user 1000:1000 "$IMAGE" sh -c 'id; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "uid=1000(user) gid=1000(user)"* ]]
	[ "${lines[1]}" = "CapEff:	0000000000000000" ]
	assert_clean "$CID"
	drun --rm --user 1000:1000 --group-add 5 "$IMAGE" id -G
	[ "$status" -eq 0 ]
	[ "$output" = "1000 5" ]
	assert_clean "$CID"
}

@test "docker run --network none: only lo, up (docker's prestart hook ran)" {
	drun -d --name t-net --network none "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	run dk exec t-net sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate; ip addr show lo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	# a new netns has lo down: libnetwork brings it up from the hook
	# (libnetwork-setkey), which also bind-mounts the netns at SandboxKey
	[ "${lines[1]}" = unknown ]
	[[ "$output" == *"inet 127.0.0.1/8"* ]]
	key=$(inspect '{{.NetworkSettings.SandboxKey}}' t-net)
	[ -n "$key" ]
	grep -q " $key " /proc/self/mountinfo
	pid=$(inspect '{{.State.Pid}}' t-net)
	[ "$(stat -L -c %i "$key")" = "$(stat -L -c %i "/proc/$pid/ns/net")" ]
	[ "$(stat -L -c %i /proc/self/ns/net)" != "$(stat -L -c %i "/proc/$pid/ns/net")" ]
	rm_and_assert_clean t-net
	! grep -q " $key " /proc/self/mountinfo
}

@test "docker run -v: a ro bind refuses writes, a rw bind shows them on the host" {
	mkdir -p "$BATS_TEST_TMPDIR/ro" "$BATS_TEST_TMPDIR/rw"
	echo host-file >"$BATS_TEST_TMPDIR/ro/f"
	drun --rm -v "$BATS_TEST_TMPDIR/ro:/ro:ro" -v "$BATS_TEST_TMPDIR/rw:/rw" "$IMAGE" sh -c '
		cat /ro/f
		echo x >/ro/g || echo ro-refused
		echo from-container >/rw/h && echo rw-ok'
	[ "$status" -eq 0 ]
	[[ "$output" == *host-file* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *ro-refused* ]]
	[[ "$output" == *rw-ok* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ro/g" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rw/h")" = from-container ]
	assert_clean "$CID"
	! grep -qF " $BATS_TEST_TMPDIR/" /proc/self/mountinfo
}

@test "docker run --tmpfs /run:size=1m" {
	drun --rm --tmpfs /run:size=1m "$IMAGE" sh -c '
		grep " /run " /proc/mounts
		dd if=/dev/zero of=/run/big bs=1k count=2048 2>&1
		du -k /run/big'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /run tmpfs rw,nosuid,nodev,noexec,"*"size=1024k"* ]]
	[[ "$output" == *"No space left on device"* ]]
	[ "$(echo "${lines[-1]}" | cut -f1)" -le 1024 ]
	assert_clean "$CID"
}

@test "docker run --ulimit nofile=100:200" {
	drun --rm --ulimit nofile=100:200 "$IMAGE" sh -c 'ulimit -Sn; ulimit -Hn'
	[ "$status" -eq 0 ]
	[ "$output" = "100"$'\n'"200" ]
	assert_clean "$CID"
}

@test "docker run --device /dev/null:/dev/mynull:rw; other devices stay denied" {
	# (the node is made in the container's /dev, a tmpfs without nodev: only
	# the device program can refuse it there, with EPERM; head's error goes to
	# stdout, since docker relays the two streams apart and may reorder them)
	drun --rm --device /dev/null:/dev/mynull:rw "$IMAGE" sh -c '
		stat -c "%F %t:%T" /dev/mynull
		echo x >/dev/mynull && echo write-ok
		mknod /dev/sda-test b 8 0 && { head -c1 /dev/sda-test 2>&1 >/dev/null || echo blk-denied; }'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3" ]
	[[ "$output" == *write-ok* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *blk-denied* ]]
	assert_clean "$CID"
}

@test "docker rm -f of a running container with exec processes" {
	drun -d --name t-rmf "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	dk exec -d t-rmf sleep 997
	retry 50 0.1 sh -c "'$DOCKER' top t-rmf | grep -q 'sleep 997'"
	epid=$(dk top t-rmf | awk '/sleep 997/ { print $2 }')
	[ -n "$epid" ]
	rm_and_assert_clean t-rmf
	! kill -0 "$epid" 2>/dev/null
}

@test "docker run -i: stdin is a pipe; stdout and stderr stay apart (docker logs)" {
	run bash -c "echo piped | '$DOCKER' -H unix://$T/docker.sock run -i --rm $IMAGE sh -c 'cat; [ -t 0 ] || echo not-a-tty'"
	drop_ipfwd_warning
	[ "$status" -eq 0 ]
	[ "$output" = "piped"$'\n'"not-a-tty" ]
	drun -d --name t-logs "$IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2'
	[ "$status" -eq 0 ]
	run dk wait t-logs
	[ "$output" = 0 ]
	[ "$(dk logs t-logs 2>/dev/null)" = to-stdout ]
	[ "$(dk logs t-logs 2>&1 >/dev/null)" = to-stderr ]
	rm_and_assert_clean t-logs
}

@test "docker run --pid host: a child left by the init is killed (kill --all)" {
	drun --rm --pid host "$IMAGE" sh -c 'sleep 300 & echo $!'
	[ "$status" -eq 0 ]
	child=$output
	[[ "$child" =~ ^[0-9]+$ ]] && [ "$child" -gt 1 ]
	assert_clean "$CID" "$child"
}

@test "docker run --network host: the host's network namespace" {
	drun --rm --network host "$IMAGE" readlink /proc/self/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
	assert_clean "$CID"
}

@test "docker run --network/--pid/--ipc container:X joins X's namespaces" {
	drun -d --name t-donor --ipc shareable "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	donor=$CID
	dpid=$(inspect '{{.State.Pid}}' t-donor)
	drun --rm --network container:t-donor --pid container:t-donor --ipc container:t-donor "$IMAGE" sh -c '
		for n in net pid ipc; do readlink /proc/self/ns/$n; done
		ps -o pid,args | grep -c "[s]leep 1000"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$dpid/ns/net")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$dpid/ns/pid")" ]
	[ "${lines[2]}" = "$(readlink "/proc/$dpid/ns/ipc")" ]
	[ "${lines[3]}" = 1 ]
	assert_clean "$CID"
	[ "$(inspect '{{.State.Status}}' t-donor)" = running ]
	rm_and_assert_clean t-donor
}

@test "docker run --oom-score-adj 100 --sysctl net.ipv4.ip_forward=1" {
	drun --rm --oom-score-adj 100 --sysctl net.ipv4.ip_forward=1 "$IMAGE" sh -c 'cat /proc/self/oom_score_adj /proc/sys/net/ipv4/ip_forward'
	[ "$status" -eq 0 ]
	[ "$output" = "100"$'\n'"1" ]
	assert_clean "$CID"
}

@test "docker run --privileged: all capabilities, host devices, writable /sys" {
	last=$(cat /proc/sys/kernel/cap_last_cap)
	want=$(printf '%016x' $(((1 << (last + 1)) - 1)))
	have=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	[ "$have" = "$want" ] || skip "this host's bounding set lacks capabilities ($have): no runtime can grant them"
	drun -d --privileged "$IMAGE" sleep 100
	[ "$status" -eq 0 ]
	# every capability docker asked for (its own list may be shorter than
	# this kernel's: Docker 20.10 knows 38) is effective
	asked=$(jq '.process.capabilities.effective | length' "$BUNDLES/$CID/config.json")
	run dk exec "$CID" sh -c 'grep CapEff /proc/self/status; [ -e /dev/kmsg ] && echo has-kmsg; grep " /sys " /proc/mounts'
	[ "$status" -eq 0 ]
	eff=$((16#${lines[0]#CapEff:$'\t'}))
	bits=0
	while [ "$eff" -ne 0 ]; do bits=$((bits + (eff & 1))); eff=$((eff >> 1)); done
	[ "$bits" -eq "$asked" ]
	[ "$asked" -ge 38 ]
	[ "${lines[1]}" = has-kmsg ]
	[[ "${lines[2]}" == "sysfs /sys sysfs rw,"* ]]
	rm_and_assert_clean "$CID"
}

@test "docker run --memory on a hybrid host: refused clearly, nothing left" {
	[ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || skip "cgroup v2 host: the limit is enforced (see the cgroup v2 tests)"
	ctl=/sys/fs/cgroup/unified/cgroup.controllers
	[ -e "$ctl" ] && ! grep -qw memory "$ctl" || skip "the v2 hierarchy has a memory controller"
	drun --rm --memory 32m "$IMAGE" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"memory controller is not available"* ]]
	[[ "$output" != *'unable to retrieve OCI runtime error'* ]]
	assert_clean "$CID"
	assert_mounts_baseline
}

# ---------------------------------------------------------------- cgroup v2

# cgdir NAME: the container's cgroup directory (from its init's /proc/PID/cgroup).
cgdir() {
	local pid
	pid=$(inspect '{{.State.Pid}}' "$1")
	echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
}

# bats test_tags=vm
@test "docker update --memory 64m --cpus 0.5 --pids-limit 50 (cgroup v2)" {
	cgroup2_only
	drun -d --name t-upd "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	d=$(cgdir t-upd)
	[ "$d" = "/sys/fs/cgroup/docker/$CID" ]
	[ "$(cat "$d/memory.max")" = max ]
	# docker itself refuses --memory alone on a container started without
	# one ("update the memoryswap at the same time")
	run dk update --memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 50 t-upd
	[ "$status" -eq 0 ]
	[ "$(cat "$d/memory.max")" = 67108864 ]
	# the runtime gets memsw semantics (limit + swap): swap.max = 128m - 64m
	[ ! -e "$d/memory.swap.max" ] || [ "$(cat "$d/memory.swap.max")" = 67108864 ]
	[ "$(cat "$d/cpu.max")" = "50000 100000" ]
	[ "$(cat "$d/pids.max")" = 50 ]
	[ "$(inspect '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' t-upd)" = "67108864 500000000 50" ]
	# 0 means unchanged: a second update leaves the memory limit alone
	run dk update --pids-limit 60 t-upd
	[ "$status" -eq 0 ]
	[ "$(cat "$d/memory.max")" = 67108864 ]
	[ "$(cat "$d/cpu.max")" = "50000 100000" ]
	[ "$(cat "$d/pids.max")" = 60 ]
	rm_and_assert_clean t-upd
	[ ! -e "$d" ]
}

# bats test_tags=vm
@test "docker run --memory 32m: OOM kill gives 137 and OOMKilled (cgroup v2)" {
	cgroup2_only
	drun --name t-oom --memory 32m "$IMAGE" tail /dev/zero
	[ "$status" -eq 137 ]
	[ "$(inspect '{{.State.ExitCode}} {{.State.OOMKilled}}' t-oom)" = "137 true" ]
	rm_and_assert_clean t-oom
}

# bats test_tags=vm
@test "docker run --pids-limit 10: fork fails beyond the limit (cgroup v2)" {
	cgroup2_only
	drun --rm --pids-limit 10 "$IMAGE" sh -c '
		cat /sys/fs/cgroup/pids.max
		for i in $(seq 1 20); do sleep 5 & done 2>&1 | grep -c "fork"
		kill $(jobs -p) 2>/dev/null; true'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 10 ]
	[ "${lines[1]}" -gt 0 ]
	assert_clean "$CID"
}

# bats test_tags=vm
@test "docker run --memory --cpus: limits in the container's cgroup (cgroup v2)" {
	cgroup2_only
	drun -d --name t-lim --memory 48m --cpus 1.5 --cpu-shares 512 "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	d=$(cgdir t-lim)
	[ "$(cat "$d/memory.max")" = $((48 * 1024 * 1024)) ]
	[ "$(cat "$d/cpu.max")" = "150000 100000" ]
	# docker stats reads the cgroup through the shim
	run dk stats --no-stream --format '{{.MemUsage}}' t-lim
	[ "$status" -eq 0 ]
	[[ "$output" == *"48MiB"* ]]
	rm_and_assert_clean t-lim
}

# bats test_tags=vm
@test "docker run: the docker-default AppArmor profile confines the container (AppArmor host)" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
		skip "AppArmor is not enabled in this kernel (it is in the cgroup v2 VM)"
	drun --rm "$IMAGE" cat /proc/self/attr/current
	[ "$status" -eq 0 ]
	[ "$output" = "docker-default (enforce)" ]
	# the profile denies mount(2) even with CAP_SYS_ADMIN (which also lifts
	# Docker's seccomp rule for it): only AppArmor stops this one
	drun --rm --cap-add SYS_ADMIN "$IMAGE" sh -c 'mount -t tmpfs none /mnt 2>/dev/null && echo mounted || echo denied'
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = denied ]
	assert_clean "$CID"
}

# Last: it re-registers sbx (a copy, at another path) in the running dockerd.
@test "contrib/install.sh: installs, merges daemon.json, and a SIGHUP'd dockerd uses it" {
	inst=$T/inst
	# a fresh config is written from contrib/docker/daemon.json
	run env SBX="$SBX" "$top_srcdir/contrib/install.sh" --prefix "$inst" --docker-config "$inst/fresh.json"
	[ "$status" -eq 0 ]
	[ -x "$inst/bin/sbx" ]
	[ "$(jq -c . "$inst/fresh.json")" = "{\"runtimes\":{\"sbx\":{\"path\":\"$inst/bin/sbx\"}}}" ]
	[[ "$output" == *'kill -HUP'* ]]
	# an existing one is merged: other keys and runtimes stay
	cp "$T/daemon.json" "$T/daemon.json.orig"
	jq '.runtimes.other = {"path": "/bin/false"}' "$T/daemon.json.orig" >"$T/daemon.json"
	run env SBX="$SBX" "$top_srcdir/contrib/install.sh" --prefix "$inst" --docker-config "$T/daemon.json" --default
	[ "$status" -eq 0 ]
	[ "$(jq -r '.runtimes.sbx.path' "$T/daemon.json")" = "$inst/bin/sbx" ]
	[ "$(jq -r '.runtimes.other.path, .["storage-driver"], .["default-runtime"]' "$T/daemon.json")" = "/bin/false"$'\n'"vfs"$'\n'"sbx" ]
	[ -f "$T/daemon.json.bak" ]
	# reload: the next container runs the installed binary
	kill -HUP "$(cat "$T/docker.pid")"
	retry 50 0.1 sh -c "'$DOCKER' -H unix://$T/docker.sock info 2>/dev/null | grep -q 'Runtimes:.*other'"
	drun -d --name t-inst "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	[ "$(jq -r .binary_name "$BUNDLES/$CID/options.json")" = "$inst/bin/sbx" ]
	run dk exec t-inst echo via-installed
	[ "$output" = via-installed ]
	rm_and_assert_clean t-inst
	# invalid JSON is left alone
	echo '{broken' >"$inst/bad.json"
	run env SBX="$SBX" "$top_srcdir/contrib/install.sh" --prefix "$inst" --docker-config "$inst/bad.json"
	[ "$status" -eq 1 ]
	[ "$(cat "$inst/bad.json")" = '{broken' ]
}
