# helpers.bash: a private container engine per bats file, driving sbx the
# way Docker 20.10 / containerd 1.6 do (docs/engines.md).
#
# docker.bats: setup_file starts its own dockerd (which starts its own
# containerd under the exec-root) with sbx as the default runtime; nothing
# of a system dockerd or containerd is used or touched:
#   $T/daemon.json   the config (default-runtime sbx, vfs, no bridge, no iptables)
#   $T/data          --data-root         $T/exec   --exec-root
#   $T/docker.sock   the API socket      (DOCKER_HOST is exported)
#   $STATE_ROOT      = $T/exec/runtime-runc/moby, the runtime's --root
#   $BUNDLES         = $T/exec/containerd/daemon/io.containerd.runtime.v2.task/moby
# containerd.bats: setup_file starts its own containerd (root, state and
# sockets under $T; CRI disabled) and uses ctr with --runc-binary "$SBX"
# and --runc-root $T/runc.
# podman.bats: no daemon; every podman call gets private storage, tmp,
# network-config and volume dirs under $T and a private containers.conf
# and storage.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF), see
# podman_setup_file.
#
# Environment:
#   SBX          runtime under test (default $top_builddir/sbx; made absolute)
#   DOCKERD DOCKER CONTAINERD CTR PODMAN   engine binaries (default:
#                Debian's docker.io / containerd / podman packages:
#                /usr/sbin/dockerd, /usr/bin/docker, /usr/bin/containerd,
#                /usr/bin/ctr, /usr/bin/podman)
#   SBX_ENGINES_KEEP=1   keep $T after the file (debugging)
#   DOCKERD_JQ   a jq filter applied to the private dockerd's daemon.json
#                (docker-bridge.bats: a bridge network)
#
# The whole file is skipped (with the reason) when not root or when the
# engine is not installed.

bats_require_minimum_version 1.5.0
# fail, retry
source "$(dirname "${BASH_SOURCE[0]}")/../helpers/common.bash"

ENGINES_DIR=$(cd "$BATS_TEST_DIRNAME" && pwd)
: "${top_srcdir:=$(cd "$ENGINES_DIR/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SBX=${SBX:-$top_builddir/sbx}
case $SBX in
/*) ;;
*/*) SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX") ;;
*) SBX=$(command -v "$SBX" || echo "$SBX") ;;
esac
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
# not /usr/local/bin/docker: a newer client may not talk to a 20.10 daemon
DOCKER=${DOCKER:-/usr/bin/docker}
CONTAINERD=${CONTAINERD:-/usr/bin/containerd}
CTR=${CTR:-/usr/bin/ctr}
PODMAN=${PODMAN:-/usr/bin/podman}
MKROOTFS=$top_srcdir/tests/helpers/mkrootfs.sh
IMAGE=sbx-busybox
# the namespace ctr uses (containerd.bats)
CTR_NS=sbx-test

cgroup2_only() {
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] ||
		skip "needs a pure cgroup v2 host (/sys/fs/cgroup is $(stat -fc %T /sys/fs/cgroup), not cgroup2fs)"
}

# ---------------------------------------------------------------- common

# engines_require BINARY...: succeed when root and BINARY... exist; else
# export ENGINES_SKIP=reason (bats before 1.9 cannot skip in setup_file:
# engines_setup skips each test instead).
engines_require() {
	local b
	export ENGINES_SKIP=
	if [ "$(id -u)" != 0 ]; then
		ENGINES_SKIP="needs root (starts a private container engine)"
		return 1
	fi
	for b; do
		if ! [ -x "$b" ] && ! command -v "$b" >/dev/null; then
			ENGINES_SKIP="$b is not installed (Debian packages docker.io, containerd, podman)"
			return 1
		fi
	done
}

# engines_setup: per test, skip when the engine could not be set up.
engines_setup() {
	[ -z "${ENGINES_SKIP:-}" ] || skip "$ENGINES_SKIP"
}

