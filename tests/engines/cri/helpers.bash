# cri/helpers.bash: containerd's CRI plugin driven as the kubelet drives it
# (cri.bats, cri-systemd.bats; load after ../helpers.bash). Over the
# private containerd's gRPC socket, with cri_client.py (a CRI runtime.v1
# client generated from cri.proto at test time); no kubelet, no crictl.
#
# cri_setup_file [systemd] starts containerd --config $T/config.toml:
#   - contrib/containerd/config.toml as shipped, with BinaryName = $SBX,
#     the shim's Root = $T/runc (so sbx's state is $T/runc/k8s.io/<id>) and
#     SystemdCgroup = true when "systemd" is given;
#   - the CRI plugin: sandbox_image $PAUSE_IMAGE (busybox sleep, built
#     here and imported into the k8s.io namespace), CNI from Debian's
#     containernetworking-plugins (/usr/lib/cni): a bridge $CRI_BR of our
#     own, 10.213.78.1/24, host-local IPAM with its data under $T, no
#     masquerading (nothing is routed out), plus containerd's loopback;
#   - the stream server on 127.0.0.1, a random port.
# A pod is what the kubelet would send: pod_config/ctr_config below.

CRI_CLIENT=$ENGINES_DIR/cri/cri_client.py
CRI_PY=${CRI_PY:-/usr/bin/python3}
CNI_BIN=${CNI_BIN:-/usr/lib/cni}
CRI_NS=k8s.io
PAUSE_IMAGE=docker.io/library/sbx-pause:latest
CRI_IMAGE=docker.io/library/$IMAGE:latest
CRI_SUBNET=10.213.78
# what the kubelet passes for a container that is not privileged
KUBELET_MASKED='["/proc/asound","/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"]'
KUBELET_READONLY='["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]'

# cri METHOD [JSON]: one CRI call (cri_client.py); the response on stdout.
cri() {
	CRI_PY_DIR=$T/cri-py "$CRI_PY" "$CRI_CLIENT" --socket "$T/containerd.sock" "$@"
}

# kctr ARGS...: ctr in the CRI's namespace k8s.io.
kctr() {
	"$CTR" -a "${T:?}/containerd.sock" -n "$CRI_NS" "$@"
}

