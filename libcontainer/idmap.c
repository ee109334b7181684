/* idmap.c: idmapped mounts. A mount's {containerID: F, hostID: H, size: N}
 * means: a file owned by F on the filesystem appears as host id H through
 * the mount (the kernel reads the maps of a user namespace that exists
 * only to carry them: userns_open_with_maps). Without maps of its own, an
 * idmap mount uses the container's. So a volume owned by host 1000,
 * mounted with {1000 -> 100000} into a container that maps 0 -> 100000,
 * is owned by 0 inside, and what container root creates there is owned
 * by 1000 on disk. The rootfs is idmapped through the container's maps
 * when the annotation sbx.rootfs.idmap is "true": an image owned by host
 * root is then owned by container root, with no chown.
 *
 * All of it happens in the parent, as root, on detached clones
 * (open_tree + mount_setattr MOUNT_ATTR_IDMAP) before the clone of the
 * init; a filesystem that cannot be idmapped (overlayfs itself, tmpfs
 * before Linux 6.3) is an error that names the mount and the type. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "idmap.h"
#include "mounts.h"
#include "rootfs.h"
#include "userns.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

bool
idmap_wanted (const struct spec_mount *m, bool *recursive)
{
  bool want = m->uid_mappings.n > 0 || m->gid_mappings.n > 0;

  *recursive = false;
  for (size_t i = 0; i < m->options.n; i++)
    {
      if (strcmp (m->options.v[i], "ridmap") == 0)
        want = *recursive = true;
      else if (strcmp (m->options.v[i], "idmap") == 0)
        want = true;
    }
  return want;
}

bool
idmap_rootfs_wanted (const struct sbx_spec *spec)
{
  const struct spec_map *a = &spec->annotations;

  for (size_t i = 0; i < a->n; i++)
    if (strcmp (a->keys[i], IDMAP_ROOTFS_ANNOTATION) == 0)
      return strcmp (a->values[i], "true") == 0;
  return false;
}

bool
idmap_supported (void)
{
  /* A NULL attr is EFAULT or EINVAL where the call exists, ENOSYS where not. */
  return syscall (SYS_mount_setattr, -1, "", 0, NULL, 0) < 0 && errno != ENOSYS;
}

static bool
has_ctr_maps (const struct sbx_spec *spec)
{
  const struct spec_linux *l = spec->linux_;
  return l != NULL && l->uid_mappings.n > 0 && l->gid_mappings.n > 0;
}

int
idmap_check (const struct sbx_spec *spec, sbx_error_t *err)
{
  const char *a = NULL;
  bool any;

  for (size_t i = 0; i < spec->annotations.n; i++)
    if (strcmp (spec->annotations.keys[i], IDMAP_ROOTFS_ANNOTATION) == 0)
      a = spec->annotations.values[i];
  if (a != NULL && strcmp (a, "true") != 0 && strcmp (a, "false") != 0)
    return sbx_error_set (err, EINVAL, "annotations.%s: `%s` is not true or false", IDMAP_ROOTFS_ANNOTATION, a);
  any = a != NULL && strcmp (a, "true") == 0;
  if (any && !has_ctr_maps (spec))
    return sbx_error_set (err, EINVAL, "annotations.%s: needs a new user namespace with linux.uidMappings "
                          "and gidMappings", IDMAP_ROOTFS_ANNOTATION);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      bool rec;

      if (!idmap_wanted (m, &rec))
        continue;
      any = true;
      if (!mount_is_bind (m))
        return sbx_error_set (err, EINVAL, "mounts[%zu] `%s`: idmapped mounts are bind mounts only", i, m->destination);
      if ((m->uid_mappings.n > 0) != (m->gid_mappings.n > 0))
        return sbx_error_set (err, EINVAL, "mounts[%zu] `%s`: uidMappings and gidMappings go together", i, m->destination);
      if (m->uid_mappings.n == 0 && !has_ctr_maps (spec))
        return sbx_error_set (err, EINVAL, "mounts[%zu] `%s`: idmap without mappings of its own needs the container's "
                              "(a new user namespace with linux.uidMappings)", i, m->destination);
    }
  if (any && geteuid () != 0)
    return sbx_error_set (err, EPERM, "idmapped mounts (mounts[].uidMappings, idmap, ridmap, annotations.%s) "
                          "need sbx to run as root", IDMAP_ROOTFS_ANNOTATION);
  if (any && !idmap_supported ())
    return sbx_error_set (err, ENOSYS, "idmapped mounts: this kernel has no mount_setattr (Linux 5.12)");
  return 0;
}

#define OVERLAY_MAGIC 0x794c7630

