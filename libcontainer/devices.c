/* devices.c: device nodes in the container's /dev. Every node is created
 * through an O_PATH fd of its parent directory resolved inside the rootfs,
 * with *at() calls that do not follow a planted symlink. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "devices.h"
#include "error.h"
#include "fsutil.h"
#include "userns.h"

static const struct dev_node default_nodes[] = {
  { "/dev/null", 'c', 1, 3, 0666, 0, 0, 0, 0 },
  { "/dev/zero", 'c', 1, 5, 0666, 0, 0, 0, 0 },
  { "/dev/full", 'c', 1, 7, 0666, 0, 0, 0, 0 },
  { "/dev/random", 'c', 1, 8, 0666, 0, 0, 0, 0 },
  { "/dev/urandom", 'c', 1, 9, 0666, 0, 0, 0, 0 },
  { "/dev/tty", 'c', 5, 0, 0666, 0, 0, 0, 0 },
};

bool
devices_config_mounts_dev (const struct sbx_spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const char *d = spec->mounts[i].destination;
      while (d != NULL && d[0] == '/' && d[1] == '/')
        d++;
      if (d != NULL && (strcmp (d, "/dev") == 0 || strcmp (d, "/dev/") == 0))
        return true;
    }
  return false;
}

/* A /dev that is a symlink in the image is refused when the config mounts
   a /dev (issue #12): resolved in the root it led to some other directory,
   or dangled and left the program a /dev that was not its tmpfs. */
int
devices_check_dev_dir (int rootfd, const struct sbx_spec *spec, sbx_error_t *err)
{
  char target[256];
  struct stat st;
  ssize_t n;

  if (!devices_config_mounts_dev (spec) || fstatat (rootfd, "dev", &st, AT_SYMLINK_NOFOLLOW) < 0
      || !S_ISLNK (st.st_mode))
    return 0;
  n = readlinkat (rootfd, "dev", target, sizeof target - 1);
  target[n < 0 ? 0 : n] = '\0';
  return sbx_error_set (err, ELOOP, "rootfs: /dev is a symlink (to `%s`): it must be a directory or absent",
                        target);
}

int
devices_list (const struct sbx_spec *spec, struct dev_node **out, size_t *n, sbx_error_t *err)
{
  size_t nd = spec->linux_ ? spec->linux_->n_devices : 0;
  size_t cap = nd + sizeof default_nodes / sizeof default_nodes[0], cnt = 0;
  struct dev_node *v = calloc (cap ? cap : 1, sizeof *v);

  if (v == NULL)
    return sbx_error_errno (err, "calloc");
  if (devices_config_mounts_dev (spec))
    for (size_t i = 0; i < sizeof default_nodes / sizeof default_nodes[0]; i++)
      {
        bool overridden = false;
        for (size_t j = 0; j < nd; j++)
          if (strcmp (spec->linux_->devices[j].path, default_nodes[i].path) == 0)
            overridden = true;
        if (!overridden)
          v[cnt++] = default_nodes[i];
      }
  for (size_t j = 0; j < nd; j++)
    {
      const struct spec_device *d = &spec->linux_->devices[j];
      struct dev_node *e = &v[cnt];
      if (d->type == NULL || strlen (d->type) != 1 || strchr ("cbup", d->type[0]) == NULL)
        {
          free (v);
          return sbx_error_set (err, EINVAL, "linux.devices[%zu].type: must be c, b, u or p", j);
        }
      if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
        {
          free (v);
          return sbx_error_set (err, EINVAL, "linux.devices[%zu]: major/minor out of range", j);
        }
      e->path = d->path;
      e->type = d->type[0] == 'u' ? 'c' : d->type[0];
      e->major = (unsigned) d->major;
      e->minor = (unsigned) d->minor;
      e->mode = d->has_file_mode ? (d->file_mode & 07777) : 0666;
      e->uid = d->has_uid ? d->uid : 0;
      e->gid = d->has_gid ? d->gid : 0;
      cnt++;
    }
  for (size_t i = 0; i < cnt; i++)
    {
      v[i].host_uid = spec->linux_ ? userns_host_id (&spec->linux_->uid_mappings, v[i].uid) : v[i].uid;
      v[i].host_gid = spec->linux_ ? userns_host_id (&spec->linux_->gid_mappings, v[i].gid) : v[i].gid;
    }
  *out = v;
  *n = cnt;
  return 0;
}

/* Is ST the node D names (its type and number)? */
static bool
node_matches (const struct stat *st, const struct dev_node *d)
{
  return (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode)) && (S_ISBLK (st->st_mode) == (d->type == 'b'))
         && major (st->st_rdev) == d->major && minor (st->st_rdev) == d->minor;
}

static bool
is_node (const char *path, const struct dev_node *d)
{
  struct stat st;
  return stat (path, &st) == 0 && node_matches (&st, d);
}