cri_setup_file() {
	local systemd=${1:-}
	engines_require "$CONTAINERD" "$CTR" containerd-shim-runc-v2 "$CRI_PY" "$CNI_BIN/bridge" "$CNI_BIN/host-local" "$CNI_BIN/loopback" || return 0
	if ! "$CRI_PY" -c 'import grpc, grpc_tools.protoc' 2>/dev/null; then
		export ENGINES_SKIP="$CRI_PY cannot import grpc and grpc_tools (Debian packages python3-grpcio python3-grpc-tools)"
		return 0
	fi
	[ -x "$SBX" ] || fail "runtime \$SBX=$SBX not found (build it, or set SBX)" || return 1
	export CG_PARENT=sbx-cri-test
	engines_tmpdir
	# made outside $T by the CRI plugin and libcni when missing: removed
	# at the end if this file made them (and they are empty)
	local d
	for d in /var/lib/cni/results /var/lib/cni /run/netns; do
		[ -e "$d" ] || echo "$d"
	done >"$T/global.new"
	export STATE_ROOT=$T/runc/$CRI_NS CRI_BR=sbxcri$$ CRI_SYSTEMD=0
	[ "$systemd" != systemd ] || CRI_SYSTEMD=1
	local sd=false
	[ "$CRI_SYSTEMD" = 0 ] || sd=true
	sed -e "s|^\( *BinaryName *= *\).*|\1\"$SBX\"|" \
		-e "s|^\( *\)BinaryName *= *.*|&\n\1Root = \"$T/runc\"|" \
		-e "s|^\( *SystemdCgroup *= *\).*|\1$sd|" \
		"$top_srcdir/contrib/containerd/config.toml" >"$T/sbx.toml"
	containerd_config "$T/sbx.toml" | sed \
		-e "s|^\( *bin_dir = \).*|\1\"$CNI_BIN\"|" \
		-e "s|^\( *\)stream_server_port = .*|&\n\1sandbox_image = \"$PAUSE_IMAGE\"|" \
		>"$T/config.toml"
	# runc (the snippet's default handler, for bench/cri.sh) likewise keeps
	# its state under $T and uses the same cgroup driver
	cat >>"$T/config.toml" <<-EOF2

		[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		  Root = "$T/runc-runc"
		  SystemdCgroup = $sd
	EOF2
	if [ "${CRI_DISABLE_CGROUP:-0}" = 1 ]; then
		sed -i "s|^\( *\)stream_server_port = .*|&\n\1disable_cgroup = true\n\1restrict_oom_score_adj = true|" "$T/config.toml"
	fi
	mkdir -p "$T/cni/net.d" "$T/logs"
	jq -n --arg br "$CRI_BR" --arg sub "$CRI_SUBNET" --arg ipam "$T/ipam" '{
		cniVersion: "0.4.0", name: "sbx-cri",
		plugins: [{type: "bridge", bridge: $br, isGateway: true, ipMasq: false,
			ipam: {type: "host-local", ranges: [[{subnet: ($sub + ".0/24"), gateway: ($sub + ".1")}]],
				dataDir: $ipam}}]
	}' >"$T/cni/net.d/10-sbx-cri.conflist"
	"$CONTAINERD" --config "$T/config.toml" </dev/null >"$T/containerd.log" 2>&1 3>&- &
	echo $! >"$T/containerd.bgpid"
	wait_daemon containerd "$T/containerd.bgpid" "$T/containerd.log" "$CTR" -a "$T/containerd.sock" version || return 1
	PROBE=/nonexistent "$MKROOTFS" "$T/rootfs" >&2 || return 1
	mkimage "$T/rootfs" "$T/image.tar" "$CRI_IMAGE" || return 1
	mkimage "$T/rootfs" "$T/pause.tar" "$PAUSE_IMAGE" '["/bin/sleep","2147483647"]' || return 1
	kctr images import "$T/image.tar" >&2 || return 1
	kctr images import "$T/pause.tar" >&2 || return 1
	rm -f "$T/image.tar" "$T/pause.tar"
	# the CRI plugin learns of the images from containerd's events
	retry 100 0.2 _cri_has_image "$PAUSE_IMAGE" || return 1
	retry 100 0.2 _cri_has_image "$CRI_IMAGE" || return 1
	mounts_under "$T" | sort >"$T/mounts.base"
}

_cri_has_image() {
	cri ImageStatus "{\"image\": {\"image\": \"$1\"}}" 2>/dev/null | jq -e '.image.id != ""' >/dev/null
}

# cri_remove_pods: stop and remove every pod sandbox (as the kubelet's
# cleanup does), recording the ids for engines_cleanup.
cri_remove_pods() {
	local s c
	[ -n "${T:-}" ] && [ -S "$T/containerd.sock" ] || return 0
	for c in $(cri ListContainers 2>/dev/null | jq -r '.containers[].id'); do
		echo "$c" >>"$T/ids"
		cri StopContainer "{\"container_id\": \"$c\", \"timeout\": 0}" >/dev/null 2>&1
		cri RemoveContainer "{\"container_id\": \"$c\"}" >/dev/null 2>&1
	done
	for s in $(cri ListPodSandbox 2>/dev/null | jq -r '.items[].id'); do
		echo "$s" >>"$T/ids"
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$s\"}" >/dev/null 2>&1
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$s\"}" >/dev/null 2>&1
	done
	return 0
}

cri_teardown_file() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	cri_remove_pods
	stop_pid "$(cat "$T/containerd.bgpid" 2>/dev/null)" 10
	# pod cgroups (and slices) the kubelet would have removed
	local d
	[ "${CRI_SYSTEMD:-0}" = 0 ] || systemctl stop sbxcri.slice 2>/dev/null
	for d in "$(v2_root)/$CG_PARENT" "$(v2_root)/sbxcri.slice"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	# libcni's result cache (containerd 1.6 has no setting for its dir)
	rm -f /var/lib/cni/results/sbx-cri-*
	ip link del "$CRI_BR" 2>/dev/null || true
	while read -r d; do
		rmdir "$d" 2>/dev/null
	done <"$T/global.new"
	engines_cleanup
}

# pod_uid NAME: the pod's uid (what the kubelet takes from the API server).
pod_uid() { echo "$1-uid-$$"; }

