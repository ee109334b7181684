#!/bin/bash
# bench/policy.sh: what --policy costs `sbx run /bin/true`, interleaved on
# one busybox bundle whose config is within the strict policy
# (no_new_privs, a seccomp filter): without --policy, and with
# contrib/policy/untrusted.json (its checks, its seccomp rules and
# socket-family allowlist joined to the config's filter, its user
# namespace with an idmapped rootfs); and the same policy without
# harden.userns, to show what the user namespace costs on its own.
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
install -m 0644 "$here/contrib/policy/untrusted.json" "$w/policy.json"
jq 'del(.harden.userns)' "$here/contrib/policy/untrusted.json" >"$w/nouserns.json"
chmod 0644 "$w/nouserns.json"
for v in none nouserns policy; do # warm the compiled-filter cache
	args=()
	[ "$v" = none ] || args=(--policy "$w/$v.json")
	"$SBX" --root "$w/state" "${args[@]}" run --bundle "$w/b" "warm-$v" </dev/null >/dev/null 2>&1
done
for i in $(seq "$n"); do
	for v in none nouserns policy; do
		args=()
		[ "$v" = none ] || args=(--policy "$w/$v.json")
		s=${EPOCHREALTIME/./}
		"$SBX" --root "$w/state" "${args[@]}" run --bundle "$w/b" "b-$v-$i" </dev/null >/dev/null 2>&1
		e=${EPOCHREALTIME/./}
		echo $((e - s)) >>"$w/$v.t"
	done
done
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
a=$(median "$w/none.t")
row() { printf '| %s | %d.%02d ms | %s |\n' "$1" $(($2 / 1000)) $(($2 % 1000 / 10)) "$(awk -v a="$2" -v b="$a" 'BEGIN { printf "%.3f", a / b }')"; }
echo "| sbx run /bin/true (N=$n, median) | time | ratio |"
echo "|---|---|---|"
row "without --policy" "$a"
row "--policy untrusted.json without harden.userns" "$(median "$w/nouserns.t")"
row "--policy untrusted.json (a user namespace, idmapped rootfs)" "$(median "$w/policy.t")"
