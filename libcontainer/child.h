/* child.h: the one child runner. Create's init and exec's process take
 * their own steps first (the init builds the root; exec joins the
 * namespaces of a running container), then the same ones, written once
 * here: the clone into the container's cgroup, the fork into its pid
 * namespace, and the tail that turns a root process into the program,
 * in the order that confinement depends on:
 *
 *   HOME as root -> the config's seccomp when it needs privilege (no
 *   no_new_privs) -> the policy's filter, if not joined -> bounding set and
 *   keepcaps -> user switch -> capability sets -> no_new_privs ->
 *   a notify filter (before READY) -> ... -> close every fd above the
 *   preserved ones -> the config's filter, if still pending -> execve.
 *
 * tests/unit/test_child.c checks that order through kernel.h's seam. */
#ifndef SBX_CHILD_H
#define SBX_CHILD_H

#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "sbx.h"
#include "spec.h"

struct seccomp_filter;

/* What the program gets, whoever starts it. */
struct child_plan
{
  const struct spec_process *process;
  char **env;                            /* final; a free slot for HOME */
  const struct caps_sets *caps;
  struct seccomp_filter *seccomp;        /* the config's; NULL once loaded */
  struct seccomp_filter *policy_seccomp; /* --policy's, stacked; NULL if none or joined */
  int sync_fd;                           /* a notify listener fd goes here */
  unsigned int keep_fds;                 /* fds 3 .. 3+keep_fds-1 reach the program */
  int hold_fd;                           /* also kept until execve (exec.fifo), or -1 */
};

/* clone3 with a pidfd, straight into the cgroup CGROUP_FD (when >= 0). */
pid_t child_clone (uint64_t flags, int cgroup_fd, int *pidfd);
/* Default dispositions, empty mask: nothing of sbx's reaches the program. */
int child_reset_signals (sbx_error_t *err);
/* A pid namespace applies to children only: fork once more (CLONE_PARENT,
   so sbx reaps the child), send its pid as SYNC_CHILD_PID and exit; the
   child returns 0. */
int child_fork_into_pidns (int sync_fd, sbx_error_t *err);
/* uid/gid 0 in a new or joined user namespace. */
int child_become_root (sbx_error_t *err);

/* The tail above up to no_new_privs and the notify filter; *exe is the
   program's path (malloc'ed). */
int child_become (struct child_plan *p, char **exe, sbx_error_t *err);
/* Close all but stdio, the preserved fds and hold_fd; load the config's
   filter if it is still pending; execve. Never returns. */
_Noreturn void child_execve (struct child_plan *p, const char *exe);

/* Steps of the tail, for callers that need one alone. */
/* Anonymous pipes on 0-2 to uid:gid (see userns_chown_stdio). */
int child_chown_stdio (uid_t uid, gid_t gid, sbx_error_t *err);
int child_set_user (const struct spec_process *p, sbx_error_t *err);
int child_set_home (char **env, uid_t uid, sbx_error_t *err);
char *child_find_executable (const char *arg0, char *const *env, sbx_error_t *err);
/* Load the config's filter now (*f becomes NULL); a SCMP_ACT_NOTIFY
   listener fd goes to the parent as SYNC_SECCOMP_FD. */
int child_load_seccomp_now (struct seccomp_filter **f, int sync_fd, sbx_error_t *err);
/* --policy's filter, stacked on the config's (when it could not be joined). */
int child_load_policy_seccomp (struct seccomp_filter *f, sbx_error_t *err);

#endif
