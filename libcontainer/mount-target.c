/* mount-target.c: vetting a config mount's destination before anything is
 * attached there. Two escape classes are refused here:
 *
 *  - a proc, sysfs, cgroup or mqueue mount whose destination is, or passes
 *    through, a symlink: the image decides where /proc goes
 *    (CVE-2019-19921, CVE-2023-27561). Other mounts follow symlinks, but
 *    only inside the root (fsutil.c).
 *  - a mount over the container's /proc or inside a mounted procfs, which
 *    could redirect what the runtime or the kernel writes through /proc
 *    (/proc/self/attr, sysctls: CVE-2019-16884, CVE-2025-52881). Over /proc
 *    itself only a procfs may go (a new one, or a bind of one); inside a
 *    procfs only the files lxcfs emulates and the config's own masked and
 *    read-only paths.
 *
 * The checks run on the fd the mount is then attached to, so a rename
 * raced in between cannot move the mount somewhere unchecked. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "mount-target.h"

/* The files lxcfs (and CRIU, for ns_last_pid) put over /proc; the same
   list runc accepts. */
static const char *const lxcfs_files[] = {
  "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
  "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
  "/proc/sys/kernel/ns_last_pid",
};

static bool
is_kernel_fs (const char *type)
{
  static const char *const types[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue" };

  for (size_t i = 0; type != NULL && i < sizeof types / sizeof types[0]; i++)
    if (strcmp (type, types[i]) == 0)
      return true;
  return false;
}

/* dest and want name the same path, comparing component by component
   ("//proc/cpuinfo/" is "/proc/cpuinfo"); "." and ".." never match. */
static bool
same_path (const char *dest, const char *want)
{
  for (;;)
    {
      size_t a, b;
      while (*dest == '/')
        dest++;
      while (*want == '/')
        want++;
      if (*dest == '\0' || *want == '\0')
        return *dest == *want;
      a = strcspn (dest, "/");
      b = strcspn (want, "/");
      if (a != b || strncmp (dest, want, a) != 0 || (dest[0] == '.' && (a == 1 || (a == 2 && dest[1] == '.'))))
        return false;
      dest += a;
      want += b;
    }
}

bool
mount_target_proc_allowed (const struct sbx_spec *spec, const char *dest)
{
  const struct spec_linux *l = spec->linux_;

  for (size_t i = 0; i < sizeof lxcfs_files / sizeof lxcfs_files[0]; i++)
    if (same_path (dest, lxcfs_files[i]))
      return true;
  for (size_t i = 0; l != NULL && i < l->masked_paths.n; i++)
    if (same_path (dest, l->masked_paths.v[i]))
      return true;
  for (size_t i = 0; l != NULL && i < l->readonly_paths.n; i++)
    if (same_path (dest, l->readonly_paths.v[i]))
      return true;
  return false;
}

static bool
is_procfs (int fd)
{
  struct statfs sfs;
  return fd >= 0 && fstatfs (fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static bool
same_inode (int a, int b)
{
  struct stat sa, sb;
  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int
check_proc (int rootfd, const struct sbx_spec *spec, const struct spec_mount *m, int source_fd,
            int target, sbx_error_t *err)
{
  _cleanup_fd_ int proc = open_nofollow_in_root (rootfd, "/proc", O_PATH);

  if (proc >= 0 && same_inode (proc, target))
    {
      if ((m->type != NULL && strcmp (m->type, "proc") == 0 && source_fd < 0) || is_procfs (source_fd))
        return 0;
      return sbx_error_set (err, EPERM, "`%s` is the container's /proc: only a procfs may be mounted there",
                            m->destination);
    }
  if (is_procfs (target) && !mount_target_proc_allowed (spec, m->destination))
    return sbx_error_set (err, EPERM, "`%s` is inside a procfs: only lxcfs' files and the config's "
                          "maskedPaths and readonlyPaths may be mounted there", m->destination);
  return 0;
}

/* For kernel filesystems the destination itself, no symlink on the way:
   create what is missing (following nothing the image left), then open
   it again without following anything. */
static int
open_kernel_fs_target (int rootfd, const struct spec_mount *m, sbx_error_t *err)
{
  int fd = open_nofollow_in_root (rootfd, m->destination, O_PATH);

  if (fd < 0 && errno == ENOENT)
    {
      _cleanup_fd_ int made = mkdirall_in_root (rootfd, m->destination, 0755, err);
      if (made < 0)
        return -1;
      fd = open_nofollow_in_root (rootfd, m->destination, O_PATH);
    }
  if (fd < 0 && (errno == ELOOP || errno == EINVAL))
    return sbx_error_set (err, ELOOP, "destination `%s` is a symlink or passes through one: "
                          "refused for a %s mount (CVE-2019-19921)", m->destination, m->type);
  if (fd < 0)
    return sbx_error_errno (err, "open destination `%s`", m->destination);
  return fd;
}

int
mount_target_open (int rootfd, const struct sbx_spec *spec, const struct spec_mount *m,
                   int source_fd, bool is_dir, sbx_error_t *err)
{
  _cleanup_fd_ int target = -1;

  if (source_fd < 0 && is_kernel_fs (m->type))
    target = open_kernel_fs_target (rootfd, m, err);
  else
    target = is_dir ? mkdirall_in_root (rootfd, m->destination, 0755, err)
                    : mkfile_in_root (rootfd, m->destination, 0644, err);
  if (target < 0)
    return -1;
  if (check_proc (rootfd, spec, m, source_fd, target, err) < 0)
    return -1;
  return take_fd (&target);
}