# engines_tmpdir: create and export $T. Short, under /tmp: unix socket paths
# below it must stay under 108 bytes.
# ENGINES_EXT4=1: where /tmp is tmpfs (the VM: Linux 6.1's tmpfs cannot be
# idmapped), $T is an ext4 loop image instead, so that a policy's
# harden.userns can idmap the engine's storage.
engines_tmpdir() {
	T=$(mktemp -d /tmp/sbx-eng.XXXXXX)
	export T
	if [ "${ENGINES_EXT4:-0}" = 1 ] && [ "$(stat -fc %T /tmp)" = tmpfs ]; then
		modprobe loop 2>/dev/null || true
		truncate -s 4G "$T.img" && mkfs.ext4 -q -E root_owner=0:0 "$T.img" && mount -o loop "$T.img" "$T" ||
			{ echo "ext4 image for $T failed" >&2; return 1; }
	fi
	chmod 0711 "$T"
	: >"$T/ids"
	local d
	for d in /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/"$CG_PARENT"; do
		[ ! -d "$d" ] || echo "$d"
	done >"$T/cgroups.pre"
}

# mounts_under DIR: mount points at or below DIR (host mount namespace).
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# pids_matching STRING: pids of processes whose command line contains STRING.
pids_matching() {
	local p a
	for p in /proc/[0-9]*; do
		mapfile -d '' -t a <"$p/cmdline" 2>/dev/null || continue
		[[ "${a[*]}" == *"$1"* ]] && echo "${p#/proc/}"
	done
	return 0
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
	local p=$1 i
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# pid $p ignored SIGTERM for $2 s: SIGKILL" >&3
	kill -KILL "$p" 2>/dev/null
	sleep 0.2
}

# engines_cleanup: kill what is left of ours (processes whose command line
# names $T: shims, a leftover containerd), remove the cgroups of the
# recorded container ids and the parent cgroup if this file created it,
# unmount everything below $T, remove $T.
engines_cleanup() {
	local p id d
	for p in $(pids_matching "$T/"); do
		echo "# killing leftover pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&3
		kill -KILL "$p" 2>/dev/null
	done
	sleep 0.2
	for id in $(sort -u "$T/ids" 2>/dev/null); do
		for d in /sys/fs/cgroup/*/"$CG_PARENT/${CG_PREFIX:-}$id" /sys/fs/cgroup/"$CG_PARENT/${CG_PREFIX:-}$id"; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
	done
	# the parent cgroups (docker, sbx-test) that were not there before
	for d in /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/"$CG_PARENT"; do
		[ -d "$d" ] && ! grep -qxF "$d" "$T/cgroups.pre" 2>/dev/null || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	# deepest first
	mounts_under "$T" | sort -r | while read -r d; do
		umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null
	done
	if [ "${SBX_ENGINES_KEEP:-0}" = 1 ]; then
		echo "# kept $T" >&3
	else
		rm -rf "$T"
		rm -f "$T.img"
	fi
}

# leaks ID [PID...]: print what the container ID left behind: a runtime
# state dir, a cgroup, a mount, a process naming it (the shim), a live PID.
# $STATE_ROOT and $CG_PARENT say where to look; the cgroup is named
# $CG_PREFIX$ID (podman: libpod-ID).
leaks() {
	local id=$1 d p
	shift
	[ -n "$id" ] || {
		echo "no container id"
		return
	}
	[ -e "$STATE_ROOT/$id" ] && echo "runtime state dir $STATE_ROOT/$id"
	for d in /sys/fs/cgroup/*/"$CG_PARENT/${CG_PREFIX:-}$id" /sys/fs/cgroup/"$CG_PARENT/${CG_PREFIX:-}$id"; do
		[ -d "$d" ] && echo "cgroup $d"
	done
	awk -v id="$id" '{ for (i = 4; i <= 5; i++)
		if (index($i "/", "/" id "/")) { print "mount: " $0; next } }' /proc/self/mountinfo
	for p in $(pids_matching "$id"); do
		echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	for p; do
		[ -n "$p" ] && [ -e "/proc/$p" ] &&
			echo "process $p (was in the container): $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	return 0
}

_no_leaks() { [ -z "$(leaks "$@")" ]; }

# assert_clean ID [PID...]: within 10 s nothing of container ID is left
# (see leaks; PIDs are its former processes).
assert_clean() {
	retry 100 0.1 _no_leaks "$@" 2>/dev/null && return 0
	echo "container $1 left behind:" >&2
	leaks "$@" >&2
	return 1
}