static const char *
find_in_dev (const struct dev_node *d, char *buf, size_t len)
{
  DIR *dir = opendir ("/dev");
  struct dirent *de;
  const char *found = NULL;

  if (dir == NULL)
    return NULL;
  while (found == NULL && (de = readdir (dir)) != NULL)
    {
      snprintf (buf, len, "/dev/%s", de->d_name);
      if (de->d_type != DT_DIR && is_node (buf, d))
        found = buf;
    }
  closedir (dir);
  return found;
}

/* Make D's node in directory DIRFD, owned by its ids as mapped. */
static int
mknod_mapped (int dirfd, const struct dev_node *d)
{
  mode_t kind = d->type == 'b' ? S_IFBLK : S_IFCHR;

  if (mknodat (dirfd, "node", kind | 0600, makedev (d->major, d->minor)) < 0
      || fchownat (dirfd, "node", d->host_uid, d->host_gid, AT_SYMLINK_NOFOLLOW) < 0
      || fchmodat (dirfd, "node", d->mode, 0) < 0)
    return -1;
  return 0;
}

/* Kernels before 6.15 clone only from a mount attached in the caller's
   mount namespace: a child attaches the tmpfs MNT (holding the node) on
   /dev of a private mount namespace of its own (no other mount table sees
   it) and sends back the clone of the node. */
