#!/usr/bin/env bats
# Docker in Docker: `sbx run` of a privileged-style container (all the
# capabilities the host has, no seccomp, no masked paths, every device,
# writable /sys and cgroup2 mount, its own cgroup namespace) whose rootfs
# is this host's / bound read-only, with tmpfs on /run, /tmp and /root.
# Inside it, dockerd starts with the host's sbx (bound in at /srv/sbx) as
# its default runtime and runs containers; the outer sbx must leave
# nothing behind on the host, its cgroup subtree included.
#
#   $T/hostroot  a private, read-only, non-recursive bind of /
#   $T/share     -> /srv (ro): the image tarball, daemon.json, inner.sh
#   $T/state     the outer sbx's --root
# The cgroup is $(v2_root)/sbx-dind-<pid>; inside, dockerd sees that as /.

# bats file_tags=host

load helpers

setup_file() {
	engines_require "$DOCKERD" "$DOCKER" containerd containerd-shim-runc-v2 || return 0
	[ -x "$SBX" ] || fail "runtime \$SBX=$SBX not found (build it, or set SBX)" || return 1
	export CG_PARENT=sbx-dind-$$
	engines_tmpdir
	mkdir -p "$T/hostroot" "$T/share" "$T/bundle" "$T/state"
	# private: nothing mounted on the host later shows up in it, and the
	# host's / keeps its propagation
	mount --bind / "$T/hostroot" && mount --make-private "$T/hostroot" &&
		mount -o remount,bind,ro "$T/hostroot" || return 1
	PROBE=/nonexistent "$MKROOTFS" "$T/rootfs" >&2 || return 1
	tar -C "$T/rootfs" -cf "$T/share/image.tar" . || return 1
	: >"$T/share/sbx"
	jq -n '{"default-runtime": "sbx", "runtimes": {"sbx": {"path": "/srv/sbx"}},
		"storage-driver": "vfs", "bridge": "none", "iptables": false,
		"ip-forward": false, "ip-masq": false, "userland-proxy": false}' >"$T/share/daemon.json"
	# the client: Debian's 20.10, as in docker.bats
	cat >"$T/share/inner.sh" <<-EOF
		#!/bin/sh
		D="$DOCKER -H unix:///run/docker.sock"
		echo "outer \$(grep '^0::' /proc/self/cgroup)"
		$DOCKERD --data-root /tmp/docker --exec-root /run/docker -H unix:///run/docker.sock \\
		    --config-file /srv/daemon.json >/tmp/dockerd.log 2>&1 &
		dpid=\$!
		i=0
		until \$D version >/dev/null 2>&1; do
		    i=\$((i + 1))
		    [ \$i -lt 300 ] && kill -0 \$dpid 2>/dev/null || { echo "dockerd did not start"; tail -20 /tmp/dockerd.log; exit 1; }
		    sleep 0.1
		done
		echo "runtime \$(\$D info -f '{{.DefaultRuntime}} cgroup v{{.CgroupVersion}}')"
		\$D import /srv/image.tar sbx-busybox >/dev/null || echo "import failed"
		\$D run --rm sbx-busybox sh -c 'echo "inner pid=\$\$"; exit 7' 2>/tmp/run.err
		echo "inner-rc=\$?"
		id=\$(\$D run -d sbx-busybox sleep 1000 2>/dev/null)
		pid=\$(\$D inspect -f '{{.State.Pid}}' "\$id")
		[ "\$(grep '^0::' /proc/\$pid/cgroup)" = "0::/docker/\$id" ] && echo "inner-cgroup ok" ||
		    echo "inner-cgroup \$(cat /proc/\$pid/cgroup)"
		echo "inner-state \$(/srv/sbx --root /run/docker/runtime-runc/moby state "\$id" | jq -r .status)"
		\$D rm -f "\$id" >/dev/null
		echo "left: cgroups \$(find /sys/fs/cgroup/docker -mindepth 1 -type d | wc -l) states \$(ls /run/docker/runtime-runc/moby | wc -l)"
		kill \$dpid
		wait \$dpid
		echo "dockerd-rc=\$?"
		grep -i 'level=error' /tmp/dockerd.log | head -5
	EOF
	chmod +x "$T/share/inner.sh"
	local bnd caps
	bnd=$((16#$(awk '/^CapBnd/ { print $2 }' /proc/self/status)))
	# sbx features lists the capabilities in number order
	caps=$("$SBX" features | jq -r '.linux.capabilities[]' | {
		i=0
		while read -r c; do
			(((bnd >> i) & 1)) && echo "$c"
			i=$((i + 1))
		done
	} | jq -R . | jq -sc .)
	(cd "$T/bundle" && "$SBX" spec) || return 1
	jq --arg root "$T/hostroot" --arg share "$T/share" --arg sbx "$SBX" \
		--arg cg "/$CG_PARENT" --argjson caps "$caps" '
		.root = {path: $root, readonly: true}
		| .process.terminal = false | .process.noNewPrivileges = false
		| .process.args = ["/srv/inner.sh"] | .process.rlimits = []
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .linux.resources = {devices: [{allow: true, access: "rwm"}]}
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.cgroupsPath = $cg
		| .mounts |= map(if .destination == "/sys" or .destination == "/sys/fs/cgroup"
			then .options -= ["ro"] else . end)
		| .mounts += [
			{destination: "/run", type: "tmpfs", source: "tmpfs", options: ["mode=755"]},
			{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["mode=1777"]},
			{destination: "/root", type: "tmpfs", source: "tmpfs", options: ["mode=700"]},
			{destination: "/srv", type: "bind", source: $share, options: ["rbind", "ro"]},
			{destination: "/srv/sbx", type: "bind", source: $sbx, options: ["bind", "ro"]}]
		' "$T/bundle/config.json" >"$T/config.json" && mv "$T/config.json" "$T/bundle/config.json"
}

teardown_file() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	local cg
	"$SBX" --root "$T/state" delete --force dind >/dev/null 2>&1
	cg=$(v2_root)/$CG_PARENT
	if [ -d "$cg" ]; then
		echo 1 >"$cg/cgroup.kill" 2>/dev/null
		sleep 0.2
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	fi
	# engines_cleanup removes $T: never while the host's / is bound below it
	umount "$T/hostroot" 2>/dev/null || umount -l "$T/hostroot" 2>/dev/null
	if mountpoint -q "$T/hostroot"; then
		echo "# $T/hostroot is still mounted: $T left in place" >&3
		return 1
	fi
	engines_cleanup
}

