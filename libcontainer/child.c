/* child.c: the one child runner (see child.h): what create's init and
 * exec's process do alike, from clone to execve. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"
#include "cleanup.h"
#include "config.h"
#include "error.h"
#include "fsutil.h"
#include "kernel.h"
#include "passwd.h"
#include "process.h"
#include "procattrs.h"
#include "sync.h"
#include "seccomp.h"

struct clone_args3
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};

pid_t
child_clone (uint64_t flags, int cgroup_fd, int *pidfd)
{
  struct clone_args3 ca = { 0 };

  ca.flags = flags | CLONE_PIDFD;
  ca.pidfd = (uint64_t) (uintptr_t) pidfd;
  ca.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0)
    {
      ca.flags |= SBX_CLONE_INTO_CGROUP;
      ca.cgroup = (uint64_t) cgroup_fd;
    }
  return (pid_t) syscall (SYS_clone3, &ca, sizeof ca);
}

int
child_reset_signals (sbx_error_t *err)
{
  sigset_t none;
  sigemptyset (&none);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_DFL);
  if (sigprocmask (SIG_SETMASK, &none, NULL) < 0)
    return sbx_error_errno (err, "reset signal mask");
  return 0;
}

int
child_fork_into_pidns (int sync_fd, sbx_error_t *err)
{
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_PARENT, NULL, NULL, NULL, 0);

  if (pid < 0)
    return sbx_error_errno (err, "fork into the container's pid namespace");
  if (pid == 0)
    return 0;
  if (sync_send (sync_fd, SYNC_CHILD_PID, &pid, sizeof pid, -1, err) < 0)
    _exit (1);
  _exit (0);
}

int
child_become_root (sbx_error_t *err)
{
  if (setresgid (0, 0, 0) < 0)
    return sbx_error_errno (err, "setresgid 0 in user namespace");
  if (setresuid (0, 0, 0) < 0)
    return sbx_error_errno (err, "setresuid 0 in user namespace");
  return 0;
}

/* stdio pipes belong to the caller (host root): the program's user could
   not reopen /proc/self/fd/1. Give it anonymous pipes only (pipefs), as
   crun does; a file or named fifo of the host is never chowned. An owner
   not mapped here (EINVAL, EPERM: rootless) leaves the pipe as it is. */
int
child_chown_stdio (uid_t uid, gid_t gid, sbx_error_t *err)
{
  for (int fd = 0; fd < 3; fd++)
    {
      struct statfs sfs;
      struct stat st;

      if (fstat (fd, &st) < 0 || !S_ISFIFO (st.st_mode) || fstatfs (fd, &sfs) < 0
          || sfs.f_type != PIPEFS_MAGIC || (st.st_uid == uid && st.st_gid == gid))
        continue;
      if (fchown (fd, uid, gid) < 0 && errno != EINVAL && errno != EPERM)
        return sbx_error_errno (err, "chown stdio fd %d to the process user", fd);
    }
  return 0;
}

int
child_set_user (const struct spec_process *p, sbx_error_t *err)
{
  const struct spec_user *u = &p->user;

  if (child_chown_stdio (u->uid, u->gid, err) < 0)
    return -1;
  /* With setgroups denied (rootless user namespaces) only an empty list
     can be "set": keep the current one then. */
  if (sbx_kernel.setgroups (u->n_additional_gids, (const gid_t *) u->additional_gids) < 0
      && !(errno == EPERM && u->n_additional_gids == 0))
    return sbx_error_errno (err, "setgroups (process.user.additionalGids)");
  if (sbx_kernel.setresgid (u->gid, u->gid, u->gid) < 0)
    return sbx_error_errno (err, "setresgid %u (process.user.gid)", u->gid);
  if (sbx_kernel.setresuid (u->uid, u->uid, u->uid) < 0)
    return sbx_error_errno (err, "setresuid %u (process.user.uid)", u->uid);
  umask (u->has_umask ? u->umask : 022);
  return 0;
}

/* HOME from the container's /etc/passwd when the config leaves it out
   (runc does the same); "/" when the user has no entry. */
int
child_set_home (char **env, uid_t uid, sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = -1, fd = -1;
  _cleanup_free_ char *buf = NULL, *home = NULL;
  struct stat st;
  size_t n = 0;

  for (n = 0; env[n] != NULL; n++)
    if (strncmp (env[n], "HOME=", 5) == 0)
      return 0;
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* The image's file: a fifo there must not block us (O_NONBLOCK), and
     only a regular file is read. */
  if (rootfd >= 0)
    fd = open_in_root (rootfd, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, NULL);
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode)
      && read_file_at (fd, "", &buf, NULL, 4 << 20, NULL) == 0)
    home = passwd_field (buf, uid, PASSWD_HOME);
  if (asprintf (&env[n], "HOME=%s", home && home[0] == '/' ? home : "/") < 0)
    return sbx_error_errno (err, "set HOME");
  env[n + 1] = NULL;
  return 0;
}

