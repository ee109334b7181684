#!/bin/sh
# mkrootfs.sh DIR: build a minimal busybox rootfs in DIR (created; must not
# exist or be empty).
#
#   /bin/busybox (static, $BUSYBOX or /bin/busybox) and one symlink per applet
#   /bin/probe   (from $PROBE or tests/helpers/probe next to this script, if built)
#   /etc/passwd, /etc/group (root, user 1000, nobody), /etc/hostname
#   empty /proc /sys /dev /tmp (1777) /home/user /root /run /var /mnt
#
# Takes ~0.3 s. The integration suite builds it once per run and copies it
# per test (cp -a --reflink=auto: real copies, so no test can change
# another test's files through a shared inode).
set -eu

dir=${1:?usage: mkrootfs.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
probe=${PROBE:-$here/probe}

[ -x "$busybox" ] || { echo "mkrootfs.sh: $busybox not found (apt package busybox-static)" >&2; exit 1; }
# a dynamically linked busybox would need its libraries in the rootfs
if ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkrootfs.sh: $busybox does not run" >&2; exit 1
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp home/user root run var/tmp mnt
chmod 1777 tmp var/tmp
chmod 0700 root
cp "$busybox" bin/busybox
chmod 0755 bin/busybox
# One process for all applet links when we may chroot (fork+exec is slow in
# the TCG VM); one `ln` per applet otherwise.
if ! chroot . /bin/busybox --install -s /bin 2>/dev/null; then
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || [ -e "bin/$a" ] || ln -s busybox "bin/$a"
	done
fi
if [ -x "$probe" ]; then
	cp "$probe" bin/probe
	chmod 0755 bin/probe
fi

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000::/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
EOF
echo sbx-rootfs >etc/hostname
# a marker a test can look for to know it sees this rootfs
echo sbx-test-rootfs >etc/sbx-rootfs
chown 1000:1000 home/user
