#!/bin/bash
# sbx VM harness: run a command as root inside a QEMU guest that uses this
# host's root file system (read-only, under a tmpfs overlay) and a pure
# cgroup v2 hierarchy.
#
#   tests/vm/run.sh [--timeout SECS] [--mem MB] [--cpus N] [--env NAME[=VALUE]]...
#                   [--systemd] -- COMMAND [ARGS...]
#
# --systemd boots the guest with systemd as PID 1 (only the command's own
# service is started; no D-Bus broker): for the --systemd-cgroup tests.
#
# A single COMMAND argument is a shell command line (run by /bin/sh -c); with
# several arguments they are run as that exact argv (still through /bin/sh,
# so shell builtins such as `exit 3` work). The guest runs it in the current
# directory, with the current PATH; its stdout/stderr go to ours and its exit
# status becomes ours. Harness failures exit with 125 (usage/setup), 124
# (timeout) or 126 (VM did not boot / no exit status), with a message on
# stderr. See tests/vm/README.md.
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=${0##*/}

msg() { echo "sbx-vm: $*" >&2; }
fail() {
	# fail STATUS MESSAGE
	local st=$1
	shift
	msg "error: $*"
	exit "$st"
}
usage() {
	sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit "${1:-125}"
}

timeout=${SBX_VM_TIMEOUT:-1500}
mem=${SBX_VM_MEM:-3072}
cpus=${SBX_VM_CPUS:-2}
debug=${SBX_VM_DEBUG:-0}
systemd=0
envs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--timeout=*) timeout=${1#*=}; shift ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	--cpus) [ $# -ge 2 ] || usage; cpus=$2; shift 2 ;;
	--cpus=*) cpus=${1#*=}; shift ;;
	--env) [ $# -ge 2 ] || usage; envs+=("$2"); shift 2 ;;
	--env=*) envs+=("${1#*=}"); shift ;;
	--debug) debug=1; shift ;;
	--systemd) systemd=1; shift ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	*) msg "unknown option: $1"; usage ;;
	esac
done
[ $# -ge 1 ] || { msg "missing COMMAND"; usage; }
[[ "$timeout" =~ ^[0-9]+$ && "$timeout" -gt 0 ]] || fail 125 "--timeout must be a positive integer"
[[ "$mem" =~ ^[0-9]+$ && "$mem" -ge 256 ]] || fail 125 "--mem must be an integer >= 256 (MB)"
[[ "$cpus" =~ ^[0-9]+$ && "$cpus" -ge 1 ]] || fail 125 "--cpus must be a positive integer"

# --- prerequisites -----------------------------------------------------------
if ! why=$("$HERE/available.sh" 2>&1); then
	fail 125 "VM harness not available here: $why (tests/vm/setup.sh installs the packages)"
fi
QEMU=${SBX_VM_QEMU:-$(command -v qemu-system-x86_64)}
VIRTIOFSD=${SBX_VM_VIRTIOFSD:-}
if [ -z "$VIRTIOFSD" ]; then
	for v in /usr/lib/qemu/virtiofsd /usr/libexec/virtiofsd /usr/lib/virtiofsd; do
		[ -x "$v" ] && { VIRTIOFSD=$v; break; }
	done
fi
BUSYBOX=${SBX_VM_BUSYBOX:-/bin/busybox}
KERNEL=${SBX_VM_KERNEL:-$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n1)}
KVER=${KERNEL##*/vmlinuz-}
MODDIR=/lib/modules/$KVER
[ -d "$MODDIR" ] || fail 125 "no modules for kernel $KVER in $MODDIR"

CACHE=${SBX_VM_CACHE:-${XDG_CACHE_HOME:-/var/tmp}/sbx-vm}
case "$CACHE" in *[[:space:]]*) fail 125 "cache dir path must not contain white space: $CACHE" ;; esac
mkdir -p "$CACHE" || fail 125 "cannot create cache dir $CACHE"

# --- initramfs (cached; rebuilt when the kernel, busybox or scripts change) --
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_console fuse virtiofs overlay"

find_module() {
	local f
	f=$(find "$MODDIR/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" -o -name "$1.ko.gz" 2>/dev/null | head -n1)
	[ -n "$f" ] && echo "$f"
}

