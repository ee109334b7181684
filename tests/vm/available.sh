#!/bin/sh
# Exit 0 if tests/vm/run.sh can run on this machine; otherwise print why
# (one line per missing piece) and exit 1. /dev/kvm is not needed (TCG).
why=
no() { why="${why}${why:+; }$*"; }

[ "$(id -u)" = 0 ] || no "must run as root (virtiofsd shares / and needs root)"
[ "$(uname -m)" = x86_64 ] || no "host is $(uname -m), the harness needs x86_64"
q=${SBX_VM_QEMU:-$(command -v qemu-system-x86_64 2>/dev/null)}
[ -n "$q" ] && [ -x "$q" ] || no "qemu-system-x86_64 not found (apt package qemu-system-x86)"
v=${SBX_VM_VIRTIOFSD:-}
if [ -z "$v" ]; then
	for c in /usr/lib/qemu/virtiofsd /usr/libexec/virtiofsd /usr/lib/virtiofsd; do
		[ -x "$c" ] && { v=$c; break; }
	done
fi
[ -n "$v" ] && [ -x "$v" ] || no "virtiofsd not found (apt package qemu-system-common)"
k=${SBX_VM_KERNEL:-$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n1)}
if [ -z "$k" ] || [ ! -r "$k" ]; then
	no "no readable cloud kernel /boot/vmlinuz-*-cloud-amd64 (apt package linux-image-cloud-amd64)"
else
	kv=${k##*/vmlinuz-}
	[ -d "/lib/modules/$kv/kernel" ] || no "no modules for $kv in /lib/modules/$kv"
fi
b=${SBX_VM_BUSYBOX:-/bin/busybox}
if [ ! -x "$b" ]; then
	no "$b not found (apt package busybox-static)"
elif ! file_out=$(LC_ALL=C "$b" 2>&1 | head -n1) || [ -z "$file_out" ]; then
	no "$b does not run"
fi
command -v cpio >/dev/null 2>&1 || no "cpio not found (apt package cpio)"
[ -e /dev/shm ] || no "no /dev/shm"

if [ -n "$why" ]; then
	echo "$why"
	exit 1
fi
exit 0