bool
idmap_overlay_root (const char *rootfs)
{
  struct statfs sfs;
  struct statx st;

  return statfs (rootfs, &sfs) == 0 && sfs.f_type == OVERLAY_MAGIC
         && statx (AT_FDCWD, rootfs, 0, 0, &st) == 0 && (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
         && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static const char *
fs_name (long type, char *buf, size_t len)
{
  static const struct { long magic; const char *name; } known[] = {
    { OVERLAY_MAGIC, "overlay" }, { 0x01021994, "tmpfs" }, { 0xEF53, "ext4" },
    { 0x58465342, "xfs" },     { 0x9123683E, "btrfs" }, { 0x6969, "nfs" },
    { 0x65735546, "fuse" },    { 0x9fa0, "proc" },      { 0x62656572, "sysfs" },
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (known[i].magic == type)
      return known[i].name;
  snprintf (buf, len, "magic 0x%lx", type);
  return buf;
}

static int
apply (int mntfd, int userns, bool recursive, const char *what, sbx_error_t *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
  struct statfs sfs;
  char buf[32];

  if (mount_setattr (mntfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) == 0)
    return 0;
  if ((errno == EINVAL || errno == EOPNOTSUPP) && fstatfs (mntfd, &sfs) == 0)
    return sbx_error_set (err, errno, "%s: this filesystem (%s) cannot be idmapped", what,
                          fs_name ((long) sfs.f_type, buf, sizeof buf));
  return sbx_error_errno (err, "%s: idmap", what);
}

static int
ctr_userns_fd (const struct sbx_spec *spec, int *ctr_userns, sbx_error_t *err)
{
  if (*ctr_userns < 0)
    *ctr_userns = userns_open_with_maps (&spec->linux_->uid_mappings, &spec->linux_->gid_mappings, err);
  return *ctr_userns;
}

int
idmap_bind_sources (const struct sbx_spec *spec, int *fds, int *ctr_userns, enum idmap_pass pass, sbx_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      _cleanup_fd_ int own = -1;
      char what[128];
      bool rec;
      int uns;

      if (fds[i] < 0 || !idmap_wanted (m, &rec))
        continue;
      if ((pass == IDMAP_OWN_MAPS && m->uid_mappings.n == 0) || (pass == IDMAP_CTR_MAPS && m->uid_mappings.n > 0))
        continue;
      snprintf (what, sizeof what, "mounts[%zu] `%.96s`", i, m->destination);
      if (m->uid_mappings.n > 0)
        uns = own = userns_open_with_maps (&m->uid_mappings, &m->gid_mappings, err);
      else
        uns = ctr_userns_fd (spec, ctr_userns, err);
      if (uns < 0)
        return sbx_error_wrap (err, "%s", what);
      if (apply (fds[i], uns, rec, what, err) < 0)
        return -1;
    }
  return 0;
}

/* The host id container id 0 maps to. */
static bool
host_of_root (const struct spec_id_mappings *m, uint32_t *host)
{
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].container_id == 0 && m->v[i].size > 0)
      {
        *host = m->v[i].host_id;
        return true;
      }
  return false;
}

int
idmap_open_rootfs (const struct sbx_spec *spec, const char *rootfs, uint64_t prop,
                   int *ctr_userns, sbx_error_t *err)
{
  _cleanup_fd_ int fd = -1;
  struct statfs sfs;

  if (statfs (rootfs, &sfs) == 0 && sfs.f_type == OVERLAY_MAGIC)
    {
      /* The engines' rootfs: idmapped by its layers (idmap-overlay.c). */
      uint32_t uid, gid;
      if (!host_of_root (&spec->linux_->uid_mappings, &uid) || !host_of_root (&spec->linux_->gid_mappings, &gid))
        return sbx_error_set (err, EINVAL, "annotations.%s: an overlay rootfs needs container root (0) in "
                              "linux.uidMappings and gidMappings", IDMAP_ROOTFS_ANNOTATION);
      if (ctr_userns_fd (spec, ctr_userns, err) < 0
          || (fd = idmap_overlay_rootfs (rootfs, *ctr_userns, uid, gid, prop, err)) < 0)
        return sbx_error_wrap (err, "annotations.%s", IDMAP_ROOTFS_ANNOTATION);
      return take_fd (&fd);
    }
  fd = rootfs_clone (rootfs, prop, err);
  if (fd < 0)
    return sbx_error_wrap (err, "annotations.%s", IDMAP_ROOTFS_ANNOTATION);
  if (ctr_userns_fd (spec, ctr_userns, err) < 0)
    return sbx_error_wrap (err, "annotations.%s", IDMAP_ROOTFS_ANNOTATION);
  if (apply (fd, *ctr_userns, false, "root.path", err) < 0)
    return sbx_error_wrap (err, "annotations.%s", IDMAP_ROOTFS_ANNOTATION);
  return take_fd (&fd);
}
