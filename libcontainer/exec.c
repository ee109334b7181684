/* exec.c: `sbx exec`. The parent reads the container's state and saved
 * config, builds the process (a --process file, or the config's process
 * with the command-line overrides), and clones the new process straight
 * into the container's cgroup and pid namespace (CLONE_INTO_CGROUP, with
 * the pid namespace entered for children through the init's pidfd). The
 * child joins the other namespaces with one setns(pidfd) (the kernel puts
 * the user namespace first), then takes the same steps as the init: tty,
 * cwd, limits, labels, user, capabilities, the container's seccomp filter. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "child.h"
#include "cgroup-own.h"
#include "cleanup.h"
#include "config.h"
#include "container.h"
#include "container-open.h"
#include "error.h"
#include "fdpass.h"
#include "exec.h"
#include "userns.h"
#include "foreground.h"
#include "fsutil.h"
#include "hygiene.h"
#include "init.h"
#include "label.h"
#include "log.h"
#include "namespaces.h"
#include "procattrs.h"
#include "policy.h"
#include "process.h"
#include "state.h"
#include "sync.h"
#include "procfs.h"
#include "terminal.h"
#include "validate.h"
#include "seccomp.h"


struct exec_child
{
  const struct sbx_spec *spec;     /* the container's, process replaced */
  int pidfd;                       /* the container's init */
  int rootfd;                      /* its root, without a mount ns, or -1 */
  int ns_flags;                    /* joined in the child, pid and time too */
  bool fork_in;                    /* a pid or time namespace: fork to enter */
  bool userns;
  struct caps_sets caps;
  struct child_plan plan;          /* the shared tail (child.h) */
};

int
exec_parse_user (const char *s, uint32_t *uid, uint32_t *gid, bool *has_gid, sbx_error_t *err)
{
  char *end;
  unsigned long long v;

  *has_gid = false;
  errno = 0;
  if (s[0] < '0' || s[0] > '9')
    return sbx_error_set (err, EINVAL, "--user `%s`: a numeric UID[:GID] is required", s);
  v = strtoull (s, &end, 10);
  if (errno != 0 || v > UINT32_MAX - 1 || (*end != '\0' && *end != ':'))
    return sbx_error_set (err, EINVAL, "--user `%s`: UID must be a number below 2^32-1", s);
  *uid = (uint32_t) v;
  if (*end == ':')
    {
      const char *g = end + 1;
      if (g[0] < '0' || g[0] > '9')
        return sbx_error_set (err, EINVAL, "--user `%s`: GID must be a number", s);
      v = strtoull (g, &end, 10);
      if (errno != 0 || v > UINT32_MAX - 1 || *end != '\0')
        return sbx_error_set (err, EINVAL, "--user `%s`: GID must be a number below 2^32-1", s);
      *gid = (uint32_t) v;
      *has_gid = true;
    }
  return 0;
}

int
exec_check_sub_cgroup (const char *sub, sbx_error_t *err)
{
  const char *p = sub;

  /* Like runc, "/sub" and "sub" both name a sub-cgroup of the container's
     (issue #12); "/" is the container's own. */
  while (*p == '/')
    p++;
  if (sub[0] == '\0')
    return sbx_error_set (err, EINVAL, "--cgroup: empty path");
  while (*p)
    {
      const char *e = strchrnul (p, '/');
      if ((e - p == 2 && p[0] == '.' && p[1] == '.') || (e - p == 1 && p[0] == '.') || e == p)
        return sbx_error_set (err, EINVAL, "--cgroup `%s`: `.`, `..` and empty components are not allowed", sub);
      p = *e ? e + 1 : e;
    }
  return 0;
}

/* ---- building the process ---- */

static int
set_args (struct spec_strv *v, char *const *args, size_t n)
{
  spec_strv_free (v);
  for (size_t i = 0; i < n; i++)
    if (spec_strv_push (v, args[i]) < 0)
      return -1;
  return 0;
}

/* --env KEY=VALUE replaces KEY in process.env (issue #12: with both in
   the list, getenv found the old one first). */