# pod_cgroup_parent NAME: what the kubelet passes as cgroup_parent: a
# cgroupfs path, or with the systemd driver a slice name (systemd expands
# sbxcri-besteffort-pod<uid>.slice to sbxcri.slice/sbxcri-besteffort.slice/...).
pod_cgroup_parent() {
	local uid
	uid=$(pod_uid "$1")
	if [ "$CRI_SYSTEMD" = 1 ]; then
		echo "sbxcri-besteffort-pod${uid//-/_}.slice"
	else
		echo "/$CG_PARENT/pod$uid"
	fi
}

# pod_config NAME [JQ]: the PodSandboxConfig the kubelet sends for pod NAME
# (namespace sbx-test), JQ applied to it.
pod_config() {
	local name=$1 uid
	uid=$(pod_uid "$name")
	jq -nc --arg name "$name" --arg uid "$uid" --arg logs "$T/logs/sbx-test_${name}_$uid" \
		--arg parent "$(pod_cgroup_parent "$name")" --arg gw "$CRI_SUBNET.1" '{
		metadata: {name: $name, uid: $uid, namespace: "sbx-test", attempt: 0},
		hostname: $name,
		log_directory: $logs,
		dns_config: {servers: [$gw], searches: ["sbx-test.svc.cluster.local"], options: ["ndots:5"]},
		labels: {"io.kubernetes.pod.name": $name, "io.kubernetes.pod.namespace": "sbx-test",
			"io.kubernetes.pod.uid": $uid},
		annotations: {"kubernetes.io/config.source": "api"},
		linux: {cgroup_parent: $parent,
			security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"},
				seccomp: {profile_type: "RuntimeDefault"}}}
	} | '"${2:-.}"
}

# ctr_config NAME CMD_JSON [JQ]: the ContainerConfig the kubelet sends for
# container NAME running CMD_JSON (a JSON array), JQ applied to it.
ctr_config() {
	jq -nc --arg name "$1" --argjson cmd "$2" --arg image "$CRI_IMAGE" \
		--argjson masked "$KUBELET_MASKED" --argjson ro "$KUBELET_READONLY" '{
		metadata: {name: $name, attempt: 0},
		image: {image: $image},
		command: $cmd,
		envs: [{key: "POD_CONTAINER", value: $name}],
		log_path: ($name + "/0.log"),
		labels: {"io.kubernetes.container.name": $name},
		linux: {resources: {cpu_period: 100000, cpu_shares: 2, oom_score_adj: 1000},
			security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"},
				masked_paths: $masked, readonly_paths: $ro,
				seccomp: {profile_type: "RuntimeDefault"}}}
	} | '"${3:-.}"
}

# pod_run NAME [JQ]: RunPodSandbox of pod_config NAME with handler sbx; sets
# $SID and $POD (the config).
pod_run() {
	POD=$(pod_config "$@")
	run cri RunPodSandbox "{\"config\": $POD, \"runtime_handler\": \"${CRI_HANDLER:-sbx}\"}"
	echo "RunPodSandbox $1 -> status $status: $output" >&2
	[ "$status" -eq 0 ] || return 1
	SID=$(jq -r .pod_sandbox_id <<<"$output")
	echo "$SID" >>"$T/ids"
}

# ctr_run_in_pod NAME CMD_JSON [JQ]: CreateContainer + StartContainer in
# pod $SID; sets $CID.
ctr_run_in_pod() {
	local cfg
	cfg=$(ctr_config "$@")
	run cri CreateContainer "{\"pod_sandbox_id\": \"$SID\", \"config\": $cfg, \"sandbox_config\": $POD}"
	echo "CreateContainer $1 -> status $status: $output" >&2
	[ "$status" -eq 0 ] || return 1
	CID=$(jq -r .container_id <<<"$output")
	echo "$CID" >>"$T/ids"
	run cri StartContainer "{\"container_id\": \"$CID\"}"
	echo "StartContainer $1 -> status $status: $output" >&2
	[ "$status" -eq 0 ]
}

