/* mounts.c: one config.json mount at a time, with the new mount API
 * (open_tree, fsopen/fsconfig/fsmount, move_mount, mount_setattr). Targets
 * are O_PATH fds resolved inside the rootfs, so a symlink in the image
 * cannot send a mount outside it. Order is the config's order. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "copyup.h"
#include "error.h"
#include "fsutil.h"
#include "mount-target.h"
#include "mounts.h"

#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

enum opt_kind
{
  OPT_ATTR,      /* set/clear a MOUNT_ATTR_* on the top mount */
  OPT_REC_ATTR,  /* same, on the whole tree */
  OPT_ATIME,     /* one of the atime modes (a field, not a flag) */
  OPT_REC_ATIME,
  OPT_PROP,
  OPT_BIND,
  OPT_FLAG,      /* superblock flag passed to fsconfig */
  OPT_IDMAP,     /* idmap, ridmap: applied by idmap.c */
  OPT_TMPCOPYUP, /* tmpfs: copy the image's directory into it */
  OPT_IGNORE,
};

struct opt_def
{
  const char *name;
  enum opt_kind kind;
  bool clear;
  uint64_t value;
  bool recursive;
};

static const struct opt_def opt_table[] = {
  { "ro", OPT_ATTR, false, MOUNT_ATTR_RDONLY, false },
  { "rw", OPT_ATTR, true, MOUNT_ATTR_RDONLY, false },
  { "nosuid", OPT_ATTR, false, MOUNT_ATTR_NOSUID, false },
  { "suid", OPT_ATTR, true, MOUNT_ATTR_NOSUID, false },
  { "nodev", OPT_ATTR, false, MOUNT_ATTR_NODEV, false },
  { "dev", OPT_ATTR, true, MOUNT_ATTR_NODEV, false },
  { "noexec", OPT_ATTR, false, MOUNT_ATTR_NOEXEC, false },
  { "exec", OPT_ATTR, true, MOUNT_ATTR_NOEXEC, false },
  { "nodiratime", OPT_ATTR, false, MOUNT_ATTR_NODIRATIME, false },
  { "diratime", OPT_ATTR, true, MOUNT_ATTR_NODIRATIME, false },
  { "nosymfollow", OPT_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW, false },
  { "symfollow", OPT_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW, false },
  { "relatime", OPT_ATIME, false, MOUNT_ATTR_RELATIME, false },
  { "norelatime", OPT_ATIME, false, MOUNT_ATTR_STRICTATIME, false },
  { "strictatime", OPT_ATIME, false, MOUNT_ATTR_STRICTATIME, false },
  { "nostrictatime", OPT_ATIME, false, MOUNT_ATTR_RELATIME, false },
  { "noatime", OPT_ATIME, false, MOUNT_ATTR_NOATIME, false },
  { "atime", OPT_ATIME, false, MOUNT_ATTR_RELATIME, false },
  { "rro", OPT_REC_ATTR, false, MOUNT_ATTR_RDONLY, true },
  { "rrw", OPT_REC_ATTR, true, MOUNT_ATTR_RDONLY, true },
  { "rnosuid", OPT_REC_ATTR, false, MOUNT_ATTR_NOSUID, true },
  { "rsuid", OPT_REC_ATTR, true, MOUNT_ATTR_NOSUID, true },
  { "rnodev", OPT_REC_ATTR, false, MOUNT_ATTR_NODEV, true },
  { "rdev", OPT_REC_ATTR, true, MOUNT_ATTR_NODEV, true },
  { "rnoexec", OPT_REC_ATTR, false, MOUNT_ATTR_NOEXEC, true },
  { "rexec", OPT_REC_ATTR, true, MOUNT_ATTR_NOEXEC, true },
  { "rnodiratime", OPT_REC_ATTR, false, MOUNT_ATTR_NODIRATIME, true },
  { "rdiratime", OPT_REC_ATTR, true, MOUNT_ATTR_NODIRATIME, true },
  { "rnosymfollow", OPT_REC_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW, true },
  { "rsymfollow", OPT_REC_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW, true },
  { "rrelatime", OPT_REC_ATIME, false, MOUNT_ATTR_RELATIME, true },
  { "rnorelatime", OPT_REC_ATIME, false, MOUNT_ATTR_STRICTATIME, true },
  { "rstrictatime", OPT_REC_ATIME, false, MOUNT_ATTR_STRICTATIME, true },
  { "rnostrictatime", OPT_REC_ATIME, false, MOUNT_ATTR_RELATIME, true },
  { "rnoatime", OPT_REC_ATIME, false, MOUNT_ATTR_NOATIME, true },
  { "ratime", OPT_REC_ATIME, false, MOUNT_ATTR_RELATIME, true },
  { "private", OPT_PROP, false, MS_PRIVATE, false },
  { "rprivate", OPT_PROP, false, MS_PRIVATE, true },
  { "shared", OPT_PROP, false, MS_SHARED, false },
  { "rshared", OPT_PROP, false, MS_SHARED, true },
  { "slave", OPT_PROP, false, MS_SLAVE, false },
  { "rslave", OPT_PROP, false, MS_SLAVE, true },
  { "unbindable", OPT_PROP, false, MS_UNBINDABLE, false },
  { "runbindable", OPT_PROP, false, MS_UNBINDABLE, true },
  { "bind", OPT_BIND, false, 0, false },
  { "rbind", OPT_BIND, false, 0, true },
  { "sync", OPT_FLAG, false, 0, false },
  { "dirsync", OPT_FLAG, false, 0, false },
  { "lazytime", OPT_FLAG, false, 0, false },
  { "mand", OPT_FLAG, false, 0, false },
  { "idmap", OPT_IDMAP, false, 0, false },
  { "ridmap", OPT_IDMAP, false, 0, true },
  { "async", OPT_IGNORE, false, 0, false },
  { "nomand", OPT_IGNORE, false, 0, false },
  { "nolazytime", OPT_IGNORE, false, 0, false },
  { "defaults", OPT_IGNORE, false, 0, false },
  { "silent", OPT_IGNORE, false, 0, false },
  { "loud", OPT_IGNORE, false, 0, false },
  { "remount", OPT_IGNORE, false, 0, false },
  { "tmpcopyup", OPT_TMPCOPYUP, false, 0, false },
};