# assert_mounts_baseline: the mounts below $T are those of the idle engine
# (plus dockerd's bind of the host netns, made by the first --network host
# container and kept).
assert_mounts_baseline() {
	local now
	now=$(mounts_under "$T" | grep -vxF "$T/exec/netns/default" | sort)
	[ "$now" = "$(cat "$T/mounts.base")" ] && return 0
	echo "mounts below $T differ from the idle engine's:" >&2
	diff <(cat "$T/mounts.base") <(echo "$now") >&2
	return 1
}

# ---------------------------------------------------------------- docker

# dk ARGS...: the docker client on the private dockerd (never a system one).
dk() {
	"$DOCKER" -H "unix://${T:?}/docker.sock" "$@"
}

# wait_daemon NAME PIDFILE LOG CMD...: wait up to 30 s until CMD succeeds;
# fail early (with the log's tail) when the daemon in PIDFILE died.
wait_daemon() {
	local name=$1 pidfile=$2 log=$3 i
	shift 3
	for ((i = 0; i < 300; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$pidfile")" 2>/dev/null || break
		sleep 0.1
	done
	echo "$name did not come up within 30 s; its log:" >&2
	tail -30 "$log" >&2
	return 1
}

docker_setup_file() {
	engines_require "$DOCKERD" "$DOCKER" containerd containerd-shim-runc-v2 || return 0
	[ -x "$SBX" ] || fail "runtime \$SBX=$SBX not found (build it, or set SBX)" || return 1
	export CG_PARENT=docker
	engines_tmpdir || return 1
	export DOCKER_HOST=unix://$T/docker.sock
	export STATE_ROOT=$T/exec/runtime-runc/moby
	export BUNDLES=$T/exec/containerd/daemon/io.containerd.runtime.v2.task/moby
	mkdir -p "$T/data" "$T/exec"
	jq -n --arg sbx "$SBX" '{
		"default-runtime": "sbx",
		"runtimes": {"sbx": {"path": $sbx}},
		"storage-driver": "vfs",
		"bridge": "none",
		"iptables": false,
		"ip-forward": false,
		"ip-masq": false,
		"userland-proxy": false
	} | '"${DOCKERD_JQ:-.}" >"$T/daemon.json"
	"$DOCKERD" --data-root "$T/data" --exec-root "$T/exec" --pidfile "$T/docker.pid" \
		-H "unix://$T/docker.sock" --config-file "$T/daemon.json" \
		</dev/null >"$T/dockerd.log" 2>&1 3>&- &
	echo $! >"$T/dockerd.bgpid"
	wait_daemon dockerd "$T/dockerd.bgpid" "$T/dockerd.log" dk version || return 1
	PROBE=/nonexistent "$MKROOTFS" "$T/rootfs" >&2 || return 1
	tar -C "$T/rootfs" -c . | dk import - "$IMAGE" >/dev/null || return 1
	mounts_under "$T" | sort >"$T/mounts.base"
}

docker_teardown_file() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	local ids=
	[ ! -S "$T/docker.sock" ] || ids=$(timeout 30 "$DOCKER" -H "unix://$T/docker.sock" ps -aq --no-trunc 2>/dev/null)
	if [ -n "$ids" ]; then
		echo "$ids" >>"$T/ids"
		timeout 60 "$DOCKER" -H "unix://$T/docker.sock" rm -f $ids >/dev/null 2>&1
	fi
	stop_pid "$(cat "$T/dockerd.bgpid" 2>/dev/null)" 20
	# dockerd stops its containerd; make sure
	stop_pid "$(cat "$T/exec/containerd/containerd.pid" 2>/dev/null)" 5
	engines_cleanup
}

# docker_teardown: remove this test's containers (and remember their ids
# for teardown_file's cgroup clean-up).
docker_teardown() {
	local ids
	[ -n "${T:-}" ] && [ -S "$T/docker.sock" ] || return 0
	ids=$(timeout 30 "$DOCKER" -H "unix://$T/docker.sock" ps -aq --no-trunc 2>/dev/null)
	if [ -n "$ids" ]; then
		echo "$ids" >>"$T/ids"
		timeout 60 "$DOCKER" -H "unix://$T/docker.sock" rm -f $ids >/dev/null 2>&1
	fi
	return 0
}