static int
set_env (struct spec_strv *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  size_t klen = eq ? (size_t) (eq - kv) + 1 : 0;

  if (eq == NULL || eq == kv)
    return -1;
  for (size_t i = 0; i < env->n; i++)
    if (strncmp (env->v[i], kv, klen) == 0)
      {
        char *dup = strdup (kv);
        if (dup == NULL)
          return -1;
        free (env->v[i]);
        env->v[i] = dup;
        return 0;
      }
  return spec_strv_push (env, kv);
}

static int
add_caps (struct spec_process *p, char *const *caps, size_t n, sbx_error_t *err)
{
  if (n == 0)
    return 0;
  if (p->capabilities == NULL && (p->capabilities = calloc (1, sizeof *p->capabilities)) == NULL)
    return sbx_error_errno (err, "calloc");
  /* Only these three: never inheritable or ambient (CVE-2022-29162). */
  for (size_t i = 0; i < n; i++)
    {
      char name[64];
      snprintf (name, sizeof name, "%s%s", strncasecmp (caps[i], "CAP_", 4) ? "CAP_" : "", caps[i]);
      if (caps_from_name (name) < 0)
        return sbx_error_set (err, EINVAL, "--cap: unknown capability \"%s\"", caps[i]);
      if (spec_strv_push (&p->capabilities->bounding, name) < 0
          || spec_strv_push (&p->capabilities->effective, name) < 0
          || spec_strv_push (&p->capabilities->permitted, name) < 0)
        return sbx_error_errno (err, "--cap");
    }
  return 0;
}

static int
parse_gids (struct spec_user *u, const char *list, sbx_error_t *err)
{
  size_t n = 1;
  const char *p;

  for (p = list; *p; p++)
    n += *p == ',';
  free (u->additional_gids);
  u->additional_gids = calloc (n, sizeof *u->additional_gids);
  u->n_additional_gids = 0;
  if (u->additional_gids == NULL)
    return sbx_error_errno (err, "calloc");
  for (p = list; *p;)
    {
      char *end;
      unsigned long long v;
      errno = 0;
      v = strtoull (p, &end, 10);
      if (errno != 0 || end == p || v > UINT32_MAX - 1 || (*end != ',' && *end != '\0'))
        return sbx_error_set (err, EINVAL, "--additional-gids `%s`: numbers separated by commas", list);
      u->additional_gids[u->n_additional_gids++] = (uint32_t) v;
      p = *end ? end + 1 : end;
    }
  return 0;
}

static int
apply_flags (struct spec_process *p, const struct sbx_exec_opts *o, sbx_error_t *err)
{
  if (o->n_args > 0 && set_args (&p->args, o->args, o->n_args) < 0)
    return sbx_error_errno (err, "args");
  if (p->args.n == 0)
    return sbx_error_set (err, EINVAL, "exec: no command given (ARGS or --process)");
  for (size_t i = 0; i < o->n_env; i++)
    if (set_env (&p->env, o->env[i]) < 0)
      return sbx_error_set (err, EINVAL, "--env `%s`: expected KEY=VALUE", o->env[i]);
  if (o->cwd != NULL)
    {
      if (o->cwd[0] != '/')
        return sbx_error_set (err, EINVAL, "--cwd `%s`: must be absolute", o->cwd);
      free (p->cwd);
      p->cwd = strdup (o->cwd);
    }
  if (o->user != NULL)
    {
      uint32_t uid, gid = 0;
      bool has_gid;
      if (exec_parse_user (o->user, &uid, &gid, &has_gid, err) < 0)
        return -1;
      p->user.uid = uid;
      p->user.gid = has_gid ? gid : 0;
    }
  if (o->additional_gids != NULL && parse_gids (&p->user, o->additional_gids, err) < 0)
    return -1;
  if (o->tty)
    p->terminal = true;
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (o->apparmor != NULL)
    {
      free (p->apparmor_profile);
      p->apparmor_profile = strdup (o->apparmor);
    }
  if (o->process_label != NULL)
    {
      free (p->selinux_label);
      p->selinux_label = strdup (o->process_label);
    }
  return add_caps (p, o->caps, o->n_caps, err);
}

