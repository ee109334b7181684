/* manage.c: the commands that act on a running container through its
 * cgroup: update, pause, resume, ps, events. Each opens the container
 * with container_open (which checks the status the command accepts and
 * takes its lock) and calls cgroup-ops.c or cgroup-resources.c. */
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
#include "cgroup-driver.h"
#include "cleanup.h"
#include "container.h"
#include "container-open.h"
#include "error.h"
#include "fsutil.h"
#include "spec.h"
#include "state.h"

/* The container, opened for cmd (container-open.c), and its cgroup,
   which must still be the one recorded. */
static int
open_target (struct sbx_context *ctx, const char *id, enum container_cmd cmd, struct container *t,
             sbx_error_t *err)
{
  if (container_open (ctx, id, cmd, t, err) < 0)
    return -1;
  if (t->st.cgroup_path == NULL)
    return sbx_error_set (err, ENOTSUP, "container \"%s\" has no cgroup", id);
  if (cgroup_check_owned (t->st.cgroup_path, t->st.cgroup_ino, err) < 0)
    return sbx_error_wrap (err, "container \"%s\"", id);
  return 0;
}

int
sbx_container_pause (struct sbx_context *ctx, const char *id, bool pause, sbx_error_t *err)
{
  struct container t;
  int r = open_target (ctx, id, pause ? CMD_PAUSE : CMD_RESUME, &t, err);

  if (r == 0)
    r = cgroup_driver_get (t.st.cgroup_driver)->freeze (t.st.cgroup_path, pause, err);
  container_close (&t);
  return r;
}

int
sbx_container_ps (struct sbx_context *ctx, const char *id, bool json, FILE *out, sbx_error_t *err)
{
  struct container t;
  pid_t *pids = NULL;
  size_t n = 0;
  int r = -1;

  if (open_target (ctx, id, CMD_PS, &t, err) == 0 && cgroup_pids (t.st.cgroup_path, &pids, &n, err) == 0)
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
  container_close (&t);
  return r;
}

/* New device rules replace the program; linux.devices still come from the
   container's saved config. */
static int
update_devices (struct container *t, int cgfd, const struct spec_resources *res, sbx_error_t *err)
{
  struct sbx_spec *spec = container_load_config (t->dirfd, err);
  int r;

  if (spec == NULL)
    return -1;
  r = cgroup_limit_devices (spec->linux_, res, cgfd, err);
  spec_free (spec);
  return r;
}

/* res, or else the LinuxResources JSON text, parsed once the container
   is open and its status checked. */
static int
update (struct sbx_context *ctx, const char *id, const struct spec_resources *res, const char *json,
        size_t len, sbx_error_t *err)
{
  struct spec_resources *parsed = NULL;
  struct container t;
  int r = -1;

  if (open_target (ctx, id, CMD_UPDATE, &t, err) < 0)
    goto out;
  if (res == NULL && (res = parsed = spec_parse_resources (json, len, err)) == NULL)
    {
      sbx_error_wrap (err, "update resources");
      goto out;
    }
  {
    _cleanup_fd_ int cgfd = open (t.st.cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0)
      sbx_error_errno (err, "open cgroup `%s`", t.st.cgroup_path);
    else
      r = cgroup_driver_get (t.st.cgroup_driver)->update (t.st.cgroup_path, cgfd, res, err);
    if (r == 0 && res->n_devices > 0)
      r = update_devices (&t, cgfd, res, err);
  }
out:
  if (parsed != NULL)
    spec_resources_free (parsed);
  container_close (&t);
  return r;
}

int
sbx_container_update (struct sbx_context *ctx, const char *id, const char *json, size_t len,
                      sbx_error_t *err)
{
  return update (ctx, id, NULL, json, len, err);
}

/* The typed flags as the LinuxResources they stand for (memory and cpu
   always present, as the JSON the CLI used to build had them). */
static struct spec_resources *
resources_from (const struct sbx_resources *f)
{
  struct spec_resources *r = calloc (1, sizeof *r);

  if (r == NULL || (r->memory = calloc (1, sizeof *r->memory)) == NULL
      || (r->cpu = calloc (1, sizeof *r->cpu)) == NULL
      || (f->has_blkio_weight && (r->block_io = calloc (1, sizeof *r->block_io)) == NULL)
      || (f->cpuset_cpus && (r->cpu->cpus = strdup (f->cpuset_cpus)) == NULL)
      || (f->cpuset_mems && (r->cpu->mems = strdup (f->cpuset_mems)) == NULL))
    {
      if (r != NULL)
        spec_resources_free (r);
      return NULL;
    }
  r->memory->has_limit = f->has_memory, r->memory->limit = f->memory;
  r->memory->has_reservation = f->has_memory_reservation, r->memory->reservation = f->memory_reservation;
  r->memory->has_swap = f->has_memory_swap, r->memory->swap = f->memory_swap;
  r->memory->has_kernel = f->has_kernel_memory, r->memory->kernel = f->kernel_memory;
  r->memory->has_kernel_tcp = f->has_kernel_memory_tcp, r->memory->kernel_tcp = f->kernel_memory_tcp;
  r->cpu->has_shares = f->has_cpu_shares, r->cpu->shares = f->cpu_shares;
  r->cpu->has_quota = f->has_cpu_quota, r->cpu->quota = f->cpu_quota;
  r->cpu->has_period = f->has_cpu_period, r->cpu->period = f->cpu_period;
  r->cpu->has_burst = f->has_cpu_burst, r->cpu->burst = f->cpu_burst;
  r->cpu->has_realtime_period = f->has_cpu_rt_period, r->cpu->realtime_period = f->cpu_rt_period;
  r->cpu->has_realtime_runtime = f->has_cpu_rt_runtime, r->cpu->realtime_runtime = f->cpu_rt_runtime;
  r->has_pids_limit = f->has_pids_limit, r->pids_limit = f->pids_limit;
  if (r->block_io != NULL)
    r->block_io->has_weight = true, r->block_io->weight = f->blkio_weight;
  return r;
}

int
sbx_container_update_resources (struct sbx_context *ctx, const char *id, const struct sbx_resources *f,
                                sbx_error_t *err)
{
  struct spec_resources *res = resources_from (f);
  int r;

  if (res == NULL)
    return sbx_error_errno (err, "update resources");
  r = update (ctx, id, res, NULL, 0, err);
  spec_resources_free (res);
  return r;
}

int
sbx_container_events (struct sbx_context *ctx, const char *id, bool stats, unsigned interval,
                      FILE *out, sbx_error_t *err)
{
  struct container t;
  long long ooms;
  int r = -1;

  if (open_target (ctx, id, CMD_EVENTS, &t, err) < 0)
    goto out;
  ooms = cgroup_oom_kills (t.st.cgroup_path);
  for (;;)
    {
      char *line = cgroup_driver_get (t.st.cgroup_driver)->stats (t.st.cgroup_path, id, err);
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
  container_close (&t);
  return r;
}
