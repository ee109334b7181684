/* init.c: the container's init, from clone to execve. One named step per
 * line in init_run(); each step is in its own module. Errors go to the
 * parent as SYNC_ERROR; after READY_ACK the parent is gone and only the
 * program's stderr is left. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"
#include "cleanup.h"
#include "config.h"
#include "seccomp.h"
#include "error.h"
#include "fsutil.h"
#include "hooks.h"
#include "hygiene.h"
#include "init.h"
#include "label.h"
#include "log.h"
#include "passwd.h"
#include "namespaces.h"
#include "procattrs.h"
#include "rootfs.h"
#include "sync.h"
#include "procfs.h"
#include "sysctl.h"
#include "terminal.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* The fds the init needs until the rootfs is built: sync, exec.fifo, the
   mount sources, device nodes and namespaces the parent opened. */
static void
drop_inherited (const struct init_args *a)
{
  size_t n_mounts = a->plan->spec->n_mounts, n = 0;
  size_t cap = 3 + n_mounts + a->fds->n_devs + SPEC_NS_COUNT;
  int buf[64], *keep = cap <= 64 ? buf : malloc (cap * sizeof *keep);

  if (keep == NULL)
    return; /* the parent's copies close at execve (CLOEXEC) */
  keep[n++] = a->sync_fd;
  keep[n++] = a->fifo_fd;
  keep[n++] = a->fds->rootfs_fd;
  for (size_t i = 0; a->fds->mount_fds != NULL && i < n_mounts; i++)
    keep[n++] = a->fds->mount_fds[i];
  for (size_t i = 0; a->fds->dev_fds != NULL && i < a->fds->n_devs; i++)
    keep[n++] = a->fds->dev_fds[i];
  for (int i = 0; i < SPEC_NS_COUNT; i++)
    keep[n++] = a->ns_fds[i];
  hygiene_close_except (3 + (int) a->keep_fds, keep, n);
  if (keep != buf)
    free (keep);
  hygiene_wipe_environ ();
}

/* Once the root is built its sources are done with: the created init
   holds only stdio, exec.fifo, the sync socket and the preserved fds. */
static void
close_build_fds (const struct init_args *a)
{
  for (size_t i = 0; a->fds->mount_fds != NULL && i < a->plan->spec->n_mounts; i++)
    if (a->fds->mount_fds[i] >= 0)
      close (a->fds->mount_fds[i]);
  for (size_t i = 0; a->fds->dev_fds != NULL && i < a->fds->n_devs; i++)
    if (a->fds->dev_fds[i] >= 0)
      close (a->fds->dev_fds[i]);
  for (int i = 0; i < SPEC_NS_COUNT; i++)
    if (a->ns_fds[i] >= 0)
      close (a->ns_fds[i]);
  if (a->fds->rootfs_fd >= 0)
    close (a->fds->rootfs_fd);
}

/* Joined namespaces, user first (it decides what the rest may do). The
   pid and time namespaces were set up by the parent before clone. */
static int
join_namespaces (struct init_args *a, sbx_error_t *err)
{
  static const enum spec_ns_type order[] = {
    SPEC_NS_USER, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NETWORK, SPEC_NS_CGROUP, SPEC_NS_MOUNT,
  };
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    {
      int fd = a->ns_fds[order[i]];
      if (fd < 0)
        continue;
      if (ns_join (fd, order[i], err) < 0)
        return -1;
      if (order[i] == SPEC_NS_USER && child_become_root (err) < 0)
        return -1;
    }
  return 0;
}

/* With a joined user namespace, the new namespaces must belong to it, so
   they are made after setns, here. A new pid namespace only applies to
   children: fork once more (CLONE_PARENT, so the parent `sbx` still reaps
   it), report the real init's pid, and let this process go. */
static int
unshare_in_userns (struct init_args *a, sbx_error_t *err)
{
  if (a->unshare_flags == 0)
    return 0;
  if (unshare (a->unshare_flags) < 0)
    return sbx_error_errno (err, "create namespaces in the joined user namespace");
  if (!(a->unshare_flags & CLONE_NEWPID))
    return 0;
  return child_fork_into_pidns (a->sync_fd, err);
}

/* Unshared here, not at clone: clone3 makes namespaces before it moves
   the child into its cgroup, and the namespace root must be that cgroup. */
