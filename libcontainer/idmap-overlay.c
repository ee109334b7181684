/* idmap-overlay.c: an idmapped rootfs where root.path is an overlayfs
 * mount, the rootfs every engine hands over. Overlayfs itself cannot be
 * idmapped, but since Linux 5.19 its layers can: sbx reads the engine's
 * mount (its layers and options from mountinfo), clones each layer
 * idmapped through the container's maps, and mounts a second overlay of
 * the same layers, which the init takes instead of the engine's. Image
 * files owned by host root are then container root's inside, and what the
 * container writes lands in the engine's upper directory as host root's,
 * as if the engine's own mount had been used.
 *
 * Overlayfs (up to Linux 6.5) takes its layers by path, in the mounter's
 * mount namespace: the parent steps into a private copy of its own for the
 * time of the mount, attaches the layer clones on a tmpfs there, mounts,
 * keeps a detached clone of the result, and steps back. The copy dies with
 * its last reference; the overlay holds its layers by itself.
 *
 * The engine's mount and this one share the upper directory (each has its
 * own work directory). With index=off (forced here) the kernel allows it
 * with a warning: the container writes through this mount only, and the
 * engine's view of the rootfs is to be read, not written, while the
 * container runs. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "idmap.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

#define STAGE "/run"            /* in the private copy only */
#define MAX_LAYERS 500
#define WORK ".sbx-work"        /* next to the upper directory */

/* What mountinfo says of the engine's overlay. */
struct ovl_mount
{
  char *line;                   /* owns the strings below */
  char *lower[MAX_LAYERS];
  size_t n_lower;
  char *upper, *work;
  char *opts;                   /* the other super options, "a,b=c" */
  unsigned long flags;          /* per-mount ro/nosuid/nodev/noexec */
  uid_t uid;                    /* container root's host ids: the mounter's */
  gid_t gid;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo; overlay
   escapes its own separators (',' ':') with a backslash. Engines' paths
   have none of them: refuse rather than misparse. */
static bool
plain (const char *s)
{
  return strpbrk (s, "\\") == NULL;
}

static unsigned long
mount_flags (const char *opts)
{
  unsigned long f = 0;
  _cleanup_free_ char *dup = strdup (opts);
  char *save = NULL;

  if (dup == NULL)
    return 0;
  for (char *o = strtok_r (dup, ",", &save); o != NULL; o = strtok_r (NULL, ",", &save))
    {
      if (strcmp (o, "ro") == 0)
        f |= MOUNT_ATTR_RDONLY;
      else if (strcmp (o, "nosuid") == 0)
        f |= MOUNT_ATTR_NOSUID;
      else if (strcmp (o, "nodev") == 0)
        f |= MOUNT_ATTR_NODEV;
      else if (strcmp (o, "noexec") == 0)
        f |= MOUNT_ATTR_NOEXEC;
    }
  return f;
}

/* Split the super options: layers apart, index dropped (forced off), the
   rest kept in order. */
static int
parse_super (char *super, struct ovl_mount *o, sbx_error_t *err)
{
  size_t len = strlen (super) + 1, used = 0;
  char *save = NULL;

  o->opts = calloc (1, len);
  if (o->opts == NULL)
    return sbx_error_errno (err, "calloc");
  for (char *opt = strtok_r (super, ",", &save); opt != NULL; opt = strtok_r (NULL, ",", &save))
    {
      if (strncmp (opt, "lowerdir=", 9) == 0)
        {
          char *lsave = NULL;
          for (char *l = strtok_r (opt + 9, ":", &lsave); l != NULL; l = strtok_r (NULL, ":", &lsave))
            {
              if (o->n_lower == MAX_LAYERS)
                return sbx_error_set (err, E2BIG, "more than %d lower layers", MAX_LAYERS);
              o->lower[o->n_lower++] = l;
            }
        }
      else if (strncmp (opt, "upperdir=", 9) == 0)
        o->upper = opt + 9;
      else if (strncmp (opt, "workdir=", 8) == 0)
        o->work = opt + 8;
      else if (strncmp (opt, "index=", 6) != 0)
        used += (size_t) snprintf (o->opts + used, len - used, "%s%s", used ? "," : "", opt);
    }
  if (o->n_lower == 0 || (o->upper == NULL) != (o->work == NULL))
    return sbx_error_set (err, EINVAL, "overlay options without lowerdir, or upperdir without workdir");
  for (size_t i = 0; i < o->n_lower; i++)
    if (o->lower[i][0] != '/' || !plain (o->lower[i]))
      return sbx_error_set (err, EINVAL, "lower layer `%s`: not a plain absolute path", o->lower[i]);
  if (o->upper != NULL && (o->upper[0] != '/' || o->work[0] != '/' || !plain (o->upper) || !plain (o->work)))
    return sbx_error_set (err, EINVAL, "upperdir/workdir: not plain absolute paths");
  return 0;
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS] - TYPE SOURCE SUPER" */
static int
read_mount (uint64_t mnt_id, struct ovl_mount *o, sbx_error_t *err)
{
  _cleanup_file_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  size_t cap = 0;

  if (f == NULL)
    return sbx_error_errno (err, "open /proc/self/mountinfo");
  while (getline (&o->line, &cap, f) > 0)
    {
      char *save = NULL, *dash, *fields[6], *type, *super;
      unsigned long long id = strtoull (o->line, NULL, 10);

      if (id != mnt_id)
        continue;
      o->line[strcspn (o->line, "\n")] = '\0';
      dash = strstr (o->line, " - ");
      if (dash == NULL)
        break;
      *dash = '\0';
      fields[0] = strtok_r (o->line, " ", &save);
      for (int i = 1; i < 6; i++)
        fields[i] = fields[i - 1] ? strtok_r (NULL, " ", &save) : NULL;
      save = NULL;
      type = strtok_r (dash + 3, " ", &save);
      (void) strtok_r (NULL, " ", &save);
      super = strtok_r (NULL, " ", &save);
      if (fields[5] == NULL || type == NULL || super == NULL || strcmp (type, "overlay") != 0)
        break;
      if (strcmp (fields[3], "/") != 0)
        return sbx_error_set (err, EINVAL, "a bind of part of an overlay mount");
      o->flags = mount_flags (fields[5]);
      return parse_super (super, o, err);
    }
  return sbx_error_set (err, ENOENT, "mount %llu is not an overlay in /proc/self/mountinfo",
                        (unsigned long long) mnt_id);
}

/* A detached clone of PATH, idmapped through userns. */
static int
layer_clone (const char *path, int userns, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };

  if (fd < 0)
    return sbx_error_errno (err, "layer `%s`: clone", path);
  if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return sbx_error_errno (err, "layer `%s`: idmap", path);
  return take_fd (&fd);
}

static void
close_all (int *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

/* Overlayfs creates and copies up files with its mounter's credentials,
   through the (idmapped) upper layer, which maps only the container's ids:
   host root's fsuid 0 would be EOVERFLOW there. The overlay is mounted
   with the fs ids of container root's host ids (uid, gid), every
   capability kept effective (a non-zero fsuid drops the fs ones), so its
   writes land as on-disk root through the layer's map. */
static int
as_ids (uid_t uid, gid_t gid, sbx_error_t *err)
{
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct d[2];

  setfsgid (gid);
  setfsuid (uid);
  if ((uid_t) setfsuid ((uid_t) -1) != uid || (gid_t) setfsgid ((gid_t) -1) != gid)
    return sbx_error_set (err, EPERM, "set the fs ids to %u:%u", (unsigned) uid, (unsigned) gid);
  if (syscall (SYS_capget, &h, d) < 0)
    return sbx_error_errno (err, "capget");
  d[0].effective = d[0].permitted;
  d[1].effective = d[1].permitted;
  if (syscall (SYS_capset, &h, d) < 0)
    return sbx_error_errno (err, "capset");
  return 0;
}

/* In the private copy: a tmpfs at STAGE, each layer clone attached under
   it, the overlay mounted at STAGE/o and cloned out. */
static int
mount_staged (const struct ovl_mount *o, const int *lower_fds, int upper_fd, sbx_error_t *err)
{
  size_t cap = 64 + strlen (o->opts) + o->n_lower * 24;
  _cleanup_free_ char *data = malloc (cap);
  size_t used;
  char path[64];
  int r, saved;

  if (data == NULL)
    return sbx_error_errno (err, "malloc");
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || mount ("sbx", STAGE, "tmpfs", 0, "mode=0700") < 0)
    return sbx_error_errno (err, "stage the layers");
  used = (size_t) snprintf (data, cap, "lowerdir=");
  for (size_t i = 0; i < o->n_lower; i++)
    {
      snprintf (path, sizeof path, STAGE "/l%zu", i);
      if (mkdir (path, 0700) < 0 || move_mount (lower_fds[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return sbx_error_errno (err, "layer `%s`: attach", o->lower[i]);
      used += (size_t) snprintf (data + used, cap - used, "%s%s", i ? ":" : "", path);
    }
  if (upper_fd >= 0)
    {
      const char *u = strrchr (o->upper, '/') + 1;
      if (mkdir (STAGE "/u", 0700) < 0 || move_mount (upper_fd, "", AT_FDCWD, STAGE "/u", MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return sbx_error_errno (err, "upperdir `%s`: attach", o->upper);
      used += (size_t) snprintf (data + used, cap - used, ",upperdir=" STAGE "/u/%s,workdir=" STAGE "/u/" WORK, u);
    }
  snprintf (data + used, cap - used, ",index=off%s%s", o->opts[0] ? "," : "", o->opts);
  if (mkdir (STAGE "/o", 0700) < 0)
    return sbx_error_errno (err, "mkdir " STAGE "/o");
  if (as_ids (o->uid, o->gid, err) < 0)
    {
      as_ids (0, 0, err);
      return -1;
    }
  r = mount ("overlay", STAGE "/o", "overlay", 0, data);
  saved = errno;
  if (as_ids (0, 0, err) < 0)
    return -1;
  if (r < 0)
    return sbx_error_set (err, saved, "mount overlay `%s`", data);
  int fd = open_tree (AT_FDCWD, STAGE "/o", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "clone the overlay");
  return fd;
}

/* The idmapped clones, made in the caller's namespace (paths as the
   engine wrote them): lowers one by one; the upper directory through its
   parent, where a work directory of sbx's own sits next to it (overlayfs
   wants both on one mount; the engine's work directory stays its mount's:
   overlayfs empties the work directory it mounts with). The engine removes
   the layer's directory, and so WORK, with the container. */
static int
clone_layers (const struct ovl_mount *o, int userns, int *lower_fds, int *upper_fd, sbx_error_t *err)
{
  for (size_t i = 0; i < o->n_lower; i++)
    if ((lower_fds[i] = layer_clone (o->lower[i], userns, err)) < 0)
      return -1;
  if (o->upper != NULL)
    {
      size_t plen = (size_t) (strrchr (o->upper, '/') - o->upper);
      _cleanup_free_ char *parent = strndup (o->upper, plen ? plen : 1);

      _cleanup_fd_ int dir = -1;
      struct stat st;

      if (parent == NULL)
        return sbx_error_errno (err, "strndup");
      dir = open (parent, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dir < 0 || (mkdirat (dir, WORK, 0700) < 0 && errno != EEXIST))
        return sbx_error_errno (err, "`%s/" WORK "`", parent);
      if (fstatat (dir, WORK, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != 0)
        return sbx_error_set (err, EINVAL, "`%s/" WORK "`: not root's directory", parent);
      if ((*upper_fd = layer_clone (parent, userns, err)) < 0)
        return -1;
    }
  return 0;
}

int
idmap_overlay_rootfs (const char *rootfs, int userns, uid_t uid, gid_t gid, uint64_t prop, sbx_error_t *err)
{
  struct ovl_mount o = { .uid = uid, .gid = gid };
  int lower_fds[MAX_LAYERS], upper_fd = -1, fd = -1;
  _cleanup_fd_ int self = -1, cwd = -1;
  struct statx st;

  for (size_t i = 0; i < MAX_LAYERS; i++)
    lower_fds[i] = -1;
  if (statx (AT_FDCWD, rootfs, 0, STATX_MNT_ID, &st) < 0)
    return sbx_error_errno (err, "stat `%s`", rootfs);
  if (!(st.stx_mask & STATX_MNT_ID) || !(st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
    return sbx_error_set (err, ENOSYS, "this kernel has no mount ids in statx (Linux 5.8)");
  if (!(st.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return sbx_error_set (err, EINVAL, "root.path `%s` is inside an overlay mount, not its root: it cannot be "
                          "idmapped (overlayfs itself cannot; its layers can, for the mount's root)", rootfs);
  if (read_mount (st.stx_mnt_id, &o, err) < 0 || clone_layers (&o, userns, lower_fds, &upper_fd, err) < 0)
    goto out;
  self = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (self < 0 || cwd < 0 || unshare (CLONE_NEWNS) < 0)
    {
      sbx_error_errno (err, "a private mount namespace");
      goto out;
    }
  fd = mount_staged (&o, lower_fds, upper_fd, err);
  if (setns (self, CLONE_NEWNS) < 0 || fchdir (cwd) < 0)
    {
      /* Still in the copy (the create fails: nothing else runs here). */
      if (fd >= 0)
        close (fd);
      fd = -1;
      sbx_error_errno (err, "return to the runtime's mount namespace");
      goto out;
    }
  if (fd >= 0)
    {
      struct mount_attr attr = { .attr_set = o.flags, .propagation = prop != 0 ? prop : MS_SLAVE };
      if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        {
          sbx_error_errno (err, "the overlay's mount flags");
          close (fd);
          fd = -1;
        }
    }
out:
  close_all (lower_fds, o.n_lower);
  if (upper_fd >= 0)
    close (upper_fd);
  free (o.line);
  free (o.opts);
  if (fd < 0)
    return sbx_error_wrap (err, "root.path `%s` (overlay, idmapped by its layers)", rootfs);
  return fd;
}
