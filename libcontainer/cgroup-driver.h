/* cgroup-driver.h: the three ways a container can have a cgroup, behind
 * one interface: "v2" (a directory sbx makes under the unified hierarchy),
 * "systemd" (a transient scope systemd makes, --systemd-cgroup) and "none"
 * (rootless without a writable cgroup). The driver is chosen once, at
 * create, recorded in state.json and owned.json, and every later command
 * calls it instead of asking again. The cgroup file operations themselves
 * stay in cgroup*.c. */
#ifndef SBX_CGROUP_DRIVER_H
#define SBX_CGROUP_DRIVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup-resources.h"
#include "sbx.h"
#include "spec.h"

enum cgroup_driver_kind
{
  CGROUP_DRIVER_NONE = 0,
  CGROUP_DRIVER_V2,
  CGROUP_DRIVER_SYSTEMD,
  CGROUP_DRIVER_COUNT,
};

/* In create's order: plan (before any fork: the limits are valid, and the
 * driver can hold them), claim (make the directory and record its
 * identity, before the clone), create (the fd for CLONE_INTO_CGROUP, or
 * -1), place (after the clone, for a driver whose cgroup cannot exist
 * empty: the init waits until then), apply (the limits and the device
 * program). Later commands: update, freeze, stats, destroy (kill what is
 * left, let its manager go, remove it). path is NULL only with "none". */
struct cgroup_driver
{
  const char *name;          /* as recorded: "none", "v2", "systemd" */
  bool place_after_clone;
  int (*plan) (const struct spec_resources *r, struct cg_plan *plan, sbx_error_t *err);
  int (*claim) (const char *path, bool join, unsigned long long *ino, sbx_error_t *err);
  int (*create) (const char *path, int *cgfd, sbx_error_t *err);
  /* *made: the manager made something that destroy must undo (also on
     error). */
  int (*place) (const char *path, const char *id, pid_t pid, const struct cg_plan *plan,
                int *cgfd, bool *made, sbx_error_t *err);
  int (*apply) (const char *path, int cgfd, const struct spec_linux *l, sbx_error_t *err);
  int (*update) (const char *path, int cgfd, const struct spec_resources *r, sbx_error_t *err);
  int (*freeze) (const char *path, bool frozen, sbx_error_t *err);
  char *(*stats) (const char *path, const char *id, sbx_error_t *err);
  int (*destroy) (const char *path, sbx_error_t *err);
};

const struct cgroup_driver *cgroup_driver_get (enum cgroup_driver_kind kind);
/* "none", "v2", "systemd" -> kind; -1 for anything else. */
int cgroup_driver_parse (const char *name);
/* A state or owned.json from before the driver was recorded. */
enum cgroup_driver_kind cgroup_driver_infer (const char *cgroup_path, bool systemd);

/* What create knows about the host when it picks a driver. */
struct cgroup_facts
{
  bool v2;               /* a unified hierarchy is mounted */
  bool want_systemd;     /* --systemd-cgroup */
  bool systemd_running;  /* systemd is PID 1 */
  bool root;             /* euid 0 */
  bool user_manager;     /* rootless: the user's systemd manager answered */
  bool writable;         /* the resolved cgroup path is writable */
};
/* The choice itself (pure, unit-tested). */
enum cgroup_driver_kind cgroup_driver_choose (const struct cgroup_facts *f);
/* create: probe the host, resolve the container's cgroup path (*path, NULL
   with "none") and choose the driver. */
int cgroup_driver_select (bool want_systemd, const char *cgroups_path, const char *id,
                          enum cgroup_driver_kind *kind, char **path, sbx_error_t *err);

#endif
