/* fsutil.c: fd-based path resolution confined to a root, and small file
 * helpers. The openat2 path is the fast one; walk_in_root() is the single
 * fallback for kernels without openat2 (ENOSYS), tested by forcing it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"

static int dirfd_of (DIR *d) { return dirfd (d); }

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256

static int force_walk = 0;

void
fsutil_force_walk (int on)
{
  force_walk = on;
}

static int
sys_openat2 (int dirfd, const char *path, int flags, unsigned long long resolve)
{
  struct open_how how = { .flags = (unsigned) flags | O_CLOEXEC, .resolve = resolve };
  int fd, tries = 0;

  if (flags & O_CREAT)
    how.mode = 0600;
  do
    fd = syscall (SYS_openat2, dirfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN && ++tries < 64); /* rename race: retry */
  return fd;
}

/* The fallback: resolve PATH one component at a time with O_NOFOLLOW,
 * following symlinks by hand so that "/" and ".." stop at rootfd. */
static int
walk_in_root (int rootfd, const char *path, int flags)
{
  int stack[MAX_DEPTH];
  int depth = 0, links = 0, ret = -1, saved;
  char *todo = NULL;

  stack[0] = dup (rootfd);
  if (stack[0] < 0 || (todo = strdup (path)) == NULL)
    goto out;
  for (;;)
    {
      char *p = todo, *comp, *next;
      int last, fd;
      struct stat st;

      while (*p == '/')
        p++;
      if (*p == '\0')
        {
          /* Reopen the directory itself with the requested flags. */
          ret = openat (stack[depth], ".", (flags & ~O_CREAT) | O_CLOEXEC);
          goto out;
        }
      comp = p;
      next = strchr (p, '/');
      if (next != NULL)
        *next++ = '\0';
      else
        next = p + strlen (p);
      while (*next == '/')
        next++;
      last = (*next == '\0');
      if (strcmp (comp, ".") == 0)
        goto advance;
      if (strcmp (comp, "..") == 0)
        {
          if (depth > 0)
            close (stack[depth--]);
          goto advance;
        }
      fd = openat (stack[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if (last && errno == ENOENT && (flags & O_CREAT))
            {
              ret = openat (stack[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
              goto out;
            }
          goto out;
        }
      if (fstat (fd, &st) < 0)
        {
          close (fd);
          goto out;
        }
      if (S_ISLNK (st.st_mode))
        {
          char target[4096], *joined;
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);
          close (fd);
          if (n < 0 || ++links > MAX_SYMLINKS)
            {
              if (n >= 0)
                errno = ELOOP;
              goto out;
            }
          target[n] = '\0';
          if (target[0] == '/')
            while (depth > 0)
              close (stack[depth--]);
          if (asprintf (&joined, "%s/%s", target, next) < 0)
            goto out;
          free (todo);
          todo = joined;
          continue;
        }
      if (last)
        {
          if ((flags & O_PATH) && !(flags & O_DIRECTORY))
            {
              ret = fd;
              goto out;
            }
          if ((flags & O_DIRECTORY) && !S_ISDIR (st.st_mode))
            {
              close (fd);
              errno = ENOTDIR;
              goto out;
            }
          ret = openat (stack[depth], comp, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
          close (fd);
          goto out;
        }
      if (!S_ISDIR (st.st_mode))
        {
          close (fd);
          errno = ENOTDIR;
          goto out;
        }
      if (depth + 1 >= MAX_DEPTH)
        {
          close (fd);
          errno = ENAMETOOLONG;
          goto out;
        }
      stack[++depth] = fd;
    advance:
      memmove (todo, next, strlen (next) + 1);
    }
out:
  saved = errno;
  while (depth >= 0)
    {
      if (stack[depth] >= 0)
        close (stack[depth]);
      depth--;
    }
  free (todo);
  errno = saved;
  return ret;
}

int
open_in_root (int rootfd, const char *path, int flags, sbx_error_t *err)
{
  int fd = -1;

  if (!force_walk)
    {
      fd = sys_openat2 (rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      if (fd >= 0 || errno != ENOSYS)
        goto done;
    }
  fd = walk_in_root (rootfd, path, flags);
done:
  if (fd < 0)
    return sbx_error_errno (err, "open `%s` in container root", path);
  return fd;
}

/* The fallback of open_nofollow_in_root: each component with O_NOFOLLOW;
 * a symlink is ELOOP and ".." is refused (EINVAL) rather than resolved. */
static int
walk_nofollow (int rootfd, const char *path, int flags)
{
  _cleanup_free_ char *copy = strdup (path);
  _cleanup_fd_ int cur = -1;
  char *save = NULL;

  if (copy == NULL || (cur = dup (rootfd)) < 0)
    return -1;
  for (char *c = strtok_r (copy, "/", &save); c != NULL; c = strtok_r (NULL, "/", &save))
    {
      struct stat st;
      bool last = save == NULL || *save == '\0';
      int fd;

      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        return errno = EINVAL, -1;
      fd = openat (cur, c, (last ? flags : O_PATH) | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return -1;
      close (cur);
      cur = fd;
      if (fstat (cur, &st) < 0)
        return -1;
      if (S_ISLNK (st.st_mode))
        return errno = ELOOP, -1;
    }
  return take_fd (&cur);
}

int
open_nofollow_in_root (int rootfd, const char *path, int flags)
{
  if (!force_walk)
    {
      int fd = sys_openat2 (rootfd, path, flags,
                            RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
      if (fd >= 0 || errno != ENOSYS)
        return fd;
    }
  return walk_nofollow (rootfd, path, flags);
}

/* Open NAME directly under dirfd, refusing any symlink: used right after
 * creating NAME, so a rename race cannot redirect us. */
static int
open_beneath (int dirfd, const char *name, int flags)
{
  int fd;

  if (!force_walk)
    {
      fd = sys_openat2 (dirfd, name, flags, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
      if (fd >= 0 || errno != ENOSYS)
        return fd;
    }
  return openat (dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
}

int
mkdirall_in_root (int rootfd, const char *path, mode_t mode, sbx_error_t *err)
{
  _cleanup_free_ char *copy = strdup (path);
  _cleanup_fd_ int cur = -1;
  char *p, *slash;
  size_t prefix_len = 0;

  if (copy == NULL)
    return sbx_error_errno (err, "strdup");
  if (strlen (path) >= 4096)
    return sbx_error_set (err, ENAMETOOLONG, "path `%.64s...`", path);
  cur = dup (rootfd);
  if (cur < 0)
    return sbx_error_errno (err, "dup");
  /* Resolve each growing prefix from the root, so symlinks and ".." in
     the image are followed but never leave it; create what is missing in
     the directory the previous prefix resolved to. */
  for (p = copy;; p = slash + 1)
    {
      int fd;
      char saved;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      slash = strchr (p, '/');
      if (slash == NULL)
        slash = p + strlen (p);
      saved = *slash;
      *slash = '\0';
      prefix_len = slash - copy;
      fd = -1;
      if (strcmp (p, ".") != 0 && strcmp (p, "..") != 0)
        {
          fd = open_in_root (rootfd, copy, O_PATH | O_DIRECTORY, NULL);
          if (fd < 0 && errno == ENOENT)
            {
              if (mkdirat (cur, p, mode) < 0 && errno != EEXIST)
                return sbx_error_errno (err, "mkdir `%s` in container root", copy);
              fd = open_beneath (cur, p, O_PATH | O_DIRECTORY);
            }
        }
      else
        fd = open_in_root (rootfd, copy, O_PATH | O_DIRECTORY, NULL);
      if (fd < 0)
        return sbx_error_errno (err, "open directory `%s` in container root", copy);
      close (cur);
      cur = fd;
      *slash = saved;
      if (saved == '\0')
        break;
    }
  (void) prefix_len;
  return take_fd (&cur);
}

int
parent_in_root (int rootfd, const char *path, char **buf, const char **base,
                sbx_error_t *err)
{
  char *copy, *slash;
  int fd;

  copy = strdup (path);
  if (copy == NULL)
    return sbx_error_errno (err, "strdup");
  /* Drop trailing slashes, then split off the last component. */
  for (size_t n = strlen (copy); n > 1 && copy[n - 1] == '/'; n--)
    copy[n - 1] = '\0';
  slash = strrchr (copy, '/');
  if (slash == NULL)
    {
      *base = copy;
      fd = dup (rootfd);
    }
  else
    {
      *slash = '\0';
      *base = slash + 1;
      fd = mkdirall_in_root (rootfd, copy[0] ? copy : "/", 0755, err);
    }
  if (fd < 0)
    {
      free (copy);
      return -1;
    }
  if (**base == '\0' || strcmp (*base, ".") == 0 || strcmp (*base, "..") == 0)
    {
      close (fd);
      free (copy);
      return sbx_error_set (err, EINVAL, "path `%s` has no file name", path);
    }
  *buf = copy;
  return fd;
}

int
mkfile_in_root (int rootfd, const char *path, mode_t mode, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  _cleanup_fd_ int dirfd = -1;
  const char *base;
  int fd;

  fd = open_in_root (rootfd, path, O_PATH, NULL);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return sbx_error_errno (err, "open `%s` in container root", path);
  dirfd = parent_in_root (rootfd, path, &buf, &base, err);
  if (dirfd < 0)
    return -1;
  {
    /* O_PATH dirfd cannot be used for O_CREAT: reopen the directory. */
    _cleanup_fd_ int real = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (real < 0)
      return sbx_error_errno (err, "open parent of `%s`", path);
    fd = openat (real, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 && errno != EEXIST)
      return sbx_error_errno (err, "create `%s` in container root", path);
    if (fd >= 0)
      close (fd);
    fd = open_beneath (real, base, O_PATH);
  }
  if (fd < 0)
    return sbx_error_errno (err, "open `%s` in container root", path);
  return fd;
}

int
mkfile_replace_in_root (int rootfd, const char *path, mode_t mode, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  _cleanup_fd_ int parent = -1, dir = -1;
  const char *base;
  struct stat st;
  int fd;

  parent = parent_in_root (rootfd, path, &buf, &base, err);
  if (parent < 0)
    return -1;
  dir = openat (parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return sbx_error_errno (err, "open parent of `%s`", path);
  if (fstatat (dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG (st.st_mode))
    {
      if (S_ISDIR (st.st_mode))
        return sbx_error_set (err, EEXIST, "`%s`: a directory is in the way", path);
      if (unlinkat (dir, base, 0) < 0)
        return sbx_error_errno (err, "remove `%s`", path);
    }
  fd = openat (dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0 && errno != EEXIST)
    return sbx_error_errno (err, "create `%s` in container root", path);
  if (fd >= 0)
    close (fd);
  fd = open_beneath (dir, base, O_PATH);
  if (fd < 0)
    return sbx_error_errno (err, "open `%s` in container root", path);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return sbx_error_set (err, EEXIST, "`%s` changed while it was being replaced", path);
    }
  return fd;
}

int
read_file_at (int dirfd, const char *name, char **out, size_t *len, size_t max,
              sbx_error_t *err)
{
  /* An empty name reads dirfd itself (a file opened by the caller). */
  _cleanup_fd_ int fd = name[0] ? openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
                                : fcntl (dirfd, F_DUPFD_CLOEXEC, 0);
  _cleanup_free_ char *buf = NULL;
  size_t cap = max < 4096 ? max : 4096, n = 0;

  if (fd < 0)
    return sbx_error_errno (err, "open `%s`", name);
  buf = malloc (cap + 1);
  if (buf == NULL)
    return sbx_error_errno (err, "malloc");
  for (;;)
    {
      ssize_t r;
      if (n == cap)
        {
          char *nb;
          if (cap >= max)
            {
              char probe;
              ssize_t r = read (fd, &probe, 1);
              if (r == 0)
                break;
              return sbx_error_set (err, EFBIG, "`%s`: file too large (over %zu bytes)", name, max);
            }
          cap = cap * 4 > max ? max : cap * 4;
          nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return sbx_error_errno (err, "realloc");
          buf = nb;
        }
      r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sbx_error_errno (err, "read `%s`", name);
      if (r == 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  *out = take_ptr (&buf);
  if (len != NULL)
    *len = n;
  return 0;
}

static int
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0)
    {
      ssize_t r = write (fd, p, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      p += r;
      len -= r;
    }
  return 0;
}

/* After a failed write: the temporary file must not stay behind; if it
   does, ERR says so too (style §3: append, never drop). */
static int
drop_tmp (int dirfd, const char *tmp, sbx_error_t *err)
{
  if (unlinkat (dirfd, tmp, 0) < 0 && errno != ENOENT)
    sbx_error_append (err, "remove `%s`: %s", tmp, strerror (errno));
  return -1;
}

int
atomic_write_at (int dirfd, const char *name, const void *data, size_t len,
                 mode_t mode, sbx_error_t *err)
{
  char tmp[256];
  _cleanup_fd_ int fd = -1;

  if (snprintf (tmp, sizeof tmp, ".%s.tmp", name) >= (int) sizeof tmp)
    return sbx_error_set (err, ENAMETOOLONG, "file name `%s`", name);
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return sbx_error_errno (err, "create `%s`", tmp);
  if (write_all (fd, data, len) < 0)
    {
      sbx_error_errno (err, "write `%s`", tmp);
      return drop_tmp (dirfd, tmp, err);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      sbx_error_errno (err, "rename `%s` to `%s`", tmp, name);
      return drop_tmp (dirfd, tmp, err);
    }
  return 0;
}

int
write_file_at (int dirfd, const char *name, const void *data, size_t len,
               sbx_error_t *err)
{
  _cleanup_fd_ int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return sbx_error_errno (err, "open `%s`", name);
  if (write_all (fd, data, len) < 0)
    return sbx_error_errno (err, "write `%s`", name);
  return 0;
}

int
rm_rf_at (int dirfd, const char *name, sbx_error_t *err)
{
  _cleanup_fd_ int fd = -1;
  struct stat st, parent;
  DIR *d;
  struct dirent *de;

  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return sbx_error_errno (err, "unlink `%s`", name);
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "open `%s`", name);
  if (fstat (fd, &st) < 0 || fstat (dirfd, &parent) < 0)
    return sbx_error_errno (err, "stat `%s`", name);
  if (st.st_dev != parent.st_dev)
    return sbx_error_set (err, EBUSY, "`%s` is a mount point", name);
  d = fdopendir (take_fd (&fd));
  if (d == NULL)
    return sbx_error_errno (err, "opendir `%s`", name);
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (rm_rf_at (dirfd_of (d), de->d_name, err) < 0)
        {
          closedir (d);
          return sbx_error_wrap (err, "remove `%s`", name);
        }
    }
  closedir (d);
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return sbx_error_errno (err, "rmdir `%s`", name);
  return 0;
}