const char *
mount_opt_name (size_t i)
{
  return i < sizeof opt_table / sizeof opt_table[0] ? opt_table[i].name : NULL;
}

int
mount_opts_parse (const struct spec_strv *options, struct mount_opts *o, sbx_error_t *err)
{
  memset (o, 0, sizeof *o);
  for (size_t i = 0; i < options->n; i++)
    {
      const char *opt = options->v[i];
      const struct opt_def *d = NULL;
      const char *eq;

      for (size_t j = 0; j < sizeof opt_table / sizeof opt_table[0]; j++)
        if (strcmp (opt_table[j].name, opt) == 0)
          {
            d = &opt_table[j];
            break;
          }
      if (d == NULL)
        {
          int r;
          if (opt[0] == '\0')
            continue;
          eq = strchr (opt, '=');
          r = eq ? spec_map_push (&o->data, opt, (size_t) (eq - opt), eq + 1) : spec_strv_push (&o->flags, opt);
          if (r < 0)
            return sbx_error_errno (err, "mount option `%s`", opt);
          continue;
        }
      switch (d->kind)
        {
        case OPT_ATTR:
        case OPT_REC_ATTR:
          {
            uint64_t *set = d->recursive ? &o->rec_set : &o->attr_set;
            uint64_t *clr = d->recursive ? &o->rec_clr : &o->attr_clr;
            if (d->clear)
              {
                *clr |= d->value;
                *set &= ~d->value;
              }
            else
              {
                *set |= d->value;
                *clr &= ~d->value;
              }
          }
          break;
        case OPT_ATIME:
        case OPT_REC_ATIME:
          {
            uint64_t *set = d->kind == OPT_REC_ATIME ? &o->rec_set : &o->attr_set;
            uint64_t *clr = d->kind == OPT_REC_ATIME ? &o->rec_clr : &o->attr_clr;
            *set = (*set & ~MOUNT_ATTR__ATIME) | d->value;
            *clr |= MOUNT_ATTR__ATIME;
            o->atime_set = true;
          }
          break;
        case OPT_PROP:
          o->propagation = d->value;
          o->prop_recursive = d->recursive;
          break;
        case OPT_BIND:
          o->bind = true;
          if (d->recursive)
            o->rbind = true;
          break;
        case OPT_FLAG:
          if (spec_strv_push (&o->flags, opt) < 0)
            return sbx_error_errno (err, "mount option `%s`", opt);
          break;
        case OPT_TMPCOPYUP:
          o->tmpcopyup = true;
          break;
        case OPT_IDMAP:
        case OPT_IGNORE:
          break;
        }
    }
  return 0;
}

