/* manage.c: the commands that act on a running container through its
 * cgroup: update, pause, resume, ps, events. Each reads the state, checks
 * the status the operation needs, and calls cgroup-ops.c or
 * cgroup-resources.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-own.h"
#include "cgroup-ops.h"
#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "cleanup.h"
#include "container.h"
#include "error.h"
#include "fsutil.h"
#include "spec.h"
#include "state.h"

struct target
{
  int dirfd;
  struct container_state st;
  enum container_status status;
};

static int
open_target (struct sbx_context *ctx, const char *id, struct target *t, sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = state_root_open (ctx->root, false, NULL);

  t->dirfd = -1;
  memset (&t->st, 0, sizeof t->st);
  if (state_check_id (id, err) < 0)
    return -1;
  if (rootfd < 0)
    return sbx_error_set (err, ENOENT, "container \"%s\" does not exist", id);
  t->dirfd = state_dir_open (rootfd, id, err);
  if (t->dirfd < 0 || state_read (t->dirfd, id, &t->st, err) < 0)
    return -1;
  t->status = state_status (t->dirfd, &t->st);
  if (t->st.cgroup_path == NULL)
    return sbx_error_set (err, ENOTSUP, "container \"%s\" has no cgroup", id);
  if (cgroup_check_owned (t->st.cgroup_path, t->st.cgroup_ino, err) < 0)
    return sbx_error_wrap (err, "container \"%s\"", id);
  return 0;
}

static void
target_free (struct target *t)
{
  if (t->dirfd >= 0)
    close (t->dirfd);
  state_free (&t->st);
}

int
sbx_container_pause (struct sbx_context *ctx, const char *id, bool pause, sbx_error_t *err)
{
  struct target t;
  int r = -1;

  if (open_target (ctx, id, &t, err) == 0)
    {
      if (t.status == STATUS_STOPPED)
        sbx_error_set (err, ESRCH, "container \"%s\": container not running", id);
      else if (pause && t.status == STATUS_PAUSED)
        sbx_error_set (err, EINVAL, "container \"%s\" is already paused", id);
      else if (!pause && t.status != STATUS_PAUSED)
        sbx_error_set (err, EINVAL, "container \"%s\" is not paused", id);
      else
        r = cgroup_freeze (t.st.cgroup_path, pause, err);
    }
  target_free (&t);
  return r;
}

int
sbx_container_ps (struct sbx_context *ctx, const char *id, bool json, FILE *out, sbx_error_t *err)
{
  struct target t;
  pid_t *pids = NULL;
  size_t n = 0;
  int r = -1;

  if (open_target (ctx, id, &t, err) == 0 && cgroup_pids (t.st.cgroup_path, &pids, &n, err) == 0)
    {
      if (json)
        {
          fputc ('[', out);
          for (size_t i = 0; i < n; i++)
            fprintf (out, "%s%d", i ? "," : "", pids[i]);
          fputs ("]\n", out);
        }
      else
        {
          fprintf (out, "%-8s %s\n", "PID", "CMD");
          for (size_t i = 0; i < n; i++)
            {
              char path[64];
              _cleanup_free_ char *comm = NULL;
              int dfd;
              snprintf (path, sizeof path, "/proc/%d", pids[i]);
              dfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
              if (dfd >= 0 && read_file_at (dfd, "comm", &comm, NULL, 256, NULL) == 0)
                comm[strcspn (comm, "\n")] = '\0';
              if (dfd >= 0)
                close (dfd);
              fprintf (out, "%-8d %s\n", pids[i], comm ? comm : "?");
            }
        }
      r = 0;
    }
  free (pids);
  target_free (&t);
  return r;
}

/* New device rules replace the program; linux.devices still come from the
   container's saved config. */
static int
update_devices (struct target *t, int cgfd, const struct spec_resources *res, sbx_error_t *err)
{
  struct sbx_spec *spec = container_load_config (t->dirfd, err);
  int r;

  if (spec == NULL)
    return -1;
  r = cgroup_limit_devices (spec->linux_, res, cgfd, err);
  spec_free (spec);
  return r;
}

/* Tell systemd the new limits too, so a daemon-reload keeps them. */
static int
update_scope (const char *cgroup_path, const struct spec_resources *res, sbx_error_t *err)
{
  struct cg_plan plan;
  int r;

  if (cgroup_plan (res, true, &plan, err) < 0)
    return -1;
  r = cgroup_systemd_update (cgroup_path, &plan, err);
  cgroup_plan_free (&plan);
  return r;
}

int
sbx_container_update (struct sbx_context *ctx, const char *id, const char *json, size_t len,
                      sbx_error_t *err)
{
  struct target t;
  struct spec_resources *res = NULL;
  int r = -1;

  if (open_target (ctx, id, &t, err) == 0)
    {
      if (t.status == STATUS_STOPPED)
        sbx_error_set (err, ESRCH, "container \"%s\": container not running", id);
      else if ((res = spec_parse_resources (json, len, err)) == NULL)
        sbx_error_wrap (err, "update resources");
      else
        {
          _cleanup_fd_ int cgfd = open (t.st.cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (cgfd < 0)
            sbx_error_errno (err, "open cgroup `%s`", t.st.cgroup_path);
          else
            r = cgroup_set_resources (t.st.cgroup_path, cgfd, res, true, err);
          if (r == 0 && res->n_devices > 0)
            r = update_devices (&t, cgfd, res, err);
          if (r == 0 && t.st.systemd_cgroup)
            r = update_scope (t.st.cgroup_path, res, err);
        }
    }
  if (res != NULL)
    spec_resources_free (res);
  target_free (&t);
  return r;
}

int
sbx_container_events (struct sbx_context *ctx, const char *id, bool stats, unsigned interval,
                      FILE *out, sbx_error_t *err)
{
  struct target t;
  long long ooms;
  int r = -1;

  if (open_target (ctx, id, &t, err) < 0)
    goto out;
  if (t.status == STATUS_STOPPED)
    {
      sbx_error_set (err, ESRCH, "container \"%s\": container not running", id);
      goto out;
    }
  ooms = cgroup_oom_kills (t.st.cgroup_path);
  for (;;)
    {
      char *line = cgroup_stats_json (t.st.cgroup_path, id, err);
      long long now;
      if (line == NULL)
        goto out;
      fprintf (out, "%s\n", line);
      free (line);
      if (stats)
        {
          r = 0;
          goto out;
        }
      now = cgroup_oom_kills (t.st.cgroup_path);
      if (now > ooms)
        fprintf (out, "{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
      ooms = now;
      fflush (out);
      if (!state_pid_alive (t.st.pid, t.st.start_time))
        {
          r = 0;
          goto out;
        }
      sleep (interval ? interval : 5);
    }
out:
  target_free (&t);
  return r;
}