/* --process FILE replaces the config's process; otherwise it is the base. */
static int
build_process (struct sbx_spec *spec, const struct sbx_exec_opts *o, sbx_error_t *err)
{
  if (o->process_file != NULL)
    {
      _cleanup_free_ char *buf = NULL;
      _cleanup_fd_ int fd = open (o->process_file, O_RDONLY | O_CLOEXEC);
      struct spec_process *p;
      size_t len;

      if (fd < 0)
        return sbx_error_errno (err, "--process `%s`", o->process_file);
      if (read_file_at (fd, "", &buf, &len, SPEC_MAX_SIZE, err) < 0)
        return sbx_error_wrap (err, "--process `%s`", o->process_file);
      p = spec_parse_process (buf, len, err);
      if (p == NULL)
        return sbx_error_wrap (err, "--process `%s`", o->process_file);
      spec_process_free (spec->process);
      spec->process = p;
    }
  else if (spec->process == NULL)
    return sbx_error_set (err, EINVAL, "the container has no process to start from: use --process");
  if (apply_flags (spec->process, o, err) < 0)
    return -1;
  if (spec->process->cwd == NULL && (spec->process->cwd = strdup ("/")) == NULL)
    return sbx_error_errno (err, "strdup");
  if (validate_process (spec->process, err) < 0)
    return -1;
  return procattrs_check (spec, err);
}

/* ---- the child ---- */

/* What only exec does before the shared tail (child.c): tty, labels,
   cwd, limits. */
static int
exec_child_run (struct exec_child *c, char **exe, sbx_error_t *err)
{
  const struct spec_process *p = c->spec->process;
  bool need_proc = p->selinux_label || p->apparmor_profile;
  _cleanup_fd_ int procfd = -1;
  struct sync_frame f;

  if (c->userns && child_become_root (err) < 0)
    return -1;
  if (init_setup_terminal (c->plan.sync_fd, p, false, err) < 0)
    return -1;
  if (need_proc && ((procfd = proc_open_private (err)) < 0 || label_apply_exec (p, procfd, err) < 0))
    return -1;
  if (init_enter_cwd (p, false, err) < 0 || procattrs_apply (c->spec, err) < 0)
    return -1;
  if (child_become (&c->plan, exe, err) < 0)
    return -1;
  if (sync_send (c->plan.sync_fd, SYNC_READY, NULL, 0, -1, err) < 0)
    return -1;
  return sync_expect (c->plan.sync_fd, SYNC_READY_ACK, &f, err);
}

/* The joiner: cloned into the container's cgroup but still in the host's
   pid namespace, where the container cannot see it. It drops every fd but
   the sync socket and the init's pidfd, wipes the caller's environment,
   joins the namespaces, lets the pidfd go, and only then forks the process
   that enters the container's pid namespace (a process's pid namespace is
   fixed at fork). That one holds stdio, the preserved fds and the sync
   socket: nothing a tracer in the container could use. */
static int
exec_enter (struct exec_child *c, sbx_error_t *err)
{
  if (c->ns_flags != 0 && setns (c->pidfd, c->ns_flags) < 0)
    return sbx_error_errno (err, "join the container's namespaces");
  /* No mount namespace to join: the root is the init's chroot. */
  if (c->rootfd >= 0 && (fchdir (c->rootfd) < 0 || chroot (".") < 0))
    return sbx_error_errno (err, "chroot into the container's root");
  if (c->rootfd >= 0)
    close (c->rootfd);
  c->rootfd = -1;
  close (c->pidfd);
  c->pidfd = -1;
  if (!c->fork_in)
    return 0;
  return child_fork_into_pidns (c->plan.sync_fd, err);
}

_Noreturn static void
exec_child_main (struct exec_child *c)
{
  sbx_error_t err = { 0 };
  char *exe = NULL;
  int keep[3] = { c->plan.sync_fd, c->pidfd, c->rootfd };

  hygiene_close_except (3 + (int) c->plan.keep_fds, keep, c->rootfd >= 0 ? 3 : 2);
  hygiene_wipe_environ ();
  sync_forward_log (c->plan.sync_fd);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0); /* see init.c: until execve */
  if (child_reset_signals (&err) < 0 || exec_enter (c, &err) < 0
      || exec_child_run (c, &exe, &err) < 0)
    {
      sync_send_error (c->plan.sync_fd, &err);
      _exit (1);
    }
  sync_forward_log (-1);
  close (c->plan.sync_fd);
  child_execve (&c->plan, exe);
}

