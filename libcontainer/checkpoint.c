/* checkpoint.c: `sbx checkpoint` (criu dump or pre-dump of a running
 * container) and the restore step that replaces the init's clone when
 * `sbx restore` builds a new container (container.c does the rest as for
 * create: state directory, cgroup claim, state.json, pid file). criu.c
 * runs criu and describes the container to it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "checkpoint.h"
#include "cleanup.h"
#include "container.h"
#include "criu-lazy.h"
#include "criu-tty.h"
#include "criu.h"
#include "fdpass.h"
#include "error.h"
#include "fsutil.h"
#include "hooks.h"
#include "log.h"
#include "process.h"
#include "state.h"

#define DEFAULT_IMAGES "checkpoint"
#define RESTORE_PIDFILE "restore.pid"

/* Make dir (one level, 0700) if missing; its absolute path. */
static char *
images_dir (const char *dir, sbx_error_t *err)
{
  char *abs;

  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    {
      sbx_error_errno (err, "create `%s`", dir);
      return NULL;
    }
  abs = realpath (dir, NULL);
  if (abs == NULL)
    sbx_error_errno (err, "`%s`", dir);
  return abs;
}

/* What neither dump nor restore can describe to criu, refused by name. */
static int
check_spec (const struct sbx_spec *spec, sbx_error_t *err)
{
  return criu_joined_ns (spec, err);
}

static void
common_flags (struct criu_argv *a, bool tcp, bool unix_sk, bool shell, bool locks, bool dedup,
              bool empty_net, const char *cg_mode)
{
  criu_argv_add (a, "--manage-cgroups=%s", cg_mode);
  if (tcp)
    criu_argv_add (a, "--tcp-established");
  if (unix_sk)
    criu_argv_add (a, "--ext-unix-sk");
  if (shell)
    criu_argv_add (a, "--shell-job");
  if (locks)
    criu_argv_add (a, "--file-locks");
  if (dedup)
    criu_argv_add (a, "--auto-dedup");
  if (empty_net)
    {
      criu_argv_add (a, "--empty-ns");
      criu_argv_add (a, "net");
    }
}

/* A network namespace joined by path: criu leaves it out of the images
   and takes the new container's from us on restore. */
static void
external_netns (struct criu_argv *a, const struct sbx_spec *spec, pid_t pid)
{
  const struct spec_namespace *ns = spec_linux_namespace (spec, SPEC_NS_NETWORK);
  char path[64];
  struct stat st;

  if (ns == NULL || ns->path == NULL)
    return;
  snprintf (path, sizeof path, "/proc/%d/ns/net", pid);
  if (stat (path, &st) == 0)
    {
      criu_argv_add (a, "--external");
      criu_argv_add (a, "net[%llu]:extRootNetNS", (unsigned long long) st.st_ino);
    }
}

static int
dump_args (struct criu_argv *a, const struct sbx_checkpoint_opts *o, const struct container_state *st,
           const struct sbx_spec *spec, const char *img, const char *work, int imgfd, sbx_error_t *err)
{
  const char *cg_mode;

  if (criu_cgroups_mode (o->criu.manage_cgroups_mode, &cg_mode, err) < 0)
    return -1;
  criu_argv_add (a, "criu");
  criu_argv_add (a, o->pre_dump ? "pre-dump" : "dump");
  criu_argv_add (a, "--tree=%d", st->pid);
  criu_argv_add (a, "--images-dir=%s", img);
  criu_argv_add (a, "--work-dir=%s", work);
  criu_argv_add (a, "--log-file=%s", o->pre_dump ? "pre-dump.log" : "dump.log");
  criu_argv_add (a, "-v4");
  common_flags (a, o->criu.tcp_established, o->criu.ext_unix_sk, o->criu.shell_job, o->criu.file_locks,
                o->criu.auto_dedup, o->criu.empty_ns_net, cg_mode);
  if (o->pre_dump || o->parent_path != NULL)
    criu_argv_add (a, "--track-mem");
  if (o->parent_path != NULL)
    criu_argv_add (a, "--prev-images-dir=%s", o->parent_path);
  if (o->leave_running && !o->pre_dump)
    criu_argv_add (a, "--leave-running");
  if (criu_lazy_dump_args (a, o, err) < 0)
    return -1;
  /* Freeze through the cgroup: every process stops at once, even one
     forked while criu walks the tree. */
  if (st->cgroup_path != NULL)
    criu_argv_add (a, "--freeze-cgroup=%s", st->cgroup_path);
  criu_external_mounts (a, spec, st->bundle, false);
  external_netns (a, spec, st->pid);
  if (criu_dump_mounts (a, spec, st->pid, err) < 0 || criu_dump_stdio (a, st->pid, imgfd, err) < 0)
    return -1;
  /* A pre-dump saves memory only: the terminal matters to the dump. */
  if (!o->pre_dump && criu_tty_dump (a, st->pid, imgfd, err) < 0)
    return -1;
  return 0;
}

