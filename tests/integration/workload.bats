#!/usr/bin/env bats
# The strict policy (contrib/policy/untrusted.json) still runs real code:
# a shell pipeline, python3, a C compile and run, stdin to stdout. The
# container's /usr is the host's, bound read-only (Debian's merged /usr:
# /bin, /lib, /lib64 and /sbin are symlinks into it), so the test needs no
# image with python3 and gcc. The memory and pids ceilings (a program past
# them, a fork bomb) need cgroup v2: policy-limits.bats, in the VM.

# bats file_tags=host

load helpers

setup() {
	sbx_setup
	[ -x /usr/bin/python3 ] && [ -x /usr/bin/gcc ] || fail "needs /usr/bin/python3 and gcc (bootstrap.sh installs them)"
	rm -rf "$ROOTFS"
	mkdir -p "$ROOTFS"/{usr,tmp,proc,dev,sys,etc,work}
	for l in bin lib lib64 sbin; do ln -s "usr/$l" "$ROOTFS/$l"; done
	echo "root:x:0:0:root:/root:/bin/sh" >"$ROOTFS/etc/passwd"
	POL=$BATS_TEST_TMPDIR/pol/p.json
	mkdir -p -m 0755 "$BATS_TEST_TMPDIR/pol"
	jq '.allow.bindSources += ["/usr"]' "$top_srcdir/contrib/policy/untrusted.json" >"$POL"
	chmod 0644 "$POL"
	update_config '.mounts += [{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"]},
			{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=256m"]}]
		| .process.noNewPrivileges = true
		| .process.env = ["PATH=/usr/bin:/bin", "HOME=/tmp"]
		| .process.cwd = "/tmp"
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}'
}

# stdout only: the policy says once on stderr that it added a user namespace
wrun() { run --separate-stderr sbx --policy "$POL" run --bundle "$BUNDLE" "$@"; }

@test "workload under the strict policy: a shell pipeline" {
	set_args /bin/sh -c 'seq 1000 | sort -rn | head -3 | tr "\n" " "; echo; grep -c ^Seccomp_filters /proc/self/status'
	wrun w1 </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = "1000 999 998 " ]
}

@test "workload under the strict policy: python3 with the standard library" {
	set_args /usr/bin/python3 -c 'import hashlib, json, sqlite3, subprocess, threading, socket
c = sqlite3.connect(":memory:"); c.execute("create table t (x)"); c.execute("insert into t values (42)")
t = threading.Thread(target=lambda: None); t.start(); t.join()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.close()
print(json.dumps({"sha": hashlib.sha256(b"x").hexdigest()[:8], "row": c.execute("select x from t").fetchone()[0],
                  "sub": subprocess.run(["echo", "child"], capture_output=True, text=True).stdout.strip()}))'
	wrun w2 </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = '{"sha": "2d711642", "row": 42, "sub": "child"}' ]
}

@test "workload under the strict policy: a C program compiled and run" {
	set_args /bin/sh -c 'printf "#include <stdio.h>\nint main(void){printf(\"compiled %%d\\\\n\", 6*7);return 0;}\n" >hello.c && gcc -O2 -o hello hello.c && ./hello'
	wrun w3 </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "compiled 42" ]
}

@test "workload under the strict policy: stdin to stdout, exit status" {
	set_args /bin/sh -c 'tr a-z A-Z; exit 3'
	run --separate-stderr bash -c 'echo "from stdin" | "$0" --root "$1" --policy "$2" run --bundle "$3" w4' "$SBX" "$ROOT" "$POL" "$BUNDLE"
	[ "$status" -eq 3 ]
	[ "$output" = "FROM STDIN" ]
}
