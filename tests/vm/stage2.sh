# sbx VM harness: stage 2, run by PID 1 (busybox sh) after switch_root into
# the overlay of the host root. Not executable on its own; run.sh puts it in
# the initramfs and init.sh starts it as /run/sbx-vm/busybox sh stage2.sh.
#
# Sets up the cgroup v2 root, loopback and hostname, runs /run/sbx-vm/cmd.sh
# with stdout/stderr relayed to the virtio-serial ports sbx.stdout and
# sbx.stderr, reports the exit status on sbx.status (and as a marker line on
# the console), then powers off.

BB=/run/sbx-vm/busybox
D=/run/sbx-vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "sbx-vm: $*"; }
finish() {
	# $1: status line for the host
	log "$1"
	if [ -n "$status_dev" ]; then
		echo "$1" >"$status_dev"
	fi
	echo "SBXVM-STATUS: $1"
	$BB sync
	$BB poweroff -f
	$BB sleep 10
}

debug=0 systemd=0
for arg in $($BB cat /proc/cmdline); do
	case "$arg" in
	sbxvm.debug=1) debug=1 ;;
	sbxvm.systemd=1) systemd=1 ;;
	esac
done

# --systemd: PID 1 becomes systemd, which starts only sbx-vm.target: this
# script again, as a service (below, $$ is no longer 1).
if [ "$systemd" = 1 ] && [ $$ = 1 ]; then
	U=/etc/systemd/system
	$BB mkdir -p $U
	$BB cat >$U/sbx-vm.service <<-EOF
	[Unit]
	Description=sbx VM harness command
	DefaultDependencies=no
	[Service]
	Type=oneshot
	TimeoutStartSec=infinity
	ExecStart=$BB sh $D/stage2.sh
	StandardInput=null
	StandardOutput=tty
	StandardError=tty
	TTYPath=/dev/ttyS0
	EOF
	$BB cat >$U/sbx-vm.target <<-EOF
	[Unit]
	Description=sbx VM harness
	DefaultDependencies=no
	AllowIsolate=yes
	Requires=sbx-vm.service
	After=sbx-vm.service
	EOF
	log "starting systemd"
	exec /lib/systemd/systemd --unit=sbx-vm.target --log-target=console \
		--log-level="$([ "$debug" = 1 ] && echo info || echo warning)"
	finish "boot-failed: cannot exec /lib/systemd/systemd"
fi

port() {
	# virtio-serial port device by name
	for n in /sys/class/virtio-ports/*/name; do
		[ -r "$n" ] || continue
		if [ "$($BB cat "$n")" = "$1" ]; then
			p=${n%/name}
			echo "/dev/${p##*/}"
			return 0
		fi
	done
	return 1
}

status_dev=
i=0
while :; do
	out_dev=$(port sbx.stdout) && err_dev=$(port sbx.stderr) &&
		status_dev=$(port sbx.status) && [ -c "$out_dev" ] &&
		[ -c "$err_dev" ] && [ -c "$status_dev" ] && break
	i=$((i + 1))
	if [ "$i" -ge 50 ]; then
		status_dev=
		finish "boot-failed: virtio-serial ports sbx.stdout/sbx.stderr/sbx.status not found"
	fi
	$BB sleep 0.1
done

# --- cgroup v2: move everything to a leaf, enable all controllers at root ---
# (under systemd, the hierarchy is systemd's)
CG=/sys/fs/cgroup
[ "$($BB stat -f -c %t $CG)" = 63677270 ] || finish "boot-failed: $CG is not cgroup2"
if [ "$systemd" = 0 ]; then
	$BB mkdir -p $CG/init
	for p in $($BB cat $CG/cgroup.procs); do
		echo "$p" >$CG/init/cgroup.procs 2>/dev/null || true
	done
	for c in $($BB cat $CG/cgroup.controllers); do
		echo "+$c" >$CG/cgroup.subtree_control 2>/dev/null ||
			log "warning: cannot enable controller $c"
	done
	log "cgroup controllers enabled: $($BB cat $CG/cgroup.subtree_control)"
fi

# --- misc system setup ---
$BB hostname sbx-vm
if command -v ip >/dev/null 2>&1; then
	ip link set lo up 2>/dev/null || $BB ip link set lo up
else
	$BB ip link set lo up
fi
[ "$debug" = 1 ] || $BB dmesg -n 1

# --- run the command ---
$BB mkfifo $D/out $D/err
$BB cat $D/out >"$out_dev" &
rout=$!
$BB cat $D/err >"$err_dev" &
rerr=$!

echo booted >"$status_dev"
log "running command"
/bin/sh $D/cmd.sh </dev/null >$D/out 2>$D/err
rc=$?
log "command exited with status $rc"

# The relays end when every writer of the fifos is gone; processes the
# command left running in the background may keep them open: give them a
# moment, then stop relaying.
( $BB sleep 3
  if $BB kill $rout $rerr 2>/dev/null; then
	echo "sbx-vm: warning: background processes still hold stdout/stderr; stopped relaying"
  fi ) &
wd=$!
wait $rout $rerr 2>/dev/null
$BB kill $wd 2>/dev/null
wait $wd 2>/dev/null

finish "exit $rc"
