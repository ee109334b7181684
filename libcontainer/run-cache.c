/* run-cache.c: keyed files in a directory of root's (0700) under /run.
 * sbx uses them for work it would otherwise redo on every create and
 * exec: compiling a seccomp filter (milliseconds for a profile like
 * Docker's), parsing the --policy file. The key is the whole text of what
 * the payload depends on, starting with run_cache_header (this sbx binary,
 * the kernel). A file is named by a 64-bit hash of the key and holds the
 * key itself, compared byte for byte, so a hash collision is a miss, never
 * another payload. Any trouble (not root, a file of another owner or
 * mode, short, unreadable) is a miss: the caller computes as without it.
 *
 * A file: MAGIC, the key's length (u32, host order), the key, the payload. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "log.h"
#include "run-cache.h"

#define MAGIC "sbx-cache 1\n"
#define MAX_FILE (1 << 20)
#define MAX_ENTRIES 256

const char *
run_cache_header (void)
{
  static char hdr[512];
  struct utsname u;
  struct stat st;

  if (hdr[0] != '\0')
    return hdr;
  if (stat ("/proc/self/exe", &st) < 0 || uname (&u) < 0)
    return NULL;
  snprintf (hdr, sizeof hdr, "exe %ju %ju %jd %jd.%ld\nkernel %s %s\n", (uintmax_t) st.st_dev,
            (uintmax_t) st.st_ino, (intmax_t) st.st_size, (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
            u.release, u.version);
  return hdr;
}

/* Eight bytes a step (the keys run to kilobytes: a seccomp profile like
   Docker's is 6 KB), each mixed by a multiply and a shift; the tail
   byte by byte. A file name only: the key inside decides. */
static void
file_name (const char *key, size_t len, char name[32])
{
  const uint64_t k = 0x9e3779b97f4a7c15ULL;
  uint64_t h = 0xcbf29ce484222325ULL ^ len, w;
  size_t i = 0;

  for (; i + 8 <= len; i += 8)
    {
      memcpy (&w, key + i, 8);
      h = (h ^ w) * k;
      h ^= h >> 32;
    }
  for (; i < len; i++)
    h = (h ^ (unsigned char) key[i]) * k;
  h ^= h >> 29;
  snprintf (name, 32, "%016" PRIx64, h);
}

int
run_cache_dir (const char *path)
{
  static struct
  {
    const char *path;
    int fd;
  } open_dirs[4];
  struct stat st;
  size_t i;
  int fd;

  if (geteuid () != 0)
    return -1;
  for (i = 0; i < 4 && open_dirs[i].path != NULL; i++)
    if (strcmp (open_dirs[i].path, path) == 0)
      return open_dirs[i].fd;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && mkdir (path, 0700) == 0)
    fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && (fstat (fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077) != 0))
    {
      close (fd);
      fd = -1;
    }
  if (i < 4)
    open_dirs[i].path = path, open_dirs[i].fd = fd;
  return fd;
}

bool
run_cache_get (int dirfd, const char *key, size_t key_len, char **payload, size_t *len)
{
  _cleanup_fd_ int fd = -1;
  _cleanup_free_ char *buf = NULL;
  const size_t hdr = sizeof MAGIC - 1;
  char name[32];
  struct stat st;
  uint32_t kl;
  ssize_t got;

  *payload = NULL;
  *len = 0;
  if (dirfd < 0 || key == NULL)
    return false;
  file_name (key, key_len, name);
  fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) != 0
      || st.st_size > MAX_FILE || (buf = malloc ((size_t) st.st_size + 1)) == NULL)
    return false;
  got = read (fd, buf, (size_t) st.st_size);
  if (got != st.st_size || (size_t) got < hdr + 4 || memcmp (buf, MAGIC, hdr) != 0)
    return false;
  memcpy (&kl, buf + hdr, 4);
  if (kl != key_len || (size_t) got < hdr + 4 + kl || memcmp (buf + hdr + 4, key, kl) != 0)
    return false;
  *len = (size_t) got - hdr - 4 - kl;
  memmove (buf, buf + hdr + 4 + kl, *len);
  buf[*len] = '\0';
  *payload = buf;
  buf = NULL;
  return true;
}

/* Past MAX_ENTRIES (profiles, policies, sbx binaries and kernels come and
   go) the directory starts again from empty: a miss costs one compute. */
static void
prune (int dirfd)
{
  _cleanup_fd_ int fd = dup (dirfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  size_t n = 0;

  if (d == NULL)
    return;
  fd = -1;
  rewinddir (d); /* a dup shares the offset of a listing before */
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  if (n >= MAX_ENTRIES)
    {
      rewinddir (d);
      while ((de = readdir (d)) != NULL)
        if (de->d_name[0] != '.')
          unlinkat (dirfd, de->d_name, 0);
    }
  closedir (d);
}

void
run_cache_put (int dirfd, const char *key, size_t key_len, const void *payload, size_t len)
{
  uint32_t kl = (uint32_t) key_len;
  char name[32], *buf = NULL;
  size_t n = 0;
  sbx_error_t e = { 0 };
  FILE *m;

  if (dirfd < 0 || key == NULL || key_len > MAX_FILE || (m = open_memstream (&buf, &n)) == NULL)
    return;
  fwrite (MAGIC, 1, sizeof MAGIC - 1, m);
  fwrite (&kl, 4, 1, m);
  fwrite (key, 1, key_len, m);
  fwrite (payload, 1, len, m);
  if (fclose (m) == 0 && n <= MAX_FILE)
    {
      prune (dirfd);
      file_name (key, key_len, name);
      if (atomic_write_at (dirfd, name, buf, n, 0600, &e) < 0)
        log_debug ("cache: %s", e.msg);
    }
  sbx_error_free (&e);
  free (buf);
}
