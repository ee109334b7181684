/* cgroup-ops.c: what is done to a live container's cgroup: freeze and
 * thaw (cgroup.freeze, waiting for cgroup.events to agree), list its
 * processes (the whole subtree), and read its statistics in the JSON shape of runc's
 * `events --stats`, from memory.stat, cpu.stat, pids.current, io.stat. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-ops.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

static int
open_cg (const char *path, sbx_error_t *err)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "open cgroup `%s`", path);
  return fd;
}

int
cgroup_freeze (const char *path, bool frozen, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open_cg (path, err);
  struct timespec ts = { 0, 2 * 1000 * 1000 };

  if (fd < 0)
    return -1;
  if (write_file_at (fd, "cgroup.freeze", frozen ? "1" : "0", 1, err) < 0)
    return sbx_error_wrap (err, "%s", frozen ? "pause" : "resume");
  /* The write asks; cgroup.events says when every task got there. */
  for (int i = 0; i < 2500; i++)
    {
      _cleanup_free_ char *ev = NULL;
      const char *f;
      if (read_file_at (fd, "cgroup.events", &ev, NULL, 4096, err) < 0)
        return -1;
      f = strstr (ev, "frozen ");
      if (f != NULL && (f[7] == '1') == frozen)
        return 0;
      nanosleep (&ts, NULL);
    }
  return sbx_error_set (err, ETIMEDOUT, "%s: cgroup `%s` did not settle within 5 s",
                        frozen ? "pause" : "resume", path);
}

struct pid_list
{
  pid_t *v;
  size_t n, cap;
};

/* cgroup.procs of DIRFD, then of each child cgroup: the init may have
   moved itself (or a nested runtime its containers) below the container's
   cgroup (issue #12). Bounded in depth; a cgroup removed meanwhile is
   skipped. */
static int
collect_pids (int dirfd, struct pid_list *l, int depth, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  char *line, *save = NULL;
  DIR *d;
  struct dirent *de;
  int fd, r = 0;

  if (read_file_at (dirfd, "cgroup.procs", &buf, NULL, 16 << 20, err) < 0)
    return -1;
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      if (l->n == l->cap)
        {
          pid_t *nv = realloc (l->v, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof *nv);
          if (nv == NULL)
            return sbx_error_errno (err, "realloc");
          l->v = nv;
        }
      l->v[l->n++] = (pid_t) strtol (line, NULL, 10);
    }
  if (depth >= 32)
    return 0;
  fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      r = sbx_error_errno (err, "list cgroup");
      if (fd >= 0)
        close (fd);
      return r;
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      _cleanup_fd_ int sub = -1;
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      sub = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub < 0)
        continue;
      r = collect_pids (sub, l, depth + 1, NULL);
      if (r < 0 && errno == ENOENT)
        r = 0;
    }
  closedir (d);
  return r < 0 ? sbx_error_errno (err, "read cgroup.procs below the container's cgroup") : 0;
}

int
cgroup_pids (const char *path, pid_t **out, size_t *n, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open_cg (path, err);
  struct pid_list l = { 0 };

  *out = NULL;
  *n = 0;
  if (fd < 0)
    return -1;
  if (collect_pids (fd, &l, 0, err) < 0)
    {
      free (l.v);
      return -1;
    }
  *out = l.v ? l.v : malloc (sizeof (pid_t));
  *n = l.n;
  if (*out == NULL)
    return sbx_error_errno (err, "malloc");
  return 0;
}

/* "key value" lines of a flat-keyed file into JSON object members. */
static void
kv_file (struct json_buf *b, int fd, const char *file)
{
  _cleanup_free_ char *buf = NULL;
  char *line, *save = NULL;

  if (read_file_at (fd, file, &buf, NULL, 1 << 20, NULL) < 0)
    return;
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      json_key (b, line);
      json_raw (b, sp + 1);
    }
}