static bool
is_tmpfs (const struct spec_mount *m)
{
  return m->type != NULL && strcmp (m->type, "tmpfs") == 0 && !mount_is_bind (m);
}

/* What a mount asks for that sbx cannot do is refused before any fork. A
   bind mount has no superblock of its own: an option that is neither an
   attribute nor a propagation would be dropped (tmpfs and the others pass
   theirs to fsconfig, which refuses what it does not know). */
static int
check_one (const struct spec_mount *m, sbx_error_t *err)
{
  struct mount_opts o;
  int r = 0;

  if (mount_opts_parse (&m->options, &o, err) < 0)
    {
      mount_opts_free (&o); /* what was parsed before the bad option */
      return -1;
    }
  if (mount_is_bind (m) && o.flags.n > 0)
    r = sbx_error_set (err, EINVAL, "mount option `%s`: unknown, or not for a bind mount", o.flags.v[0]);
  else if (mount_is_bind (m) && o.data.n > 0)
    r = sbx_error_set (err, EINVAL, "mount option `%s=%s`: unknown, or not for a bind mount", o.data.keys[0],
                       o.data.values[0]);
  else if (o.tmpcopyup && !is_tmpfs (m))
    r = sbx_error_set (err, EINVAL, "mount option `tmpcopyup`: only for a tmpfs");
  mount_opts_free (&o);
  return r;
}

int
mounts_check (const struct sbx_spec *spec, sbx_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (check_one (&spec->mounts[i], err) < 0)
      return sbx_error_wrap (err, "mounts[%zu] (%s)", i, spec->mounts[i].destination);
  return 0;
}

void
mount_opts_free (struct mount_opts *o)
{
  for (size_t i = 0; i < o->flags.n; i++)
    free (o->flags.v[i]);
  free (o->flags.v);
  for (size_t i = 0; i < o->data.n; i++)
    {
      free (o->data.keys[i]);
      free (o->data.values[i]);
    }
  free (o->data.keys);
  free (o->data.values);
  memset (o, 0, sizeof *o);
}

bool
mount_is_bind (const struct spec_mount *m)
{
  if (m->type != NULL && strcmp (m->type, "bind") == 0)
    return true;
  for (size_t i = 0; i < m->options.n; i++)
    if (strcmp (m->options.v[i], "bind") == 0 || strcmp (m->options.v[i], "rbind") == 0)
      return true;
  return false;
}

static int
setattr (int fd, unsigned flags, uint64_t set, uint64_t clr, uint64_t prop)
{
  struct mount_attr attr = { .attr_set = set, .attr_clr = clr, .propagation = prop };
  if (set == 0 && clr == 0 && prop == 0)
    return 0;
  return mount_setattr (fd, "", AT_EMPTY_PATH | flags, &attr, sizeof attr);
}

/* Apply the parsed attributes to a (detached or attached) mount tree. */
static int
apply_attrs (int mntfd, const struct mount_opts *o, bool recursive_tree, sbx_error_t *err)
{
  /* Recursive options first, then the top mount's, so "rro,rw" style
     combinations end with the top mount as asked. */
  if (setattr (mntfd, AT_RECURSIVE, o->rec_set, o->rec_clr, 0) < 0)
    return sbx_error_errno (err, "set recursive mount attributes");
  if (setattr (mntfd, 0, o->attr_set, o->attr_clr, 0) < 0)
    return sbx_error_errno (err, "set mount attributes");
  if (o->propagation != 0
      && setattr (mntfd, (o->prop_recursive || recursive_tree) ? AT_RECURSIVE : 0, 0, 0, o->propagation) < 0)
    return sbx_error_errno (err, "set mount propagation");
  return 0;
}

uint64_t
mounts_bind_propagation (const char *rootfs_propagation)
{
  const char *p = rootfs_propagation;

  if (p != NULL && (strcmp (p, "shared") == 0 || strcmp (p, "rshared") == 0))
    return 0;
  if (p != NULL && (strcmp (p, "private") == 0 || strcmp (p, "rprivate") == 0))
    return MS_PRIVATE;
  return MS_SLAVE;
}

