/* process.c: the parent side of `create`. Everything the child needs from
 * the host is opened here first (cgroup dir, bind sources, joined
 * namespaces, exec.fifo, console socket), so the child never resolves a
 * host path after entering the container's namespaces. One clone3 makes the
 * init directly in its cgroup and namespaces: no re-exec, no extra fork. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup-ops.h"
#include "cgroup-resources.h"
#include "cgroup.h"
#include "cgroup-driver.h"
#include "config.h"
#include "seccomp.h"
#include "child.h"
#include "cleanup.h"
#include "devices.h"
#include "hooks.h"
#include "hygiene.h"
#include "idmap.h"
#include "error.h"
#include "fdpass.h"
#include "fsutil.h"
#include "init.h"
#include "json.h"
#include "log.h"
#include "mounts.h"
#include "namespaces.h"
#include "netdev.h"
#include "process.h"
#include "rootfs.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "userns.h"



/* Everything opened for the child; closed in the parent after clone. */
struct prepared
{
  struct cg_plan cg_plan;       /* linux.resources, checked before the clone */
  struct caps_sets caps;
  struct seccomp_filter *seccomp;
  struct seccomp_filter *policy_seccomp;
  int ns_fds[SPEC_NS_COUNT];
  struct create_fds fds;        /* for the init's root */
  int cgroup_fd;
  int fifo_fd;
  int console_fd;
  int ctr_userns;               /* the container's maps, for idmapping */
  bool late_idmap;              /* idmap with the init's own user namespace */
  bool lo_up;                   /* bring lo up in the init's new netns */
  int self_pidns, self_timens;  /* to restore the parent's view */
  char **env;
};

static void
prepared_free (struct prepared *p, size_t n_mounts)
{
  ns_close_fds (p->ns_fds);
  cgroup_plan_free (&p->cg_plan);
  if (p->fds.mount_fds)
    mounts_close_sources (p->fds.mount_fds, n_mounts);
  if (p->fds.dev_fds)
    mounts_close_sources (p->fds.dev_fds, p->fds.n_devs);
  if (p->fds.rootfs_fd >= 0)
    close (p->fds.rootfs_fd);
  free (p->fds.mount_fds);
  free (p->fds.dev_fds);
  if (p->seccomp != NULL)
    seccomp_filter_free (p->seccomp);
  if (p->policy_seccomp != NULL)
    seccomp_filter_free (p->policy_seccomp);
  free (p->fds.devs);
  for (int *fd = &p->cgroup_fd; fd <= &p->self_timens; fd++)
    if (*fd >= 0)
      close (*fd);
  if (p->env)
    {
      for (size_t i = 0; p->env[i]; i++)
        free (p->env[i]);
      free (p->env);
    }
  memset (p, 0, sizeof *p);
}

/* process.env, plus LISTEN_FDS/LISTEN_PID when the runtime was started
   with socket activation: those fds are passed on (systemd convention). */
static char **
build_env (const struct spec_process *proc, unsigned listen_fds)
{
  size_t n = proc->env.n, k = 0;
  char **env = calloc (n + 4, sizeof *env); /* + LISTEN_FDS, LISTEN_PID, HOME, NULL */

  if (env == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      if (listen_fds > 0 && (strncmp (proc->env.v[i], "LISTEN_FDS=", 11) == 0
                             || strncmp (proc->env.v[i], "LISTEN_PID=", 11) == 0))
        continue;
      env[k++] = strdup (proc->env.v[i]);
    }
  if (listen_fds > 0)
    {
      asprintf (&env[k++], "LISTEN_FDS=%u", listen_fds);
      env[k++] = strdup ("LISTEN_PID=1");
    }
  for (size_t i = 0; i < k; i++)
    if (env[i] == NULL)
      {
        for (size_t j = 0; j < k; j++)
          free (env[j]);
        free (env);
        return NULL;
      }
  return env;
}

