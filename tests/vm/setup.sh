#!/bin/sh
# Install what tests/vm/run.sh needs (Debian/Ubuntu, as root). Idempotent and
# quiet when everything is already installed.
set -eu
PKGS="qemu-system-x86 qemu-system-common linux-image-cloud-amd64 busybox-static cpio"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "tests/vm/setup.sh: need root to install:$missing" >&2
		exit 1
	fi
	echo "tests/vm/setup.sh: installing:$missing" >&2
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
fi

why=$("$(dirname "$0")/available.sh") || {
	echo "tests/vm/setup.sh: packages installed but the harness is still unavailable: $why" >&2
	exit 1
}