# The warning dockerd returns for every bridge-mode container when the
# host's net.ipv4.ip_forward is 0 (the Debian default; the private dockerd
# runs with ip-forward false so that it never changes it). The docker
# client prints it on stderr; it says nothing about the runtime.
IPFWD_WARNING='WARNING: IPv4 forwarding is disabled. Networking will not work.'

# drop_ipfwd_warning: remove $IPFWD_WARNING from $output and $lines (after
# bats' run of a docker run).
drop_ipfwd_warning() {
	[[ "$output" == *"$IPFWD_WARNING"* ]] || return 0
	output=$(printf '%s\n' "$output" | grep -vxF "$IPFWD_WARNING" || true)
	# as bats' run splits $output
	IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
}

# drun [-N] ARGS...: run docker run ARGS (bats run [-N]: $status, $output
# with stdout+stderr, less $IPFWD_WARNING); $CID is the container's full id
# (from --cidfile).
drun() {
	local f want=()
	[[ "${1:-}" != -[0-9]* ]] || {
		want=("$1")
		shift
	}
	f=$(mktemp -u "$BATS_TEST_TMPDIR/cid.XXXXXX")
	run "${want[@]}" dk run --cidfile "$f" "$@"
	drop_ipfwd_warning
	CID=$(cat "$f" 2>/dev/null || true)
	[ -z "$CID" ] || echo "$CID" >>"$T/ids"
	echo "docker run $* -> status $status, id ${CID:-none}: $output" >&2
}

