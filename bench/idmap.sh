#!/bin/bash
# bench/idmap.sh: what a user namespace and the idmapped rootfs add to
# `sbx run /bin/true`, interleaved on one busybox bundle:
#   plain    no user namespace
#   userns   user namespace 0 -> 100000 (65536), rootfs chowned to 100000
#   idmap    the same user namespace, rootfs owned by host root, mounted
#            idmapped (annotation sbx.rootfs.idmap)
# Prints medians and ratios to plain. Usage: bench/idmap.sh [-n N] [--sbx PATH]
set -eu
n=50
here=$(cd "$(dirname "$0")/.." && pwd)
SBX=$here/sbx
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	--sbx) SBX=$2; shift 2 ;;
	*) echo "usage: $0 [-n N] [--sbx PATH]" >&2; exit 2 ;;
	esac
done
w=$(mktemp -d /tmp/sbx-bench-idmap.XXXXXX)
trap 'rm -rf "$w"' EXIT
for v in plain userns idmap; do
	mkdir -p "$w/$v"
	"$here/tests/helpers/mkrootfs.sh" "$w/$v/rootfs" >/dev/null 2>&1
	(cd "$w/$v" && "$SBX" spec)
done
chmod 755 "$w"
base='.process.terminal = false | .root.readonly = false | .process.args = ["/bin/true"]'
ns='| .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
jq "$base" "$w/plain/config.json" >"$w/c" && mv "$w/c" "$w/plain/config.json"
jq "$base $ns" "$w/userns/config.json" >"$w/c" && mv "$w/c" "$w/userns/config.json"
chown -R 100000:100000 "$w/userns/rootfs"
jq "$base $ns | .annotations[\"sbx.rootfs.idmap\"] = \"true\"" "$w/idmap/config.json" >"$w/c" && mv "$w/c" "$w/idmap/config.json"
for i in $(seq "$n"); do
	for v in plain userns idmap; do
		s=$(date +%s%N)
		"$SBX" --root "$w/state" run --bundle "$w/$v" "b-$v-$i" </dev/null >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$w/$v.t"
	done
done
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
p=$(median "$w/plain.t")
echo "| sbx run /bin/true (N=$n, median) | time | ratio to plain |"
echo "|---|---|---|"
for v in plain userns idmap; do
	m=$(median "$w/$v.t")
	printf '| %s | %d.%02d ms | %s |\n' "$v" $((m / 1000)) $((m % 1000 / 10)) "$(awk -v a="$m" -v b="$p" 'BEGIN { printf "%.2f", a / b }')"
done
