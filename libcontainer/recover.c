/* recover.c: owned.json, and removing a container from what survives a
 * crash: the lock on its state directory (held by the caller), the cgroup
 * (every process in it killed, then removed, once its identity checks
 * out), the init by pid and start time. Used by `delete` when state.json
 * is missing or unreadable, and by `create` when it reclaims a directory a
 * killed create left. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-own.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "recover.h"
#include "spec.h"
#include "state.h"

int
owned_write (int dirfd, const struct owned *o, sbx_error_t *err)
{
  struct json_buf b = { 0 };
  char num[32];
  int r;

  json_open (&b, '{');
  if (o->cgroup_path != NULL)
    {
      json_kv_str (&b, "cgroupPath", o->cgroup_path);
      snprintf (num, sizeof num, "%llu", o->cgroup_ino);
      json_kv_str (&b, "cgroupInode", num);
      json_kv_str (&b, "cgroupDriver", cgroup_driver_get (o->driver)->name);
      json_key (&b, "systemdCgroup");
      json_bool (&b, o->driver == CGROUP_DRIVER_SYSTEMD);
    }
  json_kv_int (&b, "pid", o->pid);
  snprintf (num, sizeof num, "%llu", o->start_time);
  json_kv_str (&b, "pidStartTime", num);
  json_close (&b, '}');
  if (b.failed)
    {
      json_buf_free (&b);
      return sbx_error_set (err, ENOMEM, "write %s", OWNED_FILE);
    }
  r = atomic_write_at (dirfd, OWNED_FILE, b.s, b.len, 0600, err);
  json_buf_free (&b);
  return r;
}

int
owned_read (int dirfd, struct owned *o, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  struct spec_map m = { 0 };
  const char *v;
  size_t len;

  memset (o, 0, sizeof *o);
  if (read_file_at (dirfd, OWNED_FILE, &buf, &len, 64 * 1024, err) < 0)
    return -1;
  if (json_parse_flat (buf, len, &m, err) < 0)
    return sbx_error_wrap (err, "%s", OWNED_FILE);
  v = json_map_get (&m, "cgroupPath");
  if (v != NULL && v[0] == '/' && (o->cgroup_path = strdup (v)) == NULL)
    {
      json_map_free (&m);
      return sbx_error_errno (err, "strdup");
    }
  v = json_map_get (&m, "cgroupInode");
  o->cgroup_ino = v ? strtoull (v, NULL, 10) : 0;
  v = json_map_get (&m, "cgroupDriver");
  if (v != NULL && cgroup_driver_parse (v) > 0)
    o->driver = (enum cgroup_driver_kind) cgroup_driver_parse (v);
  else
    {
      /* From before the driver was recorded (or damaged): what the other
         fields say. A cgroup is only ever removed once its identity
         checks out. */
      v = json_map_get (&m, "systemdCgroup");
      o->driver = cgroup_driver_infer (o->cgroup_path, v && strcmp (v, "true") == 0);
    }
  v = json_map_get (&m, "pid");
  o->pid = v ? (pid_t) strtol (v, NULL, 10) : 0;
  if (o->pid < 0)
    o->pid = 0;
  v = json_map_get (&m, "pidStartTime");
  o->start_time = v ? strtoull (v, NULL, 10) : 0;
  json_map_free (&m);
  return 0;
}

void
owned_free (struct owned *o)
{
  free (o->cgroup_path);
  memset (o, 0, sizeof *o);
}

bool
owned_alive (const struct owned *o)
{
  if (o->pid > 0 && state_pid_alive (o->pid, o->start_time))
    return true;
  return o->cgroup_path != NULL && o->cgroup_ino != 0
         && cgroup_check_owned (o->cgroup_path, o->cgroup_ino, NULL) == 1
         && cgroup_is_populated (o->cgroup_path);
}

/* The init by pid, only if its start time is the recorded one. */
static int
kill_init (const struct owned *o, sbx_error_t *err)
{
  _cleanup_fd_ int pidfd = -1;
  struct pollfd p;

  if (o->pid <= 0)
    return 0;
  pidfd = syscall (SYS_pidfd_open, o->pid, 0);
  if (pidfd < 0 || !state_pid_alive (o->pid, o->start_time))
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    return sbx_error_errno (err, "kill container init %d", o->pid);
  p = (struct pollfd) { pidfd, POLLIN, 0 };
  if (poll (&p, 1, 5000) == 0)
    return sbx_error_set (err, ETIMEDOUT, "container init %d did not die within 5 s", o->pid);
  return 0;
}

static int
remove_cgroup (const struct owned *o, sbx_error_t *err)
{
  sbx_error_t e = { 0 };
  int r;

  if (o->cgroup_path == NULL)
    return 0;
  /* Recorded before create made it: if it is there and empty it may be
     ours, and removing an empty cgroup harms nobody (a create racing for
     it fails). One with processes is not provably ours. */
  if (o->cgroup_ino == 0)
    {
      if (rmdir (o->cgroup_path) < 0 && errno != ENOENT)
        log_warn ("cgroup `%s` left alone: %s", o->cgroup_path, strerror (errno));
      return 0;
    }
  r = cgroup_check_owned (o->cgroup_path, o->cgroup_ino, &e);
  if (r < 0)
    {
      log_warn ("%s", e.msg);
      sbx_error_free (&e);
      return 0;
    }
  /* Gone, its manager may still hold a unit for it: the driver lets go. */
  return cgroup_driver_get (o->driver)->destroy (o->cgroup_path, err);
}

int
recover_remove (int rootfd, int dirfd, const char *id, sbx_error_t *err)
{
  struct owned o;
  sbx_error_t e = { 0 };
  struct stat st;
  bool known = fstat (dirfd, &st) == 0;
  int r;

  if (owned_read (dirfd, &o, &e) < 0)
    {
      if (e.errno_ != ENOENT)
        log_warn ("container \"%s\": %s: only its state directory can be removed", id, e.msg);
      sbx_error_free (&e);
      r = rm_rf_at (rootfd, id, err);
    }
  else
    {
      r = kill_init (&o, err);
      if (r == 0)
        r = remove_cgroup (&o, err);
      owned_free (&o);
      if (r == 0)
        r = rm_rf_at (rootfd, id, err);
    }
  if (r == 0 && known) /* the id range a killed create took */
    policy_range_release (st.st_dev, st.st_ino, NULL);
  return r;
}

void
recover_default_cgroup (const char *id)
{
  _cleanup_free_ char *path = NULL;

  if (cgroup_v2_root () == NULL)
    return;
  path = cgroup_resolve_path (NULL, id, false, NULL, NULL);
  if (path == NULL || cgroup_is_populated (path))
    return;
  if (rmdir (path) == 0)
    log_debug ("removed the empty cgroup `%s` left by an interrupted create of \"%s\"", path, id);
}