static int
open_exec_fifo (int dirfd, sbx_error_t *err)
{
  int fd;

  if (mkfifoat (dirfd, EXEC_FIFO, 0600) < 0)
    return sbx_error_errno (err, "create exec fifo");
  fd = openat (dirfd, EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return sbx_error_errno (err, "open exec fifo");
  return fd;
}

/* The limits are checked before any process exists; a driver whose cgroup
   exists before the clone gets them now, so they hold from the init's
   first instruction; the others once the init is placed (cgroup_place). */
static int
cgroup_prepare (const struct create_plan *c, struct prepared *p, sbx_error_t *err)
{
  const struct cgroup_driver *d = c->cgroup_driver;
  const struct spec_linux *l = c->spec->linux_;

  if (d->plan (l->resources, &p->cg_plan, err) < 0 || d->create (c->cgroup_path, &p->cgroup_fd, err) < 0)
    return -1;
  if (d->place_after_clone)
    return 0;
  return d->apply (c->cgroup_path, p->cgroup_fd, l, err);
}

/* For restore (checkpoint.c): criu brings the tree back into a cgroup
   that must exist, limited, before the first restored page is written;
   a driver that places only a living process (systemd) cannot do that. */
int
process_cgroup_before (const struct create_plan *c, int *cgfd, sbx_error_t *err)
{
  const struct cgroup_driver *d = c->cgroup_driver;
  struct cg_plan plan = { 0 };
  int r;

  *cgfd = -1;
  if (d->place_after_clone)
    return sbx_error_set (err, ENOTSUP, "--systemd-cgroup: restore into a systemd scope is not supported");
  r = d->plan (c->spec->linux_->resources, &plan, err);
  if (r == 0)
    r = d->create (c->cgroup_path, cgfd, err);
  if (r == 0)
    r = d->apply (c->cgroup_path, *cgfd, c->spec->linux_, err);
  cgroup_plan_free (&plan);
  return r;
}

/* After the clone, for a driver that can only place a living process
   (systemd's scope): the init waits for it. */
static int
cgroup_place (const struct create_plan *c, pid_t pid, struct prepared *p, struct process_handle *h,
              sbx_error_t *err)
{
  const struct cgroup_driver *d = c->cgroup_driver;

  if (!d->place_after_clone)
    return 0;
  if (d->place (c->cgroup_path, c->id, pid, &p->cg_plan, &p->cgroup_fd, &h->cgroup_placed, err) < 0)
    return -1;
  return d->apply (c->cgroup_path, p->cgroup_fd, c->spec->linux_, err);
}

static int
prepare (const struct create_plan *c, bool host_devices, bool new_userns, struct prepared *p, sbx_error_t *err)
{
  const struct sbx_spec *spec = c->spec;
  unsigned listen = hygiene_listen_fds ();

  for (int i = 0; i < SPEC_NS_COUNT; i++)
    p->ns_fds[i] = -1;
  p->cgroup_fd = p->fifo_fd = p->console_fd = p->fds.rootfs_fd = p->ctr_userns = -1;
  p->self_pidns = p->self_timens = -1;
  if (caps_parse (spec->process->capabilities, &p->caps, err) < 0)
    return -1;
  /* The config's filter and the policy's, as one program where they can
     be. That program loads where the config's does, with no_new_privs
     just before execve: after the startContainer hooks, which the
     policy's own filter (loaded before the capabilities go) covers. */
  if (seccomp_prepare_joined (spec->linux_->seccomp, c->policy_seccomp, spec->process->no_new_privileges,
                              spec->hooks == NULL || spec->hooks->start_container.n == 0, &p->seccomp,
                              &p->policy_seccomp, err) < 0)
    return -1;
  if (ns_open_paths (spec, p->ns_fds, err) < 0)
    return -1;
  p->fds.mount_fds = calloc (spec->n_mounts + 1, sizeof *p->fds.mount_fds);
  if (p->fds.mount_fds == NULL)
    return sbx_error_errno (err, "calloc");
  for (size_t i = 0; i < spec->n_mounts; i++)
    p->fds.mount_fds[i] = -1;
  /* With a new user namespace the container's maps are the init's: what
     takes them is idmapped once they are written (idmap_late). */
  p->late_idmap = new_userns;
  if (geteuid () == 0 && (mounts_open_sources (spec, c->bundle, p->fds.mount_fds, err) < 0
                          || idmap_bind_sources (spec, p->fds.mount_fds, &p->ctr_userns,
                                                 p->late_idmap ? IDMAP_OWN_MAPS : IDMAP_ALL, err) < 0))
    return -1;
  if (idmap_rootfs_wanted (spec) && p->late_idmap)
    p->fds.rootfs_late = true;
  else if (idmap_rootfs_wanted (spec)
           && (p->fds.rootfs_fd = idmap_open_rootfs (spec, c->rootfs, mounts_bind_propagation (spec->linux_->rootfs_propagation),
                                                     &p->ctr_userns, err)) < 0)
    return -1;
  /* A user namespace's init may not search the host's path to root.path
     (the engines' storage is 0700): it gets a clone made here. */
  if (p->fds.rootfs_fd < 0 && !p->fds.rootfs_late && geteuid () == 0 && spec_linux_namespace (spec, SPEC_NS_USER) != NULL
      && spec_linux_namespace (spec, SPEC_NS_MOUNT) != NULL
      && (p->fds.rootfs_fd = rootfs_clone (c->rootfs, mounts_bind_propagation (spec->linux_->rootfs_propagation),
                                           err)) < 0)
    return -1;
  if (devices_list (spec, &p->fds.devs, &p->fds.n_devs, err) < 0)
    return -1;
  if (host_devices)
    {
      p->fds.dev_fds = calloc (p->fds.n_devs + 1, sizeof *p->fds.dev_fds);
      if (p->fds.dev_fds == NULL)
        return sbx_error_errno (err, "calloc");
      if (devices_open_host (p->fds.devs, p->fds.n_devs, p->fds.dev_fds, err) < 0)
        return -1;
    }
  if (cgroup_prepare (c, p, err) < 0)
    return -1;
  if (c->state_dirfd >= 0 && (p->fifo_fd = open_exec_fifo (c->state_dirfd, err)) < 0)
    return -1;
  if (spec->process->terminal && c->console_socket != NULL
      && (p->console_fd = fdpass_connect (c->console_socket, err)) < 0)
    return -1;
  p->env = build_env (spec->process, listen > c->preserve_fds ? listen : 0);
  if (p->env == NULL)
    return sbx_error_errno (err, "build environment");
  return 0;
}

/* The pid and time namespaces of a process are fixed at fork: the parent
   sets what its children get, clones, then restores its own view. */
static int
enter_for_children (const struct sbx_spec *spec, struct prepared *p, sbx_error_t *err)
{
  const struct spec_namespace *time = spec_linux_namespace (spec, SPEC_NS_TIME);

  if (p->ns_fds[SPEC_NS_PID] >= 0)
    {
      p->self_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (p->self_pidns < 0)
        return sbx_error_errno (err, "open /proc/self/ns/pid");
      if (ns_join (p->ns_fds[SPEC_NS_PID], SPEC_NS_PID, err) < 0)
        return -1;
    }
  if (time == NULL)
    return 0;
  p->self_timens = open ("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (p->self_timens < 0)
    return sbx_error_errno (err, "open /proc/self/ns/time_for_children");
  if (time->path != NULL)
    return ns_join (p->ns_fds[SPEC_NS_TIME], SPEC_NS_TIME, err);
  if (unshare (CLONE_NEWTIME) < 0)
    return sbx_error_errno (err, "create time namespace");
  {
    const struct spec_linux *l = spec->linux_;
    char buf[256];
    int n = 0;
    _cleanup_fd_ int fd = -1;
    if (l->time_monotonic.present)
      n += snprintf (buf + n, sizeof buf - n, "monotonic %lld %u\n",
                     (long long) l->time_monotonic.secs, l->time_monotonic.nanosecs);
    if (l->time_boottime.present)
      n += snprintf (buf + n, sizeof buf - n, "boottime %lld %u\n",
                     (long long) l->time_boottime.secs, l->time_boottime.nanosecs);
    if (n == 0)
      return 0;
    fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write (fd, buf, n) != n)
      return sbx_error_errno (err, "write linux.timeOffsets");
  }
  return 0;
}

static void
restore_for_children (struct prepared *p)
{
  if (p->self_pidns >= 0)
    setns (p->self_pidns, CLONE_NEWPID);
  if (p->self_timens >= 0)
    setns (p->self_timens, CLONE_NEWTIME);
}

static void
step_back (int *cwd)
{
  if (*cwd < 0)
    return;
  if (fchdir (*cwd) < 0)
    log_warn ("return to the working directory: %s", strerror (errno));
  close (*cwd);
  *cwd = -1;
}

/* A new mount namespace starts with the cwd of its creator, translated
   into it: the parent stands in root.path for the clone, and the init
   attaches the rootfs clone there without a path walk (rootfs_prepare).
   *cwd keeps where the parent stood, for step_back. */
static int
stand_in_rootfs (const struct create_plan *c, struct prepared *p, int *cwd, sbx_error_t *err)
{
  const struct spec_namespace *mnt = spec_linux_namespace (c->spec, SPEC_NS_MOUNT);
  _cleanup_fd_ int dir = -1;

  if ((p->fds.rootfs_fd < 0 && !p->fds.rootfs_late) || mnt == NULL || mnt->path != NULL)
    return 0;
  *cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*cwd < 0)
    return sbx_error_errno (err, "open the current directory");
  dir = open (c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || fchdir (dir) < 0)
    {
      sbx_error_errno (err, "root.path `%s`", c->rootfs);
      step_back (cwd);
      return -1;
    }
  p->fds.rootfs_at_cwd = true;
  return 0;
}

