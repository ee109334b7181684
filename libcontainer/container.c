/* container.c: the lifecycle behind each command: create, start, run,
 * state, kill, delete, list. It owns the state directory's life: made by
 * create under the container lock, removed whole by delete or when create
 * fails, so a failed command leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "checkpoint.h"
#include "cgroup-own.h"
#include "cgroup-driver.h"
#include "cleanup.h"
#include "container.h"
#include "container-open.h"
#include "error.h"
#include "foreground.h"
#include "fsutil.h"
#include "hooks.h"
#include "hygiene.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "process.h"
#include "recover.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include "validate.h"

struct bundle
{
  char *dir;      /* absolute */
  char *rootfs;   /* absolute */
  char *raw;      /* config.json as read, saved in the state directory */
  size_t raw_len;
  struct sbx_spec *spec;
};

static void
bundle_free (struct bundle *b)
{
  free (b->dir);
  free (b->rootfs);
  free (b->raw);
  if (b->spec)
    spec_free (b->spec);
  memset (b, 0, sizeof *b);
}

static int
bundle_load (const char *dir, struct bundle *b, sbx_error_t *err)
{
  _cleanup_free_ char *config = NULL, *root = NULL;
  _cleanup_fd_ int dirfd = -1;
  struct stat st;

  memset (b, 0, sizeof *b);
  b->dir = realpath (dir ? dir : ".", NULL);
  if (b->dir == NULL)
    return sbx_error_errno (err, "bundle `%s`", dir ? dir : ".");
  if (asprintf (&config, "%s/config.json", b->dir) < 0)
    return sbx_error_errno (err, "asprintf");
  dirfd = open (b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return sbx_error_errno (err, "bundle `%s`", b->dir);
  if (read_file_at (dirfd, "config.json", &b->raw, &b->raw_len, SPEC_MAX_SIZE, err) < 0)
    return sbx_error_wrap (err, "%s", b->dir);
  b->spec = spec_parse_cached (b->raw, b->raw_len, err);
  if (b->spec == NULL || validate_spec (b->spec, err) < 0)
    return sbx_error_wrap (err, "%s", config);
  if (b->spec->root->path[0] == '/')
    root = strdup (b->spec->root->path);
  else if (asprintf (&root, "%s/%s", b->dir, b->spec->root->path) < 0)
    root = NULL;
  if (root == NULL)
    return sbx_error_errno (err, "root.path");
  b->rootfs = realpath (root, NULL);
  if (b->rootfs == NULL)
    return sbx_error_errno (err, "root.path: rootfs `%s`", root);
  if (stat (b->rootfs, &st) < 0 || !S_ISDIR (st.st_mode))
    return sbx_error_set (err, ENOTDIR, "root.path: rootfs `%s` is not a directory", root);
  return 0;
}

int
container_write_pid_file (const char *path, pid_t pid, sbx_error_t *err)
{
  _cleanup_free_ char *copy = strdup (path);
  _cleanup_fd_ int dirfd = -1;
  char buf[32], *slash;
  int n = snprintf (buf, sizeof buf, "%d", pid);

  if (copy == NULL)
    return sbx_error_errno (err, "strdup");
  slash = strrchr (copy, '/');
  if (slash == NULL)
    dirfd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  else
    {
      *slash = '\0';
      dirfd = open (slash == copy ? "/" : copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (dirfd < 0)
    return sbx_error_errno (err, "pid file directory of `%s`", path);
  if (atomic_write_at (dirfd, slash ? slash + 1 : copy, buf, n, 0644, err) < 0)
    return sbx_error_wrap (err, "pid file `%s`", path);
  return 0;
}

/* A directory without state.json whose init or cgroup still lives: its
   state.json was removed, not a create interrupted. */
static bool
leftover_alive (int dirfd)
{
  struct owned o;
  bool alive;

  if (owned_read (dirfd, &o, NULL) < 0)
    return false;
  alive = owned_alive (&o);
  owned_free (&o);
  return alive;
}

/* Make <root>/<id>, or reclaim one a crashed create left without state. */
static int
make_state_dir (int rootfd, const char *id, sbx_error_t *err)
{
  for (int attempt = 0; attempt < 2; attempt++)
    {
      _cleanup_fd_ int fd = -1;
      if (mkdirat (rootfd, id, 0700) == 0)
        {
          fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
          if (fd < 0)
            return sbx_error_errno (err, "open state directory");
          if (state_lock (fd, true, err) < 0)
            return sbx_error_set (err, EEXIST, "container \"%s\" already exists", id);
          return take_fd (&fd);
        }
      if (errno != EEXIST)
        return sbx_error_errno (err, "create state directory for \"%s\"", id);
      fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0 || state_lock (fd, true, NULL) < 0
          || faccessat (fd, STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return sbx_error_set (err, EEXIST, "container \"%s\" already exists", id);
      if (leftover_alive (fd))
        return sbx_error_set (err, EEXIST, "container \"%s\" already exists (state unreadable, "
                              "processes alive: `delete --force` removes it)", id);
      log_debug ("removing leftovers of an interrupted create of \"%s\"", id);
      if (recover_remove (rootfd, fd, id, err) < 0)
        return -1;
    }
  return sbx_error_set (err, EEXIST, "container \"%s\" already exists", id);
}

struct created
{
  int rootfd;
  int dirfd;
  struct bundle b;
  struct container_state st;
  struct process_handle h;
  bool cg_made;   /* this create claimed st.cgroup_path (cgroup-own.c) */
};

static void
created_cleanup (struct created *c, const char *id, sbx_error_t *failed)
{
  /* FAILED: the error the create failed with. Remove what it made, and
     add to that error whatever could not be removed (style §3). */
  if (failed != NULL)
    {
      sbx_error_t e = { 0 };
      /* Only what this create made: a scope systemd refused to make may
         be someone else's unit. The init is dead: a cgroup claimed before
         the clone is empty, and only rmdir'ed (never a kill in a cgroup
         an engine named); one a manager made after it is let go. */
      if (c->st.cgroup_path && c->h.cgroup_placed
          && cgroup_driver_get (c->st.cgroup_driver)->destroy (c->st.cgroup_path, &e) < 0)
        sbx_error_append (failed, "%s", e.msg);
      else if (c->st.cgroup_path && !c->h.cgroup_placed && c->cg_made && rmdir (c->st.cgroup_path) < 0
               && errno != ENOENT)
        sbx_error_append (failed, "remove cgroup %s: %s", c->st.cgroup_path, strerror (errno));
      sbx_error_free (&e);
      if (c->rootfd >= 0 && rm_rf_at (c->rootfd, id, &e) < 0)
        sbx_error_append (failed, "remove the state of \"%s\": %s", id, e.msg);
      sbx_error_free (&e);
    }
  process_handle_close (&c->h);
  if (c->dirfd >= 0)
    close (c->dirfd);
  if (c->rootfd >= 0)
    close (c->rootfd);
  c->st.annotations.keys = NULL;
  c->st.annotations.values = NULL;
  c->st.annotations.n = 0;
  free (c->st.cgroup_path);
  free (c->st.created);
  c->st.cgroup_path = c->st.created = NULL;
  bundle_free (&c->b);
}

#define SAVED_CONFIG "config.json"

struct sbx_spec *
container_load_config (int dirfd, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len;

  if (read_file_at (dirfd, SAVED_CONFIG, &buf, &len, SPEC_MAX_SIZE, err) < 0)
    return NULL;
  return spec_parse_cached (buf, len, err);
}

/* The saved config when it has poststart/poststop hooks, else NULL: the
   state records whether, so start and delete parse nothing otherwise. */
static struct sbx_spec *
load_hooks (int dirfd, const struct container_state *st)
{
  sbx_error_t err = { 0 };
  struct sbx_spec *spec;

  if (st == NULL || !st->late_hooks)
    return NULL;
  spec = container_load_config (dirfd, &err);
  if (spec == NULL)
    {
      log_warn ("saved config: %s", err.msg);
      sbx_error_free (&err);
    }
  return spec;
}

static void
run_poststart (int dirfd, const struct container_state *st)
{
  struct sbx_spec *spec = load_hooks (dirfd, st);
  char *json;

  if (spec == NULL)
    return;
  json = state_to_json (st, STATUS_RUNNING);
  if (json != NULL && spec->hooks != NULL)
    hooks_run_warn (&spec->hooks->poststart, "poststart", json, st->bundle);
  free (json);
  spec_free (spec);
}

/* Record the cgroup before it exists, claim it, record its identity: a
   create killed at any point leaves an owned.json that says what to
   remove. systemd makes a scope only after the clone. */
static int
claim_cgroup (struct created *c, bool join, sbx_error_t *err)
{
  struct owned o = { .cgroup_path = c->st.cgroup_path, .driver = c->st.cgroup_driver };

  if (owned_write (c->dirfd, &o, err) < 0)
    return -1;
  if (c->st.cgroup_path == NULL)
    return 0;
  if (cgroup_driver_get (c->st.cgroup_driver)->claim (c->st.cgroup_path, join, &c->st.cgroup_ino, err) < 0)
    return -1;
  if (c->st.cgroup_ino == 0)
    return 0; /* made after the clone (record_init) */
  c->cg_made = true;
  o.cgroup_ino = c->st.cgroup_ino;
  return owned_write (c->dirfd, &o, err);
}

/* The init exists: add it (and a systemd scope's identity) to the record. */
static int
record_init (struct created *c, sbx_error_t *err)
{
  struct owned o = { .cgroup_path = c->st.cgroup_path, .driver = c->st.cgroup_driver,
                     .pid = c->h.pid, .start_time = c->h.start_time };

  if (c->st.cgroup_path != NULL && c->st.cgroup_ino == 0
      && cgroup_inode (c->st.cgroup_path, &c->st.cgroup_ino, err) < 0)
    return -1;
  o.cgroup_ino = c->st.cgroup_ino;
  return owned_write (c->dirfd, &o, err);
}

static void
spec_seccompp (struct spec_seccomp **s)
{
  spec_seccomp_free (*s);
}

static void
policyp (struct sbx_policy **p)
{
  policy_free (*p);
}

/* restore: NULL for create and run; otherwise criu makes the init. */
static int
create_common (struct sbx_context *ctx, const char *id, const struct sbx_create_opts *o,
               bool want_master, const struct sbx_restore_opts *restore, struct created *c,
               sbx_error_t *err)
{
  struct create_plan pc = { 0 };
  char now[64];
  const struct spec_namespace *pidns;
  __attribute__ ((cleanup (spec_seccompp))) struct spec_seccomp *pol_seccomp = NULL;
  __attribute__ ((cleanup (policyp))) struct sbx_policy *pol = NULL;

  memset (c, 0, sizeof *c);
  c->rootfd = c->dirfd = -1;
  c->h.pidfd = c->h.sync_fd = c->h.master_fd = -1;
  /* Before anything is opened: nothing the caller left open (an engine's
     socket, a directory fd) may follow us towards the container. */
  hygiene_close_inherited (o->preserve_fds, log_fd ());
  if (state_check_id (id, err) < 0 || bundle_load (o->bundle, &c->b, err) < 0)
    return -1;
  /* state.json holds both paths and must read back: refuse other bytes
     before anything exists, rather than fail to write the state. */
  if (!json_is_utf8 (c->b.dir) || !json_is_utf8 (c->b.rootfs))
    return sbx_error_set (err, EINVAL, "%s: the path is not valid UTF-8 (state.json must be)",
                          !json_is_utf8 (c->b.dir) ? "bundle" : "root.path");
  if (ctx->policy_path != NULL)
    {
      int r = (pol = policy_load (ctx->policy_path, err)) == NULL ? -1 : policy_check (pol, c->b.spec, c->b.dir, err);
      if (r == 0)
        r = policy_harden (pol, c->b.spec, err);
      if (r == 0) /* what the policy added must hold together too */
        r = validate_spec (c->b.spec, err);
      if (r == 0)
        r = policy_seccomp (pol, &pol_seccomp, err);
      if (r < 0)
        return -1;
    }
  if (c->b.spec->process->terminal && o->console_socket == NULL && !want_master)
    return sbx_error_set (err, EINVAL, "process.terminal is true: --console-socket is required");
  /* The pty would be proxied to a stdin that is no terminal: the program
     waits for input nobody can type (runc refuses it too). */
  if (c->b.spec->process->terminal && want_master && !isatty (STDIN_FILENO))
    return sbx_error_set (err, ENOTTY, "process.terminal is true but stdin is not a terminal: "
                          "use --console-socket, or set process.terminal to false");
  /* runc refuses it too: a socket nobody sends a pty to would hang the
     engine waiting on it. */
  if (!c->b.spec->process->terminal && o->console_socket != NULL)
    return sbx_error_set (err, EINVAL, "--console-socket given but process.terminal is false");
  c->rootfd = state_root_open (ctx->root, true, err);
  if (c->rootfd < 0)
    return -1;
  c->dirfd = make_state_dir (c->rootfd, id, err);
  if (c->dirfd < 0)
    {
      close (c->rootfd);
      c->rootfd = -1; /* not ours to remove */
      return -1;
    }
  if (container_make_ops_lock (c->dirfd, err) < 0)
    return -1;
  if (cgroup_driver_select (ctx->systemd_cgroup, c->b.spec->linux_->cgroups_path, id,
                            &c->st.cgroup_driver, &c->st.cgroup_path, err) < 0)
    return -1;
  if (claim_cgroup (c, c->b.spec->linux_->cgroups_path != NULL
                          && c->b.spec->linux_->cgroups_path[0] != '\0', err) < 0)
    return -1;
  /* the policy's id range is recorded against the state directory */
  if (policy_userns_apply (pol, c->b.spec, c->b.rootfs, c->dirfd, err) < 0)
    return -1;
  pc.spec = c->b.spec;
  pc.id = id;
  pc.bundle = c->b.dir;
  pc.rootfs = c->b.rootfs;
  pc.cgroup_path = c->st.cgroup_path;
  pc.cgroup_driver = cgroup_driver_get (c->st.cgroup_driver);
  pc.state_dirfd = c->dirfd;
  pc.console_socket = o->console_socket;
  pc.no_pivot = o->no_pivot;
  pc.no_new_keyring = o->no_new_keyring;
  pc.preserve_fds = o->preserve_fds;
  pc.want_master = want_master;
  pc.policy_seccomp = pol_seccomp;
  if ((restore != NULL ? checkpoint_restore_spawn (&pc, restore, &c->h, err)
                       : process_spawn (&pc, &c->h, err)) < 0
      || record_init (c, err) < 0 || policy_ns_started (pol, c->h.pid, err) < 0)
    return -1;
  log_now_rfc3339 (now, sizeof now);
  c->st.id = (char *) id;
  c->st.pid = c->h.pid;
  c->st.start_time = c->h.start_time;
  c->st.bundle = c->b.dir;
  c->st.rootfs = c->b.rootfs;
  c->st.created = strdup (now);
  c->st.owner = NULL;
  pidns = spec_linux_namespace (c->b.spec, SPEC_NS_PID);
  c->st.pid_ns_private = pidns != NULL && pidns->path == NULL;
  c->st.annotations = c->b.spec->annotations;
  c->st.late_hooks = hooks_any (c->b.spec->hooks, false);
  /* exec and the late hooks need the config: keep the bytes as read. */
  if (atomic_write_at (c->dirfd, SAVED_CONFIG, c->b.raw, c->b.raw_len, 0600, err) < 0
      || state_write (c->dirfd, &c->st, err) < 0)
    return -1;
  if (o->pid_file != NULL && container_write_pid_file (o->pid_file, c->h.pid, err) < 0)
    return -1;
  return 0;
}

/* Undo a failed create: the init is killed, its cgroup and state removed. */
static void
create_abort (struct created *c, const char *id, sbx_error_t *err)
{
  if (c->h.pidfd >= 0)
    {
      syscall (SYS_pidfd_send_signal, c->h.pidfd, SIGKILL, NULL, 0);
      waitpid (c->h.pid, NULL, 0);
    }
  struct stat st;
  bool known = c->dirfd >= 0 && fstat (c->dirfd, &st) == 0;
  _cleanup_free_ char *hint = NULL;

  if (c->b.spec != NULL && json_map_get (&c->b.spec->annotations, POLICY_USERNS_ANNOTATION) != NULL)
    hint = strdup (json_map_get (&c->b.spec->annotations, POLICY_USERNS_ANNOTATION));
  created_cleanup (c, id, err);
  if (known) /* the id range this create took, if any */
    policy_range_release (st.st_dev, st.st_ino, hint);
}

int
sbx_container_create (struct sbx_context *ctx, const char *id,
                      const struct sbx_create_opts *o, sbx_error_t *err)
{
  struct created c;

  if (create_common (ctx, id, o, false, NULL, &c, err) < 0 || process_release (&c.h, err) < 0)
    {
      create_abort (&c, id, err);
      return -1;
    }
  c.st.id = NULL;
  c.st.bundle = c.st.rootfs = NULL;
  created_cleanup (&c, id, NULL);
  return 0;
}

/* The init holds its end of exec.fifo (close-on-exec) until execve: the
   fifo losing its last reader (POLLERR on our write end) means the program
   runs, or the init died. Returning earlier let a `kill` right after
   `start` reach the init, which as pid 1 of its namespace drops it. Like
   runc, which reads its fifo to EOF. */
static void
wait_exec (int fifo)
{
  struct pollfd p = { fifo, 0, 0 };

  while (poll (&p, 1, -1) < 0 && errno == EINTR)
    ;
}

/* Release a created container's init: one byte into exec.fifo. The
   caller holds the life lock and has checked the status. */
static int
start_locked (int dirfd, const struct container_state *st, bool wait, sbx_error_t *err)
{
  _cleanup_fd_ int fifo = -1;

  fifo = openat (dirfd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fifo < 0)
    {
      if (errno == ENXIO)
        return sbx_error_set (err, ESRCH, "cannot start container \"%s\": its init process is gone", st->id);
      return sbx_error_errno (err, "open exec fifo of \"%s\"", st->id);
    }
  if (write (fifo, "0", 1) != 1 || unlinkat (dirfd, EXEC_FIFO, 0) < 0)
    return sbx_error_errno (err, "start container \"%s\"", st->id);
  if (wait)
    wait_exec (fifo);
  run_poststart (dirfd, st);
  return 0;
}

int
sbx_container_start (struct sbx_context *ctx, const char *id, sbx_error_t *err)
{
  struct container c;
  int r = container_open (ctx, id, CMD_START, &c, err);

  if (r == 0)
    r = start_locked (c.dirfd, &c.st, true, err);
  container_close (&c);
  return r;
}

static int
destroy (int rootfd, int dirfd, const char *id, const struct container_state *st, sbx_error_t *err)
{
  struct sbx_spec *hooks = load_hooks (dirfd, st);
  struct stat sd;
  bool known = fstat (dirfd, &sd) == 0;
  int r = 0;

  if (st != NULL && st->cgroup_path != NULL
      && cgroup_driver_get (st->cgroup_driver)->destroy (st->cgroup_path, err) < 0)
    r = -1;
  if (r == 0)
    r = rm_rf_at (rootfd, id, err);
  if (r == 0 && known) /* the container's id range, if the policy gave it one */
    policy_range_release (sd.st_dev, sd.st_ino,
                          st != NULL ? json_map_get (&st->annotations, POLICY_USERNS_ANNOTATION) : NULL);
  if (r == 0 && hooks != NULL && hooks->hooks != NULL && st != NULL)
    {
      _cleanup_free_ char *json = state_to_json (st, STATUS_STOPPED);
      if (json != NULL)
        hooks_run_warn (&hooks->hooks->poststop, "poststop", json, st->bundle);
    }
  if (hooks != NULL)
    spec_free (hooks);
  return r;
}

/* Kill the init (and, with a cgroup, everything in it); wait for it. */
static int
kill_and_wait (const struct container_state *st, sbx_error_t *err)
{
  _cleanup_fd_ int pidfd = state_pidfd (st, NULL);

  if (st->cgroup_path != NULL && cgroup_signal_all (st->cgroup_path, SIGKILL, err) < 0)
    return -1;
  if (pidfd < 0)
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    return sbx_error_errno (err, "kill container init %d", st->pid);
  {
    struct pollfd p = { pidfd, POLLIN, 0 };
    if (poll (&p, 1, 5000) == 0)
      return sbx_error_set (err, ETIMEDOUT, "container init %d did not die within 5 s", st->pid);
  }
  return 0;
}

/* state.json is missing (a crashed create, or removed) or unreadable:
   what survives says what to remove. Without --force only a container
   with nothing left alive goes. */
static int
delete_unreadable (int rootfd, int dirfd, const char *id, bool force, sbx_error_t *err)
{
  struct owned o;
  bool alive = false;

  if (err->errno_ != ENOENT && !force)
    return sbx_error_wrap (err, "cannot delete container \"%s\" (`delete --force` can)", id);
  if (!force && owned_read (dirfd, &o, NULL) == 0)
    {
      alive = owned_alive (&o);
      owned_free (&o);
    }
  if (alive)
    return sbx_error_set (err, EBUSY, "cannot delete container \"%s\": it is not stopped (status: unknown)", id);
  sbx_error_free (err);
  return recover_remove (rootfd, dirfd, id, err);
}

/* Act on the recorded cgroup only if it is still that one. Gone: nothing
   to do there. Another one: an error, or with --force a warning, and the
   rest of the container is removed without touching it. */
static int
own_cgroup (struct container_state *st, bool force, sbx_error_t *err)
{
  int r = cgroup_check_owned (st->cgroup_path, st->cgroup_ino, err);

  if (r < 0 && !force)
    return -1;
  if (r < 0)
    {
      log_warn ("%s", err->msg);
      sbx_error_free (err);
    }
  if (r <= 0)
    {
      free (st->cgroup_path);
      st->cgroup_path = NULL;
    }
  return 0;
}

int
sbx_container_delete (struct sbx_context *ctx, const char *id, bool force, sbx_error_t *err)
{
  struct container c;
  int r;

  if (state_check_id (id, err) < 0)
    return -1;
  if (force)
    recover_default_cgroup (id);
  r = container_open (ctx, id, force ? CMD_DELETE_FORCE : CMD_DELETE, &c, err);
  if (r < 0 && c.unreadable)
    r = delete_unreadable (c.rootfd, c.dirfd, id, force, err);
  else if (r < 0 && force && c.dirfd < 0 && err->errno_ == ENOENT)
    {
      sbx_error_free (err);
      r = 0;
    }
  else if (r == 0 && c.st.cgroup_path != NULL)
    r = own_cgroup (&c.st, force, err);
  if (r == 0 && c.have_state)
    r = kill_and_wait (&c.st, err);
  if (r == 0 && c.have_state)
    r = destroy (c.rootfd, c.dirfd, id, &c.st, err);
  container_close (&c);
  return r;
}

int
sbx_container_kill (struct sbx_context *ctx, const char *id, int signo, bool all, sbx_error_t *err)
{
  struct container c;
  _cleanup_fd_ int pidfd = -1;
  int r = container_open (ctx, id, all ? CMD_KILL_ALL : CMD_KILL, &c, err);

  if (r == 0 && all && c.st.cgroup_path != NULL)
    {
      r = cgroup_check_owned (c.st.cgroup_path, c.st.cgroup_ino, err);
      if (r > 0)
        r = cgroup_signal_all (c.st.cgroup_path, signo, err);
    }
  if (r == 0)
    {
      pidfd = state_pidfd (&c.st, NULL);
      if (pidfd < 0)
        r = all ? 0 : sbx_error_set (err, ESRCH, "container not running");
      else if (syscall (SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0)
        r = (errno == ESRCH && all) ? 0 : sbx_error_errno (err, "kill container \"%s\"", id);
    }
  container_close (&c);
  return r;
}

/* --- run: create, start, wait, delete, in one process --- */

int
sbx_container_run (struct sbx_context *ctx, const char *id, const struct sbx_create_opts *o,
                   sbx_error_t *err)
{
  struct created c;
  bool want_master = !o->detach && o->console_socket == NULL;
  int status;
  sbx_error_t derr = { 0 };

  if (create_common (ctx, id, o, want_master, NULL, &c, err) < 0)
    {
      create_abort (&c, id, err);
      return -1;
    }
  if (!o->detach)
    foreground_forward_signals (c.h.pidfd);
  /* With the pty proxied here, nothing reads it before foreground_wait:
     waiting for the exec could block on a startContainer hook that
     fills it. */
  if (process_release (&c.h, err) < 0
      || container_check_status (CMD_START, id, state_status (c.dirfd, &c.st), err) < 0
      || start_locked (c.dirfd, &c.st, c.h.master_fd < 0, err) < 0)
    {
      create_abort (&c, id, err);
      return -1;
    }
  if (o->detach)
    {
      c.st.id = NULL;
      c.st.bundle = c.st.rootfs = NULL;
      created_cleanup (&c, id, NULL);
      return 0;
    }
  status = foreground_wait (c.h.pid, c.h.pidfd, c.h.master_fd);
  if (!SBX_OPT (o, keep, false))
    {
      /* As delete does: no exec may be half-way in while it goes. */
      _cleanup_fd_ int opsfd = -1;
      if (container_lock_ops (c.dirfd, &opsfd, &derr) < 0
          || destroy (c.rootfd, c.dirfd, id, &c.st, &derr) < 0)
        log_warn ("delete container \"%s\" after run: %s", id, derr.msg);
    }
  sbx_error_free (&derr);
  c.st.id = NULL;
  c.st.bundle = c.st.rootfs = NULL;
  created_cleanup (&c, id, NULL);
  return status;
}

/* --- restore: create's steps, with criu restoring the init --- */

int
sbx_container_restore (struct sbx_context *ctx, const char *id, const struct sbx_restore_opts *o,
                       sbx_error_t *err)
{
  struct created c;
  int status;
  sbx_error_t derr = { 0 };

  if (create_common (ctx, id, &o->create, false, o, &c, err) < 0)
    {
      create_abort (&c, id, err);
      return -1;
    }
  run_poststart (c.dirfd, &c.st);
  if (!o->create.detach)
    {
      foreground_forward_signals (c.h.pidfd);
      _cleanup_fd_ int opsfd = -1;
      status = foreground_wait (c.h.pid, c.h.pidfd, -1);
      /* As delete does: no exec may be half-way in while it goes. */
      if (container_lock_ops (c.dirfd, &opsfd, &derr) < 0
          || destroy (c.rootfd, c.dirfd, id, &c.st, &derr) < 0)
        log_warn ("delete container \"%s\" after restore: %s", id, derr.msg);
      sbx_error_free (&derr);
    }
  else
    status = 0;
  c.st.id = NULL;
  c.st.bundle = c.st.rootfs = NULL;
  created_cleanup (&c, id, NULL);
  return status;
}