int
mounts_open_bind_source (const struct spec_mount *m, const char *bundle, uint64_t default_prop,
                         sbx_error_t *err)
{
  struct mount_opts o;
  _cleanup_free_ char *abs = NULL;
  const char *src = m->source;
  int fd;

  if (src == NULL)
    return sbx_error_set (err, EINVAL, "bind mount needs a source");
  if (src[0] != '/')
    {
      if (asprintf (&abs, "%s/%s", bundle, src) < 0)
        return sbx_error_errno (err, "asprintf");
      src = abs;
    }
  if (mount_opts_parse (&m->options, &o, err) < 0)
    return -1;
  fd = open_tree (AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.rbind ? AT_RECURSIVE : 0));
  if (fd < 0)
    {
      sbx_error_errno (err, "open bind source `%s`", src);
      mount_opts_free (&o);
      return -1;
    }
  /* A clone of a shared mount is a peer of the host's: whatever the
     container later mounts below it would appear on the host (and, with a
     directory renamed in a shared volume meanwhile, where an attacker
     chose: CVE-2021-30465). Unless the mount or rootfsPropagation asks for
     sharing, it becomes a slave before it is attached anywhere. */
  if (o.propagation == 0 && default_prop != 0 && setattr (fd, AT_RECURSIVE, 0, 0, default_prop) < 0)
    {
      sbx_error_errno (err, "make bind source `%s` a %s mount", src,
                       default_prop == MS_SLAVE ? "slave" : "private");
      close (fd);
      mount_opts_free (&o);
      return -1;
    }
  if (apply_attrs (fd, &o, o.rbind, err) < 0)
    {
      close (fd);
      mount_opts_free (&o);
      return sbx_error_wrap (err, "bind source `%s`", src);
    }
  mount_opts_free (&o);
  return fd;
}

int
mounts_open_sources (const struct sbx_spec *spec, const char *bundle, int *fds, sbx_error_t *err)
{
  uint64_t prop = mounts_bind_propagation (spec->linux_ ? spec->linux_->rootfs_propagation : NULL);

  for (size_t i = 0; i < spec->n_mounts; i++)
    fds[i] = -1;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      if (!mount_is_bind (&spec->mounts[i]))
        continue;
      fds[i] = mounts_open_bind_source (&spec->mounts[i], bundle, prop, err);
      if (fds[i] < 0)
        {
          mounts_close_sources (fds, i);
          return sbx_error_wrap (err, "mounts[%zu] (%s)", i, spec->mounts[i].destination);
        }
    }
  return 0;
}

