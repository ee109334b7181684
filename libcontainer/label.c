/* label.c: SELinux and AppArmor exec labels. Both are a write into the
 * calling thread's /proc attr files before execve; the write goes through
 * a procfs handle the init mounted itself and checked (CVE-2019-16884:
 * never through a /proc path the container could have replaced). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "label.h"

bool
label_selinux_enabled (void)
{
  static int enabled = -1;
  struct statfs sfs;

  if (enabled < 0)
    enabled = statfs ("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC
              && access ("/sys/fs/selinux/enforce", F_OK) == 0;
  return enabled;
}

bool
label_apparmor_enabled (void)
{
  static int enabled = -1;
  char c = 0;

  if (enabled < 0)
    {
      int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
      enabled = fd >= 0 && read (fd, &c, 1) == 1 && c == 'Y';
      if (fd >= 0)
        close (fd);
    }
  return enabled;
}

int
label_apparmor_exec_text (const char *profile, char *buf, size_t len)
{
  int n = snprintf (buf, len, "exec %s", profile);
  return (n < 0 || (size_t) n >= len) ? -1 : n;
}

static int
write_attr (int procfd, const char *name, const char *value, size_t len, sbx_error_t *err)
{
  char path[128];
  _cleanup_fd_ int fd = -1;

  snprintf (path, sizeof path, "thread-self/attr/%s", name);
  fd = openat (procfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "open /proc/%s", path);
  if (write (fd, value, len) != (ssize_t) len)
    return sbx_error_errno (err, "write /proc/%s", path);
  return 0;
}

static bool
has_label (const char *l)
{
  return l != NULL && l[0] != '\0';
}

/* runc refuses a label the host cannot apply, and so does sbx: a program
   the config says is confined must never run unconfined. */
int
label_check_lsm (const struct spec_process *p, const char *mount_label, bool selinux, bool apparmor,
                 sbx_error_t *err)
{
  if (p != NULL && has_label (p->selinux_label) && !selinux)
    return sbx_error_set (err, ENOTSUP, "process.selinuxLabel \"%.200s\": SELinux is not enabled on this host",
                          p->selinux_label);
  if (p != NULL && has_label (p->apparmor_profile) && !apparmor)
    return sbx_error_set (err, ENOTSUP, "process.apparmorProfile \"%.200s\": AppArmor is not enabled on this host",
                          p->apparmor_profile);
  if (has_label (mount_label) && !selinux)
    return sbx_error_set (err, ENOTSUP, "linux.mountLabel \"%.200s\": SELinux is not enabled on this host",
                          mount_label);
  return 0;
}

int
label_check (const struct spec_process *p, const char *mount_label, sbx_error_t *err)
{
  return label_check_lsm (p, mount_label, label_selinux_enabled (), label_apparmor_enabled (), err);
}

int
label_apply_exec (const struct spec_process *p, int procfd, sbx_error_t *err)
{
  return label_apply_exec_lsm (p, procfd, label_selinux_enabled (), label_apparmor_enabled (), err);
}

int
label_apply_exec_lsm (const struct spec_process *p, int procfd, bool selinux, bool apparmor,
                      sbx_error_t *err)
{
  /* label_check refused these before any fork; checked again so that no
     caller can run a program less confined than asked. */
  if (label_check_lsm (p, NULL, selinux, apparmor, err) < 0)
    return -1;
  if (has_label (p->selinux_label)
      && write_attr (procfd, "exec", p->selinux_label, strlen (p->selinux_label), err) < 0)
    return sbx_error_wrap (err, "process.selinuxLabel \"%s\"", p->selinux_label);
  if (has_label (p->apparmor_profile))
    {
      char buf[4096];
      int n = label_apparmor_exec_text (p->apparmor_profile, buf, sizeof buf);
      if (n < 0)
        return sbx_error_set (err, EINVAL, "process.apparmorProfile: too long");
      if (write_attr (procfd, "apparmor/exec", buf, n, err) < 0
          && write_attr (procfd, "exec", buf, n, err) < 0)
        return sbx_error_wrap (err, "process.apparmorProfile \"%s\"", p->apparmor_profile);
    }
  return 0;
}

const char *
label_mount_context (const struct sbx_spec *spec)
{
  const char *l = spec->linux_ ? spec->linux_->mount_label : NULL;

  /* Without SELinux, label_check refused the config already. */
  return has_label (l) ? l : NULL;
}
