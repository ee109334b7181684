/* cgroup-ops.h: operations on a live container's cgroup (v2). */
#ifndef SBX_CGROUP_OPS_H
#define SBX_CGROUP_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sbx.h"

/* cgroup.freeze, then wait (5 s at most) until cgroup.events agrees. */
int cgroup_freeze (const char *path, bool frozen, sbx_error_t *err);
/* The pids in cgroup.procs of the cgroup and its descendants (malloc'ed). */
int cgroup_pids (const char *path, pid_t **out, size_t *n, sbx_error_t *err);
/* One runc-style `events --stats` line (malloc'ed JSON, no newline). */
char *cgroup_stats_json (const char *path, const char *id, sbx_error_t *err);
/* memory.events oom_kill counter; -1 if unreadable. */
long long cgroup_oom_kills (const char *path);

#endif