void
mounts_close_sources (int *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

static bool
is_cgroup_type (const char *t)
{
  return t != NULL && (strcmp (t, "cgroup") == 0 || strcmp (t, "cgroup2") == 0);
}

static int
fs_type_name (const struct spec_mount *m, const char **out, sbx_error_t *err)
{
  const char *t = m->type;

  if (t == NULL || t[0] == '\0')
    return sbx_error_set (err, EINVAL, "mount type required");
  /* "cgroup" in config.json means the hierarchy the host uses: sbx runs
     containers on cgroup v2. */
  if (strcmp (t, "cgroup") == 0)
    t = "cgroup2";
  *out = t;
  return 0;
}

static int
create_fs (const struct spec_mount *m, const struct mount_opts *o,
           const char *mount_label, sbx_error_t *err)
{
  _cleanup_fd_ int fsfd = -1;
  const char *type = NULL;
  unsigned attrs;
  int mfd;

  if (fs_type_name (m, &type, err) < 0)
    return -1;
  fsfd = fsopen (type, FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return sbx_error_errno (err, "fsopen `%s`", type);
  if (m->source != NULL && m->source[0] != '\0'
      && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", m->source, 0) < 0)
    return sbx_error_errno (err, "fsconfig source `%s`", m->source);
  for (size_t i = 0; i < o->flags.n; i++)
    if (fsconfig (fsfd, FSCONFIG_SET_FLAG, o->flags.v[i], NULL, 0) < 0)
      return sbx_error_errno (err, "mount option `%s` for %s", o->flags.v[i], type);
  for (size_t i = 0; i < o->data.n; i++)
    if (fsconfig (fsfd, FSCONFIG_SET_STRING, o->data.keys[i], o->data.values[i], 0) < 0)
      return sbx_error_errno (err, "mount option `%s=%s` for %s", o->data.keys[i], o->data.values[i], type);
  if (mount_label != NULL && mount_label[0] != '\0'
      && strcmp (type, "proc") != 0 && strcmp (type, "sysfs") != 0 && strcmp (type, "cgroup2") != 0
      && fsconfig (fsfd, FSCONFIG_SET_STRING, "context", mount_label, 0) < 0 && errno != EINVAL)
    return sbx_error_errno (err, "mount label for %s", type);
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sbx_error_errno (err, "create %s filesystem", type);
  attrs = (unsigned) (o->attr_set | o->rec_set);
  if (o->tmpcopyup)
    attrs &= ~MOUNT_ATTR_RDONLY; /* set once the copy is in (tmpcopyup) */
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, attrs);
  if (mfd < 0)
    return sbx_error_errno (err, "fsmount %s", type);
  return mfd;
}

/* tmpcopyup: fill the detached tmpfs with the image's directory at dest
   before it covers it. A destination that does not exist yet has nothing
   to copy. */
static int
tmpcopyup (int rootfd, const char *dest, int mfd, const struct mount_opts *o, sbx_error_t *err)
{
  _cleanup_fd_ int src = open_in_root (rootfd, dest, O_RDONLY | O_DIRECTORY, err);

  if (src < 0 && err->errno_ == ENOENT)
    {
      sbx_error_free (err);
      return 0;
    }
  if (src < 0)
    return sbx_error_wrap (err, "tmpcopyup");
  if (copyup_dir (src, mfd, dest, err) < 0)
    return -1;
  if (((o->attr_set | o->rec_set) & MOUNT_ATTR_RDONLY)
      && setattr (mfd, 0, MOUNT_ATTR_RDONLY, 0, 0) < 0)
    return sbx_error_errno (err, "tmpcopyup: make the tmpfs read-only");
  return 0;
}

int
mounts_apply_one (int rootfd, const struct sbx_spec *spec, const struct spec_mount *m,
                  int source_fd, sbx_error_t *err)
{
  const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
  struct mount_opts o;
  _cleanup_fd_ int mfd = -1, target = -1;
  bool is_dir = true;
  int r = -1;

  if (m->destination == NULL || m->destination[0] == '\0')
    return sbx_error_set (err, EINVAL, "mount destination required");
  if (mount_opts_parse (&m->options, &o, err) < 0)
    return -1;
  if (source_fd >= 0)
    {
      struct stat st;
      if (fstat (source_fd, &st) < 0)
        {
          sbx_error_errno (err, "stat bind source");
          goto out;
        }
      is_dir = S_ISDIR (st.st_mode);
    }
  else
    {
      mfd = create_fs (m, &o, label, err);
      if (mfd < 0 && err->errno_ == EPERM && is_cgroup_type (m->type))
        {
          /* Without a cgroup namespace of our own user namespace (rootless),
             cgroup2 cannot be mounted: show the host's hierarchy instead,
             with the same (normally read-only) attributes. */
          mfd = open_tree (AT_FDCWD, "/sys/fs/cgroup", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
          if (mfd < 0 || apply_attrs (mfd, &o, true, err) < 0)
            {
              sbx_error_errno (err, "bind the host's /sys/fs/cgroup");
              goto out;
            }
          sbx_error_free (err);
        }
      if (mfd < 0)
        goto out;
      if (o.tmpcopyup && tmpcopyup (rootfd, m->destination, mfd, &o, err) < 0)
        goto out;
    }
  target = mount_target_open (rootfd, spec, m, source_fd, is_dir, err);
  if (target < 0)
    goto out;
  if (move_mount (source_fd >= 0 ? source_fd : mfd, "", target, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    {
      sbx_error_errno (err, "move mount to `%s`", m->destination);
      goto out;
    }
  if (source_fd < 0 && o.propagation != 0
      && setattr (mfd, o.prop_recursive ? AT_RECURSIVE : 0, 0, 0, o.propagation) < 0)
    {
      sbx_error_errno (err, "set mount propagation");
      goto out;
    }
  r = 0;
out:
  mount_opts_free (&o);
  return r;
}
