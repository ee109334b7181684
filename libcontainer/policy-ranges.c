/* policy-ranges.c: the host id ranges harden.userns hands out, one per
 * container, without collisions across concurrent creates.
 *
 * A range in use is a symlink in POLICY_USERNS_DIR (root's, 0700) named
 * "FIRST-LAST", made under an flock of the directory. Its target, never
 * followed, is "DEV INO PATH" of the container's state directory: the
 * range is in use as long as that directory exists. A create finds the
 * free ranges by the names alone (one getdents); only when every range
 * looks taken are the targets read, and the ranges whose directory is
 * gone (a state root wiped by hand) taken back. delete, delete --force
 * and a failed create give back the range of their own directory: by the
 * annotation's "FIRST SIZE" when state.json has it, else by looking for
 * the directory's device and inode among the targets.
 *
 * Costs, per container: make the symlink, remove it; no file is written.
 * Earlier sbx wrote a regular file named "FIRST" holding "SIZE DEV INO
 * PATH"; such files are still read, so an upgrade under running
 * containers does not hand their ranges out twice. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "log.h"
#include "policy.h"

struct range
{
  unsigned long long first, size;
  bool legacy;              /* a regular file "FIRST" (earlier sbx) */
  char name[32];
};

/* What a range's entry says of its directory. */
struct owner
{
  unsigned long long dev, ino;
  char path[PATH_MAX];
};

static bool
parse_name (const char *name, struct range *r)
{
  char *end;
  unsigned long long last;

  if (name[0] < '0' || name[0] > '9' || strlen (name) >= sizeof r->name)
    return false;
  r->first = strtoull (name, &end, 10);
  r->legacy = *end == '\0';
  r->size = 0;
  snprintf (r->name, sizeof r->name, "%s", name);
  if (r->legacy)
    return true; /* the size is in the file */
  if (*end != '-' || end[1] < '0' || end[1] > '9')
    return false;
  last = strtoull (end + 1, &end, 10);
  if (*end != '\0' || last < r->first)
    return false;
  r->size = last - r->first + 1;
  return true;
}

/* The entry's text: a symlink's target, or an earlier sbx's file. */
static bool
read_entry (int dirfd, struct range *r, struct owner *o)
{
  char buf[PATH_MAX + 96];
  unsigned long long size;
  ssize_t n;
  int used = 0;

  if (r->legacy)
    {
      int fd = openat (dirfd, r->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return false;
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n <= 0)
        return false;
      buf[n] = '\0';
      if (sscanf (buf, "%llu %llu %llu %n", &size, &o->dev, &o->ino, &used) != 3 || used == 0)
        return false;
      r->size = size;
      buf[used + strcspn (buf + used, "\n")] = '\0';
    }
  else
    {
      n = readlinkat (dirfd, r->name, buf, sizeof buf - 1);
      if (n <= 0)
        return false;
      buf[n] = '\0';
      if (sscanf (buf, "%llu %llu %n", &o->dev, &o->ino, &used) != 2 || used == 0)
        return false;
    }
  snprintf (o->path, sizeof o->path, "%s", buf + used);
  return true;
}

