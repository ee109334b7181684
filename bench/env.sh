# bench/env.sh: the benchmark environment shared by run.sh and profile.sh
# (sourced, bash): the Debian packages, the busybox bundle templates, the
# cgroup layout description and the cgroup view crun needs on hybrid hosts.
# Measuring is left to run.sh and profile.sh.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_TOP=$(cd "$BENCH_DIR/.." && pwd)

bench_msg() { echo "bench: $*" >&2; }
bench_die() { bench_msg "error: $*"; exit 1; }

# bench_need_pkgs COMMAND:PACKAGE...: apt-get install the packages whose
# command is missing (apt-get update first). Waits for another apt/dpkg
# (tests install packages concurrently) instead of failing on its lock.
bench_need_pkgs() {
	local want=() p
	for p in "$@"; do
		command -v "${p%%:*}" >/dev/null 2>&1 || want+=("${p#*:}")
	done
	[ ${#want[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || bench_die "missing ${want[*]} (install them, or run as root)"
	bench_msg "installing ${want[*]} (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
			--no-install-recommends "${want[@]}" >&2 ||
		bench_die "apt-get install ${want[*]} failed"
}

# bench_templates DIR ROOTFS: DIR/KIND.json for each kind of container, with
# @CGROUP@ in place of linux.cgroupsPath, so that a bundle per container is
# a printf (no fork: under TCG every process costs ~0.2 s).
#   ociVersion 1.0.2: crun 1.8 (Debian 12) rejects the 1.2.0 sbx spec writes.
bench_templates() {
	local dir=$1 rootfs=$2 base=$1/base.json kind filter
	mkdir -p "$dir/spec" || return 1
	(cd "$dir/spec" && "$SBX" spec) || bench_die "$SBX spec failed"
	jq --arg root "$rootfs" '.ociVersion = "1.0.2" | .process.terminal = false
		| .root.path = $root | .root.readonly = true
		| .linux.cgroupsPath = "@CGROUP@"' "$dir/spec/config.json" >"$base" || return 1
	for kind in true echo sleep pids1 mem-262144 mem-524288 mem-1048576 mem-2097152 mem-4194304; do
		case $kind in
		true) filter='.process.args = ["/bin/true"]' ;;
		echo) filter='.process.args = ["/bin/echo", "ok"]' ;;
		sleep) filter='.process.args = ["/bin/sleep", "1000000"]' ;;
		pids1) filter='.process.args = ["/bin/echo", "ok"] | .linux.resources.pids.limit = 1' ;;
		mem-*) filter=".process.args = [\"/bin/echo\", \"ok\"] | .linux.resources.memory.limit = ${kind#mem-}" ;;
		esac
		jq "$filter" "$base" >"$dir/$kind.json" || return 1
	done
	# true with the seccomp profile an engine sends (podman's default, as
	# podman sends it: the host's architecture and its sub-architectures
	# from the profile's archMap), when containers-common is installed
	BENCH_ENGINE_PROFILE=/usr/share/containers/seccomp.json
	[ -r "$BENCH_ENGINE_PROFILE" ] || return 0
	jq --slurpfile p "$BENCH_ENGINE_PROFILE" --arg a "SCMP_ARCH_$(uname -m | tr a-z A-Z)" \
		'.linux.seccomp = ($p[0] | .architectures = ([.archMap[]? | select(.architecture == $a)
			| [.architecture] + .subArchitectures] | add // []) | del(.archMap))' \
		"$dir/true.json" >"$dir/engine.json"
}

