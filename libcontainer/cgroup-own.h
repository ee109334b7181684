/* cgroup-own.h: a container's cgroup is its own. create claims it (a new
 * directory, or an empty one the config names explicitly) and records its
 * identity, the directory's inode (on cgroupfs the cgroup id, never reused
 * while the system runs); every later command checks that identity before
 * it signals, freezes, writes or removes anything in the cgroup. */
#ifndef SBX_CGROUP_OWN_H
#define SBX_CGROUP_OWN_H

#include <stdbool.h>

#include "sbx.h"

/* Make the container's cgroup and return its inode in *ino. Refuses a
 * cgroup that has processes (or child cgroups), and an existing one unless
 * join (the config named this path itself: engines and pods make it). */
int cgroup_claim (const char *path, bool join, unsigned long long *ino, sbx_error_t *err);
/* The cgroup's inode, 0 with ENOENT when it is gone. */
int cgroup_inode (const char *path, unsigned long long *ino, sbx_error_t *err);
/* Is the cgroup at path the recorded one? 1 yes, 0 gone (nothing of it is
 * left to act on), -1 with an error when it is another cgroup or the
 * record has no identity. */
int cgroup_check_owned (const char *path, unsigned long long ino, sbx_error_t *err);
/* Does the cgroup hold processes (or child cgroups)? False if gone. */
bool cgroup_is_populated (const char *path);

#endif