/* ---- the parent ---- */

struct exec_parent
{
  struct container ct;  /* the ops lock (container-open.c) */
  struct container_state st;
  struct sbx_spec *spec;
  int dirfd, pidfd, cgfd, console_fd, rootfd;
  int sock[2];
  char **env;
};

static void
exec_parent_free (struct exec_parent *x)
{
  int *fds[] = { &x->dirfd, &x->pidfd, &x->cgfd, &x->console_fd, &x->rootfd, &x->sock[0], &x->sock[1] };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      close (*fds[i]);
  if (x->env)
    {
      for (size_t i = 0; x->env[i]; i++)
        free (x->env[i]);
      free (x->env);
    }
  if (x->spec)
    spec_free (x->spec);
  state_free (&x->st);
  container_close (&x->ct);
}

/* The init's root (a chroot in the runtime's mount namespace), opened
   through /proc and then checked against the pidfd: had the init died and
   its pid been reused in between, the signal would fail. */
static int
open_init_root (struct exec_parent *x, sbx_error_t *err)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/%d/root", (int) x->st.pid);
  x->rootfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (x->rootfd < 0)
    return sbx_error_errno (err, "open %s", path);
  if (syscall (SYS_pidfd_send_signal, x->pidfd, 0, NULL, 0) < 0)
    return sbx_error_errno (err, "the container's init");
  return 0;
}

static int
open_target (struct sbx_context *ctx, const char *id, bool ignore_paused, struct exec_parent *x,
             sbx_error_t *err)
{
  if (container_open (ctx, id, ignore_paused ? CMD_EXEC_PAUSED : CMD_EXEC, &x->ct, err) < 0)
    return -1;
  /* st and dirfd move to x; ct keeps the ops lock until the clone */
  x->st = x->ct.st;
  x->ct.have_state = false;
  x->dirfd = x->ct.dirfd;
  x->ct.dirfd = -1;
  x->pidfd = state_pidfd (&x->st, err);
  if (x->pidfd < 0)
    return -1;
  x->spec = container_load_config (x->dirfd, err);
  if (x->spec == NULL)
    return sbx_error_wrap (err, "saved config of \"%s\"", id);
  /* the namespaces a policy added are not in the saved config */
  if (policy_exec_namespaces (&x->st.annotations, x->spec, err) < 0)
    return -1;
  return spec_linux_namespace (x->spec, SPEC_NS_MOUNT) == NULL ? open_init_root (x, err) : 0;
}

static int
open_cgroup (struct exec_parent *x, const char *sub, sbx_error_t *err)
{
  _cleanup_free_ char *path = NULL;

  if (x->st.cgroup_path == NULL)
    {
      if (sub != NULL)
        return sbx_error_set (err, ENOENT, "--cgroup: the container has no cgroup");
      return 0;
    }
  /* never into a cgroup that is not this container's (issue #13) */
  if (cgroup_check_owned (x->st.cgroup_path, x->st.cgroup_ino, err) < 0)
    return -1;
  if (sub != NULL && exec_check_sub_cgroup (sub, err) < 0)
    return -1;
  while (sub != NULL && *sub == '/')
    sub++;
  if (sub != NULL && *sub == '\0')
    sub = NULL;
  if (asprintf (&path, "%s%s%s", x->st.cgroup_path, sub ? "/" : "", sub ? sub : "") < 0)
    return sbx_error_errno (err, "asprintf");
  x->cgfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (x->cgfd < 0)
    return sbx_error_errno (err, "open cgroup `%s`", path);
  return 0;
}

static int
container_ns_flags (const struct sbx_spec *spec)
{
  int flags = 0;

  for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++)
    flags |= ns_clone_flag (spec->linux_->namespaces[i].type);
  return flags;
}

