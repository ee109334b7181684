/* state.c: state directories, state.json, locking and status. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "state.h"

#define STATE_MAX_SIZE (1024 * 1024)

int
state_check_id (const char *id, sbx_error_t *err)
{
  size_t n = strlen (id);

  if (n == 0 || n > 1024)
    return sbx_error_set (err, EINVAL, "invalid container id: must be 1 to 1024 characters");
  if (!isalnum ((unsigned char) id[0]))
    return sbx_error_set (err, EINVAL, "invalid container id `%s`: must start with a letter or digit", id);
  for (const char *p = id; *p; p++)
    if (!isalnum ((unsigned char) *p) && strchr ("_.+-", *p) == NULL)
      return sbx_error_set (err, EINVAL, "invalid container id `%s`: only [A-Za-z0-9_.+-] allowed", id);
  return 0;
}

static int
mkdir_p (const char *path, mode_t mode)
{
  char buf[4096];
  size_t n = strlen (path);

  if (n == 0 || n >= sizeof buf)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  memcpy (buf, path, n + 1);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (buf, mode) < 0 && errno != EEXIST)
          return -1;
        *p = '/';
      }
  if (mkdir (buf, mode) < 0 && errno != EEXIST)
    return -1;
  return 0;
}

int
state_root_open (const char *root, bool create, sbx_error_t *err)
{
  int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0 || errno != ENOENT || !create)
    {
      if (fd < 0 && errno == ENOENT)
        return sbx_error_set (err, ENOENT, "state root `%s` does not exist", root);
      if (fd < 0)
        return sbx_error_errno (err, "open state root `%s`", root);
      return fd;
    }
  if (mkdir_p (root, 0700) < 0)
    return sbx_error_errno (err, "create state root `%s`", root);
  fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "open state root `%s`", root);
  return fd;
}

int
state_dir_open (int rootfd, const char *id, sbx_error_t *err)
{
  int fd;

  if (state_check_id (id, err) < 0)
    return -1;
  fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT)
    return sbx_error_set (err, ENOENT, "container \"%s\" does not exist", id);
  if (fd < 0)
    return sbx_error_errno (err, "open state of container \"%s\"", id);
  return fd;
}

int
state_lock (int dirfd, bool nonblock, sbx_error_t *err)
{
  while (flock (dirfd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0)
    {
      if (errno == EINTR)
        continue;
      if (errno == EWOULDBLOCK)
        return sbx_error_set (err, EBUSY, "container is busy: another sbx command holds its lock");
      return sbx_error_errno (err, "lock container state");
    }
  return 0;
}

static void
state_fields (struct json_buf *b, const struct container_state *st)
{
  json_kv_str (b, "ociVersion", SBX_OCI_VERSION);
  json_kv_str (b, "id", st->id);
  json_kv_int (b, "pid", st->pid);
}

static void
state_tail (struct json_buf *b, const struct container_state *st)
{
  json_kv_str (b, "bundle", st->bundle);
  json_kv_str (b, "rootfs", st->rootfs);
  json_kv_str (b, "created", st->created);
  json_kv_str (b, "owner", st->owner ? st->owner : "");
  json_key (b, "annotations");
  json_open (b, '{');
  for (size_t i = 0; i < st->annotations.n; i++)
    json_kv_str (b, st->annotations.keys[i], st->annotations.values[i]);
  json_close (b, '}');
}

int
state_write (int dirfd, const struct container_state *st, sbx_error_t *err)
{
  struct json_buf b = { 0 };
  char start[32];
  int r;

  snprintf (start, sizeof start, "%llu", st->start_time);
  json_open (&b, '{');
  state_fields (&b, st);
  json_kv_str (&b, "pidStartTime", start);
  state_tail (&b, st);
  if (st->cgroup_path != NULL)
    {
      json_kv_str (&b, "cgroupPath", st->cgroup_path);
      snprintf (start, sizeof start, "%llu", st->cgroup_ino);
      json_kv_str (&b, "cgroupInode", start);
    }
  json_kv_str (&b, "cgroupDriver", cgroup_driver_get (st->cgroup_driver)->name);
  /* for an older sbx reading this state */
  json_key (&b, "systemdCgroup");
  json_bool (&b, st->cgroup_driver == CGROUP_DRIVER_SYSTEMD);
  json_key (&b, "pidNamespace");
  json_bool (&b, st->pid_ns_private);
  json_key (&b, "lateHooks");
  json_bool (&b, st->late_hooks);
  json_close (&b, '}');
  if (b.failed)
    {
      json_buf_free (&b);
      return sbx_error_set (err, ENOMEM, "write state");
    }
  /* A state no reader accepts would leave a container that neither start
     nor delete can handle: fail create instead. */
  if (b.len > STATE_MAX_SIZE)
    {
      json_buf_free (&b);
      return sbx_error_set (err, EFBIG, "state of %zu bytes is over %d (annotations too large?)",
                            b.len, STATE_MAX_SIZE);
    }
  r = atomic_write_at (dirfd, STATE_FILE, b.s, b.len, 0600, err);
  json_buf_free (&b);
  return r;
}

