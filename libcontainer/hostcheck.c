/* hostcheck.c: `sbx check`, the host's readiness for running untrusted
 * code: one line per item, what it found and, where it falls short, what
 * to do. Only reads the host (files under /proc and /sys, and probing
 * syscalls with arguments that cannot succeed); it changes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "idmap.h"
#include "json.h"
#include "label.h"
#include "sbx.h"

enum level { CHECK_OK, CHECK_INFO, CHECK_WARN, CHECK_FAIL };
static const char *const level_names[] = { "ok", "info", "warn", "FAIL" };

struct check_out
{
  FILE *out;
  bool json, first;
  int fails;
};

static void
say (struct check_out *o, const char *item, enum level lvl, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static void
say (struct check_out *o, const char *item, enum level lvl, const char *fmt, ...)
{
  char *text = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&text, fmt, ap) < 0)
    text = NULL;
  va_end (ap);
  if (lvl == CHECK_FAIL)
    o->fails++;
  if (o->json)
    {
      struct json_buf b = { 0 };
      json_open (&b, '{');
      json_kv_str (&b, "item", item);
      json_kv_str (&b, "level", lvl == CHECK_FAIL ? "fail" : level_names[lvl]);
      json_kv_str (&b, "detail", text ? text : "");
      json_close (&b, '}');
      fprintf (o->out, "%s%s", o->first ? "[" : ",\n", b.failed ? "{}" : b.s);
      json_buf_free (&b);
      o->first = false;
    }
  else
    fprintf (o->out, "%-5s %-22s %s\n", level_names[lvl], item, text ? text : "");
  free (text);
}

/* First line of a small /proc or /sys file, or NULL. */
static char *
read_line (const char *path)
{
  char *buf = NULL;
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || read_file_at (fd, "", &buf, NULL, 65536, NULL) < 0)
    return NULL;
  buf[strcspn (buf, "\n")] = '\0';
  return buf;
}

static void
check_cgroups (struct check_out *o)
{
  const char *root = cgroup_v2_root ();
  _cleanup_free_ char *path = NULL, *ctl = NULL;
  const char *want[] = { "cpu", "memory", "pids", "io" };
  char missing[64] = "";

  if (root == NULL)
    {
      say (o, "cgroup v2", CHECK_FAIL, "no cgroup v2 hierarchy: sbx cannot limit containers; "
           "boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all)");
      return;
    }
  if (strcmp (root, "/sys/fs/cgroup") != 0)
    say (o, "cgroup v2", CHECK_FAIL, "hybrid host: v2 at %s without the controllers (they are on v1); "
         "boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all)", root);
  else
    say (o, "cgroup v2", CHECK_OK, "unified hierarchy at %s", root);
  if (asprintf (&path, "%s/cgroup.controllers", root) < 0)
    return;
  ctl = read_line (path);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    {
      char w[16];
      snprintf (w, sizeof w, " %s ", want[i]);
      _cleanup_free_ char *padded = NULL;
      if (ctl == NULL || asprintf (&padded, " %s ", ctl) < 0 || strstr (padded, w) == NULL)
        snprintf (missing + strlen (missing), sizeof missing - strlen (missing), " %s", want[i]);
    }
  if (missing[0] != '\0')
    say (o, "cgroup controllers", CHECK_FAIL, "missing in %s:%s; memory, pids and cpu limits cannot be "
         "enforced (sbx refuses such configs)", path, missing);
  else
    say (o, "cgroup controllers", CHECK_OK, "%s", ctl);
}

