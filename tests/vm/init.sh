#!/bin/busybox sh
# sbx VM harness: /init of the guest initramfs (PID 1, busybox sh).
#
# Stage 1 (this file, in the initramfs):
#   load virtio/virtiofs/overlay modules, mount the host root (virtiofs tag
#   "hostroot") read-only, put a tmpfs overlay over it, mount the API file
#   systems and a pure cgroup v2 hierarchy into it, copy the per-run command
#   script in, and switch_root into it running stage2.sh.
# Everything printed here goes to the serial console (ttyS0), which the host
# only shows when something goes wrong (or with SBX_VM_DEBUG=1).

/bin/busybox mkdir -p /proc /sys /dev /usr/bin /sbin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

log() { echo "sbx-vm-init: $*"; }
die() {
	echo "sbx-vm-init: FATAL: $*"
	echo "SBXVM-BOOT-FAILED: $*"
	sync
	poweroff -f
	sleep 5
	exit 1
}

mount -t proc proc /proc || die "mount /proc"
mount -t sysfs sysfs /sys || die "mount /sys"
mount -t devtmpfs devtmpfs /dev || die "mount /dev"

log "kernel $(uname -r)"

# Modules listed in load order in /modules/order (built by run.sh).
while read -r m; do
	[ -n "$m" ] || continue
	if [ -d "/sys/module/$m" ]; then continue; fi
	insmod "/modules/$m.ko" || log "insmod $m failed (continuing)"
done </modules/order

run=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	sbxvm.run=*) run="${arg#sbxvm.run=}" ;;
	esac
done
[ -n "$run" ] || die "no sbxvm.run= on the kernel command line"

mkdir -p /lower /rw /newroot
# virtio-pci probing may be asynchronous; retry the mount for a few seconds.
i=0
until mount -t virtiofs -o ro hostroot /lower 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || die "cannot mount virtiofs tag hostroot (is virtiofsd running?)"
	sleep 0.1
done

mount -t tmpfs -o mode=0755 tmpfs /rw || die "mount tmpfs /rw"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay \
	-o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	die "mount overlay root"

R=/newroot
# The guest gets fresh tmpfs on /run and /tmp. If the command's working
# directory is below one of them, keep that directory (from the overlay)
# visible by moving a bind mount of it over the new tmpfs.
cwd=$(cat "/lower$run/cwd" 2>/dev/null)
keep=
case "$cwd" in
/tmp/* | /run/*)
	if [ -d "$R$cwd" ]; then
		mkdir -p /keep
		mount --bind "$R$cwd" /keep && keep=$cwd
	fi
	;;
esac
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $R/run || die "mount /run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $R/tmp || die "mount /tmp"
if [ -n "$keep" ]; then
	mkdir -p "$R$keep" && mount --move /keep "$R$keep" || die "cannot keep $keep visible"
fi
mount --move /proc $R/proc || die "move /proc"
mount --move /sys $R/sys || die "move /sys"
mount --move /dev $R/dev || die "move /dev"
mkdir -p $R/dev/pts $R/dev/shm $R/dev/mqueue
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $R/dev/pts || die "mount devpts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $R/dev/shm || die "mount /dev/shm"
mount -t mqueue mqueue $R/dev/mqueue 2>/dev/null || true
[ -e $R/dev/ptmx ] || ln -sf pts/ptmx $R/dev/ptmx
[ -e $R/dev/fd ] || ln -sf /proc/self/fd $R/dev/fd
[ -e $R/dev/stdin ] || ln -sf /proc/self/fd/0 $R/dev/stdin
[ -e $R/dev/stdout ] || ln -sf /proc/self/fd/1 $R/dev/stdout
[ -e $R/dev/stderr ] || ln -sf /proc/self/fd/2 $R/dev/stderr

# Pure cgroup v2 (the kernel runs with cgroup_no_v1=all).
mount -t cgroup2 -o nsdelegate cgroup2 $R/sys/fs/cgroup || die "mount cgroup2"
mount -t securityfs securityfs $R/sys/kernel/security 2>/dev/null || true
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null || true
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null || true
mount -t configfs configfs $R/sys/kernel/config 2>/dev/null || true
mount -t fusectl fusectl $R/sys/fs/fuse/connections 2>/dev/null || true

# Per-run files (command script); copied now because the host path may be
# hidden later (e.g. a cache dir under /tmp).
S=$R/run/sbx-vm
mkdir -p $S
cp "/lower$run/cmd.sh" $S/cmd.sh || die "cannot read $run/cmd.sh through virtiofs"
cp /bin/busybox $S/busybox
cp /stage2.sh $S/stage2.sh

log "switching root"
exec switch_root $R /run/sbx-vm/busybox sh /run/sbx-vm/stage2.sh
die "switch_root failed"
