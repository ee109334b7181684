/* cgroup-systemd.h: --systemd-cgroup when systemd is PID 1. The container's
 * cgroup is a transient scope unit ("<prefix>-<name>.scope" in the slice of
 * cgroupsPath) that systemd creates, holding the init, with Delegate=yes;
 * sbx then writes its limits there as usual, and also hands systemd the
 * ones it knows as unit properties, so a `systemctl daemon-reload` keeps
 * them. Rootless, the caller's own user manager makes the scope, under its
 * own cgroup. The D-Bus calls run in the sbx-systemd helper (systemd-bus.c). */
#ifndef SBX_CGROUP_SYSTEMD_H
#define SBX_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup-resources.h"
#include "sbx.h"

/* Is systemd the init system here (/run/systemd/system exists)? */
bool cgroup_systemd_running (void);

/* The unit properties for a plan of cgroup files ("MemoryMax=1048576", ...):
   the files systemd has a property for; others are sbx's alone. A NULL-
   terminated vector of n strings; free with cgroup_systemd_props_free. */
char **cgroup_systemd_props (const struct cg_plan *plan, size_t *n);
void cgroup_systemd_props_free (char **v);

/* Ask systemd for the scope at cgroup_path (its last two components are the
   slice and the unit) holding pid, with the plan's limits as properties. */
int cgroup_systemd_start (const char *cgroup_path, const char *id, pid_t pid,
                          const struct cg_plan *plan, sbx_error_t *err);
/* `sbx update`: the plan's properties into the unit (runtime only). */
int cgroup_systemd_update (const char *cgroup_path, const struct cg_plan *plan, sbx_error_t *err);
/* Stop the unit; one systemd no longer knows is fine. */
int cgroup_systemd_stop (const char *cgroup_path, sbx_error_t *err);
/* Rootless: the cgroup of this user's systemd manager, relative to the v2
   root ("/user.slice/user-1000.slice/user@1000.service"; "" for "/");
   malloc'd, NULL and err when the manager cannot be reached. */
char *cgroup_systemd_user_root (sbx_error_t *err);

#endif