build_initramfs() {
	local out=$1 stage m f
	stage=$(mktemp -d "$CACHE/initramfs.XXXXXX") || return 1
	mkdir -p "$stage/bin" "$stage/modules" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/newroot"
	cp "$BUSYBOX" "$stage/bin/busybox" &&
		cp "$HERE/init.sh" "$stage/init" && chmod 755 "$stage/init" &&
		cp "$HERE/stage2.sh" "$stage/stage2.sh" || { rm -rf "$stage"; return 1; }
	: >"$stage/modules/order"
	for m in $MODULES; do
		if grep -qE "^CONFIG_$(echo "$m" | tr a-z A-Z)=y" "/boot/config-$KVER" 2>/dev/null; then
			continue # built in (best effort guess; init.sh also skips loaded ones)
		fi
		f=$(find_module "$m") || { msg "module $m not found in $MODDIR"; rm -rf "$stage"; return 1; }
		case "$f" in
		*.ko.xz) xz -dc "$f" >"$stage/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$stage/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$stage/modules/$m.ko" ;;
		*) cp "$f" "$stage/modules/$m.ko" ;;
		esac || { msg "cannot decompress $f"; rm -rf "$stage"; return 1; }
		echo "$m" >>"$stage/modules/order"
	done
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --quiet) >"$out.tmp.$$" ||
		{ rm -rf "$stage" "$out.tmp.$$"; return 1; }
	mv -f "$out.tmp.$$" "$out"
	rm -rf "$stage"
}

key=$( {
	echo "v1 $KVER $MODULES"
	stat -L -c '%s %Y' "$KERNEL" "$BUSYBOX"
	cat "$HERE/init.sh" "$HERE/stage2.sh" "$HERE/run.sh"
} | sha256sum | cut -c1-16)
INITRD=$CACHE/initramfs-$KVER-$key.cpio
if [ ! -s "$INITRD" ]; then
	[ "$debug" = 1 ] && msg "building $INITRD"
	build_initramfs "$INITRD" || fail 125 "cannot build the initramfs"
	# drop stale ones
	find "$CACHE" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "${INITRD##*/}" -mmin +10 -delete 2>/dev/null
fi

# Run dirs left behind by a SIGKILLed run.sh (older than a day).
find "$CACHE" -maxdepth 1 -name 'run.*' -type d -mmin +1440 -exec rm -rf {} + 2>/dev/null

# One VM at a time on this machine: TCG takes every core it is given, and
# two guests at once make both miss their timeouts. Wait for any other
# run.sh here to finish (the lock goes with this process and its children).
exec 8>>"$CACHE/vm.lock" && flock 8 || fail 125 "cannot lock $CACHE/vm.lock"

