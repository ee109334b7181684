#!/bin/sh
# demo.sh: the README's first command ends here. Builds a busybox bundle
# in a temporary directory, then runs one container with `sbx run` and
# shows what it sees: its own hostname, pid 1, its own mounts.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sbx=${SBX:-$top/sbx}
work=$(mktemp -d /tmp/sbx-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$top/tests/helpers/mkrootfs.sh" "$work/rootfs" >/dev/null
cd "$work"
"$sbx" spec
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo \"hello from $(hostname): I am pid $$, uid $(id -u)\"; echo \"my mounts:\"; cut -d\" \" -f2,3 /proc/mounts | sed \"s/^/  /\""]' \
  config.json >config.json.new && mv config.json.new config.json
echo "+ sbx --root $work/state run demo"
"$sbx" --root "$work/state" run demo
