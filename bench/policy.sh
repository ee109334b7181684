#!/bin/bash
# bench/policy.sh: what --policy costs `sbx run /bin/true`, interleaved on
# one busybox bundle whose config is within the strict policy
# (no_new_privs, a seccomp filter): without --policy, and with
# contrib/policy/untrusted.json (its checks, its seccomp rules and
# socket-family allowlist joined to the config's filter, its user
# namespace with an idmapped rootfs); the same policy without
# harden.userns; and no policy but the config asking for that user
# namespace and idmapped rootfs itself: what the namespace costs with or
# without a policy. Then the same four on a config with podman's default
# seccomp profile (what an engine sends), when
# /usr/share/containers/seccomp.json is there.
# Times are taken in bash with $EPOCHREALTIME (no process of its own
# inside the interval). The state directory, the id ranges
# (/run/sbx-userns) and the caches (/run/sbx-seccomp, /run/sbx-policy) are
# on tmpfs, as /run is on a systemd host: the script runs in a mount
# namespace of its own (unshare -m) with a tmpfs on each, so the host's
# are not touched. Medians and the ratios.
# Usage: bench/policy.sh [-n N] [--sbx PATH]
set -eu
if [ "${SBX_BENCH_NS:-}" != 1 ]; then
	SBX_BENCH_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
for d in /run/sbx-userns /run/sbx-seccomp /run/sbx-policy; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=0700 sbx-bench "$d"
done
export LC_ALL=C # EPOCHREALTIME uses '.'
n=200
here=$(cd "$(dirname "$0")/.." && pwd)
SBX=$here/sbx
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	--sbx) SBX=$2; shift 2 ;;
	*) echo "usage: $0 [-n N] [--sbx PATH]" >&2; exit 2 ;;
	esac
done
w=$(mktemp -d /var/tmp/sbx-bench-policy.XXXXXX)
cleanup() { umount "$w/state" 2>/dev/null || :; rm -rf "$w"; }
trap cleanup EXIT
chmod 0755 "$w"
mkdir -p "$w/b" "$w/state"
mount -t tmpfs -o mode=0700 sbx-bench "$w/state"
"$here/tests/helpers/mkrootfs.sh" "$w/b/rootfs" >/dev/null 2>&1
(cd "$w/b" && "$SBX" spec)
jq '.process.terminal = false | .root.readonly = false | .process.args = ["/bin/true"]
    | .process.noNewPrivileges = true
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}' \
	"$w/b/config.json" >"$w/c" && mv "$w/c" "$w/b/config.json"
# the same with the seccomp profile an engine sends (podman's default,
# Docker's is alike), when installed
profile=/usr/share/containers/seccomp.json
bundles=b
if [ -r "$profile" ]; then
	mkdir -p "$w/d"
	ln -s ../b/rootfs "$w/d/rootfs"
	# as the engine sends it: the host's architecture and its
	# sub-architectures from the profile's archMap (x86_64: x86, x32)
	arch=SCMP_ARCH_$(uname -m | tr a-z A-Z)
	jq --slurpfile p "$profile" --arg a "$arch" '.linux.seccomp = ($p[0]
		| .architectures = ([.archMap[]? | select(.architecture == $a) | [.architecture] + .subArchitectures] | add // [])
		| del(.archMap))' "$w/b/config.json" >"$w/d/config.json"
	bundles="b d"
fi
# each again with the user namespace the policy adds asked for by the
# config itself (its range, an idmapped rootfs), for what the namespace
# costs without the policy
for b in $bundles; do
	mkdir -p "$w/$b-u"
	ln -s ../b/rootfs "$w/$b-u/rootfs"
	jq --argjson m '[{"containerID": 0, "hostID": 1879048192, "size": 65536}]' \
		'.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = $m | .linux.gidMappings = $m
		| .annotations["sbx.rootfs.idmap"] = "true"' "$w/$b/config.json" >"$w/$b-u/config.json"
done
install -m 0644 "$here/contrib/policy/untrusted.json" "$w/policy.json"
jq 'del(.harden.userns)' "$here/contrib/policy/untrusted.json" >"$w/nouserns.json"
chmod 0644 "$w/nouserns.json"
one() { # BUNDLE VARIANT ID: one run; a failed one stops the benchmark
	local args=() b=$1
	case $2 in
	none) ;;
	userns) b=$1-u ;;
	*) args=(--policy "$w/$2.json") ;;
	esac
	"$SBX" --root "$w/state" "${args[@]}" run --bundle "$w/$b" "$3" </dev/null >/dev/null 2>"$w/err" ||
		{ echo "$0: $2 on $1 failed: $(cat "$w/err")" >&2; exit 1; }
}
for b in $bundles; do
	for v in none userns nouserns policy; do one "$b" "$v" "warm-$b-$v"; done # the caches
done
# each round in a random order: what a run leaves the kernel to finish
# (namespaces freed after an RCU grace period, in workers) falls on the
# next one, whichever it is
pairs=$(for b in $bundles; do for v in none userns nouserns policy; do echo "$b $v"; done; done)
for i in $(seq "$n"); do
	while read -r b v; do
		s=${EPOCHREALTIME/./}
		one "$b" "$v" "$b-$v-$i"
		e=${EPOCHREALTIME/./}
		echo $((e - s)) >>"$w/$b-$v.t"
	done < <(shuf <<<"$pairs")
done
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
row() { printf '| %s | %d.%02d ms | %s |\n' "$1" $(($2 / 1000)) $(($2 % 1000 / 10)) "$(awk -v a="$2" -v b="$base" 'BEGIN { printf "%.3f", a / b }')"; }
echo "| sbx run /bin/true (N=$n, median) | time | ratio |"
echo "|---|---|---|"
for b in $bundles; do
	what="a one-rule filter"
	[ "$b" = b ] || what="podman's default seccomp profile"
	base=$(median "$w/$b-none.t")
	row "config with $what, without --policy" "$base"
	row "the same asking for a user namespace and an idmapped rootfs itself, without --policy" "$(median "$w/$b-userns.t")"
	row "the same, --policy untrusted.json without harden.userns" "$(median "$w/$b-nouserns.t")"
	row "the same, --policy untrusted.json (user namespace, idmapped rootfs)" "$(median "$w/$b-policy.t")"
done