static int
unshare_cgroupns (const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_namespace *ns = spec_linux_namespace (spec, SPEC_NS_CGROUP);

  if (ns == NULL || ns->path != NULL)
    return 0;
  if (unshare (CLONE_NEWCGROUP) < 0)
    return sbx_error_errno (err, "create cgroup namespace");
  return 0;
}

/* A fresh anonymous session keyring, so the container cannot reach the
   caller's keys (unless --no-new-keyring). Kernels or filters without
   keyctl just keep the old one. */
static void
join_session_keyring (bool skip)
{
  if (skip)
    return;
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
    log_debug ("new session keyring: %s", strerror (errno));
}

static int
set_names (const struct sbx_spec *s, sbx_error_t *err)
{
  if (s->hostname != NULL && sethostname (s->hostname, strlen (s->hostname)) < 0)
    return sbx_error_errno (err, "set hostname `%s`", s->hostname);
  if (s->domainname != NULL && setdomainname (s->domainname, strlen (s->domainname)) < 0)
    return sbx_error_errno (err, "set domainname `%s`", s->domainname);
  return 0;
}

/* Ask the parent to run prestart/createRuntime hooks; it answers with the
   state JSON that the init's own hooks get on stdin. Then createContainer,
   still before pivot_root (the hook paths are the runtime's). */
static int
run_runtime_hooks (struct init_args *a, sbx_error_t *err)
{
  struct sync_frame *f;
  const struct spec_hooks *h = a->plan->spec->hooks;
  int r;

  if (!a->hooks_request)
    return 0;
  if (sync_send (a->sync_fd, SYNC_HOOKS_REQUEST, NULL, 0, -1, err) < 0)
    return -1;
  f = malloc (sizeof *f);
  if (f == NULL)
    return sbx_error_errno (err, "malloc");
  r = sync_expect (a->sync_fd, SYNC_HOOKS_DONE, f, err);
  if (r == 0)
    a->hook_state = strndup (f->payload, f->len);
  free (f);
  if (r < 0)
    return -1;
  return hooks_run (&h->create_container, "createContainer", a->hook_state, NULL, err);
}

int
init_setup_terminal (int sync_fd, const struct spec_process *p, bool console, sbx_error_t *err)
{
  _cleanup_fd_ int master = -1;
  char name[64];
  int n;

  if (!p->terminal)
    {
      /* Like runc: the init leads a new session even without a tty. */
      if (console)
        setsid ();
      return 0;
    }
  master = terminal_setup (p, console, err);
  if (master < 0)
    return -1;
  if (ioctl (master, TIOCGPTN, &n) == 0)
    snprintf (name, sizeof name, "/dev/pts/%d", n);
  else
    strcpy (name, "/dev/pts/?");
  return sync_send (sync_fd, SYNC_PTY_MASTER, name, strlen (name), master, err);
}

int
init_enter_cwd (const struct spec_process *p, bool create, sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_fd_ int dirfd = -1;
  char buf[4096];

  if (rootfd < 0)
    return sbx_error_errno (err, "open /");
  dirfd = create ? mkdirall_in_root (rootfd, p->cwd, 0755, err)
                : open_in_root (rootfd, p->cwd, O_PATH | O_DIRECTORY, err);
  if (dirfd < 0)
    return sbx_error_wrap (err, "process.cwd");
  if (fchdir (dirfd) < 0)
    return sbx_error_errno (err, "chdir to process.cwd `%s`", p->cwd);
  /* A cwd outside the root reads "(unreachable)...". CVE-2024-21626. */
  if (getcwd (buf, sizeof buf) == NULL)
    return sbx_error_errno (err, "getcwd");
  if (buf[0] != '/')
    return sbx_error_set (err, EPERM, "process.cwd `%s` is outside the container root", p->cwd);
  return 0;
}

#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* What the init still calls after the filter when it goes on as soon as
   READY is sent: wait for the parent's READY_ACK (recvmsg; sendmsg for
   an error); close the sync socket; wait on exec.fifo (poll or ppoll,
   fcntl, read; restart_syscall after a stop); close the rest
   (close_range, else close); execve; and write, memory and exit for its
   errors. */
static const int tail_syscalls[] = {
  SYS_recvmsg, SYS_sendmsg, SYS_close, SYS_ppoll, SYS_fcntl, SYS_read, SYS_restart_syscall, SYS_write,
  SYS_execve, SYS_brk, SYS_mmap, SYS_munmap, SYS_exit, SYS_exit_group,
#ifdef SYS_poll
  SYS_poll,
#endif
#ifdef SYS_close_range
  SYS_close_range,
#endif
};