static long long
kv_get (int fd, const char *file, const char *key)
{
  _cleanup_free_ char *buf = NULL;
  size_t klen = strlen (key);

  if (read_file_at (fd, file, &buf, NULL, 1 << 20, NULL) < 0)
    return 0;
  for (char *p = buf; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    if (strncmp (p, key, klen) == 0 && p[klen] == ' ')
      return strtoll (p + klen + 1, NULL, 10);
  return 0;
}

static long long
one_value (int fd, const char *file)
{
  _cleanup_free_ char *buf = NULL;

  if (read_file_at (fd, file, &buf, NULL, 256, NULL) < 0)
    return 0;
  if (strncmp (buf, "max", 3) == 0)
    return -1;
  return strtoll (buf, NULL, 10);
}

static void
io_stats (struct json_buf *b, int fd)
{
  _cleanup_free_ char *buf = NULL;
  char *line, *save = NULL;
  static const char *const keys[] = { "rbytes", "wbytes", "rios", "wios" };

  json_key (b, "blkio");
  json_open (b, '{');
  json_key (b, "ioServiceBytesRecursive");
  json_open (b, '[');
  if (read_file_at (fd, "io.stat", &buf, NULL, 1 << 20, NULL) == 0)
    for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
      {
        unsigned maj, min;
        if (sscanf (line, "%u:%u", &maj, &min) != 2)
          continue;
        for (size_t k = 0; k < 4; k++)
          {
            char pat[16];
            const char *v;
            snprintf (pat, sizeof pat, "%s=", keys[k]);
            if ((v = strstr (line, pat)) == NULL)
              continue;
            json_open (b, '{');
            json_kv_int (b, "major", maj);
            json_kv_int (b, "minor", min);
            json_kv_str (b, "op", keys[k]);
            json_kv_int (b, "value", strtoll (v + strlen (pat), NULL, 10));
            json_close (b, '}');
          }
      }
  json_close (b, ']');
  json_close (b, '}');
}

char *
cgroup_stats_json (const char *path, const char *id, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open_cg (path, err);
  struct json_buf b = { 0 };

  if (fd < 0)
    return NULL;
  json_open (&b, '{');
  json_kv_str (&b, "type", "stats");
  json_kv_str (&b, "id", id);
  json_key (&b, "data");
  json_open (&b, '{');
  json_key (&b, "cpu");
  json_open (&b, '{');
  json_key (&b, "usage");
  json_open (&b, '{');
  json_kv_int (&b, "total", kv_get (fd, "cpu.stat", "usage_usec") * 1000);
  json_kv_int (&b, "kernel", kv_get (fd, "cpu.stat", "system_usec") * 1000);
  json_kv_int (&b, "user", kv_get (fd, "cpu.stat", "user_usec") * 1000);
  json_close (&b, '}');
  json_key (&b, "throttling");
  json_open (&b, '{');
  json_kv_int (&b, "periods", kv_get (fd, "cpu.stat", "nr_periods"));
  json_kv_int (&b, "throttledPeriods", kv_get (fd, "cpu.stat", "nr_throttled"));
  json_kv_int (&b, "throttledTime", kv_get (fd, "cpu.stat", "throttled_usec") * 1000);
  json_close (&b, '}');
  json_close (&b, '}');
  json_key (&b, "memory");
  json_open (&b, '{');
  json_kv_int (&b, "cache", kv_get (fd, "memory.stat", "file"));
  json_key (&b, "usage");
  json_open (&b, '{');
  json_kv_int (&b, "limit", one_value (fd, "memory.max"));
  json_kv_int (&b, "usage", one_value (fd, "memory.current"));
  json_kv_int (&b, "max", one_value (fd, "memory.peak"));
  json_kv_int (&b, "failcnt", kv_get (fd, "memory.events", "max"));
  json_close (&b, '}');
  json_key (&b, "swap");
  json_open (&b, '{');
  json_kv_int (&b, "limit", one_value (fd, "memory.swap.max"));
  json_kv_int (&b, "usage", one_value (fd, "memory.swap.current"));
  json_close (&b, '}');
  json_key (&b, "raw");
  json_open (&b, '{');
  kv_file (&b, fd, "memory.stat");
  json_close (&b, '}');
  json_close (&b, '}');
  json_key (&b, "pids");
  json_open (&b, '{');
  json_kv_int (&b, "current", one_value (fd, "pids.current"));
  json_kv_int (&b, "limit", one_value (fd, "pids.max"));
  json_close (&b, '}');
  io_stats (&b, fd);
  json_key (&b, "hugetlb");
  json_raw (&b, "{}");
  json_key (&b, "oom_kill");
  json_int (&b, kv_get (fd, "memory.events", "oom_kill"));
  json_close (&b, '}');
  json_close (&b, '}');
  if (b.failed)
    {
      json_buf_free (&b);
      sbx_error_set (err, ENOMEM, "format stats");
      return NULL;
    }
  return b.s;
}

long long
cgroup_oom_kills (const char *path)
{
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? -1 : kv_get (fd, "memory.events", "oom_kill");
}
