#!/bin/sh
# bootstrap.sh: one command from a fresh Debian 12 machine (as root).
#   ./bootstrap.sh demo    install dependencies, build, run a busybox container
#   ./bootstrap.sh check   install dependencies, build, run the whole test suite
#   ./bootstrap.sh build   install dependencies and build only
set -eu
cd "$(dirname "$0")"
what=${1:-build}

deps="build-essential autoconf automake pkg-config libyajl-dev libseccomp-dev python3 \
libcap-dev libselinux1-dev libsystemd-dev systemd dbus busybox-static bats jq util-linux iproute2 criu \
qemu-system-x86 qemu-system-common linux-image-cloud-amd64 linux-image-amd64 cpio \
ibverbs-utils ibverbs-providers uidmap \
docker.io containerd podman bsdutils apparmor clang \
containernetworking-plugins python3-grpcio python3-grpc-tools"

missing=""
for p in $deps; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bootstrap: installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -x configure ] || autoreconf -fi >/dev/null
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" >/dev/null

case "$what" in
  demo) make demo ;;
  check) make check ;;
  build) ;;
  *) echo "usage: $0 demo|check|build" >&2; exit 2 ;;
esac