int
sbx_container_checkpoint (struct sbx_context *ctx, const char *id, const struct sbx_checkpoint_opts *o,
                          sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = state_root_open (ctx->root, false, NULL);
  _cleanup_fd_ int dirfd = -1, imgfd = -1;
  _cleanup_free_ char *img = NULL, *work = NULL;
  struct container_state st = { 0 };
  struct criu_argv a = { 0 };
  struct sbx_spec *spec = NULL;
  enum container_status s;
  int r = -1;

  if (state_check_id (id, err) < 0)
    return -1;
  if (rootfd < 0)
    return sbx_error_set (err, ENOENT, "container \"%s\" does not exist", id);
  dirfd = state_dir_open (rootfd, id, err);
  if (dirfd < 0 || state_lock (dirfd, false, err) < 0 || state_read (dirfd, id, &st, err) < 0)
    return -1;
  s = state_status (dirfd, &st);
  if (s != STATUS_RUNNING && s != STATUS_PAUSED)
    {
      sbx_error_set (err, EINVAL, "cannot checkpoint container \"%s\": it is not running (status: %s)",
                     id, state_status_name (s));
      goto out;
    }
  spec = container_load_config (dirfd, err);
  if (spec == NULL || check_spec (spec, err) < 0)
    goto out;
  img = images_dir (o->criu.image_path ? o->criu.image_path : DEFAULT_IMAGES, err);
  work = img ? images_dir (o->criu.work_path ? o->criu.work_path : img, err) : NULL;
  if (work == NULL)
    goto out;
  imgfd = open (img, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (imgfd < 0)
    {
      sbx_error_errno (err, "open `%s`", img);
      goto out;
    }
  if (dump_args (&a, o, &st, spec, img, work, imgfd, err) < 0)
    goto out;
  {
    struct criu_run run = { .work_dir = work, .log_name = o->pre_dump ? "pre-dump.log" : "dump.log" };
    if (o->has_status_fd)
      {
        run.keep_fds = &o->status_fd;
        run.n_keep = 1;
      }
    r = criu_run (&a, &run, err);
  }
  if (r < 0)
    sbx_error_wrap (err, "checkpoint \"%s\"", id);
out:
  criu_argv_free (&a);
  if (spec != NULL)
    spec_free (spec);
  state_free (&st);
  if (r == 0 && !o->leave_running && !o->pre_dump)
    {
      /* criu killed the processes: the container is gone, as with runc. */
      close (dirfd);
      dirfd = -1;
      r = sbx_container_delete (ctx, id, true, err);
    }
  return r;
}

/* --- restore --- */

static int
restore_args (struct criu_argv *a, const struct create_plan *pc, const struct sbx_restore_opts *o,
              const char *img, const char *work, int imgfd, int netns_fd, int null_fds[3],
              sbx_error_t *err)
{
  const char *cg_mode;
  const char *v2 = cgroup_v2_root ();

  if (criu_cgroups_mode (o->criu.manage_cgroups_mode, &cg_mode, err) < 0)
    return -1;
  criu_argv_add (a, "criu");
  criu_argv_add (a, "restore");
  criu_argv_add (a, "--images-dir=%s", img);
  criu_argv_add (a, "--work-dir=%s", work);
  criu_argv_add (a, "--log-file=restore.log");
  /* Restore is on the request path (warm starts): criu's full log only
     with --debug; its errors are logged either way. */
  if (log_is_debug ())
    criu_argv_add (a, "-v4");
  criu_argv_add (a, "--pidfile=%s/%s", work, RESTORE_PIDFILE);
  criu_argv_add (a, "--root=%s", pc->rootfs);
  criu_argv_add (a, "--restore-detached");
  common_flags (a, o->criu.tcp_established, o->criu.ext_unix_sk, o->criu.shell_job, o->criu.file_locks,
                o->criu.auto_dedup, o->criu.empty_ns_net, cg_mode);
  /* The tree goes into the new container's cgroup, not the old one's. */
  if (pc->cgroup_path != NULL && v2 != NULL && strcmp (cg_mode, "ignore") != 0)
    criu_argv_add (a, "--cgroup-root=%s", pc->cgroup_path + strlen (v2));
  criu_external_mounts (a, pc->spec, pc->bundle, true);
  if (o->criu.lazy_pages && criu_lazy_restore_args (a, work, err) < 0)
    return -1;
  if (netns_fd >= 0)
    {
      criu_argv_add (a, "--inherit-fd");
      criu_argv_add (a, "fd[%d]:extRootNetNS", netns_fd);
    }
  return criu_restore_stdio (a, imgfd, null_fds, err);
}

/* With a new user namespace criu reads some images from inside it, as
   the container's root (a host uid without privilege there): let that
   root's host gid read them (dir 0750, files 0640; nobody else). */
static int
grant_userns (int imgfd, const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_namespace *user = spec_linux_namespace (spec, SPEC_NS_USER);
  const struct spec_id_mappings *g = &spec->linux_->gid_mappings;
  _cleanup_fd_ int fd = -1;
  DIR *d;
  struct dirent *e;
  gid_t gid = (gid_t) -1;

  if (user == NULL || user->path != NULL)
    return 0;
  for (size_t i = 0; i < g->n && gid == (gid_t) -1; i++)
    if (g->v[i].container_id == 0)
      gid = g->v[i].host_id;
  if (gid == (gid_t) -1)
    return 0;
  if (fchown (imgfd, -1, gid) < 0 || fchmod (imgfd, 0750) < 0)
    return sbx_error_errno (err, "give the container's root group access to the images");
  fd = dup (imgfd);
  d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    return sbx_error_errno (err, "read the images directory");
  fd = -1;
  while ((e = readdir (d)) != NULL)
    if (e->d_type == DT_REG
        && (fchownat (imgfd, e->d_name, -1, gid, AT_SYMLINK_NOFOLLOW) < 0
            || fchmodat (imgfd, e->d_name, 0640, 0) < 0))
      {
        sbx_error_errno (err, "images: give `%s` to the container's root group", e->d_name);
        closedir (d);
        return -1;
      }
  closedir (d);
  return 0;
}

static pid_t
read_pid (const char *work, sbx_error_t *err)
{
  _cleanup_fd_ int dfd = open (work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *buf = NULL;
  long pid;

  if (dfd < 0 || read_file_at (dfd, RESTORE_PIDFILE, &buf, NULL, 64, err) < 0)
    return sbx_error_wrap (err, "criu's pid file in `%s`", work);
  pid = strtol (buf, NULL, 10);
  if (pid <= 0 || pid > INT_MAX)
    return sbx_error_set (err, EINVAL, "criu's pid file in `%s`: `%s`", work, buf);
  unlinkat (dfd, RESTORE_PIDFILE, 0);
  return (pid_t) pid;
}

/* criu's refusals of the stdio sbx handed it, explained: the fd, and
   what would work. */
static void
stdio_hint (sbx_error_t *err, const struct sbx_spec *spec)
{
  static const char *const names[3] = { "stdin", "stdout", "stderr" };
  const struct spec_namespace *user = spec_linux_namespace (spec, SPEC_NS_USER);
  const char *m = err->msg, *p;
  int fd;

  /* "File fd/1 has bad size ...", "Can't open file fd/1: Permission denied" */
  if (m == NULL || (p = strcasestr (m, "file fd/")) == NULL || sscanf (p + 8, "%d", &fd) != 1
      || fd < 0 || fd > 2)
    return;
  if (strstr (m, "has bad size") != NULL)
    sbx_error_append (err, "%s: the checkpointed container's %s was a regular file not opened for "
                      "appending, and criu reopens the file given to restore only at the size that "
                      "one had: give that file, or run containers to be checkpointed with stdio "
                      "files opened for appending (`>>`), which restore onto any file",
                      names[fd], names[fd]);
  else if (strstr (m, "Permission denied") != NULL && user != NULL && user->path == NULL)
    sbx_error_append (err, "%s: with a user namespace criu reopens a file given as %s (through "
                      "/proc/self/fd) as the container's root, whose host uid must be allowed to "
                      "open it; a pipe is not reopened",
                      names[fd], names[fd]);
}

static void
close_fds3 (int (*fds)[3])
{
  for (size_t i = 0; i < 3; i++)
    if ((*fds)[i] >= 0)
      close ((*fds)[i]);
}

int
checkpoint_restore_spawn (const struct create_plan *pc, const struct sbx_restore_opts *o,
                          struct process_handle *h, sbx_error_t *err)
{
  const struct spec_namespace *net = spec_linux_namespace (pc->spec, SPEC_NS_NETWORK);
  _cleanup_fd_ int cgfd = -1, imgfd = -1, netns = -1;
  /* /dev/null for stdio (criu_restore_stdio) */
  __attribute__ ((cleanup (close_fds3))) int null_fds[3] = { -1, -1, -1 };
  int pass[5];
  _cleanup_free_ char *img = NULL, *work = NULL;
  struct criu_argv a = { 0 };
  struct criu_run run = { 0 };
  __attribute__ ((cleanup (criu_tty_close))) struct criu_tty tty = { .master = -1, .slave = -1 };
  _cleanup_fd_ int console = -1;
  pid_t pid;
  int r;

  h->pid = -1;
  h->pidfd = h->sync_fd = h->master_fd = -1;
  if (check_spec (pc->spec, err) < 0)
    return -1;
  /* They belong to building a process that criu brings back whole: rather
     than skip them, refuse (poststart and poststop do run). */
  if (hooks_any (pc->spec->hooks, true))
    return sbx_error_set (err, ENOTSUP, "hooks: prestart, createRuntime, createContainer and "
                          "startContainer hooks cannot run on restore");
  if (!o->create.detach && o->no_subreaper)
    return sbx_error_set (err, EINVAL, "--no-subreaper needs --detach: without it sbx could not "
                          "collect the restored process's exit status");
  img = images_dir (o->criu.image_path ? o->criu.image_path : DEFAULT_IMAGES, err);
  work = img ? images_dir (o->criu.work_path ? o->criu.work_path : img, err) : NULL;
  if (work == NULL)
    return -1;
  imgfd = open (img, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (imgfd < 0)
    return sbx_error_errno (err, "open `%s`", img);
  /* The limits hold before the first restored page is written. */
  if (process_cgroup_before (pc, &cgfd, err) < 0)
    return -1;
  if (net != NULL && net->path != NULL && (netns = open (net->path, O_RDONLY | O_CLOEXEC)) < 0)
    return sbx_error_errno (err, "linux.namespaces: network `%s`", net->path);
  if (criu_make_mountpoints (pc->spec, pc->bundle, pc->rootfs, err) < 0)
    return -1;
  if (restore_args (&a, pc, o, img, work, imgfd, netns, null_fds, err) < 0
      || criu_tty_restore (&a, imgfd, pc->spec->process, &tty, err) < 0)
    {
      criu_argv_free (&a);
      return -1;
    }
  /* Connected before criu runs, as create does: a socket nobody listens
     on fails the restore before anything is restored. */
  if (tty.master >= 0 && pc->console_socket != NULL
      && (console = fdpass_connect (pc->console_socket, err)) < 0)
    {
      criu_argv_free (&a);
      return -1;
    }
  for (size_t i = 0; i < 3; i++)
    if (null_fds[i] >= 0)
      pass[run.n_keep++] = null_fds[i];
  if (netns >= 0)
    pass[run.n_keep++] = netns;
  if (tty.slave >= 0)
    pass[run.n_keep++] = tty.slave;
  run.keep_fds = pass;
  run.cgroup_path = pc->cgroup_path;
  run.bind_root = pc->rootfs;
  run.root_readonly = pc->spec->root != NULL && pc->spec->root->readonly;
  run.work_dir = work;
  run.log_name = "restore.log";
  unlinkat (imgfd, RESTORE_PIDFILE, 0);
  if (grant_userns (imgfd, pc->spec, err) < 0)
    return -1;
  /* With --restore-detached criu's child (the init) is reparented to us:
     we can wait for it, and hand it to our own subreaper on exit. */
  if (!o->no_subreaper && prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    return sbx_error_errno (err, "become a subreaper");
  r = criu_run (&a, &run, err);
  criu_argv_free (&a);
  if (r < 0)
    {
      stdio_hint (err, pc->spec);
      return -1;
    }
  pid = read_pid (work, err);
  if (pid < 0)
    return -1;
  h->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (h->pidfd < 0)
    return sbx_error_errno (err, "pidfd_open restored init %d", pid);
  h->pid = pid;
  h->start_time = proc_start_time (pid, NULL);
  /* The restored process writes to the new slave: its master to the
     engine, with the pty's name, as create sends it. */
  if (console >= 0 && fdpass_send (console, tty.master, tty.name, err) < 0)
    return sbx_error_wrap (err, "--console-socket");
  return 0;
}