# ctr_status ID: ContainerStatus (verbose) as JSON; its .info.info is a
# JSON string with the pid and the OCI spec.
ctr_status() {
	cri ContainerStatus "{\"container_id\": \"$1\", \"verbose\": true}"
}
ctr_pid() { ctr_status "$1" | jq -r '.info.info | fromjson | .pid'; }
ctr_state() { ctr_status "$1" | jq -r .status.state; }
_ctr_state_is() { [ "$(ctr_state "$1")" = "$2" ]; }
pod_pid() {
	cri PodSandboxStatus "{\"pod_sandbox_id\": \"$1\", \"verbose\": true}" | jq -r '.info.info | fromjson | .pid'
}

# exec_sync ID CMD...: ExecSync; sets $status (the command's exit code, or
# 255 for a CRI error), $output and $lines (its stdout, as bats' run does)
# and $EXEC_ERR (its stderr).
exec_sync() {
	local id=$1 r
	shift
	# (--args --: else jq takes a "-c" among the args as its own option)
	r=$(cri ExecSync "$(jq -nc --arg id "$id" '{container_id: $id, cmd: $ARGS.positional, timeout: 60}' --args -- "$@")") || {
		status=255
		output=
		EXEC_ERR="ExecSync failed"
		return 0
	}
	status=$(jq -r .exit_code <<<"$r")
	output=$(jq -r .stdout <<<"$r")
	output=${output%$'\n'}
	lines=()
	[ -z "$output" ] || mapfile -t lines <<<"$output"
	EXEC_ERR=$(jq -r .stderr <<<"$r")
	EXEC_ERR=${EXEC_ERR%$'\n'}
	echo "ExecSync $* -> $status: $output / $EXEC_ERR" >&2
}

# cgroup_of PID: the cgroup v2 directory of PID.
cgroup_of() {
	echo "$(v2_root)$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}

# cri_leaks ID...: what the containers or sandboxes ID left behind (leaks
# in ../helpers.bash, plus any cgroup named after them anywhere).
cri_leaks() {
	local id
	for id; do
		leaks "$id"
		find "$(v2_root)" -maxdepth 6 -type d -name "*$id*" -printf 'cgroup %p\n' 2>/dev/null
	done
}
_cri_no_leaks() { [ -z "$(cri_leaks "$@")" ]; }

# cri_assert_clean ID...: within 10 s nothing of ID... is left.
cri_assert_clean() {
	retry 100 0.1 _cri_no_leaks "$@" 2>/dev/null && return 0
	echo "left behind:" >&2
	cri_leaks "$@" >&2
	return 1
}

# pod_remove_and_assert_clean NAME SID IDS...: StopPodSandbox +
# RemovePodSandbox (asserting the CRI's answers); then nothing of the pod
# and its containers IDS is left: shim, processes, state, cgroups, mounts,
# the netns, the veth on our bridge, the IP lease; the pod cgroup is empty
# (the kubelet removes it: so do we).
pod_remove_and_assert_clean() {
	local name=$1 sid=$2 netns ip parent
	shift 2
	netns=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sid\", \"verbose\": true}" |
		jq -r '.info.info | fromjson | .runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
	ip=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sid\"}" | jq -r .status.network.ip)
	run cri StopPodSandbox "{\"pod_sandbox_id\": \"$sid\"}"
	[ "$status" -eq 0 ] || fail "StopPodSandbox: $output" || return 1
	[ "$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sid\"}" | jq -r .status.state)" = SANDBOX_NOTREADY ] ||
		fail "pod $sid not NOTREADY after StopPodSandbox" || return 1
	run cri RemovePodSandbox "{\"pod_sandbox_id\": \"$sid\"}"
	[ "$status" -eq 0 ] || fail "RemovePodSandbox: $output" || return 1
	run cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sid\"}"
	[ "$status" -ne 0 ] && [[ "$output" == NOT_FOUND* ]] || fail "PodSandboxStatus after removal: $output" || return 1
	[ -z "$(cri ListContainers | jq -r '.containers[].id')" ] || fail "containers left in the CRI" || return 1
	cri_assert_clean "$sid" "$@" || return 1
	if [ -n "$netns" ] && [ "$netns" != null ]; then
		[ ! -e "$netns" ] || fail "netns $netns left" || return 1
		! grep -qF " $netns " /proc/self/mountinfo || fail "netns $netns still mounted" || return 1
	fi
	[ -z "$(ip -o link show master "$CRI_BR" 2>/dev/null)" ] || fail "a veth is left on $CRI_BR: $(ip -o link show master "$CRI_BR")" || return 1
	[ -z "$ip" ] || [ ! -e "$T/ipam/sbx-cri/$ip" ] || fail "the IP lease $ip is left" || return 1
	assert_mounts_baseline || return 1
	if [ "$CRI_SYSTEMD" = 1 ]; then
		parent=$(find "$(v2_root)/sbxcri.slice" -type d -name "$(pod_cgroup_parent "$name")" 2>/dev/null)
		[ -z "$parent" ] || [ -z "$(find "$parent" -mindepth 1 -type d)" ] || fail "pod slice not empty: $(find "$parent" -mindepth 1 -type d)" || return 1
	else
		parent=$(v2_root)$(pod_cgroup_parent "$name")
		if [ -d "$parent" ]; then
			[ -z "$(find "$parent" -mindepth 1 -type d)" ] || fail "pod cgroup not empty: $(find "$parent" -mindepth 1 -type d)" || return 1
			[ -z "$(cat "$parent/cgroup.procs")" ] || fail "processes left in the pod cgroup" || return 1
			rmdir "$parent"
		fi
	fi
}

