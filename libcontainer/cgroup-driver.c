/* cgroup-driver.c: the "none", "v2" and "systemd" cgroup drivers, and the
 * choice between them at create. What differs between them is here; what
 * they share (the cgroup files: limits, devices, freeze, stats, removal)
 * stays in cgroup.c, cgroup-resources.c, cgroup-ops.c and cgroup-own.c,
 * and the D-Bus side of systemd in cgroup-systemd.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-driver.h"
#include "cgroup-ops.h"
#include "cgroup-own.h"
#include "cgroup-systemd.h"
#include "cleanup.h"
#include "error.h"
#include "log.h"

/* --- shared by v2 and systemd --- */

static int
plan_limits (const struct spec_resources *r, struct cg_plan *plan, sbx_error_t *err)
{
  return cgroup_plan (r, false, plan, err);
}

/* linux.resources and the device program, before the init runs code. */
static int
apply_limits (const char *path, int cgfd, const struct spec_linux *l, sbx_error_t *err)
{
  if (cgroup_set_resources (path, cgfd, l->resources, false, err) < 0)
    return -1;
  return cgroup_limit_devices (l, l->resources, cgfd, err);
}

static int
update_limits (const char *path, int cgfd, const struct spec_resources *r, sbx_error_t *err)
{
  return cgroup_set_resources (path, cgfd, r, true, err);
}

static char *
stats_json (const char *path, const char *id, sbx_error_t *err)
{
  return cgroup_stats_json (path, id, err);
}

/* --- v2: a directory of sbx's own --- */

static int
v2_create (const char *path, int *cgfd, sbx_error_t *err)
{
  *cgfd = cgroup_create (path, err);
  return *cgfd < 0 ? -1 : 0;
}

static int
v2_place (const char *path, const char *id, pid_t pid, const struct cg_plan *plan, int *cgfd,
          bool *made, sbx_error_t *err)
{
  (void) path, (void) id, (void) pid, (void) plan, (void) cgfd, (void) made, (void) err;
  return 0; /* CLONE_INTO_CGROUP put the init there */
}

/* --- systemd: a transient scope, made once the init exists --- */

static int
scope_claim (const char *path, bool join, unsigned long long *ino, sbx_error_t *err)
{
  (void) path, (void) join, (void) err;
  *ino = 0; /* recorded after place: systemd makes the directory */
  return 0;
}

static int
scope_create (const char *path, int *cgfd, sbx_error_t *err)
{
  (void) path, (void) err;
  *cgfd = -1; /* a scope cannot exist empty: the init is cloned outside */
  return 0;
}

/* systemd moves the waiting init into its new scope; check it did. */
static int
scope_place (const char *path, const char *id, pid_t pid, const struct cg_plan *plan, int *cgfd,
             bool *made, sbx_error_t *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  bool found = false;

  if (cgroup_systemd_start (path, id, pid, plan, err) < 0)
    return -1;
  *made = true;
  if (cgroup_pids (path, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && !found; i++)
    found = pids[i] == pid;
  if (!found)
    return sbx_error_set (err, EIO, "systemd started the scope, but the init (pid %d) is not in `%s`",
                          pid, path);
  *cgfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*cgfd < 0)
    return sbx_error_errno (err, "open cgroup `%s` (systemd's scope)", path);
  return 0;
}

/* The files, then the unit's properties, so a daemon-reload keeps them. */
static int
scope_update (const char *path, int cgfd, const struct spec_resources *r, sbx_error_t *err)
{
  struct cg_plan plan;
  int ret;

  if (update_limits (path, cgfd, r, err) < 0 || cgroup_plan (r, true, &plan, err) < 0)
    return -1;
  ret = cgroup_systemd_update (path, &plan, err);
  cgroup_plan_free (&plan);
  return ret;
}

/* A failure to stop the unit is logged: the container must stay deletable
   without systemd. */
static int
scope_destroy (const char *path, sbx_error_t *err)
{
  sbx_error_t e = { 0 };

  if (cgroup_systemd_stop (path, &e) < 0)
    log_warn ("%s", e.msg);
  sbx_error_free (&e);
  return cgroup_destroy (path, err);
}

/* --- none: rootless without a writable cgroup --- */

static int
none_plan (const struct spec_resources *r, struct cg_plan *plan, sbx_error_t *err)
{
  size_t n;

  if (cgroup_plan (r, false, plan, err) < 0)
    return -1;
  n = plan->n;
  if (n > 0)
    return sbx_error_set (err, ENOTSUP, "linux.resources: limits need a cgroup, and this container has none "
                          "(no writable cgroup v2 hierarchy)");
  return 0;
}