setup() { engines_setup; }

# bats test_tags=vm
@test "docker in an sbx container: dockerd runs its containers with sbx; nothing left on the host" {
	run timeout 180 "$SBX" --root "$T/state" run --bundle "$T/bundle" dind
	echo "$output"
	[ "$status" -eq 0 ]
	# the outer container has its own cgroup namespace
	[ "${lines[0]}" = "outer 0::/" ]
	[[ "$output" == *$'\n'"runtime sbx cgroup v2"$'\n'* ]]
	[[ "$output" == *$'\n'"inner pid=1"$'\n'"inner-rc=7"$'\n'* ]]
	# placed by the inner sbx below the outer container's cgroup namespace root
	[[ "$output" == *$'\n'"inner-cgroup ok"$'\n'* ]]
	[[ "$output" == *$'\n'"inner-state running"$'\n'* ]]
	[[ "$output" == *$'\n'"left: cgroups 0 states 0"$'\n'* ]]
	[[ "$output" == *$'\n'"dockerd-rc=0"* ]]
	# no runtime error reached dockerd (its own complaints about cgroups it
	# manages itself, such as "failed to enable controllers" for /docker on
	# a cgroup v2 host, are dockerd's)
	[[ "$output" != *"OCI runtime"* ]]
	! grep -q 'level=error' <<<"$(grep -v 'failed to enable controllers' <<<"$output")"
	# no warning from the outer sbx either (such as a cgroup it could not remove)
	[[ $'\n'"$output" != *$'\n'"sbx: "* ]]
	# the outer container's state and its whole cgroup subtree are gone, and
	# nothing of it is mounted on the host
	[ ! -e "$T/state/dind" ]
	[ ! -e "$(v2_root)/$CG_PARENT" ]
	[ "$(mounts_under "$T")" = "$T/hostroot" ]
}
