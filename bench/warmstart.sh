#!/bin/bash
# bench/warmstart.sh: a slow-starting program (python3 importing a large
# part of its standard library) answering one request, cold (`sbx run -d`,
# wait for it to be ready, ask, read the answer) against warm (`sbx
# restore -d` from a checkpoint taken once after the imports, ask, read the
# answer). Prints a markdown table and the break-even: after how many
# requests the one-time checkpoint has paid for itself. CRIU must work on
# the kernel: run it in the VM where `criu check` fails on the host.
#
#   bench/warmstart.sh [--iterations N] [--sbx PATH] [--output FILE]
#   bench/warmstart.sh --vm [--iterations N] [--output FILE]
set -eu
cd "$(dirname "$0")/.."
top=$PWD
iterations=20
sbx=$top/sbx
output=
vm=0
while [ $# -gt 0 ]; do
	case $1 in
	--iterations) iterations=$2; shift 2 ;;
	--sbx) sbx=$(realpath "$2"); shift 2 ;;
	--output) output=$2; shift 2 ;;
	--vm) vm=1; shift ;;
	*) echo "usage: $0 [--vm] [--iterations N] [--sbx PATH] [--output FILE]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "warmstart.sh: run as root" >&2; exit 1; }

if [ "$vm" = 1 ]; then
	# The guest's writes vanish: it prints the report, the host keeps it.
	report=$(tests/vm/run.sh --timeout 3000 -- bench/warmstart.sh --iterations "$iterations" --sbx "$sbx") || exit 1
	echo "$report"
	[ -z "$output" ] || echo "$report" >"$output"
	exit 0
fi

if ! why=$(criu check 2>&1); then
	echo "warmstart.sh: criu check fails on this kernel ($(uname -r)): $why" >&2
	echo "warmstart.sh: run it in the VM: bench/warmstart.sh --vm" >&2
	exit 1
fi

work=$(mktemp -d /tmp/sbx-warmstart.XXXXXX)
trap 'for id in $("$sbx" --root "$work/state" list -q 2>/dev/null); do "$sbx" --root "$work/state" delete -f "$id"; done; rm -rf "$work"' EXIT

# The rootfs: the host's /usr, read-only, under Debian's merged-/usr links.
b=$work/bundle
mkdir -p "$b/rootfs"/{usr,proc,dev,sys,tmp,etc}
for l in bin lib lib64 sbin; do ln -s "usr/$l" "$b/rootfs/$l"; done
(cd "$b" && "$sbx" spec)
prog='
import sys
import asyncio, email.mime.multipart, http.server, json, decimal, unittest, xml.dom.minidom
import sqlite3, argparse, logging.handlers, urllib.request, ssl, multiprocessing
import concurrent.futures, tarfile, zipfile, csv, difflib, pydoc, inspect, pdb, doctest
sys.stdout.write("ready\n"); sys.stdout.flush()
for line in sys.stdin:
    sys.stdout.write("answer %s\n" % json.dumps({"len": len(line), "d": str(decimal.Decimal(1) / 7)}))
    sys.stdout.flush()
'
jq --arg p "$prog" '.process.terminal = false | .root.readonly = true
	| .process.args = ["python3", "-c", $p]
	| .process.env += ["PYTHONDONTWRITEBYTECODE=1"]
	| .mounts += [{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]}]' \
	"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"

python3 - "$sbx" "$work" "$iterations" <<'EOF'
import math, os, statistics, subprocess, sys, time

sbx, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
root, bundle, img = work + "/state", work + "/bundle", work + "/img"

def sbxc(*args, **kw):
    return subprocess.run([sbx, "--root", root, *args], check=True, **kw)

