/* copyup.c: the `tmpcopyup` mount option: copy a directory of the image
 * into the tmpfs that will cover it, ownership and modes kept. Everything
 * goes through fds: entries are opened with O_NOFOLLOW relative to their
 * parent's fd, a symlink is copied as a symlink (never followed), so an
 * image cannot make sbx read or write outside the container's root.
 * Mounting the tmpfs is mounts.c's job. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "copyup.h"
#include "error.h"

/* Deeper trees are refused rather than walked with one fd per level. */
#define COPYUP_MAX_DEPTH 128

static int copy_dir (int src, int dst, const char *path, int depth, sbx_error_t *err);

static int
copy_data (int in, int out, const char *path, sbx_error_t *err)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = read (in, buf, sizeof buf), off = 0;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return sbx_error_errno (err, "tmpcopyup: read `%s`", path);
      if (n == 0)
        return 0;
      while (off < n)
        {
          ssize_t w = write (out, buf + off, n - off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return sbx_error_errno (err, "tmpcopyup: write `%s`", path);
          off += w;
        }
    }
}

/* Owner first: chown clears the set-id bits that the chmod then sets. */
static int
own_and_mode (int fd, const struct stat *st, const char *path, sbx_error_t *err)
{
  if (fchown (fd, st->st_uid, st->st_gid) < 0)
    return sbx_error_errno (err, "tmpcopyup: chown `%s` to %u:%u", path, (unsigned) st->st_uid,
                            (unsigned) st->st_gid);
  if (fchmod (fd, st->st_mode & 07777) < 0)
    return sbx_error_errno (err, "tmpcopyup: chmod `%s`", path);
  return 0;
}

static int
copy_file (int src, int dst, const char *name, const struct stat *st, const char *path, sbx_error_t *err)
{
  /* O_NONBLOCK: if the entry was swapped for a fifo, do not wait on it. */
  _cleanup_fd_ int in = openat (src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  _cleanup_fd_ int out = -1;
  struct stat now;

  if (in < 0)
    return sbx_error_errno (err, "tmpcopyup: open `%s`", path);
  if (fstat (in, &now) < 0 || !S_ISREG (now.st_mode))
    return sbx_error_set (err, EAGAIN, "tmpcopyup: `%s` changed while it was copied", path);
  out = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return sbx_error_errno (err, "tmpcopyup: create `%s`", path);
  if (copy_data (in, out, path, err) < 0)
    return -1;
  return own_and_mode (out, st, path, err);
}

static int
copy_symlink (int src, int dst, const char *name, const struct stat *st, const char *path, sbx_error_t *err)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (src, name, target, sizeof target - 1);

  if (n < 0)
    return sbx_error_errno (err, "tmpcopyup: readlink `%s`", path);
  target[n] = '\0';
  if (symlinkat (target, dst, name) < 0)
    return sbx_error_errno (err, "tmpcopyup: symlink `%s`", path);
  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return sbx_error_errno (err, "tmpcopyup: chown `%s`", path);
  return 0;
}

static int
copy_special (int dst, const char *name, const struct stat *st, const char *path, sbx_error_t *err)
{
  if (mknodat (dst, name, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0)
    return sbx_error_errno (err, "tmpcopyup: mknod `%s`", path);
  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0
      || fchmodat (dst, name, st->st_mode & 07777, 0) < 0)
    return sbx_error_errno (err, "tmpcopyup: chown/chmod `%s`", path);
  return 0;
}

static int
copy_subdir (int src, int dst, const char *name, const struct stat *st, const char *path, int depth,
             sbx_error_t *err)
{
  _cleanup_fd_ int in = -1, out = -1;

  if (depth >= COPYUP_MAX_DEPTH)
    return sbx_error_set (err, ELOOP, "tmpcopyup: `%s`: more than %d levels of directories", path,
                          COPYUP_MAX_DEPTH);
  in = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return sbx_error_errno (err, "tmpcopyup: open `%s`", path);
  if (mkdirat (dst, name, 0700) < 0)
    return sbx_error_errno (err, "tmpcopyup: mkdir `%s`", path);
  out = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (out < 0)
    return sbx_error_errno (err, "tmpcopyup: open `%s`", path);
  /* The mode last: a read-only directory still receives its content. */
  if (copy_dir (in, out, path, depth + 1, err) < 0)
    return -1;
  return own_and_mode (out, st, path, err);
}

static int
copy_entry (int src, int dst, const char *name, const char *path, int depth, sbx_error_t *err)
{
  struct stat st;

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return sbx_error_errno (err, "tmpcopyup: stat `%s`", path);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR: return copy_subdir (src, dst, name, &st, path, depth, err);
    case S_IFREG: return copy_file (src, dst, name, &st, path, err);
    case S_IFLNK: return copy_symlink (src, dst, name, &st, path, err);
    default: return copy_special (dst, name, &st, path, err);
    }
}

static int
copy_dir (int src, int dst, const char *path, int depth, sbx_error_t *err)
{
  int fd = dup (src);
  DIR *d;
  struct dirent *e;
  int r = 0;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return sbx_error_errno (err, "tmpcopyup: read directory `%s`", path);
    }
  while (r == 0)
    {
      char sub[PATH_MAX];
      errno = 0;
      e = readdir (d);
      if (e == NULL)
        {
          if (errno != 0)
            r = sbx_error_errno (err, "tmpcopyup: read directory `%s`", path);
          break;
        }
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if ((size_t) snprintf (sub, sizeof sub, "%s/%s", path, e->d_name) >= sizeof sub)
        r = sbx_error_set (err, ENAMETOOLONG, "tmpcopyup: a path under `%s` is too long", path);
      else
        r = copy_entry (dirfd (d), dst, e->d_name, sub, depth, err);
    }
  closedir (d);
  return r;
}

int
copyup_dir (int src, int dst_root, const char *path, sbx_error_t *err)
{
  _cleanup_fd_ int dst = openat (dst_root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;

  if (dst < 0)
    return sbx_error_errno (err, "tmpcopyup: open the new tmpfs");
  if (fstat (src, &st) < 0)
    return sbx_error_errno (err, "tmpcopyup: stat `%s`", path);
  if (copy_dir (src, dst, path, 0, err) < 0)
    return -1;
  /* The tmpfs shows what the directory it covers showed. */
  return own_and_mode (dst, &st, path, err);
}