static int
none_create (const char *path, int *cgfd, sbx_error_t *err)
{
  (void) path, (void) err;
  *cgfd = -1;
  return 0;
}

static int
none_apply (const char *path, int cgfd, const struct spec_linux *l, sbx_error_t *err)
{
  (void) path, (void) cgfd, (void) l, (void) err;
  return 0; /* none_plan refused every limit */
}

static int
none_update (const char *path, int cgfd, const struct spec_resources *r, sbx_error_t *err)
{
  (void) path, (void) cgfd, (void) r;
  return sbx_error_set (err, ENOTSUP, "the container has no cgroup");
}

static int
none_freeze (const char *path, bool frozen, sbx_error_t *err)
{
  (void) path, (void) frozen;
  return sbx_error_set (err, ENOTSUP, "the container has no cgroup");
}

static char *
none_stats (const char *path, const char *id, sbx_error_t *err)
{
  (void) path, (void) id;
  sbx_error_set (err, ENOTSUP, "the container has no cgroup");
  return NULL;
}

static int
none_destroy (const char *path, sbx_error_t *err)
{
  (void) path, (void) err;
  return 0;
}

static const struct cgroup_driver drivers[CGROUP_DRIVER_COUNT] = {
  [CGROUP_DRIVER_NONE] = { "none", false, none_plan, scope_claim, none_create, v2_place, none_apply,
                           none_update, none_freeze, none_stats, none_destroy },
  [CGROUP_DRIVER_V2] = { "v2", false, plan_limits, cgroup_claim, v2_create, v2_place, apply_limits,
                         update_limits, cgroup_freeze, stats_json, cgroup_destroy },
  [CGROUP_DRIVER_SYSTEMD] = { "systemd", true, plan_limits, scope_claim, scope_create, scope_place,
                              apply_limits, scope_update, cgroup_freeze, stats_json, scope_destroy },
};

const struct cgroup_driver *
cgroup_driver_get (enum cgroup_driver_kind kind)
{
  return kind < CGROUP_DRIVER_COUNT ? &drivers[kind] : &drivers[CGROUP_DRIVER_NONE];
}

int
cgroup_driver_parse (const char *name)
{
  for (int k = 0; k < CGROUP_DRIVER_COUNT; k++)
    if (strcmp (name, drivers[k].name) == 0)
      return k;
  return -1;
}

enum cgroup_driver_kind
cgroup_driver_infer (const char *cgroup_path, bool systemd)
{
  if (cgroup_path == NULL)
    return CGROUP_DRIVER_NONE;
  return systemd ? CGROUP_DRIVER_SYSTEMD : CGROUP_DRIVER_V2;
}

enum cgroup_driver_kind
cgroup_driver_choose (const struct cgroup_facts *f)
{
  if (!f->v2)
    return CGROUP_DRIVER_NONE;
  /* Root asks PID 1 for the scope; rootless asks its own user manager. */
  if (f->want_systemd && f->systemd_running && (f->root || f->user_manager))
    return CGROUP_DRIVER_SYSTEMD;
  if (f->root || f->writable)
    return CGROUP_DRIVER_V2;
  return CGROUP_DRIVER_NONE;
}

int
cgroup_driver_select (bool want_systemd, const char *cgroups_path, const char *id,
                      enum cgroup_driver_kind *kind, char **path, sbx_error_t *err)
{
  struct cgroup_facts f = { .v2 = cgroup_v2_root () != NULL, .want_systemd = want_systemd,
                            .root = geteuid () == 0 };
  _cleanup_free_ char *user_cg = NULL;

  *kind = CGROUP_DRIVER_NONE;
  *path = NULL;
  if (!f.v2)
    return 0;
  f.systemd_running = want_systemd && cgroup_systemd_running ();
  if (f.systemd_running && !f.root)
    {
      sbx_error_t e = { 0 };
      user_cg = cgroup_systemd_user_root (&e);
      f.user_manager = user_cg != NULL;
      if (!f.user_manager)
        log_warn ("--systemd-cgroup: no scope from systemd's user manager (%s)", e.msg);
      sbx_error_free (&e);
    }
  /* The path follows --systemd-cgroup even when systemd cannot make the
     scope: the same cgroupsPath names the same cgroup either way. */
  *path = cgroup_resolve_path (cgroups_path, id, want_systemd, user_cg, err);
  if (*path == NULL)
    return -1;
  f.writable = access (*path, W_OK) == 0;
  *kind = cgroup_driver_choose (&f);
  if (*kind == CGROUP_DRIVER_NONE)
    {
      log_debug ("rootless: cgroup `%s` not writable, running without a cgroup", *path);
      free (*path);
      *path = NULL;
    }
  return 0;
}