static int
clone_via_private_ns (int mnt, const struct dev_node *d, sbx_error_t *err)
{
  int sv[2], fd = -1, status;
  char cbuf[CMSG_SPACE (sizeof (int))], byte = 0;
  struct iovec iov = { &byte, 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf };
  struct cmsghdr *cm;
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return sbx_error_errno (err, "socketpair");
  pid = fork ();
  if (pid == 0)
    {
      _cleanup_fd_ int dev = -1;
      close (sv[0]);
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
          || move_mount (mnt, "", AT_FDCWD, "/dev", MOVE_MOUNT_F_EMPTY_PATH) < 0
          || (dev = open ("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0
          || (fd = open_tree (dev, "node", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
        _exit (errno & 0x7f);
      cm = CMSG_FIRSTHDR (&mh);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN (sizeof fd);
      memcpy (CMSG_DATA (cm), &fd, sizeof fd);
      _exit (sendmsg (sv[1], &mh, 0) < 0 ? 1 : 0);
    }
  close (sv[1]);
  if (pid < 0)
    {
      close (sv[0]);
      return sbx_error_errno (err, "fork");
    }
  if (recvmsg (sv[0], &mh, MSG_CMSG_CLOEXEC) > 0 && (cm = CMSG_FIRSTHDR (&mh)) != NULL
      && cm->cmsg_type == SCM_RIGHTS)
    memcpy (&fd, CMSG_DATA (cm), sizeof fd);
  close (sv[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (fd < 0)
    return sbx_error_set (err, WIFEXITED (status) && WEXITSTATUS (status) > 1 ? WEXITSTATUS (status) : EIO,
                          "device %s (%c %u:%u): no node on the host, and making one in a private mount "
                          "namespace failed", d->path, d->type, d->major, d->minor);
  return fd;
}

/* A node the host does not have (issue #12): root makes it on a tmpfs
   that is mounted nowhere (fsopen + fsmount, no path reaches it), owned by
   the node's ids as mapped, and clones it like a host node. */
static int
make_private_node (const struct dev_node *d, sbx_error_t *err)
{
  _cleanup_fd_ int fs = -1, mnt = -1;
  int fd;

  fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0 || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sbx_error_errno (err, "device %s: make a private tmpfs", d->path);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return sbx_error_errno (err, "device %s: mount a private tmpfs", d->path);
  if (mknod_mapped (mnt, d) < 0)
    return sbx_error_errno (err, "device %s (%c %u:%u): no node on the host, and making one failed",
                            d->path, d->type, d->major, d->minor);
  fd = open_tree (mnt, "node", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0 && errno == EINVAL)
    return clone_via_private_ns (mnt, d, err);
  if (fd < 0)
    return sbx_error_errno (err, "device %s (%c %u:%u): no node on the host; clone the one made "
                            "on a private tmpfs", d->path, d->type, d->major, d->minor);
  return fd;
}

/* A clone of the node at PATH if it is D's node, checked on the clone
   itself (what was looked at is what is bound); -1 otherwise. */
static int
clone_if_node (const char *path, const struct dev_node *d)
{
  struct stat st;
  int fd = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (fd >= 0 && fstat (fd, &st) == 0 && node_matches (&st, d))
    return fd;
  if (fd >= 0)
    close (fd);
  return -1;
}

/* An open_tree clone of the host's node for D, nosuid and noexec like
   the rest of /dev (only nodev must stay off). */
static int
open_host_node (const struct dev_node *d, sbx_error_t *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
  char byid[320];
  const char *src;
  _cleanup_fd_ int fd = -1;

  /* Find the host node by number: the same path, udev's /dev/{char,block}
     links, or any node of that number directly in /dev. */
  fd = clone_if_node (d->path, d);
  if (fd < 0)
    {
      snprintf (byid, sizeof byid, "/dev/%s/%u:%u", d->type == 'b' ? "block" : "char", d->major, d->minor);
      fd = clone_if_node (byid, d);
    }
  if (fd < 0 && (src = find_in_dev (d, byid, sizeof byid)) != NULL && (fd = clone_if_node (src, d)) < 0)
    return sbx_error_errno (err, "open host device `%s`", src);
  if (fd < 0 && geteuid () == 0)
    fd = make_private_node (d, err);
  else if (fd < 0)
    return sbx_error_set (err, ENOENT, "device %s (%c %u:%u): no such node on the host to bind",
                          d->path, d->type, d->major, d->minor);
  if (fd < 0)
    return -1;
  if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return sbx_error_errno (err, "device %s: make the bind nosuid,noexec", d->path);
  return take_fd (&fd);
}

int
devices_open_host (const struct dev_node *nodes, size_t n, int *fds, sbx_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    fds[i] = -1;
  for (size_t i = 0; i < n; i++)
    {
      if (nodes[i].type == 'p')
        continue;
      fds[i] = open_host_node (&nodes[i], err);
      if (fds[i] < 0)
        {
          for (size_t j = 0; j < i; j++)
            if (fds[j] >= 0)
              close (fds[j]);
          return -1;
        }
    }
  return 0;
}

/* Bind a host node at PATH. A symlink the image put there is replaced,
   not followed (it could lead to a /proc file: CVE-2025-31133). */
static int
bind_node (int rootfd, int host_fd, const char *path, sbx_error_t *err)
{
  _cleanup_fd_ int target = mkfile_replace_in_root (rootfd, path, 0600, err);

  if (target < 0)
    return -1;
  if (move_mount (host_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sbx_error_errno (err, "mount the host's node on `%s`", path);
  return 0;
}

static int
create_node (int rootfd, const struct dev_node *d, int host_fd, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  _cleanup_fd_ int dirfd = -1;
  const char *base;
  mode_t kind = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  struct stat st;

  if (host_fd >= 0)
    return bind_node (rootfd, host_fd, d->path, err);
  dirfd = parent_in_root (rootfd, d->path, &buf, &base, err);
  if (dirfd < 0)
    return -1;
  {
    _cleanup_fd_ int dir = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
      return sbx_error_errno (err, "open parent of `%s`", d->path);
    /* Whatever the image put there (a file, a symlink) is replaced. */
    if (fstatat (dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
      {
        if (S_ISDIR (st.st_mode))
          return sbx_error_set (err, EEXIST, "device `%s`: a directory is in the way", d->path);
        if (unlinkat (dir, base, 0) < 0)
          return sbx_error_errno (err, "remove `%s`", d->path);
      }
    if (mknodat (dir, base, kind | d->mode, makedev (d->major, d->minor)) < 0)
      {
        int fd;
        if (errno != EPERM || d->type == 'p')
          return sbx_error_errno (err, "mknod `%s`", d->path);
        /* Not allowed here (rootless): bind the host's node instead. */
        if (devices_open_host (d, 1, &fd, err) < 0)
          return -1;
        {
          int r = bind_node (rootfd, fd, d->path, err);
          close (fd);
          return r;
        }
      }
    if (fchmodat (dir, base, d->mode, 0) < 0)
      return sbx_error_errno (err, "chmod `%s`", d->path);
    if (fchownat (dir, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
      return sbx_error_errno (err, "chown `%s`", d->path);
  }
  return 0;
}

int
devices_create (int rootfd, const struct dev_node *nodes, size_t n, const int *fds,
                sbx_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (create_node (rootfd, &nodes[i], fds ? fds[i] : -1, err) < 0)
      return sbx_error_wrap (err, "create device `%s`", nodes[i].path);
  return 0;
}

int
devices_symlinks (int rootfd, sbx_error_t *err)
{
  static const char *const links[][2] = {
    { "ptmx", "pts/ptmx" },
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
  };
  _cleanup_fd_ int dev = open_in_root (rootfd, "/dev", O_RDONLY | O_DIRECTORY, err);

  if (dev < 0)
    return -1;
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    {
      struct stat st;
      if (fstatat (dev, links[i][0], &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          if (S_ISDIR (st.st_mode))
            continue;
          if (unlinkat (dev, links[i][0], 0) < 0)
            return sbx_error_errno (err, "remove /dev/%s", links[i][0]);
        }
      if (symlinkat (links[i][1], dev, links[i][0]) < 0)
        return sbx_error_errno (err, "symlink /dev/%s", links[i][0]);
    }
  return 0;
}