static int
spawn (struct exec_parent *x, struct exec_child *c, pid_t *pid_out, int *pidfd_out,
       sbx_error_t *err)
{
  pid_t pid = child_clone (0, x->cgfd, pidfd_out);

  if (pid == 0)
    exec_child_main (c);
  if (pid < 0)
    return sbx_error_errno (err, "clone3 exec process");
  *pid_out = pid;
  return 0;
}

/* The joiner forked the process inside the pid namespace and exited:
   reap it and track that process instead (it is our child: CLONE_PARENT). */
static int
adopt (const struct sync_frame *f, pid_t *pid, int *pidfd, sbx_error_t *err)
{
  pid_t child;
  int fd;

  if (f->len != sizeof child)
    return sbx_error_set (err, EPROTO, "sync: bad CHILD_PID payload");
  memcpy (&child, f->payload, sizeof child);
  while (waitpid (*pid, NULL, 0) < 0 && errno == EINTR)
    ;
  *pid = -1;
  close (*pidfd);
  *pidfd = -1;
  fd = (int) syscall (SYS_pidfd_open, child, 0);
  if (fd < 0)
    {
      kill (child, SIGKILL);
      waitpid (child, NULL, 0);
      return sbx_error_errno (err, "pidfd_open exec process %d", child);
    }
  *pid = child;
  *pidfd = fd;
  return 0;
}

static int
converse (struct exec_parent *x, bool keep_master, int *master, bool forked, pid_t *pid,
          int *pidfd, sbx_error_t *err)
{
  struct sync_frame *f = malloc (sizeof *f);
  bool ready = false, adopted = !forked;
  int r = -1;

  if (f == NULL)
    return sbx_error_errno (err, "malloc");
  /* The forked process and its joiner share the socket: its READY may
     arrive before the joiner's CHILD_PID. Both are needed. */
  while (!ready || !adopted)
    {
      if (sync_recv (x->sock[0], f, err) < 0)
        break;
      if (f->type == SYNC_SECCOMP_FD && f->fd >= 0)
        {
          int rr = process_send_seccomp_fd (x->spec, x->st.id, *pid, x->st.bundle, x->st.rootfs, f->fd, err);
          close (f->fd);
          if (rr < 0)
            break;
          continue;
        }
      if (f->type == SYNC_READY || f->type == SYNC_CHILD_PID)
        {
          if (f->type == SYNC_READY)
            ready = true;
          else if (adopt (f, pid, pidfd, err) < 0)
            break;
          else
            adopted = true;
          if (ready && adopted)
            r = 0;
          continue;
        }
      if (f->type != SYNC_PTY_MASTER || f->fd < 0)
        {
          if (f->fd >= 0)
            close (f->fd);
          sbx_error_set (err, EPROTO, "sync: unexpected %s", sync_msg_name (f->type));
          break;
        }
      if (x->console_fd >= 0 && fdpass_send (x->console_fd, f->fd, f->payload, err) < 0)
        {
          close (f->fd);
          break;
        }
      if (keep_master)
        *master = f->fd;
      else
        close (f->fd);
    }
  free (f);
  return r;
}

static char **
copy_env (const struct spec_strv *env)
{
  char **v = calloc (env->n + 2, sizeof *v); /* + HOME + NULL */

  for (size_t i = 0; v != NULL && i < env->n; i++)
    if ((v[i] = strdup (env->v[i])) == NULL)
      {
        for (size_t k = 0; k < i; k++)
          free (v[k]);
        free (v);
        return NULL;
      }
  return v;
}

