/* cgroup.h: placing a container in the unified (v2) hierarchy and removing
 * it again. Resource limits, devices, freeze and stats belong to the
 * cgroup issue and will live in their own files beside this one. */
#ifndef SBX_CGROUP_H
#define SBX_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "sbx.h"

/* Where the v2 hierarchy is mounted ("/sys/fs/cgroup" on a pure v2 host,
 * "/sys/fs/cgroup/unified" on a hybrid one), or NULL if nowhere. */
const char *cgroup_v2_root (void);
/* Map config.json's cgroupsPath (absent, absolute, relative, or
 * "slice:prefix:name" with systemd) to an absolute directory under the v2
 * root. Refuses ".." and anything that would leave the hierarchy. With
 * systemd and a manager_cg (a user manager's cgroup, rootless), the slice
 * path is under that cgroup and defaults to user.slice. */
char *cgroup_resolve_path (const char *cgroups_path, const char *id,
                           bool systemd, const char *manager_cg, sbx_error_t *err);
/* Create the cgroup directory (and parents); return an O_DIRECTORY fd for
 * CLONE_INTO_CGROUP. */
int cgroup_create (const char *path, sbx_error_t *err);
/* Move pid into the cgroup (fallback when clone3 cannot place it). */
int cgroup_enter (const char *path, pid_t pid, sbx_error_t *err);
/* Kill what is left and remove the directory (bounded retries). */
int cgroup_destroy (const char *path, sbx_error_t *err);
/* Send a signal to every process in the cgroup. */
int cgroup_signal_all (const char *path, int signo, sbx_error_t *err);
bool cgroup_is_frozen (const char *path);

#endif