# in_pty CMD: run the shell command line CMD with a pty as its terminal
# (script(1)); sets $status and $output (carriage returns removed).
in_pty() {
	run script -qec "$1" /dev/null </dev/null
	output=${output//$'\r'/}
	echo "in a pty: $1 -> status $status: $output" >&2
}

inspect() { # FORMAT NAME
	dk inspect -f "$1" "$2"
}

_logs_have() { dk logs "$1" 2>&1 | grep -q -- "$2"; }
# wait_logs NAME REGEX: wait (10 s) until docker logs NAME matches REGEX.
wait_logs() {
	retry 100 0.1 _logs_have "$1" "$2" 2>/dev/null || {
		echo "logs of $1 (no '$2'): $(dk logs "$1" 2>&1)" >&2
		return 1
	}
}

_status_is() { [ "$(inspect '{{.State.Status}}' "$1")" = "$2" ]; }
# wait_status NAME STATUS: wait (10 s) for docker's State.Status.
wait_status() {
	retry 100 0.1 _status_is "$1" "$2" 2>/dev/null || {
		echo "status of $1: $(inspect '{{.State.Status}}' "$1"), expected $2" >&2
		return 1
	}
}

# rm_and_assert_clean NAME: docker rm -f NAME; nothing of it is left behind,
# and the mounts below $T are back to the idle engine's.
rm_and_assert_clean() {
	local id pid
	id=$(inspect '{{.Id}}' "$1") || return 1
	pid=$(inspect '{{.State.Pid}}' "$1")
	[ "$pid" != 0 ] || pid=
	run dk rm -f "$1"
	[ "$status" -eq 0 ] || fail "docker rm -f $1: $output" || return 1
	assert_clean "$id" $pid || return 1
	[ -n "$(dk ps -aq)" ] || assert_mounts_baseline
}

# ---------------------------------------------------------------- containerd

# c ARGS...: ctr on the private containerd, in namespace $CTR_NS.
c() {
	"$CTR" -a "${T:?}/containerd.sock" -n "$CTR_NS" "$@"
}

# ctr_run_flags: the flags every ctr run here gets: the runtime under test,
# a private runtime root, and --cpu-shares 0 where the cgroup v2 hierarchy
# has no cpu controller (a hybrid host): ctr's default spec asks for
# cpu.shares 1024, which sbx refuses when it cannot enforce it.
ctr_run_flags() {
	local ctl=/sys/fs/cgroup/cgroup.controllers
	[ -e "$ctl" ] || ctl=/sys/fs/cgroup/unified/cgroup.controllers
	echo "--runc-binary $SBX --runc-root $T/runc"
	grep -qw cpu "$ctl" 2>/dev/null || echo "--cpu-shares 0"
}

# ctr_run ARGS...: ctr run with ctr_run_flags (bats run: $status, $output).
ctr_run() {
	run "$CTR" -a "$T/containerd.sock" -n "$CTR_NS" run $(ctr_run_flags) "$@"
	echo "ctr run $(ctr_run_flags | tr '\n' ' ')$* -> status $status: $output" >&2
}

# containerd_config SNIPPET: a private containerd config (every path under
# $T) followed by SNIPPET without its "version = 2" line, as
# docs/engines.md says to install contrib/containerd/config.toml. The CRI
# plugin stays enabled, so it validates the snippet's runtimes when it
# loads; its CNI dirs, stream server and opt dir are kept private.
containerd_config() {
	cat <<EOF
version = 2
root = "$T/root"
state = "$T/state"

[grpc]
  address = "$T/containerd.sock"

[ttrpc]
  address = "$T/containerd.sock.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$T/cni/bin"
      conf_dir = "$T/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "$T/opt"

EOF
	sed '/^version = 2$/d' "$1"
}

# mkimage ROOTFS OUT NAME [CMD]: a one-layer OCI image archive of ROOTFS for
# ctr images import (uncompressed layer, so digest = diff id); CMD is the
# image's Cmd as a JSON array (default ["/bin/sh"]).
mkimage() {
	local rootfs=$1 out=$2 name=$3 cmd=${4:-'["/bin/sh"]'} d arch layer cfg man size
	d=$(mktemp -d "$T/oci.XXXXXX")
	mkdir -p "$d/blobs/sha256"
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) arch=$(uname -m) ;;
	esac
	tar -C "$rootfs" --numeric-owner -cf "$d/layer.tar" . || return 1
	layer=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
	size=$(stat -c %s "$d/layer.tar")
	mv "$d/layer.tar" "$d/blobs/sha256/$layer"
	jq -nc --arg arch "$arch" --arg l "sha256:$layer" --argjson cmd "$cmd" '{
		architecture: $arch, os: "linux",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
			Cmd: $cmd},
		rootfs: {type: "layers", diff_ids: [$l]}
	}' >"$d/cfg"
	cfg=$(sha256sum "$d/cfg" | cut -d' ' -f1)
	jq -nc --arg c "sha256:$cfg" --argjson cs "$(stat -c %s "$d/cfg")" \
		--arg l "sha256:$layer" --argjson ls "$size" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]
	}' >"$d/man"
	mv "$d/cfg" "$d/blobs/sha256/$cfg"
	man=$(sha256sum "$d/man" | cut -d' ' -f1)
	jq -nc --arg m "sha256:$man" --argjson ms "$(stat -c %s "$d/man")" \
		--arg name "$name" --arg arch "$arch" '{
		schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
			digest: $m, size: $ms,
			platform: {architecture: $arch, os: "linux"},
			annotations: {"io.containerd.image.name": $name,
				"org.opencontainers.image.ref.name": "latest"}}]
	}' >"$d/index.json"
	mv "$d/man" "$d/blobs/sha256/$man"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$out" oci-layout index.json blobs && rm -rf "$d"
}

containerd_setup_file() {
	engines_require "$CONTAINERD" "$CTR" containerd-shim-runc-v2 || return 0
	[ -x "$SBX" ] || fail "runtime \$SBX=$SBX not found (build it, or set SBX)" || return 1
	export CG_PARENT=$CTR_NS
	engines_tmpdir || return 1
	export STATE_ROOT=$T/runc/$CTR_NS
	export CTR_IMAGE=docker.io/library/$IMAGE:latest
	sed "s|^\( *BinaryName *= *\).*|\1\"$SBX\"|" \
		"$top_srcdir/contrib/containerd/config.toml" >"$T/sbx.toml"
	containerd_config "$T/sbx.toml" >"$T/config.toml"
	"$CONTAINERD" --config "$T/config.toml" </dev/null >"$T/containerd.log" 2>&1 3>&- &
	echo $! >"$T/containerd.bgpid"
	wait_daemon containerd "$T/containerd.bgpid" "$T/containerd.log" "$CTR" -a "$T/containerd.sock" version || return 1
	PROBE=/nonexistent "$MKROOTFS" "$T/rootfs" >&2 || return 1
	mkimage "$T/rootfs" "$T/image.tar" "$CTR_IMAGE" || return 1
	c images import "$T/image.tar" >&2 || return 1
	mounts_under "$T" | sort >"$T/mounts.base"
}