# bench_bundles TEMPLATES KIND CGPREFIX ID...: a bundle dir per ID under
# TEMPLATES/../bundles (one mkdir for all), config.json from KIND with
# cgroupsPath CGPREFIX/ID. Prints nothing; the bundle of ID is $BENCH_BUNDLES/ID.
bench_bundles() {
	local tdir=$1 kind=$2 prefix=$3 tmpl id
	shift 3
	BENCH_BUNDLES=${tdir%/*}/bundles
	local dirs=("${@/#/$BENCH_BUNDLES/}")
	mkdir -p "${dirs[@]}" || return 1
	tmpl=$(<"$tdir/$kind.json")
	for id in "$@"; do
		printf '%s\n' "${tmpl//@CGROUP@/$prefix/$id}" >"$BENCH_BUNDLES/$id/config.json" || return 1
	done
}

# One line: where cgroup v2 is and which controllers it has; v1 hierarchies.
# In the view (below), the layout seen before entering it.
bench_cgroup_layout() {
	local v1
	[ -n "${SBX_BENCH_LAYOUT:-}" ] && { echo "$SBX_BENCH_LAYOUT"; return; }
	v1=$(awk '$3 == "cgroup" { n = split($4, o, ","); s = "";
		for (i = 1; i <= n; i++) if (o[i] !~ /^(rw|ro|relatime|noexec|nosuid|nodev|clone_children)$/) s = s (s ? "+" : "") o[i];
		printf "%s%s", (c++ ? "," : ""), s }' /proc/self/mounts)
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "pure cgroup v2 at /sys/fs/cgroup (controllers: $(cat /sys/fs/cgroup/cgroup.controllers))"
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		echo "hybrid: v2 at /sys/fs/cgroup/unified (controllers: $(cat /sys/fs/cgroup/unified/cgroup.controllers)); v1: $v1"
	else
		echo "cgroup v1 only: $v1"
	fi
}

# bench_v2_has CONTROLLER: a cgroup v2 controller at /sys/fs/cgroup (what the
# resource figures need; on a hybrid host limits would land in v1 for crun
# and runc and nowhere for sbx, so they are not comparable there).
bench_v2_has() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] &&
		grep -qw "$1" /sys/fs/cgroup/cgroup.controllers
}

# crun 1.8 refuses any container on a hybrid host whose v2 hierarchy has a
# controller ("cgroups in hybrid mode not supported, drop all controllers
# from cgroupv2"), whatever --cgroup-manager says. This host binds hugetlb to
# v2. Rather than change the host, the benchmark runs in a private mount
# namespace where /sys/fs/cgroup/unified is a bind mount of an empty child
# cgroup (a child's cgroup.controllers lists what the root's subtree_control
# enables: nothing). All three runtimes see that same view.
bench_needs_cgroup_view() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
		grep -q . /sys/fs/cgroup/unified/cgroup.controllers
}

# bench_enter_cgroup_view SCRIPT ARGS...: re-exec SCRIPT in a private mount
# namespace when needed (returns when not needed or already inside).
bench_enter_cgroup_view() {
	[ -n "${SBX_BENCH_VIEW:-}" ] && return 0
	bench_needs_cgroup_view || return 0
	SBX_BENCH_LAYOUT=$(bench_cgroup_layout) SBX_BENCH_VIEW=1 exec unshare -m --propagation private -- "$@"
}

# In the namespace: bind the view. bench_cgroup_view_undo removes it and the
# child cgroup (call after every container is deleted).
BENCH_VIEW_CG=
bench_cgroup_view_setup() {
	[ -n "${SBX_BENCH_VIEW:-}" ] || return 0
	BENCH_VIEW_CG=sbx-bench-view.$$
	mkdir "/sys/fs/cgroup/unified/$BENCH_VIEW_CG" &&
		mount --bind "/sys/fs/cgroup/unified/$BENCH_VIEW_CG" /sys/fs/cgroup/unified ||
		bench_die "cannot build the cgroup view for crun"
	BENCH_NOTES+=("hybrid host: ran in a private mount namespace whose /sys/fs/cgroup/unified is an empty child cgroup, because crun refuses hybrid hosts with v2 controllers; crun and runc then use the v1 controllers, sbx only v2 (no controllers): the host figures include different cgroup work")
}
bench_cgroup_view_undo() {
	[ -n "$BENCH_VIEW_CG" ] || return 0
	umount /sys/fs/cgroup/unified 2>/dev/null &&
		bench_rmdir_cgroups "$BENCH_VIEW_CG"
	BENCH_VIEW_CG=
}

# bench_rmdir_cgroups NAME: remove NAME (a top-level cgroup the benchmark
# made, with the children the runtimes left) in every hierarchy.
bench_rmdir_cgroups() {
	local m
	for m in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts); do
		[ -d "$m/$1" ] && find "$m/$1" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

BENCH_NOTES=()