/* prestart (deprecated, same time) and createRuntime: in the runtime's
   namespaces, cwd the bundle, once the container's namespaces exist. The
   state JSON goes back to the init for its own hooks. */
static int
run_runtime_hooks (const struct create_plan *c, struct process_handle *h, sbx_error_t *err)
{
  struct container_state st = { .id = (char *) c->id, .pid = h->pid, .bundle = (char *) c->bundle,
                                .rootfs = (char *) c->rootfs, .created = "",
                                .annotations = c->spec->annotations };
  _cleanup_free_ char *json = state_to_json (&st, STATUS_CREATING);
  const struct spec_hooks *hk = c->spec->hooks;

  if (json == NULL)
    return sbx_error_set (err, ENOMEM, "format state for hooks");
  if (hooks_run (&hk->prestart, "prestart", json, c->bundle, err) < 0
      || hooks_run (&hk->create_runtime, "createRuntime", json, c->bundle, err) < 0)
    return -1;
  return sync_send (h->sync_fd, SYNC_HOOKS_DONE, json, strlen (json), -1, err);
}

int
process_set_oom_score_adj (pid_t pid, const struct spec_process *p, sbx_error_t *err)
{
  char path[64], buf[16];
  int n;
  _cleanup_fd_ int fd = -1;

  if (!p->has_oom_score_adj)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/oom_score_adj", pid);
  n = snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, n) != n)
    return sbx_error_errno (err, "process.oomScoreAdj: write %s", path);
  return 0;
}