char *
state_to_json (const struct container_state *st, enum container_status s)
{
  struct json_buf b = { 0 };

  json_open (&b, '{');
  state_fields (&b, st);
  json_kv_str (&b, "status", state_status_name (s));
  state_tail (&b, st);
  json_close (&b, '}');
  if (b.failed)
    {
      json_buf_free (&b);
      return NULL;
    }
  return b.s;
}

static char *
dup_or_null (const char *s)
{
  return s ? strdup (s) : NULL;
}

/* The driver create chose; a state from before it was recorded has
   systemdCgroup, and no cgroupPath without a cgroup. A driver that does
   not match the path is refused: delete --force works from owned.json. */
static int
state_read_driver (const struct spec_map *m, struct container_state *st, const char *id,
                   sbx_error_t *err)
{
  const char *v = json_map_get (m, "cgroupDriver");
  const char *sd = json_map_get (m, "systemdCgroup");
  const char *path = json_map_get (m, "cgroupPath");
  int k;

  if (v == NULL)
    {
      st->cgroup_driver = cgroup_driver_infer (path, sd != NULL && strcmp (sd, "true") == 0);
      return 0;
    }
  k = cgroup_driver_parse (v);
  if (k < 0)
    return sbx_error_set (err, EINVAL, "state of container \"%s\": unknown cgroupDriver `%s`", id, v);
  if ((k == CGROUP_DRIVER_NONE) != (path == NULL))
    return sbx_error_set (err, EINVAL, "state of container \"%s\": cgroupDriver `%s` %s a cgroupPath",
                          id, v, path == NULL ? "without" : "with");
  st->cgroup_driver = (enum cgroup_driver_kind) k;
  return 0;
}

