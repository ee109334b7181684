#!/bin/sh
# install.sh: install sbx and register it with Docker, without systemd.
#
#   contrib/install.sh [--prefix DIR] [--default] [--docker-config FILE] [--no-docker]
#
#   --prefix DIR          install DIR/bin/sbx and DIR/libexec/sbx/sbx-systemd
#                         (default /usr/local)
#   --default             also make sbx Docker's default runtime
#   --docker-config FILE  the dockerd config to edit (default /etc/docker/daemon.json)
#   --no-docker           only install the binary
#
# The binary is ./sbx of the build tree (run `make` first, or set SBX=PATH).
# The dockerd config gets "runtimes": {"sbx": {"path": DIR/bin/sbx}}: merged
# into the file with jq when it exists (the old file is kept as FILE.bak),
# written from contrib/docker/daemon.json when it does not. Nothing is
# restarted: the script prints how to reload dockerd (SIGHUP). containerd
# and Kubernetes: see contrib/containerd/config.toml and docs/engines.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
prefix=/usr/local
config=/etc/docker/daemon.json
default=0
docker=1

while [ $# -gt 0 ]; do
	case $1 in
	--prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
	--prefix=*) prefix=${1#*=}; shift ;;
	--docker-config) config=${2:?--docker-config needs a file}; shift 2 ;;
	--docker-config=*) config=${1#*=}; shift ;;
	--default) default=1; shift ;;
	--no-docker) docker=0; shift ;;
	-h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
	esac
done

src=${SBX:-$top/sbx}
if [ ! -x "$src" ]; then
	echo "install.sh: $src not found: build it first (./bootstrap.sh build, or ./configure && make)" >&2
	exit 1
fi
"$src" --version >/dev/null || { echo "install.sh: $src --version failed" >&2; exit 1; }

# put FILE DEST: copy next to the target, then rename (a running dockerd
# may exec the old one)
put() {
	mkdir -p "$(dirname "$2")"
	cp "$1" "$2.new.$$"
	chmod 0755 "$2.new.$$"
	mv -f "$2.new.$$" "$2"
}
bin=$prefix/bin/sbx
put "$src" "$bin"
echo "installed $bin: $("$bin" --version | head -1)"
# --systemd-cgroup's helper (the only program linked with libsystemd); sbx
# finds it in ../libexec/sbx/ from its own directory
helper=$(dirname "$src")/sbx-systemd
if [ -x "$helper" ]; then
	put "$helper" "$prefix/libexec/sbx/sbx-systemd"
	echo "installed $prefix/libexec/sbx/sbx-systemd"
fi

[ "$docker" = 1 ] || exit 0

filter='.runtimes = ((.runtimes // {}) + {"sbx": {"path": $path}})'
[ "$default" = 0 ] || filter="$filter | .[\"default-runtime\"] = \"sbx\""
mkdir -p "$(dirname "$config")"
if [ -s "$config" ]; then
	command -v jq >/dev/null || { echo "install.sh: jq is needed to merge into $config (apt-get install jq)" >&2; exit 1; }
	jq --arg path "$bin" "$filter" "$config" >"$config.new.$$" || {
		rm -f "$config.new.$$"
		echo "install.sh: $config is not valid JSON; left unchanged" >&2
		exit 1
	}
	cp -p "$config" "$config.bak"
	mv -f "$config.new.$$" "$config"
	echo "updated $config (previous version: $config.bak)"
elif command -v jq >/dev/null; then
	jq --arg path "$bin" "$filter" "$here/docker/daemon.json" >"$config"
	echo "wrote $config"
else
	sed "s|\"/usr/local/bin/sbx\"|\"$bin\"|" "$here/docker/daemon.json" >"$config"
	[ "$default" = 0 ] || echo "install.sh: no jq: add \"default-runtime\": \"sbx\" to $config yourself" >&2
	echo "wrote $config"
fi

cat <<MSG

Reload dockerd so that it reads $config (running containers are kept):
  kill -HUP "\$(cat /var/run/docker.pid)"
then check and use it:
  docker info | grep -i runtime
  docker run --rm --runtime=sbx IMAGE echo hello
A reload adds sbx but hides the io.containerd.runc.v2 aliases from
'docker info' until dockerd restarts; a changed "default-runtime" needs the
key in the file (see docs/engines.md).
MSG