containerd_teardown_file() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	local id
	# ctr would wait 10 s for a socket that is not there
	[ -S "$T/containerd.sock" ] || {
		engines_cleanup
		return 0
	}
	for id in $(c tasks ls -q 2>/dev/null); do
		echo "$id" >>"$T/ids"
		c tasks kill -a -s 9 "$id" >/dev/null 2>&1
		sleep 0.2
		c tasks delete -f "$id" >/dev/null 2>&1
	done
	for id in $(c containers ls -q 2>/dev/null); do
		echo "$id" >>"$T/ids"
		c containers delete "$id" >/dev/null 2>&1
	done
	stop_pid "$(cat "$T/containerd.bgpid" 2>/dev/null)" 10
	engines_cleanup
}

# containerd_teardown: remove this test's tasks and containers.
containerd_teardown() {
	local id
	[ -n "${T:-}" ] && [ -S "$T/containerd.sock" ] || return 0
	for id in $(c tasks ls -q 2>/dev/null); do
		c tasks kill -a -s 9 "$id" >/dev/null 2>&1
		retry 50 0.1 _task_stopped "$id" 2>/dev/null
		c tasks delete -f "$id" >/dev/null 2>&1
	done
	for id in $(c containers ls -q 2>/dev/null); do
		echo "$id" >>"$T/ids"
		c containers delete "$id" >/dev/null 2>&1
	done
	return 0
}

# task_status ID: the task's STATUS column in ctr task ls.
task_status() {
	c tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}
_task_stopped() { [ "$(task_status "$1")" = STOPPED ]; }

# ---------------------------------------------------------------- podman

# pm ARGS...: podman with everything of its own under $T ($T/pm, written
# by podman_setup_file, so that a pty test can run it too). Podman has no
# daemon: these global flags go on every call, and podman hands them on to
# the `podman container cleanup` that conmon runs when the container exits.
# No --runtime-flag: podman does not pass those to that cleanup, whose
# `delete --force` would then miss the state; so sbx keeps its state in its
# default root ($STATE_ROOT = /run/sbx), as with any podman.
pm() {
	"${T:?}/pm" "$@"
}

# prun [-N] ARGS...: podman run ARGS in a private cgroup parent and without
# a network (bats run [-N]: $status, $output with stdout+stderr); $CID is
# the container's full id (from --cidfile). The cgroup parent also holds
# the conmon cgroup podman makes; --network none keeps podman from setting
# up a CNI bridge and firewall rules on the host.
prun() {
	local f want=()
	[[ "${1:-}" != -[0-9]* ]] || {
		want=("$1")
		shift
	}
	f=$(mktemp -u "$BATS_TEST_TMPDIR/cid.XXXXXX")
	run "${want[@]}" pm run --cidfile "$f" --cgroup-parent "/$CG_PARENT" --network none "$@"
	CID=$(cat "$f" 2>/dev/null || true)
	[ -z "$CID" ] || echo "$CID" >>"$T/ids"
	echo "podman run $* -> status $status, id ${CID:-none}: $output" >&2
}

# v2_has CONTROLLER: the cgroup v2 hierarchy (where sbx puts containers,
# /sys/fs/cgroup/unified on a hybrid host) offers CONTROLLER.
v2_root() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
	else
		echo /sys/fs/cgroup/unified
	fi
}
v2_has() {
	grep -qw "$1" "$(v2_root)/cgroup.controllers" 2>/dev/null
}

