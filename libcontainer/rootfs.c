/* rootfs.c: the container's root filesystem, in this order: stop mount
 * events from reaching the host, bind the rootfs onto itself (pivot_root
 * needs a mount point), apply config mounts in order, create /dev nodes,
 * then pivot_root and detach the old root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "devices.h"
#include "error.h"
#include "fsutil.h"
#include "log.h"
#include "mounts.h"
#include "rootfs.h"

int
rootfs_propagation_flags (const char *name, unsigned long *flags)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } table[] = {
    { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
    { "slave", MS_SLAVE },     { "rslave", MS_SLAVE | MS_REC },
    { "shared", MS_SHARED },   { "rshared", MS_SHARED | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (table[i].name, name) == 0)
      {
        *flags = table[i].flags;
        return 0;
      }
  return -1;
}

int
rootfs_prepare (const struct create_plan *plan, const struct create_fds *fds, sbx_error_t *err)
{
  const struct sbx_spec *spec = plan->spec;
  const char *prop = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  unsigned long prop_flags = 0;
  _cleanup_fd_ int rootfd = -1;

  if (prop != NULL && rootfs_propagation_flags (prop, &prop_flags) < 0)
    return sbx_error_set (err, EINVAL, "linux.rootfsPropagation: unknown value `%s`", prop);

  /* Nothing we mount may propagate back to the host: before the first
     mount of the config, the whole tree becomes a slave (private for a
     private rootfsPropagation). A shared rootfsPropagation is applied
     after pivot (rootfs_finalize), to the new root's own mounts. Bind
     sources get the same treatment in the parent (mounts_bind_propagation). */
  if (mount (NULL, "/", NULL, (prop_flags & MS_PRIVATE ? MS_PRIVATE : MS_SLAVE) | MS_REC, NULL) < 0)
    return sbx_error_errno (err, "make / a %s mount", prop_flags & MS_PRIVATE ? "private" : "slave");
  if (fds->rootfs_fd >= 0)
    {
      /* The parent's clone (rootfs_clone, idmapped or not) takes the
         self-bind's place. Attached at the cwd, root.path as this mount
         namespace sees it (process.c stood there for the clone), so
         nothing walks the host's path: an id of a new user namespace may
         not search the engines' storage (0700). The fd then names the
         attached mount's root. */
      int r = fds->rootfs_at_cwd
                  ? move_mount (fds->rootfs_fd, "", AT_FDCWD, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
                  : move_mount (fds->rootfs_fd, "", AT_FDCWD, plan->rootfs, MOVE_MOUNT_F_EMPTY_PATH);
      if (r < 0)
        return sbx_error_errno (err, "attach the rootfs clone on `%s`", plan->rootfs);
      rootfd = fcntl (fds->rootfs_fd, F_DUPFD_CLOEXEC, 3);
    }
  else
    {
      if (mount (plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return sbx_error_errno (err, "bind rootfs `%s` onto itself", plan->rootfs);
      rootfd = open (plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  if (rootfd < 0)
    return sbx_error_errno (err, "open rootfs `%s`", plan->rootfs);
  if (devices_check_dev_dir (rootfd, spec, err) < 0)
    return -1;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      _cleanup_fd_ int own = -1;
      int src = fds->mount_fds[i];

      /* A privileged parent opened bind sources before the user namespace
         existed; a rootless one cannot, so it is done here, as the
         mapped user, before pivot_root hides the host. */
      if (src < 0 && mount_is_bind (m))
        {
          own = mounts_open_bind_source (m, plan->bundle, mounts_bind_propagation (prop), err);
          if (own < 0)
            return sbx_error_wrap (err, "mounts[%zu] `%s`", i, m->destination);
          src = own;
        }
      if (mounts_apply_one (rootfd, spec, m, src, err) < 0)
        return sbx_error_wrap (err, "mounts[%zu] `%s`", i, m->destination);
    }
  if (devices_create (rootfd, fds->devs, fds->n_devs, fds->dev_fds, err) < 0)
    return -1;
  if (devices_config_mounts_dev (spec) && devices_symlinks (rootfd, err) < 0)
    return -1;
  return take_fd (&rootfd);
}

int
rootfs_clone (const char *rootfs, uint64_t prop, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open_tree (AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  /* Never a peer of the host's mounts, whatever rootfsPropagation says: a
     shared one is applied after pivot (rootfs_finalize), as with the
     self-bind, so nothing the init mounts reaches the host before. */
  struct mount_attr attr = { .propagation = prop != 0 ? prop : MS_SLAVE };

  if (fd < 0)
    return sbx_error_errno (err, "root.path `%s`: clone", rootfs);
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return sbx_error_errno (err, "root.path `%s`: propagation of the clone", rootfs);
  return take_fd (&fd);
}

int
rootfs_pivot (int rootfd, bool no_pivot, sbx_error_t *err)
{
  if (fchdir (rootfd) < 0)
    return sbx_error_errno (err, "chdir to rootfs");
  if (no_pivot)
    {
      if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
        return sbx_error_errno (err, "move rootfs to /");
      if (chroot (".") < 0)
        return sbx_error_errno (err, "chroot");
    }
  else
    {
      _cleanup_fd_ int oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);

      if (oldroot < 0)
        return sbx_error_errno (err, "open the old root");
      /* pivot_root(".", ".") stacks the old root on top of the new one;
         detaching it then leaves only the new root. The cwd still names
         the new root's own mount: step into the old root first, or the
         rslave below would hit the container's mounts and undo the
         propagation their options asked for. */
      if (syscall (SYS_pivot_root, ".", ".") < 0)
        return sbx_error_errno (err, "pivot_root");
      if (fchdir (oldroot) < 0)
        return sbx_error_errno (err, "chdir to the old root");
      if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return sbx_error_errno (err, "make old root a slave");
      if (umount2 (".", MNT_DETACH) < 0)
        return sbx_error_errno (err, "detach old root");
    }
  if (chdir ("/") < 0)
    return sbx_error_errno (err, "chdir /");
  return 0;
}

int
rootfs_finalize (const struct sbx_spec *spec, sbx_error_t *err)
{
  const char *prop = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;

  if (spec->root != NULL && spec->root->readonly)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
        return sbx_error_errno (err, "make root read-only");
    }
  if (prop != NULL)
    {
      unsigned long flags;
      if (rootfs_propagation_flags (prop, &flags) < 0)
        return sbx_error_set (err, EINVAL, "linux.rootfsPropagation: unknown value `%s`", prop);
      if (mount (NULL, "/", NULL, flags, NULL) < 0)
        return sbx_error_errno (err, "set rootfs propagation `%s`", prop);
    }
  return 0;
}

int
rootfs_open_null (sbx_error_t *err)
{
  _cleanup_fd_ int fd = open_tree (AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  struct stat st;

  if (fd < 0)
    return sbx_error_errno (err, "clone the host's /dev/null");
  if (fstat (fd, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return sbx_error_set (err, EPERM, "the host's /dev/null is not the null device (char 1:3)");
  return take_fd (&fd);
}

static int
empty_ro_tmpfs (sbx_error_t *err)
{
  _cleanup_fd_ int fsfd = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  int fd;

  if (fsfd < 0 || fsconfig (fsfd, FSCONFIG_SET_STRING, "size", "0", 0) < 0
      || fsconfig (fsfd, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0
      || fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sbx_error_errno (err, "create an empty tmpfs for masking");
  fd = fsmount (fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "mount an empty tmpfs for masking");
  return fd;
}

/* A mount used to cover masked paths: a detached tree (the host's /dev/null
   clone, or an empty tmpfs) until its first use.  Kernels before 6.15 refuse
   to clone a detached mount, so the first target gets the tree itself and
   every later target a clone of that now-attached mount. */
struct mask_src
{
  int fd;
  bool attached;
};

static int
cover (struct mask_src *src, int target, const char *path, sbx_error_t *err)
{
  _cleanup_fd_ int clone = -1;
  int fd = src->fd;

  if (src->attached)
    {
      clone = open_tree (src->fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
      if (clone < 0)
        return sbx_error_errno (err, "clone mount for `%s`", path);
      fd = clone;
    }
  if (move_mount (fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sbx_error_errno (err, "mount over `%s`", path);
  src->attached = true;
  return 0;
}

static int
mask_one (int rootfd, const char *path, struct mask_src *null, struct mask_src *tmpfs,
          sbx_error_t *err)
{
  _cleanup_fd_ int target = open_in_root (rootfd, path, O_PATH, NULL);
  struct stat st;

  if (target < 0)
    return errno == ENOENT ? 0 : sbx_error_errno (err, "linux.maskedPaths: open `%s`", path);
  if (fstat (target, &st) < 0)
    return sbx_error_errno (err, "linux.maskedPaths: stat `%s`", path);
  if (!S_ISDIR (st.st_mode))
    return cover (null, target, path, err);
  if (tmpfs->fd < 0 && (tmpfs->fd = empty_ro_tmpfs (err)) < 0)
    return -1;
  return cover (tmpfs, target, path, err);
}

static int
readonly_one (int rootfd, const char *path, sbx_error_t *err)
{
  _cleanup_fd_ int target = open_in_root (rootfd, path, O_PATH, NULL);
  _cleanup_fd_ int clone = -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID
                                         | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };

  if (target < 0)
    return errno == ENOENT ? 0 : sbx_error_errno (err, "linux.readonlyPaths: open `%s`", path);
  clone = open_tree (target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (clone < 0)
    return sbx_error_errno (err, "linux.readonlyPaths: clone `%s`", path);
  if (mount_setattr (clone, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return sbx_error_errno (err, "linux.readonlyPaths: make `%s` read-only", path);
  if (move_mount (clone, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sbx_error_errno (err, "linux.readonlyPaths: mount over `%s`", path);
  return 0;
}

int
rootfs_mask_paths (const struct sbx_spec *spec, int nullfd, sbx_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  _cleanup_fd_ int rootfd = -1, tmpfsfd = -1;
  struct mask_src null = { nullfd, false }, tmpfs = { -1, false };

  if (l->masked_paths.n == 0 && l->readonly_paths.n == 0)
    return 0;
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return sbx_error_errno (err, "open /");
  for (size_t i = 0; i < l->readonly_paths.n; i++)
    if (readonly_one (rootfd, l->readonly_paths.v[i], err) < 0)
      return -1;
  for (size_t i = 0; i < l->masked_paths.n; i++)
    {
      int r = mask_one (rootfd, l->masked_paths.v[i], &null, &tmpfs, err);
      tmpfsfd = tmpfs.fd;
      if (r < 0)
        return -1;
    }
  return 0;
}
