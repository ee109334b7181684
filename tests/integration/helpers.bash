# helpers.bash: common setup for the sbx integration tests (bats).
#
# Environment:
#   SBX            runtime binary (default $top_builddir/sbx). Any runc/crun
#                  compatible binary works: SBX=/usr/sbin/runc bats tests/integration
#   top_srcdir, top_builddir   default: derived from this file's location
#   PROBE, RECVTTY helper binaries (default: tests/helpers/{probe,recvtty}
#                  in the build dir, else in the source dir)
#   SBX_TEST_JQ    extra jq filter applied to every base config.json (for
#                  running the suite against another runtime on a restricted
#                  host, e.g. 'del(.linux.resources)'); default '.'
#   SBX_TEST_ROOTLESS_UID   host uid for rootless tests (default 1000)
#
# Per test: $ROOT is a fresh state root ("sbx" adds --root "$ROOT"), $BUNDLE
# a bundle with a copy of the busybox template rootfs ($ROOTFS) and a
# config.json from "$SBX spec" with terminal=false, readonly=false and
# args ["/bin/true"]. Edit it with update_config JQ_FILTER [JQ_ARGS...].
# teardown force-deletes every container in $ROOT, kills host processes
# recorded with track_pid and removes paths recorded with track_path.

bats_require_minimum_version 1.5.0
# fail, retry
source "$(dirname "${BASH_SOURCE[0]}")/../helpers/common.bash"