/* SCMP_ACT_NOTIFY: hand the listener fd to linux.seccomp.listenerPath in
   the runtime-spec's container process state message. */
int
process_send_seccomp_fd (const struct sbx_spec *spec, const char *id, pid_t pid, const char *bundle,
                         const char *rootfs, int fd, sbx_error_t *err)
{
  const struct spec_seccomp *sc = spec->linux_->seccomp;
  struct container_state st = { .id = (char *) id, .pid = pid, .bundle = (char *) bundle,
                                .rootfs = (char *) rootfs, .created = "",
                                .annotations = spec->annotations };
  _cleanup_free_ char *state = state_to_json (&st, STATUS_CREATING);
  _cleanup_fd_ int sock = -1;
  struct json_buf b = { 0 };
  int r;

  if (sc == NULL || sc->listener_path == NULL)
    return sbx_error_set (err, EINVAL, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
  if (state == NULL)
    return sbx_error_set (err, ENOMEM, "format state");
  sock = fdpass_connect (sc->listener_path, err);
  if (sock < 0)
    return sbx_error_wrap (err, "linux.seccomp.listenerPath");
  json_open (&b, '{');
  json_kv_str (&b, "ociVersion", SBX_OCI_VERSION);
  json_key (&b, "fds");
  json_raw (&b, "[\"seccompFd\"]");
  json_kv_int (&b, "pid", pid);
  json_kv_str (&b, "metadata", sc->listener_metadata ? sc->listener_metadata : "");
  json_key (&b, "state");
  json_raw (&b, state);
  json_close (&b, '}');
  r = b.failed ? sbx_error_set (err, ENOMEM, "format seccomp state")
               : fdpass_send (sock, fd, b.s, err);
  json_buf_free (&b);
  return r;
}

/* The first child forked the real init (joined userns + new pidns) and
   exited: reap it and track the init instead. */
static int
adopt_init (struct process_handle *h, const struct sync_frame *f, sbx_error_t *err)
{
  pid_t pid;
  int fd;

  if (f->len != sizeof pid)
    return sbx_error_set (err, EPROTO, "sync: bad CHILD_PID payload");
  memcpy (&pid, f->payload, sizeof pid);
  waitpid (h->pid, NULL, 0);
  fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return sbx_error_errno (err, "pidfd_open container init %d", pid);
  close (h->pidfd);
  h->pid = pid;
  h->pidfd = fd;
  return 0;
}

/* The maps are written: idmap what takes the container's with the init's
   own user namespace; the rootfs clone (*rootfs) goes to the init with
   SYNC_IDMAP_DONE. */
static int
idmap_late (const struct create_plan *c, pid_t pid, struct prepared *p, int *rootfs, sbx_error_t *err)
{
  const struct sbx_spec *spec = c->spec;
  char path[64];

  if (!p->late_idmap)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
  if (p->ctr_userns < 0 && (p->ctr_userns = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return sbx_error_errno (err, "open %s", path);
  if (idmap_bind_sources (spec, p->fds.mount_fds, &p->ctr_userns, IDMAP_CTR_MAPS, err) < 0)
    return -1;
  if (p->fds.rootfs_late
      && (*rootfs = idmap_open_rootfs (spec, c->rootfs, mounts_bind_propagation (spec->linux_->rootfs_propagation),
                                       &p->ctr_userns, err)) < 0)
    return -1;
  return 0;
}

/* lo up in PID's network namespace. Bringing it up is the kernel's
   longest step of a new one (about 40 us): done here, it runs beside the
   init's own work. */
static int
loopback_up_in (pid_t pid, sbx_error_t *err)
{
  char path[64];
  _cleanup_fd_ int fd = -1;

  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return sbx_error_errno (err, "open %s", path);
  return ns_loopback_up (fd, err);
}

static int
converse (const struct create_plan *c, struct process_handle *h,
          struct prepared *p, bool wait_go, bool new_userns, sbx_error_t *err)
{
  struct sync_frame f;
  _cleanup_fd_ int rootfs = -1;
  int r;

  if (new_userns && userns_write_maps (h->pid, c->spec, err) < 0)
    return -1;
  if (idmap_late (c, h->pid, p, &rootfs, err) < 0)
    return -1;
  /* The init waits (wait_go): the devices are there before it runs. */
  if (netdev_move_all (c->spec, h->pid, p->ns_fds[SPEC_NS_NETWORK], err) < 0)
    return -1;
  if (process_set_oom_score_adj (h->pid, c->spec->process, err) < 0)
    return -1;
  if (wait_go && sync_send (h->sync_fd, SYNC_IDMAP_DONE, NULL, 0, rootfs, err) < 0)
    return -1;
  /* while the init builds the root: it does not need lo, the program
     (after create returns) does */
  if (p->lo_up && loopback_up_in (h->pid, err) < 0)
    return -1;
  for (;;)
    {
      if (sync_recv (h->sync_fd, &f, err) < 0)
        return -1;
      switch (f.type)
        {
        case SYNC_READY:
          return 0;
        case SYNC_SECCOMP_FD:
          r = process_send_seccomp_fd (c->spec, c->id, h->pid, c->bundle, c->rootfs, f.fd, err);
          close (f.fd);
          if (r < 0)
            return -1;
          break;
        case SYNC_CHILD_PID:
          if (adopt_init (h, &f, err) < 0)
            return -1;
          break;
        case SYNC_HOOKS_REQUEST:
          if (run_runtime_hooks (c, h, err) < 0)
            return -1;
          break;
        case SYNC_PTY_MASTER:
          if (f.fd < 0)
            return sbx_error_set (err, EPROTO, "sync: pty message without an fd");
          if (p->console_fd >= 0 && fdpass_send (p->console_fd, f.fd, f.payload, err) < 0)
            {
              close (f.fd);
              return -1;
            }
          if (c->want_master && h->master_fd < 0)
            h->master_fd = f.fd;
          else
            close (f.fd);
          break;
        default:
          if (f.fd >= 0)
            close (f.fd);
          return sbx_error_set (err, EPROTO, "sync: unexpected %s", sync_msg_name (f.type));
        }
    }
}

int
process_spawn (const struct create_plan *c, struct process_handle *h, sbx_error_t *err)
{
  const struct sbx_spec *spec = c->spec;
  struct prepared p = { 0 };
  int sock[2] = { -1, -1 };
  int flags = ns_new_flags (spec);
  bool new_userns = (flags & CLONE_NEWUSER) != 0;
  bool host_devices = new_userns && geteuid () == 0;
  struct init_args a = { 0 };
  _cleanup_pid_ pid_t pid = -1;
  int pidfd = -1, r = -1, cwd = -1;

  h->pid = -1;
  h->pidfd = h->sync_fd = h->master_fd = -1;
  if (geteuid () == 0 && spec_linux_namespace (spec, SPEC_NS_USER) != NULL)
    host_devices = true;
  if (prepare (c, host_devices, new_userns, &p, err) < 0 || sync_socketpair (sock, err) < 0)
    goto out;
  if (p.ns_fds[SPEC_NS_USER] >= 0)
    {
      /* The new namespaces must belong to the joined user namespace. */
      a.unshare_flags = flags;
      flags = 0;
    }
  /* Root can enter the network namespace clone3 makes (not one the init
     unshares later, in a joined user namespace): lo goes up from here. */
  p.lo_up = a.lo_by_parent = geteuid () == 0 && (flags & CLONE_NEWNET) != 0;
  a.parent_root = geteuid () == 0;
  a.plan = c;
  a.fds = &p.fds;
  a.sync_fd = sock[1];
  a.fifo_fd = p.fifo_fd;
  memcpy (a.ns_fds, p.ns_fds, sizeof a.ns_fds);
  a.ns_fds[SPEC_NS_PID] = a.ns_fds[SPEC_NS_TIME] = -1; /* done here */
  a.new_userns = new_userns;
  a.wait_go = new_userns || c->cgroup_driver->place_after_clone || spec->linux_->n_net_devices > 0;
  {
    unsigned listen = hygiene_listen_fds ();
    a.keep_fds = c->preserve_fds > listen ? c->preserve_fds : listen;
  }
  a.env = p.env;
  a.caps = p.caps;
  a.seccomp = p.seccomp;
  a.policy_seccomp = p.policy_seccomp;
  a.hooks_request = hooks_any (spec->hooks, true);
  if (userns_chown_stdio (spec, spec->process, err) < 0)
    goto out;
  if (enter_for_children (spec, &p, err) < 0)
    {
      restore_for_children (&p);
      goto out;
    }
  if (stand_in_rootfs (c, &p, &cwd, err) < 0)
    {
      restore_for_children (&p);
      goto out;
    }
  pid = child_clone ((uint64_t) flags, p.cgroup_fd, &pidfd);
  if (pid < 0 && p.cgroup_fd >= 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL))
    {
      /* No CLONE_INTO_CGROUP: move the child before it may run code. */
      a.wait_go = true;
      pid = child_clone ((uint64_t) flags, -1, &pidfd);
      if (pid > 0 && cgroup_enter (c->cgroup_path, pid, err) < 0)
        {
          restore_for_children (&p);
          step_back (&cwd);
          goto out;
        }
    }
  if (pid == 0)
    init_main (&a);
  restore_for_children (&p);
  step_back (&cwd);
  if (pid < 0)
    {
      sbx_error_errno (err, "clone3 container init");
      pid = -1;
      goto out;
    }
  close (sock[1]);
  sock[1] = -1;
  h->pid = pid;
  h->pidfd = pidfd;
  h->sync_fd = sock[0];
  sock[0] = -1;
  if (cgroup_place (c, pid, &p, h, err) < 0)
    goto out;
  r = converse (c, h, &p, a.wait_go, new_userns, err);
  pid = h->pid; /* converse may have adopted a grandchild init */
  if (r < 0)
    goto out;
  h->start_time = proc_start_time (pid, NULL);
  pid = -1; /* handed off */
  r = 0;
out:
  if (r < 0)
    {
      if (h->master_fd >= 0)
        close (h->master_fd);
      if (h->sync_fd >= 0)
        close (h->sync_fd);
      if (pidfd >= 0)
        close (pidfd);
      h->pid = -1;
      h->pidfd = h->sync_fd = h->master_fd = -1;
    }
  if (sock[0] >= 0)
    close (sock[0]);
  if (sock[1] >= 0)
    close (sock[1]);
  prepared_free (&p, spec->n_mounts);
  return r;
}

int
process_release (struct process_handle *h, sbx_error_t *err)
{
  int r = sync_send (h->sync_fd, SYNC_READY_ACK, NULL, 0, -1, err);
  close (h->sync_fd);
  h->sync_fd = -1;
  return r;
}

void
process_handle_close (struct process_handle *h)
{
  if (h->pidfd >= 0)
    close (h->pidfd);
  if (h->sync_fd >= 0)
    close (h->sync_fd);
  if (h->master_fd >= 0)
    close (h->master_fd);
  h->pidfd = h->sync_fd = h->master_fd = -1;
}
