/* init.h: what the container's init process does between clone and
 * execve. It reads its arguments from the memory it shares (copied) with
 * the parent at clone time, and talks back only over the sync socket. */
#ifndef SBX_INIT_H
#define SBX_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "caps.h"
#include "devices.h"
#include "spec.h"

struct seccomp_filter;

struct init_args
{
  const struct sbx_spec *spec;
  const char *rootfs;
  const char *bundle;
  int sync_fd;                   /* the child's end */
  int fifo_fd;                   /* exec.fifo, read end; -1 for none */
  const int *mount_fds;          /* per spec mount */
  int rootfs_fd;                 /* idmapped rootfs clone, or -1 */
  const struct dev_node *devs;
  size_t n_devs;
  const int *dev_fds;            /* NULL: mknod */
  int ns_fds[SPEC_NS_COUNT];     /* joined namespaces, opened by the parent */
  bool wait_go;                  /* wait for SYNC_IDMAP_DONE first */
  int unshare_flags;             /* joined userns: new namespaces made here */
  bool new_userns;
  bool hooks_request;            /* ask the parent to run runtime hooks */
  bool no_pivot;
  bool no_new_keyring;
  unsigned int keep_fds;         /* fds 3 .. 3+keep_fds-1 reach the program */
  char **env;                    /* final environment */
  struct caps_sets caps;         /* parsed by the parent */
  struct seccomp_filter *seccomp; /* prepared by the parent, or NULL */
  struct seccomp_filter *policy_seccomp; /* --policy's, stacked; or NULL */
  char *hook_state;              /* state JSON from SYNC_HOOKS_DONE */
};

_Noreturn void init_main (struct init_args *a);

/* Shared with exec.c: the steps a process takes on its way to execve. */
int init_reset_signals (sbx_error_t *err);
/* --policy's filter, stacked on the config's: loaded while the process
   may still do so without no_new_privs (before the capabilities go). */
int init_load_policy_seccomp (struct seccomp_filter *f, sbx_error_t *err);
/* Load the container's filter now (*f becomes NULL); a SCMP_ACT_NOTIFY
   listener fd goes to the parent as SYNC_SECCOMP_FD. Create and exec. */
int init_load_seccomp_now (struct seccomp_filter **f, int sync_fd, sbx_error_t *err);
/* A pid namespace applies to children only: fork once more (CLONE_PARENT,
   so sbx reaps the child), send its pid as SYNC_CHILD_PID and exit; the
   child returns 0. */
int init_fork_into_pidns (int sync_fd, sbx_error_t *err);
int init_become_root (sbx_error_t *err);
int init_set_user (const struct spec_process *p, sbx_error_t *err);
/* Anonymous pipes on 0-2 to uid:gid (see userns_chown_stdio). */
int init_chown_stdio (uid_t uid, gid_t gid, sbx_error_t *err);
/* process.terminal: make the pty, send the master over sync_fd. */
int init_setup_terminal (int sync_fd, const struct spec_process *p, bool console,
                         sbx_error_t *err);
/* chdir to process.cwd inside the root (creating it for create). */
int init_enter_cwd (const struct spec_process *p, bool create, sbx_error_t *err);
/* HOME from the container's /etc/passwd unless env has it; env must have
 * a free slot before its NULL. */
int init_set_home (char **env, uid_t uid, sbx_error_t *err);

/* Find the program to exec: args[0] with a slash as is, else each $PATH
 * entry of env. Returns a malloc'ed path or NULL with an error phrased as
 * engines expect ("executable file not found in $PATH", "no such file or
 * directory"). */
char *init_find_executable (const char *arg0, char *const *env, sbx_error_t *err);

#endif
