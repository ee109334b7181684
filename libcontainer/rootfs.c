/* rootfs.c: the container's root filesystem, in this order: stop mount
 * events from reaching the host, bind the rootfs onto itself (pivot_root
 * needs a mount point), apply config mounts in order, create /dev nodes,
 * then pivot_root and detach the old root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
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
rootfs_prepare (const struct rootfs_args *a, sbx_error_t *err)
{
  const struct sbx_spec *spec = a->spec;
  const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
  _cleanup_fd_ int rootfd = -1;

  /* Nothing we mount may propagate back to the host. A shared
     rootfsPropagation is applied after pivot, on the new root only. */
  if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return sbx_error_errno (err, "make / a slave mount");
  if (mount (a->rootfs, a->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return sbx_error_errno (err, "bind rootfs `%s` onto itself", a->rootfs);
  rootfd = open (a->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return sbx_error_errno (err, "open rootfs `%s`", a->rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      _cleanup_fd_ int own = -1;
      int src = a->mount_fds[i];

      /* A privileged parent opened bind sources before the user namespace
         existed; a rootless one cannot, so it is done here, as the
         mapped user, before pivot_root hides the host. */
      if (src < 0 && mount_is_bind (m))
        {
          own = mounts_open_bind_source (m, a->bundle, err);
          if (own < 0)
            return sbx_error_wrap (err, "mounts[%zu] `%s`", i, m->destination);
          src = own;
        }
      if (mounts_apply_one (rootfd, m, src, label, err) < 0)
        return sbx_error_wrap (err, "mounts[%zu] `%s`", i, m->destination);
    }
  if (devices_create (rootfd, a->devs, a->n_devs, a->dev_fds, err) < 0)
    return -1;
  if (devices_config_mounts_dev (spec) && devices_symlinks (rootfd, err) < 0)
    return -1;
  return take_fd (&rootfd);
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
      /* pivot_root(".", ".") stacks the old root on top of the new one;
         detaching "." then leaves only the new root. */
      if (syscall (SYS_pivot_root, ".", ".") < 0)
        return sbx_error_errno (err, "pivot_root");
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