static void
check_userns (struct check_out *o)
{
  _cleanup_free_ char *max = read_line ("/proc/sys/user/max_user_namespaces");
  _cleanup_free_ char *unpriv = read_line ("/proc/sys/kernel/unprivileged_userns_clone");
  struct stat st;

  if (max == NULL || atol (max) == 0)
    say (o, "user namespaces", CHECK_FAIL, "disabled (user.max_user_namespaces = %s): container root "
         "is host root; set it above 0", max ? max : "?");
  else
    say (o, "user namespaces", CHECK_OK, "enabled (user.max_user_namespaces = %s)", max);
  if (unpriv != NULL)
    say (o, "unprivileged userns", CHECK_INFO, "kernel.unprivileged_userns_clone = %s: %s", unpriv,
         atoi (unpriv) ? "rootless sbx works; every local user also reaches the user-namespace attack surface"
                       : "rootless sbx cannot run; root-run containers are not affected");
  if (stat ("/etc/subuid", &st) == 0 && st.st_size > 0 && stat ("/etc/subgid", &st) == 0 && st.st_size > 0)
    say (o, "subordinate ids", CHECK_OK, "/etc/subuid and /etc/subgid have ranges");
  else
    say (o, "subordinate ids", CHECK_WARN, "no ranges in /etc/subuid, /etc/subgid: rootless containers map "
         "only the caller's id (usermod --add-subuids/--add-subgids)");
  if (access ("/usr/bin/newuidmap", X_OK) == 0 && access ("/usr/bin/newgidmap", X_OK) == 0)
    say (o, "newuidmap", CHECK_OK, "/usr/bin/newuidmap, /usr/bin/newgidmap");
  else
    say (o, "newuidmap", CHECK_WARN, "not installed: rootless ranges need it (Debian package uidmap)");
  say (o, "idmapped mounts", idmap_supported () ? CHECK_OK : CHECK_WARN, "%s",
       idmap_supported () ? "mount_setattr works (per filesystem: ext4, xfs, btrfs; tmpfs from 6.3; an overlay rootfs by its layers from 5.19)"
                          : "no mount_setattr (Linux 5.12): idmapped mounts are refused");
}

static void
check_syscalls (struct check_out *o)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  long fd = syscall (SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
  _cleanup_free_ char *acts = read_line ("/proc/sys/kernel/seccomp/actions_avail");

  if (fd >= 0)
    {
      close ((int) fd);
      say (o, "openat2", CHECK_OK, "RESOLVE_IN_ROOT confines rootfs paths in the kernel");
    }
  else
    say (o, "openat2", CHECK_WARN, "unavailable (%s): sbx uses its own O_NOFOLLOW walk (Linux 5.6 has openat2)",
         strerror (errno));
  /* clone3 with a NULL argument: EFAULT/EINVAL where it exists. */
  if (syscall (SYS_clone3, NULL, 0) < 0 && errno == ENOSYS)
    say (o, "clone3", CHECK_FAIL, "no clone3: sbx needs it (Linux 5.3; CLONE_INTO_CGROUP 5.7)");
  else
    say (o, "clone3", CHECK_OK, "present");
  if (acts != NULL && strstr (acts, "user_notif") != NULL)
    say (o, "seccomp notify", CHECK_OK, "SCMP_ACT_NOTIFY available");
  else
    say (o, "seccomp notify", CHECK_WARN, "no user_notif in kernel.seccomp.actions_avail: configs with "
         "SCMP_ACT_NOTIFY are refused");
}

static void
check_host (struct check_out *o)
{
  _cleanup_free_ char *bpf = read_line ("/proc/sys/kernel/unprivileged_bpf_disabled");
  struct statvfs sv;

  say (o, "apparmor", CHECK_INFO, "%s", label_apparmor_enabled ()
       ? "enabled: process.apparmorProfile is applied" : "off: configs with process.apparmorProfile are refused");
  say (o, "selinux", CHECK_INFO, "%s", label_selinux_enabled ()
       ? "enabled: selinuxLabel and mountLabel are applied" : "off: configs with selinuxLabel or mountLabel are refused");
  if (statvfs ("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY))
    say (o, "sbx binary", CHECK_OK, "on a read-only mount: no re-exec needed (CVE-2019-5736)");
  else
    say (o, "sbx binary", CHECK_INFO, "on a writable mount: create, run and exec re-execute from a read-only "
         "bind of it (about 1 ms); install sbx on a read-only mount to save that");
  if (bpf == NULL || atoi (bpf) == 0)
    say (o, "unprivileged bpf", CHECK_WARN, "kernel.unprivileged_bpf_disabled = %s: unprivileged bpf() is "
         "allowed; set it to 1 or 2", bpf ? bpf : "?");
  else
    say (o, "unprivileged bpf", CHECK_OK, "kernel.unprivileged_bpf_disabled = %s", bpf);
}

int
sbx_host_check (FILE *out, bool json, sbx_error_t *err)
{
  struct check_out o = { .out = out, .json = json, .first = true };

  (void) err;
  check_cgroups (&o);
  check_userns (&o);
  check_syscalls (&o);
  check_host (&o);
  if (json)
    fputs (o.first ? "[]\n" : "]\n", out);
  return o.fails;
}