int
state_read (int dirfd, const char *id, struct container_state *st, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  struct spec_map m = { 0 };
  size_t len;
  const char *v;

  memset (st, 0, sizeof *st);
  if (read_file_at (dirfd, STATE_FILE, &buf, &len, STATE_MAX_SIZE, err) < 0)
    {
      /* Deleted (or never finished) while we waited for its lock. */
      if (err != NULL && err->errno_ == ENOENT)
        return sbx_error_set (err, ENOENT, "container \"%s\" does not exist", id);
      return -1;
    }
  if (json_parse_flat (buf, len, &m, err) < 0)
    return sbx_error_wrap (err, "state of container \"%s\"", id);
  st->id = strdup (id);
  v = json_map_get (&m, "pid");
  st->pid = v ? (pid_t) strtol (v, NULL, 10) : 0;
  v = json_map_get (&m, "pidStartTime");
  st->start_time = v ? strtoull (v, NULL, 10) : 0;
  st->bundle = dup_or_null (json_map_get (&m, "bundle"));
  st->rootfs = dup_or_null (json_map_get (&m, "rootfs"));
  st->created = dup_or_null (json_map_get (&m, "created"));
  st->owner = dup_or_null (json_map_get (&m, "owner"));
  st->cgroup_path = dup_or_null (json_map_get (&m, "cgroupPath"));
  v = json_map_get (&m, "cgroupInode");
  st->cgroup_ino = v ? strtoull (v, NULL, 10) : 0;
  if (state_read_driver (&m, st, id, err) < 0)
    {
      json_map_free (&m);
      state_free (st);
      return -1;
    }
  v = json_map_get (&m, "pidNamespace");
  st->pid_ns_private = v && strcmp (v, "true") == 0;
  v = json_map_get (&m, "lateHooks");
  st->late_hooks = v && strcmp (v, "true") == 0;
  /* Move the annotations.* entries over, in order. */
  for (size_t i = 0; i < m.n; i++)
    if (strncmp (m.keys[i], "annotations.", 12) == 0)
      {
        size_t n = st->annotations.n;
        char **k = realloc (st->annotations.keys, (n + 1) * sizeof *k);
        char **val;
        if (k == NULL)
          break;
        st->annotations.keys = k;
        val = realloc (st->annotations.values, (n + 1) * sizeof *val);
        if (val == NULL)
          break;
        st->annotations.values = val;
        k[n] = strdup (m.keys[i] + 12);
        val[n] = strdup (m.values[i]);
        st->annotations.n++;
      }
  json_map_free (&m);
  if (st->id == NULL || st->pid <= 0)
    {
      state_free (st);
      return sbx_error_set (err, EINVAL, "state of container \"%s\": no valid pid", id);
    }
  if (st->cgroup_path != NULL && st->cgroup_path[0] != '/')
    {
      state_free (st);
      return sbx_error_set (err, EINVAL, "state of container \"%s\": cgroupPath is not absolute", id);
    }
  return 0;
}

void
state_free (struct container_state *st)
{
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->owner);
  free (st->cgroup_path);
  json_map_free (&st->annotations);
  memset (st, 0, sizeof *st);
}

unsigned long long
proc_start_time (pid_t pid, bool *zombie)
{
  char path[64], buf[1024], *p;
  _cleanup_fd_ int fd = -1;
  ssize_t n;
  unsigned long long t = 0;

  if (zombie)
    *zombie = false;
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm may hold spaces and parentheses: parse after the last ')'. */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return 0;
  p += 2;
  if (zombie)
    *zombie = (*p == 'Z' || *p == 'X');
  /* p is at field 3 (state); field 22 is 19 fields further. */
  for (int i = 0; i < 19 && p; i++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (p)
    t = strtoull (p, NULL, 10);
  return t;
}

bool
state_pid_alive (pid_t pid, unsigned long long start_time)
{
  bool zombie;
  unsigned long long t = proc_start_time (pid, &zombie);
  return t != 0 && t == start_time && !zombie;
}

int
state_pidfd (const struct container_state *st, sbx_error_t *err)
{
  int fd = syscall (SYS_pidfd_open, st->pid, 0);

  if (fd < 0)
    {
      if (errno == ESRCH)
        return sbx_error_set (err, ESRCH, "container not running");
      return sbx_error_errno (err, "pidfd_open %d", st->pid);
    }
  /* The pidfd now pins the process; check it is still the one recorded. */
  if (!state_pid_alive (st->pid, st->start_time))
    {
      close (fd);
      return sbx_error_set (err, ESRCH, "container not running");
    }
  return fd;
}

enum container_status
state_status (int dirfd, const struct container_state *st)
{
  if (!state_pid_alive (st->pid, st->start_time))
    return STATUS_STOPPED;
  if (faccessat (dirfd, EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return STATUS_CREATED;
  if (st->cgroup_path != NULL && cgroup_is_frozen (st->cgroup_path))
    return STATUS_PAUSED;
  return STATUS_RUNNING;
}

const char *
state_status_name (enum container_status s)
{
  switch (s)
    {
    case STATUS_CREATING:
      return "creating";
    case STATUS_CREATED:
      return "created";
    case STATUS_RUNNING:
      return "running";
    case STATUS_PAUSED:
      return "paused";
    case STATUS_UNKNOWN:
      return "unknown";
    case STATUS_STOPPED:
    default:
      return "stopped";
    }
}