char *
child_find_executable (const char *arg0, char *const *env, sbx_error_t *err)
{
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  char *candidate = NULL;

  if (strchr (arg0, '/') != NULL)
    {
      struct stat st;
      if (stat (arg0, &st) < 0)
        {
          sbx_error_sys (err, errno, "exec: \"%s\": stat %s", arg0, arg0);
          return NULL;
        }
      if (S_ISDIR (st.st_mode) || access (arg0, X_OK) < 0)
        {
          sbx_error_sys (err, S_ISDIR (st.st_mode) ? EACCES : errno, "exec: \"%s\"", arg0);
          return NULL;
        }
      return strdup (arg0);
    }
  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    if (strncmp (env[i], "PATH=", 5) == 0)
      path = env[i] + 5;
  for (const char *p = path;; p++)
    {
      const char *end = strchrnul (p, ':');
      struct stat st;
      if (asprintf (&candidate, "%.*s/%s", (int) (end - p), end == p ? "." : p, arg0) < 0)
        break;
      if (stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
      candidate = NULL;
      if (*end == '\0')
        break;
      p = end;
    }
  sbx_error_set (err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
  return NULL;
}

/* The config's filter, now. Without no_new_privs loading it is a
   privileged operation, so that case comes before the capabilities are
   dropped; a filter with SCMP_ACT_NOTIFY also comes before READY, while
   the parent is still there to pass the listener fd on to listenerPath.
   Otherwise it waits until just before execve. */
int
child_load_seccomp_now (struct seccomp_filter **f, int sync_fd, sbx_error_t *err)
{
  int fd = -1, r = 0;

  if (*f == NULL)
    return 0;
  if (seccomp_install (*f, &fd, err) < 0)
    return -1;
  *f = NULL;
  if (fd >= 0)
    {
      r = sync_send (sync_fd, SYNC_SECCOMP_FD, NULL, 0, fd, err);
      close (fd);
    }
  return r;
}

int
child_load_policy_seccomp (struct seccomp_filter *f, sbx_error_t *err)
{
  int notify = -1;

  if (f == NULL)
    return 0;
  if (seccomp_install (f, &notify, err) < 0)
    return sbx_error_wrap (err, "--policy seccomp");
  if (notify >= 0)
    close (notify);
  return 0;
}

static bool
has_notify (const struct child_plan *p)
{
  return p->seccomp != NULL && seccomp_has_notify (p->seccomp);
}

int
child_become (struct child_plan *p, char **exe, sbx_error_t *err)
{
  const struct spec_process *proc = p->process;

  /* as root: the user may not be able to read /etc/passwd */
  if (child_set_home (p->env, proc->user.uid, err) < 0)
    return -1;
  if (!proc->no_new_privileges && child_load_seccomp_now (&p->seccomp, p->sync_fd, err) < 0)
    return -1;
  if (child_load_policy_seccomp (p->policy_seccomp, err) < 0)
    return -1;
  if (caps_prepare_switch (p->caps, err) < 0 || child_set_user (proc, err) < 0
      || caps_apply (p->caps, err) < 0)
    return -1;
  *exe = child_find_executable (proc->args.v[0], p->env, err);
  if (*exe == NULL || procattrs_no_new_privs (proc, err) < 0)
    return -1;
  if (has_notify (p) && child_load_seccomp_now (&p->seccomp, p->sync_fd, err) < 0)
    return -1;
  return 0;
}

/* Close every fd from FROM up, but HOLD. */
static void
close_fds_from (unsigned from, int hold)
{
  unsigned ranges[2][2] = { { from, ~0U }, { 1, 0 } };

  if (hold >= 0 && (unsigned) hold >= from)
    {
      ranges[0][1] = (unsigned) hold - 1;
      ranges[1][0] = (unsigned) hold + 1;
      ranges[1][1] = ~0U;
    }
  for (int i = 0; i < 2; i++)
    if (ranges[i][0] <= ranges[i][1] && sbx_kernel.close_range (ranges[i][0], ranges[i][1], 0) < 0)
      for (unsigned fd = ranges[i][0]; fd < 65536 && fd <= ranges[i][1]; fd++)
        close ((int) fd);
}

_Noreturn void
child_execve (struct child_plan *p, const char *exe)
{
  sbx_error_t err = { 0 };

  /* Nothing of the runtime's may reach the program: keep 0-2 and the
     preserved range only. CVE-2024-21626 class. */
  close_fds_from (3 + p->keep_fds, p->hold_fd);
  /* Every later syscall is filtered, execve included. */
  if (child_load_seccomp_now (&p->seccomp, -1, &err) < 0)
    {
      dprintf (2, "sbx: %s\n", err.msg);
      _exit (1);
    }
  sbx_kernel.execve (exe, p->process->args.v, p->env);
  dprintf (2, "sbx: exec `%s`: %s\n", exe, strerror (errno));
  _exit (127);
}