/* The filter may go on once READY is sent, off the path to the
   program's first instruction (the kernel compiles it while the parent
   ends create and, under `run`, starts), when nothing else runs before
   execve (no startContainer hook) and it lets every syscall of that tail
   through whatever the arguments; else it goes on just before execve.
   Either way the program runs filtered from its first instruction. */
static bool
filter_before_start (const struct init_args *a, const struct child_plan *plan)
{
#ifdef NATIVE_AUDIT_ARCH
  const struct spec_hooks *h = a->plan->spec->hooks;

  if (plan->seccomp == NULL || (h != NULL && h->start_container.n > 0))
    return false;
  for (size_t i = 0; i < sizeof tail_syscalls / sizeof tail_syscalls[0]; i++)
    if (!seccomp_always_allows (plan->seccomp, NATIVE_AUDIT_ARCH, (uint32_t) tail_syscalls[i]))
      return false;
  return true;
#else
  (void) a;
  (void) plan;
  return false;
#endif
}

static int
wait_ready_ack (struct init_args *a, struct child_plan *plan, sbx_error_t *err)
{
  struct sync_frame f;

  if (sync_send (a->sync_fd, SYNC_READY, NULL, 0, -1, err) < 0)
    return -1;
  /* The parent ends create meanwhile: it no longer reads what we send,
     so a failure goes to stderr, as it would at execve. */
  if (filter_before_start (a, plan) && child_load_seccomp_now (&plan->seccomp, -1, err) < 0)
    {
      dprintf (2, "sbx: %s\n", err->msg);
      _exit (1);
    }
  return sync_expect (a->sync_fd, SYNC_READY_ACK, &f, err);
}

/* Block until `start` writes to exec.fifo. Opened read-only and
   non-blocking by the parent, so poll sleeps until a writer appears. */
static void
wait_for_start (int fifo_fd)
{
  struct pollfd p = { fifo_fd, POLLIN, 0 };
  char c;
  int fl;

  if (fifo_fd < 0)
    return;
  while (poll (&p, 1, -1) < 0 && errno == EINTR)
    ;
  fl = fcntl (fifo_fd, F_GETFL);
  fcntl (fifo_fd, F_SETFL, fl & ~O_NONBLOCK);
  while (read (fifo_fd, &c, 1) < 0 && errno == EINTR)
    ;
}

static bool
new_netns (const struct init_args *a)
{
  const struct spec_namespace *ns = spec_linux_namespace (a->plan->spec, SPEC_NS_NETWORK);
  return ns != NULL && ns->path == NULL;
}

/* No mount namespace in the config: the runtime's is inherited and the
   root is a chroot, with no mount made (validate.c refused every field
   that needs one). */