# podman_setup_file: the private podman configuration and the image.
#   containers.conf: file locks under $T (not /dev/shm/libpod_lock), the
#     events log and tmp dir under $T; no default pids limit and rlimits
#     within what root may set without CAP_SYS_RESOURCE (podman asks for
#     nofile and nproc 1048576, which fails, with runc too, where the
#     hard limits are lower and the bounding set lacks CAP_SYS_RESOURCE;
#     its default pids limit 2048 needs a pids controller in the v2
#     hierarchy, which a hybrid host does not have). Those are tested on
#     their own below, with explicit flags.
#   storage.conf: vfs under $T, so no system storage.conf applies.
# Outside $T, podman import creates /var/lib/containers/cache (its blob
# info cache; there is no flag for it) and sbx /run/sbx: both are removed
# at the end when this file created them.
podman_setup_file() {
	engines_require "$PODMAN" || return 0
	[ -x "$SBX" ] || fail "runtime \$SBX=$SBX not found (build it, or set SBX)" || return 1
	export CG_PARENT=sbx-podman-test CG_PREFIX=libpod-
	engines_tmpdir || return 1
	export STATE_ROOT=/run/sbx
	local d
	for d in /run/sbx /var/lib/containers /var/lib/containers/cache; do
		[ ! -e "$d" ] || echo "$d"
	done >"$T/global.pre"
	cat >"$T/containers.conf" <<-EOF
		[containers]
		pids_limit = 0
		default_ulimits = ["nofile=1024:1024", "nproc=16384:16384"]

		[engine]
		lock_type = "file"
		tmp_dir = "$T/tmp"
		events_logfile_path = "$T/events.log"
		volume_path = "$T/volumes"

		[network]
		network_config_dir = "$T/cni"
	EOF
	cat >"$T/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$T/root"
		runroot = "$T/runroot"
	EOF
	export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf
	cat >"$T/pm" <<-EOF
		#!/bin/sh
		exec "$PODMAN" --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" \\
		    --network-config-dir "$T/cni" --volumepath "$T/volumes" \\
		    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \\
		    --runtime "$SBX" "\$@"
	EOF
	chmod +x "$T/pm"
	PROBE=/nonexistent "$MKROOTFS" "$T/rootfs" >&2 || return 1
	tar -C "$T/rootfs" -c . | pm import - "$IMAGE" >/dev/null || return 1
	mounts_under "$T" | sort >"$T/mounts.base"
}

podman_teardown_file() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	local ids= d pre id
	[ ! -x "$T/pm" ] || ids=$(timeout 30 "$T/pm" ps -aq --no-trunc 2>/dev/null)
	if [ -n "$ids" ]; then
		echo "$ids" >>"$T/ids"
		timeout 60 "$T/pm" rm -f $ids >/dev/null 2>&1
	fi
	# a container whose conmon is gone (podman failed to remove it): ask
	# the runtime, as podman's cleanup would
	for id in $(sort -u "$T/ids"); do
		[ ! -d "$STATE_ROOT/$id" ] || "$SBX" delete --force "$id" >&2
	done
	pre=$(cat "$T/global.pre" 2>/dev/null)
	engines_cleanup
	for d in /var/lib/containers/cache /var/lib/containers /run/sbx; do
		[ -d "$d" ] && ! grep -qxF "$d" <<<"$pre" || continue
		if [ "$d" = /var/lib/containers/cache ]; then
			rm -rf "$d"
		else
			rmdir "$d" 2>/dev/null
		fi
	done
	return 0
}

# podman_teardown: remove this test's containers.
podman_teardown() {
	local ids
	[ -n "${T:-}" ] && [ -x "$T/pm" ] || return 0
	ids=$(timeout 30 "$T/pm" ps -aq --no-trunc 2>/dev/null)
	if [ -n "$ids" ]; then
		echo "$ids" >>"$T/ids"
		timeout 60 "$T/pm" rm -f $ids >/dev/null 2>&1
	fi
	return 0
}

# requires_criu: skip (saying why) where CRIU cannot work: no criu, or a
# kernel `criu check` refuses (the checkpoint tests run in the VM).
requires_criu() {
	command -v criu >/dev/null || skip "criu is not installed (Debian package criu)"
	local why
	why=$(criu check 2>&1) || skip "criu check fails on this kernel ($(uname -r)): $(echo "$why" | head -3 | tr '\n' ' ')"
}
