/* process.h: the parent side of container creation: everything opened
 * before clone (cgroup, bind sources, namespace paths, exec.fifo, console
 * socket), clone3 itself, id maps, and the sync conversation up to READY. */
#ifndef SBX_PROCESS_H
#define SBX_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

struct cgroup_driver;

/* clone3 flags newer than some libc headers (shared with exec.c). */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define SBX_CLONE_INTO_CGROUP 0x200000000ULL

struct dev_node;

/* The creation plan: what the command line and config.json ask, filled
   once by container.c and passed down by const pointer: process.c, the
   init (init.c) and the root builder (rootfs.c) all read this one. */
struct create_plan
{
  const struct sbx_spec *spec;
  const char *id;
  const char *bundle;           /* absolute */
  const char *rootfs;           /* absolute */
  const char *cgroup_path;      /* NULL: no cgroup (driver "none") */
  const struct cgroup_driver *cgroup_driver; /* chosen at create (cgroup-driver.h) */
  int state_dirfd;
  const char *console_socket;
  bool no_pivot;
  bool no_new_keyring;
  unsigned int preserve_fds;
  bool want_master;             /* keep the pty master (run, no socket) */
  const struct spec_seccomp *policy_seccomp; /* --policy: stacked on linux.seccomp */
};

/* What the parent opened for the init's root before the clone (as root:
   bind sources, an idmapped rootfs, host device nodes). Read by init.c
   and rootfs.c; the init closes them once the root is built, the parent
   right after the clone. */
struct create_fds
{
  int *mount_fds;               /* per spec mount, -1 if none */
  int rootfs_fd;                /* a rootfs clone (rootfs_clone), or -1: self-bind */
  bool rootfs_at_cwd;           /* the init's cwd is root.path: attach it there */
  bool rootfs_late;             /* rootfs_fd comes with SYNC_IDMAP_DONE */
  struct dev_node *devs;
  size_t n_devs;
  int *dev_fds;                 /* per dev node, or NULL (mknod) */
};

struct process_handle
{
  pid_t pid;
  int pidfd;
  int sync_fd;
  int master_fd;                /* with want_master */
  unsigned long long start_time;
  bool cgroup_placed;           /* the driver placed it (a scope: kept on error) */
};

/* Clone the init and drive it to READY. On error nothing is left running. */
int process_spawn (const struct create_plan *c, struct process_handle *h,
                   sbx_error_t *err);
/* Restore (checkpoint.c): the container's cgroup made and limited through
   its driver before any process exists (*cgfd: -1 without a cgroup); the
   systemd driver, which places only a living process, is refused. */
int process_cgroup_before (const struct create_plan *c, int *cgfd, sbx_error_t *err);
/* Tell the init the state is written; it then waits for `start`. */
int process_release (struct process_handle *h, sbx_error_t *err);
void process_handle_close (struct process_handle *h);
/* process.oomScoreAdj, written by the parent through the host's /proc
   (never the container's). Shared with exec. */
int process_set_oom_score_adj (pid_t pid, const struct spec_process *p, sbx_error_t *err);
/* SCMP_ACT_NOTIFY: send the listener fd of process pid to
   linux.seccomp.listenerPath with the container's state (create and exec). */
int process_send_seccomp_fd (const struct sbx_spec *spec, const char *id, pid_t pid, const char *bundle,
                             const char *rootfs, int fd, sbx_error_t *err);

#endif