# ---------------------------------------------------------------- the tests
# (shared by cri.bats and cri-nocgroup.bats; with CRI_DISABLE_CGROUP=1
# containerd passes no cgroup and no resources, so those checks are left out)

# pod_lifecycle: a pod with handler sbx as the kubelet runs it: two
# containers sharing the pod's network and IPC namespaces; ExecSync, Exec,
# the CRI log, ContainerStatus, resources in the cgroup files,
# UpdateContainerResources, ContainerStats, the security context;
# StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox; nothing
# is left.
pod_lifecycle() {
	local name=web uid sid c1 c2 p1 p2 sp cg1 cg2 ip
	uid=$(pod_uid $name)
	pod_run $name
	sid=$SID
	run cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sid\", \"verbose\": true}"
	[ "$status" -eq 0 ]
	st=$output
	[ "$(jq -r .status.state <<<"$st")" = SANDBOX_READY ]
	[ "$(jq -r .status.runtime_handler <<<"$st")" = sbx ]
	ip=$(jq -r .status.network.ip <<<"$st")
	[[ "$ip" == "$CRI_SUBNET".* ]]
	# the pause process: run by sbx (its state dir), in the pod cgroup
	sp=$(pod_pid "$sid")
	[ -d "$STATE_ROOT/$sid" ]
	"$SBX" --root "$STATE_ROOT" state "$sid" | jq -e '.status == "running"'
	[ "$(tr '\0' ' ' <"/proc/$sp/cmdline")" = "/bin/sleep 2147483647 " ]
	[ "$CRI_DISABLE_CGROUP" = 1 ] || [ "$(cgroup_of "$sp")" = "$(v2_root)/$CG_PARENT/pod$uid/$sid" ]
	# the pod's address, from the host over our bridge
	busybox ping -c 1 -W 5 "$ip" >/dev/null

	# c1: limits, a non-root user, a read-only root, capabilities dropped,
	# no_new_privs, RuntimeDefault seccomp, the kubelet's masked and
	# read-only paths, oom_score_adj 500
	ctr_run_in_pod c1 '["sh","-c","trap \"exit 3\" TERM; echo c1-up; sleep 1000 & wait"]' '
		.linux.resources += {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512,
			memory_limit_in_bytes: 67108864, oom_score_adj: 500, unified: {"pids.max": "40"}}
		| .linux.security_context += {run_as_user: {value: 1000}, run_as_group: {value: 1000},
			readonly_rootfs: true, no_new_privs: true,
			capabilities: {drop_capabilities: ["NET_RAW", "CHOWN", "KILL"]}}'
	c1=$CID
	# c2: root, writes to stdout and stderr (the CRI log)
	ctr_run_in_pod c2 '["sh","-c","echo out-line; echo err-line >&2; exec sleep 1000"]'
	c2=$CID
	[ "$(ctr_state "$c1")" = CONTAINER_RUNNING ]
	[ "$(ctr_state "$c2")" = CONTAINER_RUNNING ]
	p1=$(ctr_pid "$c1")
	p2=$(ctr_pid "$c2")
	[ -d "$STATE_ROOT/$c1" ] && [ -d "$STATE_ROOT/$c2" ]
	cg1=$(cgroup_of "$p1")
	cg2=$(cgroup_of "$p2")
	[ -d "$cg1" ] && [ -d "$cg2" ]
	if [ "$CRI_DISABLE_CGROUP" != 1 ]; then
		[ "$cg1" = "$(v2_root)/$CG_PARENT/pod$uid/$c1" ]
		[ "$cg2" = "$(v2_root)/$CG_PARENT/pod$uid/$c2" ]
	fi

	# shared network and IPC namespaces (the pause process's); own pid ns
	for p in "$p1" "$p2"; do
		[ "$(readlink "/proc/$p/ns/net")" = "$(readlink "/proc/$sp/ns/net")" ]
		[ "$(readlink "/proc/$p/ns/ipc")" = "$(readlink "/proc/$sp/ns/ipc")" ]
		[ "$(readlink "/proc/$p/ns/pid")" != "$(readlink "/proc/$sp/ns/pid")" ]
		[ "$(readlink "/proc/$p/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	done
	exec_sync "$c2" sh -c 'ip -4 -o addr show eth0; hostname; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ eth0\ +inet\ $ip/24 ]]
	[ "${lines[1]}" = "$name" ]
	[ "${lines[2]}" = "sleep 1000 " ]
	# IPC: a POSIX shm object made in c2 is seen by c1
	exec_sync "$c2" sh -c 'echo shared >/dev/shm/sbx-ipc'
	[ "$status" -eq 0 ]
	exec_sync "$c1" cat /dev/shm/sbx-ipc
	[ "$status" -eq 0 ]
	[ "$output" = shared ]

	# ExecSync: exit code, stdout, stderr; the exec'd process gets the
	# container's security settings
	exec_sync "$c1" sh -c 'id -u; id -g; echo to-err >&2; exit 4'
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = 1000 ] && [ "${lines[1]}" = 1000 ]
	[ "$EXEC_ERR" = to-err ]
	# Exec returns the streaming server's URL
	run cri Exec "{\"container_id\": \"$c1\", \"cmd\": [\"sh\"], \"stdout\": true}"
	[ "$status" -eq 0 ]
	[[ "$(jq -r .url <<<"$output")" =~ ^http://127\.0\.0\.1:[0-9]+/exec/[A-Za-z0-9_-]+$ ]]

	# the CRI log: <log_directory>/c2/0.log in the CRI format
	log=$T/logs/sbx-test_${name}_$uid/c2/0.log
	retry 50 0.1 grep -q ' stderr F err-line$' "$log"
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+) stdout F out-line$' "$log"
	[ "$(ctr_status "$c2" | jq -r .status.log_path)" = "$log" ]

	[ "$(cat "/proc/$p1/oom_score_adj")" = 500 ]
	if [ "$CRI_DISABLE_CGROUP" != 1 ]; then
		# resources in the cgroup v2 files
		[ "$(cat "$cg1/cpu.max")" = "50000 100000" ]
		[ "$(cat "$cg1/cpu.weight")" = $((1 + (512 - 2) * 9999 / 262142)) ]
		[ "$(cat "$cg1/memory.max")" = 67108864 ]
		[ "$(cat "$cg1/pids.max")" = 40 ]
		# UpdateContainerResources: the files change
		run cri UpdateContainerResources "{\"container_id\": \"$c1\", \"linux\": {\"cpu_period\": 100000,
			\"cpu_quota\": 20000, \"cpu_shares\": 1024, \"memory_limit_in_bytes\": 134217728, \"oom_score_adj\": 500}}"
		[ "$status" -eq 0 ]
		[ "$(cat "$cg1/cpu.max")" = "20000 100000" ]
		[ "$(cat "$cg1/memory.max")" = 134217728 ]
		[ "$(cat "$cg1/cpu.weight")" = $((1 + (1024 - 2) * 9999 / 262142)) ]
		# ContainerStats: from the container's cgroup
		run cri ContainerStats "{\"container_id\": \"$c1\"}"
		[ "$status" -eq 0 ]
		jq -e --arg id "$c1" '.stats.attributes.id == $id
			and (.stats.memory.working_set_bytes.value | tonumber) > 0
			and (.stats.memory.usage_bytes.value | tonumber) > 0
			and (.stats.memory.usage_bytes.value | tonumber) < 134217728
			and (.stats.cpu.usage_core_nano_seconds.value | tonumber) > 0' <<<"$output"
	fi

	# security context, seen from the host and from inside
	grep -q '^Uid:	1000	1000	1000	1000$' "/proc/$p1/status"
	grep -q '^NoNewPrivs:	1$' "/proc/$p1/status"
	grep -q '^Seccomp:	2$' "/proc/$p1/status"
	bnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$p1/status")
	# CAP_CHOWN (0), CAP_KILL (5), CAP_NET_RAW (13) dropped; CAP_SETUID (7) kept
	for bit in 0 5 13; do (( (0x$bnd >> bit & 1) == 0 )); done
	(( (0x$bnd >> 7 & 1) == 1 ))
	exec_sync "$c1" sh -c 'touch /probe-ro 2>&1; echo rc=$?'
	[[ "$output" == *"Read-only file system"*"rc=1" ]]
	# c2 (root, default caps) has its root writable
	exec_sync "$c2" sh -c 'touch /probe-rw && echo ok'
	[ "$output" = ok ]
	# masked and read-only paths: the masked files that exist read as
	# empty (/dev/null), the directories are empty; /proc/sys is ro
	exec_sync "$c2" sh -c 'for f in '"$(jq -r 'join(" ")' <<<"$KUBELET_MASKED")"'; do
		if [ -f "$f" ]; then echo "$f $(wc -c <"$f")"; elif [ -d "$f" ]; then echo "$f $(ls -A "$f" | wc -l)"; fi
	done'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]
	for l in "${lines[@]}"; do [[ "$l" == *" 0" ]]; done
	exec_sync "$c2" grep " /proc/sys " /proc/self/mountinfo
	[[ "$(awk '{ print $6 }' <<<"$output")" =~ ^ro(,|$) ]]
	exec_sync "$c2" sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid'
	[ "$status" -ne 0 ]
	# seccomp RuntimeDefault: containerd's profile denies unshare's new
	# namespaces to a container without CAP_SYS_ADMIN
	exec_sync "$c2" unshare -U true
	[ "$status" -ne 0 ]

	# StopContainer: SIGTERM, the container's own exit code
	run cri StopContainer "{\"container_id\": \"$c1\", \"timeout\": 10}"
	[ "$status" -eq 0 ]
	s=$(ctr_status "$c1")
	[ "$(jq -r .status.state <<<"$s")" = CONTAINER_EXITED ]
	[ "$(jq -r .status.exit_code <<<"$s")" = 3 ]
	[ "$(jq -r '.status.finished_at | tonumber > 0' <<<"$s")" = true ]
	! kill -0 "$p1" 2>/dev/null
	# sleep as pid 1 ignores SIGTERM: killed after the grace period
	run cri StopContainer "{\"container_id\": \"$c2\", \"timeout\": 1}"
	[ "$status" -eq 0 ]
	s=$(ctr_status "$c2")
	[ "$(jq -r .status.state <<<"$s")" = CONTAINER_EXITED ]
	[ "$(jq -r .status.exit_code <<<"$s")" = 137 ]
	run cri RemoveContainer "{\"container_id\": \"$c1\"}"
	[ "$status" -eq 0 ]
	run cri RemoveContainer "{\"container_id\": \"$c2\"}"
	[ "$status" -eq 0 ]
	cri_assert_clean "$c1" "$c2"
	[ ! -d "$cg1" ] && [ ! -d "$cg2" ]
	# the pod still runs
	kill -0 "$sp"
	pod_remove_and_assert_clean "$name" "$sid" "$c1" "$c2"
	! kill -0 "$sp" 2>/dev/null
}

# pod_exec_oom_score_adj: ExecSync's process gets the container's
# oom_score_adj (containerd passes it in the exec's process.json; sbx exec
# --process applies it, as runc does: libcontainer/exec.c, issue #17).
pod_exec_oom_score_adj() {
	pod_run oomadj
	ctr_run_in_pod c '["sleep","1000"]' '.linux.resources.oom_score_adj = 937'
	p=$(ctr_pid "$CID")
	[ "$(cat "/proc/$p/oom_score_adj")" = 937 ]
	exec_sync "$CID" cat /proc/self/oom_score_adj
	[ "$status" -eq 0 ]
	[ "$output" = 937 ]
	pod_remove_and_assert_clean oomadj "$SID" "$CID"
}
