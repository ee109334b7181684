/* init.h: what the container's init process does between clone and
 * execve. It reads its arguments from the memory it shares (copied) with
 * the parent at clone time, and talks back only over the sync socket. */
#ifndef SBX_INIT_H
#define SBX_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "caps.h"
#include "devices.h"
#include "process.h"
#include "spec.h"

struct seccomp_filter;

struct init_args
{
  const struct create_plan *plan; /* what to build (process.h) */
  const struct create_fds *fds;  /* what the parent opened for the root */
  int sync_fd;                   /* the child's end */
  int fifo_fd;                   /* exec.fifo, read end; -1 for none */
  int ns_fds[SPEC_NS_COUNT];     /* joined namespaces, opened by the parent */
  bool wait_go;                  /* wait for SYNC_IDMAP_DONE first */
  int unshare_flags;             /* joined userns: new namespaces made here */
  bool new_userns;
  bool lo_by_parent;             /* the parent brings lo up meanwhile */
  bool parent_root;              /* the parent runs as root (not our euid:
                                    in a new user namespace that turns 0
                                    once the parent wrote the maps) */
  bool hooks_request;            /* ask the parent to run runtime hooks */
  unsigned int keep_fds;         /* fds 3 .. 3+keep_fds-1 reach the program */
  char **env;                    /* final environment */
  struct caps_sets caps;         /* parsed by the parent */
  struct seccomp_filter *seccomp; /* prepared by the parent, or NULL */
  struct seccomp_filter *policy_seccomp; /* --policy's, stacked; NULL if none or joined */
  char *hook_state;              /* state JSON from SYNC_HOOKS_DONE */
};

_Noreturn void init_main (struct init_args *a);

/* Shared with exec.c (the rest of what they share is child.h). */
/* process.terminal: make the pty, send the master over sync_fd. */
int init_setup_terminal (int sync_fd, const struct spec_process *p, bool console,
                         sbx_error_t *err);
/* chdir to process.cwd inside the root (creating it for create). */
int init_enter_cwd (const struct spec_process *p, bool create, sbx_error_t *err);

#endif