/* In use while the directory it names is the one it was made for. */
static bool
owner_live (const struct owner *o)
{
  struct stat st;

  return lstat (o->path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_dev == o->dev && st.st_ino == o->ino;
}

/* The directory, locked; -1 with ENOENT when no range was ever taken and
   !create. */
static int
open_locked (bool create, sbx_error_t *err)
{
  struct stat st;
  int fd = open (POLICY_USERNS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT && create)
    {
      if (mkdir (POLICY_USERNS_DIR, 0700) < 0 && errno != EEXIST)
        return sbx_error_errno (err, "policy harden.userns: mkdir %s", POLICY_USERNS_DIR);
      fd = open (POLICY_USERNS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    return sbx_error_errno (err, "policy harden.userns: open %s", POLICY_USERNS_DIR);
  if (fstat (fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) != 0)
    {
      close (fd);
      return sbx_error_set (err, EPERM, "policy harden.userns: %s must be root's and writable by root only",
                            POLICY_USERNS_DIR);
    }
  if (flock (fd, LOCK_EX) < 0)
    {
      close (fd);
      return sbx_error_errno (err, "policy harden.userns: lock %s", POLICY_USERNS_DIR);
    }
  return fd;
}

/* Every entry, by name (an earlier sbx's files read for their size); with
   sweep, the entries whose directory is gone are removed and left out. */
static int
list_ranges (int dirfd, bool sweep, struct range **out, size_t *n_out, sbx_error_t *err)
{
  _cleanup_fd_ int fd = dup (dirfd);
  DIR *d = fd < 0 ? NULL : fdopendir (fd);
  struct dirent *de;

  *out = NULL;
  *n_out = 0;
  if (d == NULL)
    return sbx_error_errno (err, "policy harden.userns: read %s", POLICY_USERNS_DIR);
  fd = -1;
  rewinddir (d); /* a dup shares the offset a listing before left at the end */
  while ((de = readdir (d)) != NULL)
    {
      struct range r, *nv;
      struct owner o;
      if (!parse_name (de->d_name, &r))
        continue;
      if ((sweep || r.legacy) && (!read_entry (dirfd, &r, &o) || !owner_live (&o)))
        {
          /* an entry that cannot be read counts as taken, but by a sweep */
          if (sweep)
            {
              log_debug ("policy harden.userns: range %s is free again", r.name);
              unlinkat (dirfd, r.name, 0);
              continue;
            }
          if (r.size == 0)
            r.size = 1; /* an earlier sbx's unreadable file: at least its first id */
        }
      nv = realloc (*out, (*n_out + 1) * sizeof *nv);
      if (nv == NULL)
        {
          closedir (d);
          return sbx_error_set (err, ENOMEM, "policy harden.userns");
        }
      *out = nv;
      nv[(*n_out)++] = r;
    }
  closedir (d);
  return 0;
}

/* The first range of u that overlaps none of busy; false if none. */
static bool
pick (const struct policy_userns *u, const struct range *busy, size_t n_busy, unsigned long long *first)
{
  unsigned long long size = (unsigned long long) u->size, n = ((unsigned long long) u->last - u->first + 1) / size;

  for (unsigned long long k = 0; k < n; k++)
    {
      unsigned long long a = u->first + k * size;
      bool clash = false;
      for (size_t i = 0; i < n_busy && !clash; i++)
        clash = a < busy[i].first + busy[i].size && busy[i].first < a + size;
      if (!clash)
        {
          *first = a;
          return true;
        }
    }
  return false;
}

int
policy_range_take (const struct policy_userns *u, int state_dirfd, uint32_t *first, sbx_error_t *err)
{
  _cleanup_fd_ int dirfd = -1;
  _cleanup_free_ struct range *busy = NULL;
  char self[64], path[PATH_MAX], target[PATH_MAX + 64], name[48];
  unsigned long long a, size = (unsigned long long) u->size;
  size_t n_busy = 0;
  struct stat st;
  ssize_t n;

  /* the state directory's own path, as the kernel resolved it */
  snprintf (self, sizeof self, "/proc/self/fd/%d", state_dirfd);
  n = readlink (self, path, sizeof path - 1);
  if (n <= 0 || fstat (state_dirfd, &st) < 0)
    return sbx_error_errno (err, "policy harden.userns: the state directory");
  path[n] = '\0';
  dirfd = open_locked (true, err);
  if (dirfd < 0 || list_ranges (dirfd, false, &busy, &n_busy, err) < 0)
    return -1;
  if (!pick (u, busy, n_busy, &a))
    {
      free (busy);
      busy = NULL;
      if (list_ranges (dirfd, true, &busy, &n_busy, err) < 0)
        return -1;
      if (!pick (u, busy, n_busy, &a))
        return sbx_error_set (err, EAGAIN, "policy harden.userns: all %llu ranges of %s are in use",
                              ((unsigned long long) u->last - u->first + 1) / size, u->ids);
    }
  snprintf (name, sizeof name, "%llu-%llu", a, a + size - 1);
  snprintf (target, sizeof target, "%llu %llu %s", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino,
            path);
  if (symlinkat (target, dirfd, name) < 0)
    return sbx_error_errno (err, "policy harden.userns: take %s/%s", POLICY_USERNS_DIR, name);
  *first = (uint32_t) a;
  return 0;
}

void
policy_range_release (unsigned long long dev, unsigned long long ino, const char *hint)
{
  _cleanup_free_ struct range *all = NULL;
  _cleanup_fd_ int dirfd = -1;
  unsigned long long first, size;
  size_t n = 0;
  sbx_error_t e = { 0 };
  struct range r;
  struct owner o;

  if (geteuid () != 0)
    return; /* only root takes ranges (policy_ns_harden); the directory is root's */
  dirfd = open_locked (false, &e);
  if (dirfd < 0)
    {
      if (e.errno_ != ENOENT) /* ENOENT: no policy ever took a range here */
        log_warn ("%s", e.msg);
      sbx_error_free (&e);
      return;
    }
  /* the range the annotation names, if its entry is this directory's */
  if (hint != NULL && sscanf (hint, "%llu %llu", &first, &size) == 2 && size > 0)
    {
      char name[48];
      snprintf (name, sizeof name, "%llu-%llu", first, first + size - 1);
      if (parse_name (name, &r) && read_entry (dirfd, &r, &o) && o.dev == dev && o.ino == ino)
        {
          unlinkat (dirfd, name, 0);
          return;
        }
    }
  /* else every entry that names it, and those whose directory is gone */
  if (list_ranges (dirfd, false, &all, &n, &e) < 0)
    log_warn ("%s", e.msg);
  for (size_t i = 0; i < n; i++)
    if (read_entry (dirfd, &all[i], &o) && ((o.dev == dev && o.ino == ino) || !owner_live (&o)))
      unlinkat (dirfd, all[i].name, 0);
  sbx_error_free (&e);
}