# --- per-run state -----------------------------------------------------------
RUN=$(mktemp -d "$CACHE/run.XXXXXX") || fail 125 "cannot create a run dir in $CACHE"
SOCKDIR=$RUN
if [ ${#RUN} -gt 90 ]; then # sun_path is 108 bytes
	SOCKDIR=$(mktemp -d /tmp/sbx-vm.XXXXXX) || fail 125 "mktemp"
fi
SOCK=$SOCKDIR/virtiofs.sock

qemu_pid='' vfs_pid='' relay_pids=() watchdog_pid='' done_cleanup=''
cleanup() {
	[ -n "$done_cleanup" ] && return
	done_cleanup=1
	local p
	for p in $watchdog_pid $qemu_pid $vfs_pid; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $qemu_pid $vfs_pid; do
		# give them a moment, then force
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${relay_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$RUN"
	[ "$SOCKDIR" != "$RUN" ] && rm -rf "$SOCKDIR"
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT
trap 'msg "terminated"; exit 143' TERM
trap 'exit 129' HUP

# Command script for the guest.
q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
{
	echo "# generated by $PROG"
	echo "export PATH=$(q "$PATH")"
	echo "export HOME=/root"
	echo "export SBX_VM=1"
	for e in "${envs[@]}"; do
		n=${e%%=*}
		[[ "$n" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail 125 "bad --env $e"
		if [[ "$e" == *=* ]]; then
			echo "export $n=$(q "${e#*=}")"
		elif [ -n "${!n+x}" ]; then
			echo "export $n=$(q "${!n}")"
		fi
	done
	echo "cd $(q "$PWD") || { echo \"sbx-vm: cannot cd to \$PWD\" >&2; exit 125; }"
	if [ $# -eq 1 ]; then
		printf '%s\n' "$1"
	else
		sep=
		for a in "$@"; do
			printf '%s%s' "$sep" "$(q "$a")"
			sep=' '
		done
		echo
	fi
} >"$RUN/cmd.sh"
printf '%s' "$PWD" >"$RUN/cwd"

# Helpers die with this script even if it is killed with SIGKILL.
PDEATH=
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
	PDEATH="setpriv --pdeathsig TERM --"
fi

# --- virtiofsd ---------------------------------------------------------------
start_virtiofsd() {
	# $1: sandbox mode. sandbox=chroot by default: the default (namespace)
	# pivot_root()s into the shared directory, which fails with EBUSY for /
	# inside containers.
	rm -f "$SOCK"
	$PDEATH "$VIRTIOFSD" --socket-path="$SOCK" -o source=/ -o cache="${SBX_VM_FS_CACHE:-always}" \
		-o sandbox="$1" -o log_level=err </dev/null >>"$RUN/virtiofsd.log" 2>&1 &
	vfs_pid=$!
	local i
	for i in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$vfs_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$vfs_pid" 2>/dev/null
	wait "$vfs_pid" 2>/dev/null
	vfs_pid=
	return 1
}

# --- qemu --------------------------------------------------------------------
cmdline="console=ttyS0 quiet loglevel=3 panic=-1 oops=panic cgroup_no_v1=all"
cmdline+=" 8250.nr_uarts=1 i8042.noaux i8042.nokbd i8042.nopnp mitigations=off"
cmdline+=" tsc=reliable rdinit=/init sbxvm.run=$RUN"
[ "$debug" = 1 ] && cmdline=${cmdline/ quiet loglevel=3/} && cmdline+=" sbxvm.debug=1"
[ "$systemd" = 1 ] && cmdline+=" sbxvm.systemd=1"
[ -n "${SBX_VM_APPEND:-}" ] && cmdline+=" $SBX_VM_APPEND"

# CPU model: "max" is the configuration known to boot reliably under TCG
# (a plain qemu64 model was faster for exec-heavy work on a quiet host, but
# hung once early in boot). SBX_VM_CPU overrides.
CPU=${SBX_VM_CPU:-max,la57=off}
# A boot that has not reached the command after this long is considered
# hung (rare TCG early-boot stalls) and is retried.
BOOT_TIMEOUT=${SBX_VM_BOOT_TIMEOUT:-120}
ATTEMPTS=${SBX_VM_BOOT_ATTEMPTS:-2}

# boot_once N: one VM run; sets qemu_rc and outcome (done|timeout|boothang)
boot_once() {
	local a=$1 p t0 now
	A=$RUN/a$a
	: >"$A.stdout"; : >"$A.stderr"; : >"$A.status"; : >"$A.console"; : >"$A.qemu"
	if ! start_virtiofsd "${SBX_VM_VIRTIOFSD_SANDBOX:-chroot}"; then
		msg "virtiofsd log:"
		sed 's/^/  /' "$RUN/virtiofsd.log" >&2
		fail 126 "virtiofsd did not start"
	fi
	$PDEATH "$QEMU" \
		-nodefaults -no-user-config -no-reboot \
		-machine pc -accel tcg,thread=multi -cpu "$CPU" -smp "$cpus" \
		-m "${mem}M" \
		-object memory-backend-memfd,id=mem,size="${mem}M",share=on \
		-numa node,memdev=mem \
		-display none -monitor none \
		-serial "file:$A.console" \
		-chardev socket,id=char0,path="$SOCK" \
		-device vhost-user-fs-pci,chardev=char0,tag=hostroot \
		-device virtio-serial-pci,id=vser \
		-chardev file,id=out,path="$A.stdout" \
		-device virtserialport,bus=vser.0,chardev=out,name=sbx.stdout \
		-chardev file,id=err,path="$A.stderr" \
		-device virtserialport,bus=vser.0,chardev=err,name=sbx.stderr \
		-chardev file,id=status,path="$A.status" \
		-device virtserialport,bus=vser.0,chardev=status,name=sbx.status \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$cmdline" \
		</dev/null >"$A.qemu" 2>&1 &
	qemu_pid=$!

	# Stream the guest's stdout/stderr while it runs (tail ends after qemu).
	tail -q -c +1 -s 0.2 -F --pid="$qemu_pid" "$A.stdout" 2>/dev/null &
	relay_pids+=($!)
	tail -q -c +1 -s 0.2 -F --pid="$qemu_pid" "$A.stderr" >&2 2>/dev/null &
	relay_pids+=($!)
	if [ "$debug" = 1 ]; then
		tail -q -c +1 -s 0.2 -F --pid="$qemu_pid" "$A.console" 2>/dev/null |
			sed -u 's/^/[console] /' >&2 &
		relay_pids+=($!)
	fi

	# Watchdog: overall timeout and boot-hang detection. Also ends if this
	# script is killed with SIGKILL.
	(
		t0=$SECONDS
		booted=
		while :; do
			sleep 1
			kill -0 $$ 2>/dev/null || exit 0
			now=$((SECONDS - start_s))
			if [ "$now" -ge "$timeout" ]; then
				touch "$A.timeout"
				break
			fi
			if [ -z "$booted" ]; then
				if grep -q '^booted' "$A.status" 2>/dev/null; then
					booted=1
				elif [ $((SECONDS - t0)) -ge "$BOOT_TIMEOUT" ]; then
					touch "$A.boothang"
					break
				fi
			fi
		done
		kill -TERM "$qemu_pid" 2>/dev/null
		sleep 5
		kill -KILL "$qemu_pid" 2>/dev/null
	) &
	watchdog_pid=$!

	wait "$qemu_pid"
	qemu_rc=$?
	qemu_pid=
	kill "$watchdog_pid" 2>/dev/null
	wait "$watchdog_pid" 2>/dev/null
	watchdog_pid=
	for p in "${relay_pids[@]}"; do wait "$p" 2>/dev/null; done
	relay_pids=()
	# virtiofsd exits when qemu disconnects
	for _ in $(seq 20); do kill -0 "$vfs_pid" 2>/dev/null || break; sleep 0.1; done
	kill "$vfs_pid" 2>/dev/null
	wait "$vfs_pid" 2>/dev/null
	vfs_pid=
	if [ -e "$A.timeout" ]; then
		outcome=timeout
	elif [ -e "$A.boothang" ]; then
		outcome=boothang
	else
		outcome=done
	fi
}

show_console() {
	msg "last console lines:"
	tr -d '\r' <"$A.console" | grep -v '^[[:space:]]*$' | tail -n "${1:-40}" | sed 's/^/  | /' >&2
	if [ -s "$A.qemu" ]; then
		msg "qemu output:"
		sed 's/^/  | /' "$A.qemu" >&2
	fi
}

start_s=$SECONDS
start=$(date +%s.%N)
attempt=1
while :; do
	boot_once "$attempt"
	[ "$outcome" = boothang ] || break
	if [ "$attempt" -ge "$ATTEMPTS" ]; then
		show_console 20
		fail 126 "the VM did not finish booting within ${BOOT_TIMEOUT}s ($attempt attempts)"
	fi
	msg "warning: the VM did not finish booting within ${BOOT_TIMEOUT}s; retrying"
	[ "$debug" = 1 ] && show_console 10
	attempt=$((attempt + 1))
done
end=$(date +%s.%N)
[ "$debug" = 1 ] && msg "$(awk -v s="$start" -v e="$end" 'BEGIN{printf "VM ran for %.2f s", e-s}')"

if [ "$outcome" = timeout ]; then
	show_console 20
	fail 124 "timed out after ${timeout}s (the guest was killed)"
fi

status=$(tr -d '\r' <"$A.status" | grep -m1 -E '^(exit [0-9]+|boot-failed: )')
if [ -z "$status" ]; then
	status=$(tr -d '\r' <"$A.console" | sed -n 's/^SBXVM-STATUS: //p' | head -n1)
fi
case "$status" in
"exit "*)
	exit "${status#exit }"
	;;
"boot-failed: "*)
	show_console
	fail 126 "the VM failed to boot: ${status#boot-failed: }"
	;;
*)
	show_console
	fail 126 "the VM ended without reporting an exit status (qemu exit status $qemu_rc; boot failure or guest crash)"
	;;
esac