TESTS_DIR=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${top_srcdir:=$(cd "$TESTS_DIR/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SBX=${SBX:-$top_builddir/sbx}

_helper_bin() {
	if [ -x "$top_builddir/tests/helpers/$1" ]; then
		echo "$top_builddir/tests/helpers/$1"
	else
		echo "$top_srcdir/tests/helpers/$1"
	fi
}
PROBE=${PROBE:-$(_helper_bin probe)}
RECVTTY=${RECVTTY:-$(_helper_bin recvtty)}
MKROOTFS=$top_srcdir/tests/helpers/mkrootfs.sh
SBX_TEST_JQ=${SBX_TEST_JQ:-.}
ROOTLESS_UID=${SBX_TEST_ROOTLESS_UID:-1000}

# ---------------------------------------------------------------- setup

# Build the template rootfs and the base config once per bats run.
_build_template() {
	local t=$BATS_RUN_TMPDIR/template
	(
		flock 9
		if [ ! -e "$t.done" ]; then
			rm -rf "$t" "$t.cfg"
			PROBE=$PROBE "$MKROOTFS" "$t/rootfs" >&2 || exit 1
			mkdir -p "$t.cfg"
			(cd "$t.cfg" && "$SBX" spec) >&2 || exit 1
			jq '.process.terminal = false | .root.readonly = false
			    | .root.path = "rootfs" | .process.args = ["/bin/true"]' \
				"$t.cfg/config.json" | jq "$SBX_TEST_JQ" >"$t.cfg/base.json" || exit 1
			touch "$t.done"
		fi
	) 9>"$BATS_RUN_TMPDIR/template.lock"
}

sbx_setup() {
	ROOT=$BATS_TEST_TMPDIR/state
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOTFS=$BUNDLE/rootfs
	HOST_PIDS=()
	CLEANUP_PATHS=()
	ROOTLESS_ROOT=
	command -v "$SBX" >/dev/null || fail "runtime \$SBX=$SBX not found (build it, or set SBX)"
	_build_template || fail "cannot build the template rootfs/config (mkrootfs.sh or '$SBX spec' failed)"
	mkdir -p "$BUNDLE"
	cp -a --reflink=auto "$BATS_RUN_TMPDIR/template/rootfs" "$ROOTFS"
	cp "$BATS_RUN_TMPDIR/template.cfg/base.json" "$BUNDLE/config.json"
}

setup() {
	sbx_setup
}

# ---------------------------------------------------------------- teardown

track_pid() { HOST_PIDS+=("$@"); }
track_path() { CLEANUP_PATHS+=("$@"); }

_delete_all() { # RUNAS... -- ROOTDIR
	local r=${*: -1} id ids
	local -a runas=("${@:1:$#-2}")
	[ -d "$r" ] || return 0
	ids=$( { "${runas[@]}" "$SBX" --root "$r" list -q 2>/dev/null; ls "$r" 2>/dev/null; } | sort -u)
	for id in $ids; do
		"${runas[@]}" "$SBX" --root "$r" delete --force "$id" </dev/null >/dev/null 2>&1 3>&-
	done
}

sbx_teardown() {
	local p
	_delete_all -- "$ROOT"
	if [ -n "$ROOTLESS_ROOT" ]; then
		_delete_all as_user -- "$ROOTLESS_ROOT"
	fi
	for p in "${HOST_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${CLEANUP_PATHS[@]}"; do
		umount -l "$p" 2>/dev/null
		rm -rf "$p"
	done
	return 0
}

teardown() {
	sbx_teardown
}

# ---------------------------------------------------------------- helpers

# sbx ARGS...: the runtime with this test's state root.
sbx() {
	"$SBX" --root "$ROOT" "$@"
}

# update_config JQ_FILTER [JQ_ARGS...]: edit $BUNDLE/config.json in place.
update_config() {
	local f=$BUNDLE/config.json
	jq "${@:2}" "$1" <"$f" >"$f.new" && mv "$f.new" "$f"
}

# set_args ARG...: process.args = the arguments.
set_args() {
	update_config '.process.args = $a' --argjson a "$(json_array "$@")"
}

# json_array ARG...: the arguments as a JSON array of strings.
json_array() {
	local -a a=()
	local i=0 v
	for v; do
		a+=(--arg "$i" "$v")
		i=$((i + 1))
	done
	jq -nc "${a[@]}" '$ARGS.named | to_entries | sort_by(.key | tonumber) | map(.value)'
}

# run_bg BASE CMD...: run CMD (which leaves a container behind holding its
# stdio) with stdin /dev/null, stdout appended to BASE.out and stderr to a
# fresh BASE.err, bats's fd 3 closed (else bats waits for the container).
# Sets $status and $output (= what CMD wrote to stderr) like bats' run.
run_bg() {
	local base=$1
	shift
	: >"$base.err"
	status=0
	"$@" </dev/null >>"$base.out" 2>>"$base.err" 3>&- || status=$?
	output=$(cat "$base.err")
	echo "$* -> status $status: $output" >&2
}

# create_ctr ID [CREATE_FLAGS...]: sbx create --bundle $BUNDLE; the
# container's stdout goes to $BATS_TEST_TMPDIR/ID.out.
create_ctr() {
	local id=$1
	shift
	run_bg "$BATS_TEST_TMPDIR/$id" sbx create --bundle "$BUNDLE" "$@" "$id"
}

# run_d ID [FLAGS...]: sbx run -d, output to $BATS_TEST_TMPDIR/ID.out.
run_d() {
	local id=$1
	shift
	run_bg "$BATS_TEST_TMPDIR/$id" sbx run -d --bundle "$BUNDLE" "$@" "$id"
}

ctr_out() { cat "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null; }

_out_has() { grep -q -- "$2" "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null; }
# wait_output ID REGEX: wait (5 s) until the container's output matches.
wait_output() {
	retry 100 0.05 _out_has "$1" "$2" || {
		echo "output of $1: $(ctr_out "$1")" >&2
		return 1
	}
}

ctr_state() { sbx state "$1" 2>/dev/null; }
ctr_status() { sbx state "$1" 2>/dev/null | jq -r .status; }
ctr_pid() { sbx state "$1" | jq -r .pid; }
_status_is() { [ "$(ctr_status "$1")" = "$2" ]; }
_status_not() { [ "$(ctr_status "$1")" != "$2" ]; }
# wait_status ID STATUS: wait (5 s) for the container to reach STATUS.
wait_status() {
	retry 100 0.05 _status_is "$1" "$2" || {
		echo "state of $1: $(ctr_state "$1")" >&2
		return 1
	}
}

_pid_gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# wait_pid_gone PID: wait (5 s) until PID is dead (or a zombie).
wait_pid_gone() { retry 100 0.05 _pid_gone "$1"; }

# start_ctr ID PROGRAM...: create+start a container running PROGRAM and
# wait until it left "created"; sets CTR_PID.
start_ctr() {
	local id=$1
	shift
	[ $# -eq 0 ] || set_args "$@"
	create_ctr "$id"
	[ "$status" -eq 0 ] || fail "create $id failed: $output"
	run sbx start "$id"
	[ "$status" -eq 0 ] || fail "start $id failed: $output"
	retry 100 0.05 _status_not "$id" created
	CTR_PID=$(ctr_pid "$id")
}

# cg_root: where the cgroup v2 hierarchy is (sbx's containers live there):
# /sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid one.
cg_root() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
	else
		echo /sys/fs/cgroup/unified
	fi
}

# host_ns PID NS: the namespace link of a host process.
host_ns() { readlink "/proc/$1/ns/$2"; }

# make_traversable: let other uids (user namespaces, rootless) reach $BUNDLE
# (bats' temp dirs are 0700).
make_traversable() {
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
}

# rootless_bundle ARGS_JSON: $rl, a bundle owned by $ROOTLESS_UID (from
# `sbx spec --rootless`) running ARGS_JSON, and $ROOTLESS_ROOT, its state dir.
rootless_bundle() {
	make_traversable
	rl=$BATS_TEST_TMPDIR/rl
	mkdir "$rl"
	cp -a "$ROOTFS" "$rl/rootfs"
	chown -R "$ROOTLESS_UID:$ROOTLESS_UID" "$rl"
	ROOTLESS_ROOT=$BATS_TEST_TMPDIR/rl-state
	mkdir -m 0700 "$ROOTLESS_ROOT"
	chown "$ROOTLESS_UID:$ROOTLESS_UID" "$ROOTLESS_ROOT"
	(cd "$rl" && as_user "$SBX" spec --rootless)
	jq --argjson a "$1" '.process.terminal = false | .root.readonly = false | .process.args = $a' \
		"$rl/config.json" | jq "$SBX_TEST_JQ" >"$rl/c" && mv "$rl/c" "$rl/config.json"
	chown "$ROOTLESS_UID" "$rl/config.json"
}

# as_user CMD...: run CMD as the rootless test user.
as_user() {
	setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_UID" --clear-groups \
		env -u XDG_RUNTIME_DIR HOME=/ "$@"
}

# requires FEATURE...: skip unless this host can test FEATURE.
requires() {
	local r
	for r; do
		case $r in
		root)
			[ "$(id -u)" = 0 ] || skip "needs root" ;;
		rootless)
			[ "$(id -u)" = 0 ] || skip "needs root (to switch to uid $ROOTLESS_UID)"
			command -v setpriv >/dev/null || skip "needs setpriv"
			as_user unshare -U true 2>/dev/null ||
				skip "the kernel forbids unprivileged user namespaces for uid $ROOTLESS_UID" ;;
		userns)
			unshare -U true 2>/dev/null || skip "user namespaces unavailable" ;;
		cgroup2)
			[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] ||
				skip "needs a pure cgroup v2 host (/sys/fs/cgroup is not cgroup2fs)" ;;
		timens)
			[ -e /proc/self/ns/time ] || skip "kernel without time namespaces" ;;
		tty)
			[ -c /dev/ptmx ] || skip "no /dev/ptmx"
			[ -x "$RECVTTY" ] || skip "recvtty not built ($RECVTTY)" ;;
		probe)
			[ -x "$ROOTFS/bin/probe" ] || skip "probe not built ($PROBE)" ;;
		rdma)
			grep -qw rdma "$(cg_root)/cgroup.controllers" 2>/dev/null && [ -e /dev/infiniband/uverbs0 ] &&
				command -v ibv_devinfo >/dev/null ||
				skip "needs an RDMA device, the rdma controller and ibv_devinfo (the VM pass with Debian's generic kernel and rdma_rxe)" ;;
		systemd)
			[ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ -d /run/systemd/system ] ||
				skip "needs systemd as PID 1 (the VM's systemd boot: tests/vm/run.sh --systemd)"
			[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || skip "needs a pure cgroup v2 host" ;;
		no-systemd)
			[ ! -d /run/systemd/system ] || skip "systemd is PID 1 here" ;;
		apparmor)
			[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
				skip "AppArmor is not enabled in this kernel (it is in the cgroup v2 VM)"
			command -v apparmor_parser >/dev/null || skip "needs apparmor_parser (apt package apparmor)" ;;
		*)
			fail "requires: unknown feature $r" ;;
		esac
	done
}