static int
init_chroot (struct init_args *a, sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = open (a->plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (rootfd < 0)
    return sbx_error_errno (err, "open root.path `%s`", a->plan->rootfs);
  if (run_runtime_hooks (a, err) < 0)
    return -1;
  if (fchdir (rootfd) < 0 || chroot (".") < 0)
    return sbx_error_errno (err, "chroot into root.path `%s`", a->plan->rootfs);
  close_build_fds (a);
  return 0;
}

/* Namespaces, root filesystem, pivot: everything that builds the box. */
static int
init_build (struct init_args *a, int *nullfd, sbx_error_t *err)
{
  const struct spec_linux *l = a->plan->spec->linux_;
  _cleanup_fd_ int rootfd = -1, late = -1;
  struct create_fds fds = *a->fds;
  struct sync_frame f;

  if (a->wait_go && sync_expect (a->sync_fd, SYNC_IDMAP_DONE, &f, err) < 0)
    return -1;
  late = a->wait_go ? f.fd : -1;
  if (fds.rootfs_late && (fds.rootfs_fd = late) < 0)
    return sbx_error_set (err, EPROTO, "sync: no rootfs clone with the id maps");
  /* See init_main: a rootless parent needed us dumpable until now to write
     our id maps; nothing of the container ran yet. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (a->new_userns && child_become_root (err) < 0)
    return -1;
  if (join_namespaces (a, err) < 0 || unshare_in_userns (a, err) < 0
      || unshare_cgroupns (a->plan->spec, err) < 0 || set_names (a->plan->spec, err) < 0)
    return -1;
  if (new_netns (a) && !a->lo_by_parent && ns_loopback_up (-1, err) < 0)
    return -1;
  join_session_keyring (a->plan->no_new_keyring);
  if (spec_linux_namespace (a->plan->spec, SPEC_NS_MOUNT) == NULL)
    return init_chroot (a, err);
  rootfd = rootfs_prepare (a->plan, &fds, err);
  if (rootfd < 0)
    return -1;
  if (l->masked_paths.n > 0 && (*nullfd = rootfs_open_null (err)) < 0)
    return -1;
  if (run_runtime_hooks (a, err) < 0 || rootfs_pivot (rootfd, a->plan->no_pivot, err) < 0)
    return -1;
  close_build_fds (a);
  return 0;
}

/* What only create does before the shared tail (child.c): tty,
   sysctls, labels, masks, the root's last flags, cwd, limits. */
static int
init_envelope (struct init_args *a, int nullfd, sbx_error_t *err)
{
  const struct sbx_spec *spec = a->plan->spec;
  const struct spec_process *p = spec->process;
  bool need_proc = spec->linux_->sysctl.n > 0 || p->selinux_label || p->apparmor_profile;
  _cleanup_fd_ int procfd = -1;

  if (init_setup_terminal (a->sync_fd, p, true, err) < 0)
    return -1;
  if (need_proc && (procfd = proc_open_private (err)) < 0)
    return -1;
  if (procfd >= 0 && (sysctl_apply (spec, procfd, err) < 0 || label_apply_exec (p, procfd, err) < 0))
    return -1;
  /* A missing process.cwd is made before the root turns read-only
     (issue #12), but entered only after the masks, so it cannot dodge one. */
  if (init_enter_cwd (p, true, err) < 0)
    return -1;
  if (rootfs_mask_paths (spec, nullfd, err) < 0 || rootfs_finalize (spec, err) < 0)
    return -1;
  return init_enter_cwd (p, false, err) < 0 || procattrs_apply (spec, err) < 0 ? -1 : 0;
}

static int
init_run (struct init_args *a, struct child_plan *plan, char **exe, sbx_error_t *err)
{
  _cleanup_fd_ int nullfd = -1;

  if (init_build (a, &nullfd, err) < 0 || init_envelope (a, nullfd, err) < 0
      || child_become (plan, exe, err) < 0)
    return -1;
  return wait_ready_ack (a, plan, err);
}

_Noreturn void
init_main (struct init_args *a)
{
  sbx_error_t err = { 0 };
  char *exe = NULL;
  struct child_plan plan = { .process = a->plan->spec->process, .env = a->env, .caps = &a->caps,
                             .seccomp = a->seccomp, .policy_seccomp = a->policy_seccomp,
                             .sync_fd = a->sync_fd, .keep_fds = a->keep_fds, .hold_fd = a->fifo_fd };

  /* First act: hold nothing of the caller's or the parent's (the state
     dir, the cgroup, our own namespaces) that is not needed to build the
     container, and no trace of the caller's environment. */
  drop_inherited (a);
  sync_forward_log (a->sync_fd);
  /* Until execve this process runs sbx's binary inside the container's
     namespaces: make /proc/PID/{exe,mem,fd} unreachable to the container
     (ptrace access checks fail for a non-dumpable process). The execve
     of the program resets it. CVE-2019-5736, CVE-2016-9962. */
  /* A parent that is not root can write our /proc/PID/{uid_map,gid_map,
     setgroups} only while we are dumpable: then we stay so until it says
     IDMAP_DONE (see init_build); we run no container code before that. */
  if (!a->wait_go || a->parent_root)
    prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (child_reset_signals (&err) < 0 || init_run (a, &plan, &exe, &err) < 0)
    {
      sync_send_error (a->sync_fd, &err);
      _exit (1);
    }
  close (a->sync_fd);
  sync_forward_log (-1);
  wait_for_start (a->fifo_fd);
  if (a->plan->spec->hooks != NULL
      && hooks_run (&a->plan->spec->hooks->start_container, "startContainer", a->hook_state, NULL, &err) < 0)
    {
      dprintf (2, "sbx: %s\n", err.msg);
      _exit (1);
    }
  /* exec.fifo stays open until execve: `start` returns once it closes */
  child_execve (&plan, exe);
}