int
sbx_container_exec (struct sbx_context *ctx, const char *id, const struct sbx_exec_opts *o,
                    sbx_error_t *err)
{
  struct exec_parent x = { .ct = { .rootfd = -1, .dirfd = -1, .opsfd = -1 }, .dirfd = -1,
                           .pidfd = -1, .cgfd = -1, .console_fd = -1, .rootfd = -1,
                           .sock = { -1, -1 } };
  struct exec_child c = { 0 };
  _cleanup_pid_ pid_t pid = -1;
  int pidfd = -1, master = -1, r = -1;
  struct spec_seccomp *pol_seccomp = NULL;
  bool proxy;

  /* See create_common: nothing the caller left open goes any further. */
  hygiene_close_inherited (o->preserve_fds, log_fd ());
  if (open_target (ctx, id, SBX_OPT (o, ignore_paused, false), &x, err) < 0 || build_process (x.spec, o, err) < 0)
    goto out;
  if (ctx->policy_path != NULL)
    {
      struct sbx_policy *pol = policy_load (ctx->policy_path, err);
      int pr = pol == NULL ? -1 : policy_check_process (pol, x.spec->process, err);
      if (pr == 0)
        pr = policy_harden_process (pol, x.spec->process, err);
      if (pr == 0)
        pr = policy_seccomp (pol, &pol_seccomp, err);
      policy_free (pol);
      if (pr < 0)
        goto out;
    }
  proxy = x.spec->process->terminal && o->console_socket == NULL;
  if (proxy && o->detach)
    {
      sbx_error_set (err, EINVAL, "--tty with --detach needs --console-socket");
      goto out;
    }
  if (open_cgroup (&x, o->cgroup, err) < 0 || caps_parse (x.spec->process->capabilities, &c.caps, err) < 0)
    goto out;
  if (seccomp_prepare_joined (x.spec->linux_->seccomp, pol_seccomp, x.spec->process->no_new_privileges, true,
                              &c.plan.seccomp, &c.plan.policy_seccomp, err) < 0)
    goto out;
  if (o->console_socket != NULL && x.spec->process->terminal
      && (x.console_fd = fdpass_connect (o->console_socket, err)) < 0)
    goto out;
  if ((x.env = copy_env (&x.spec->process->env)) == NULL)
    {
      sbx_error_errno (err, "environment");
      goto out;
    }
  if (sync_socketpair (x.sock, err) < 0 || userns_chown_stdio (x.spec, x.spec->process, err) < 0)
    goto out;
  c.spec = x.spec;
  c.pidfd = x.pidfd;
  c.rootfd = x.rootfd;
  c.ns_flags = container_ns_flags (x.spec);
  c.fork_in = (c.ns_flags & (CLONE_NEWPID | CLONE_NEWTIME)) != 0;
  c.userns = (c.ns_flags & CLONE_NEWUSER) != 0;
  c.plan.process = x.spec->process;
  c.plan.caps = &c.caps;
  c.plan.sync_fd = x.sock[1];
  c.plan.env = x.env;
  c.plan.keep_fds = o->preserve_fds;
  c.plan.hold_fd = -1;
  if (spawn (&x, &c, &pid, &pidfd, err) < 0)
    goto out;
  /* The process is in the container's cgroup: let kill, pause, resume or
     delete act from now on. Not later: with --ignore-paused it is frozen
     until a resume, which needs this lock. */
  container_unlock_ops (&x.ct);
  close (x.sock[1]);
  x.sock[1] = -1;
  if (converse (&x, proxy, &master, c.fork_in, &pid, &pidfd, err) < 0)
    goto out;
  /* The process still waits for READY_ACK: the score holds from its
     first instruction of the program (runc applies it too; containerd
     passes the container's for kubectl exec and exec probes). */
  if (process_set_oom_score_adj (pid, x.spec->process, err) < 0)
    goto out;
  if (o->pid_file != NULL && container_write_pid_file (o->pid_file, pid, err) < 0)
    goto out;
  if (!o->detach)
    foreground_forward_signals (pidfd);
  if (sync_send (x.sock[0], SYNC_READY_ACK, NULL, 0, -1, err) < 0)
    goto out;
  if (o->detach)
    r = 0;
  else
    r = foreground_wait (pid, pidfd, master);
  pid = -1; /* handed off, or reaped */
out:
  spec_seccomp_free (pol_seccomp);
  if (c.plan.seccomp != NULL)
    seccomp_filter_free (c.plan.seccomp);
  if (c.plan.policy_seccomp != NULL)
    seccomp_filter_free (c.plan.policy_seccomp);
  if (master >= 0)
    close (master);
  if (pidfd >= 0)
    close (pidfd);
  exec_parent_free (&x);
  return r;
}