def start(cmd, cid):
    """Run cmd (sbx run -d / restore -d) with pipes; return the pipes."""
    p = subprocess.Popen([sbx, "--root", root, *cmd, cid], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # sbx exits once the container runs; the container keeps the pipes.
    if p.wait() != 0:
        raise SystemExit("%s %s: %s" % (cmd[0], cid, p.stderr.read().decode()))
    return p

def ask(p):
    p.stdin.write(b"q\n")
    p.stdin.flush()
    line = p.stdout.readline()
    if not line.startswith(b"answer"):
        raise SystemExit("bad answer: %r" % line)

def cold(cid):
    t0 = time.monotonic()
    p = start(["run", "-d", "--bundle", bundle], cid)
    if p.stdout.readline() != b"ready\n":
        raise SystemExit("not ready")
    ask(p)
    t = time.monotonic() - t0
    sbxc("delete", "-f", cid)
    return t

def warm(cid, images, extra=()):
    wp = "%s/work-%s" % (work, cid)
    os.mkdir(wp)
    t0 = time.monotonic()
    p = start(["restore", "-d", "--bundle", bundle, "--image-path", images, "--work-path", wp, *extra], cid)
    ask(p)
    t = time.monotonic() - t0
    sbxc("delete", "-f", cid)
    return t

def checkpoint(cid, images, extra=()):
    """A container made ready (imports done), then dumped: the one-time cost."""
    t0 = time.monotonic()
    p = start(["run", "-d", "--bundle", bundle], cid)
    if p.stdout.readline() != b"ready\n":
        raise SystemExit("not ready")
    t_ready = time.monotonic() - t0
    os.mkdir(images)
    t0 = time.monotonic()
    sbxc("checkpoint", "--image-path", images, *extra, cid)
    t_ckpt = time.monotonic() - t0
    size = sum(os.path.getsize(os.path.join(images, f)) for f in os.listdir(images))
    return t_ready, t_ckpt, size

EMPTY = ("--empty-ns", "network")
img2 = work + "/img-emptyns"
t_ready, t_ckpt, size = checkpoint("src", img)
t_ready2, t_ckpt2, _ = checkpoint("src2", img2, EMPTY)

c, w, e = [], [], []
for i in range(n):  # interleaved, so drift hits all alike
    c.append(cold("c%d" % i))
    w.append(warm("w%d" % i, img))
    e.append(warm("e%d" % i, img2, EMPTY))

def ms(v): return "%.0f ms" % (v * 1000)
def row(name, v):
    return "| %s | %s | %s-%s |" % (name, ms(statistics.median(v)), ms(min(v)), ms(max(v)))
mc = statistics.median(c)
print("| figure (N=%d) | median | min-max |" % n)
print("|---|---|---|")
print(row("cold: `sbx run -d`, imports, answer", c))
print(row("warm: `sbx restore -d`, answer", w))
print(row("warm, `--empty-ns network`: `sbx restore -d`, answer", e))
print("| one-time: start to ready (the checkpointed container) | %s | |" % ms(t_ready))
print("| one-time: `sbx checkpoint` | %s | |" % ms(t_ckpt))
print("| one-time: `sbx checkpoint --empty-ns network` | %s | |" % ms(t_ckpt2))
print("| checkpoint images | %.1f MiB | |" % (size / 1048576))
print()
for name, v, once in (("warm", w, t_ready + t_ckpt), ("warm with --empty-ns network", e, t_ready2 + t_ckpt2)):
    mw = statistics.median(v)
    if mw < mc:
        be = once / (mc - mw)
        print("- %s saves %s per request (%.2fx); the one-time cost (%s: ready + checkpoint) "
              "is paid back after %.2f requests: from %d requests on it is ahead in total." %
              (name, ms(mc - mw), mc / mw, ms(once), be, math.ceil(be)))
    else:
        print("- %s is not faster here: restore %s >= cold %s, no break-even." % (name, ms(mw), ms(mc)))
print()
print("Kernel %s, %s" % (os.uname().release, subprocess.run(["criu", "--version"], capture_output=True,
      text=True).stdout.split("\n")[0]))
EOF
