/* criu.c: running the criu binary and describing a container to it. sbx
 * uses criu's command line rather than its swrk RPC (docs/design.md): no
 * protobuf-c in a static binary, and every option it needs exists there.
 * What the dump or restore asks for is checkpoint.c's business. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "criu.h"
#include "devices.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "mounts.h"

#define STDIO_FILE "sbx-stdio.json"
#define OUT_MAX 8192

void
criu_argv_add (struct criu_argv *a, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;

  if (a->failed)
    return;
  if (a->n + 2 > a->cap)
    {
      size_t cap = a->cap ? a->cap * 2 : 32;
      char **v = realloc (a->v, cap * sizeof *v);
      if (v == NULL)
        {
          a->failed = true;
          return;
        }
      a->v = v;
      a->cap = cap;
    }
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    s = NULL;
  va_end (ap);
  if (s == NULL)
    {
      a->failed = true;
      return;
    }
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

void
criu_argv_free (struct criu_argv *a)
{
  for (size_t i = 0; i < a->n; i++)
    free (a->v[i]);
  free (a->v);
  memset (a, 0, sizeof *a);
}

/* Run argv with stdout and stderr into *out (bounded); the exit status,
   or -1. Used for `criu check`. */
static int
capture (char *const argv[], char **out)
{
  int p[2], status;
  pid_t pid;
  size_t len = 0;
  char *buf = calloc (1, OUT_MAX + 1);

  *out = buf;
  if (buf == NULL || pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return -1;
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null >= 0)
        dup2 (null, 0);
      dup2 (p[1], 1);
      dup2 (p[1], 2);
      execvp (argv[0], argv);
      _exit (127);
    }
  close (p[1]);
  for (;;)
    {
      ssize_t n = read (p[0], buf + len, OUT_MAX - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
      if (len == OUT_MAX)
        {
          char sink[512];
          while (read (p[0], sink, sizeof sink) > 0)
            ;
          break;
        }
    }
  close (p[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
    buf[--len] = '\0';
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* The last `Error` lines of criu's log, joined by "; ". */
static char *
log_errors (const char *dir, const char *name)
{
  _cleanup_fd_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *log = NULL;
  const char *lines[6];
  size_t n = 0;
  char *line, *save = NULL, *out = NULL;
  size_t len = 0;

  if (dfd < 0 || read_file_at (dfd, name, &log, NULL, 64 << 20, NULL) < 0)
    return NULL;
  for (line = strtok_r (log, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (strstr (line, "Error (") != NULL)
      {
        if (n == 6)
          memmove (lines, lines + 1, 5 * sizeof *lines), n = 5;
        lines[n++] = line;
      }
  for (size_t i = 0; i < n; i++)
    len += strlen (lines[i]) + 2;
  if (n == 0 || (out = calloc (1, len + 1)) == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        strcat (out, "; ");
      strcat (out, lines[i]);
    }
  return out;
}

/* After a failure: does criu work on this kernel at all? */
static void
append_check (sbx_error_t *err)
{
  char *argv[] = { "criu", "check", NULL };
  _cleanup_free_ char *out = NULL;
  int r = capture (argv, &out);

  for (char *p = out; p && *p; p++)
    if (*p == '\n')
      *p = ' ';
  if (r != 0)
    sbx_error_append (err, "`criu check` fails on this host (exit %d), CRIU cannot work here: %s", r,
                      out ? out : "");
}

static void __attribute__ ((noreturn))
child (const struct criu_argv *a, const struct criu_run *r, int errfd)
{
  const char *what = "exec criu";

  if (r->cgroup_path != NULL)
    {
      _cleanup_fd_ int cg = open (r->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      what = "enter the container's cgroup";
      if (cg < 0 || write_file_at (cg, "cgroup.procs", "0", 1, NULL) < 0)
        goto fail;
    }
  if (r->bind_root != NULL)
    {
      what = "bind the rootfs in a private mount namespace";
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0
          || mount (r->bind_root, r->bind_root, NULL, MS_BIND | MS_REC, NULL) < 0)
        goto fail;
      /* criu keeps the flags of the root it is given, not the dumped
         ones: root.readonly must be set here. */
      if (r->root_readonly
          && mount (NULL, r->bind_root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        goto fail;
    }
  for (size_t i = 0; i < r->n_keep; i++)
    if (fcntl (r->keep_fds[i], F_SETFD, 0) < 0)
      goto fail;
  what = "exec criu";
  execvp ("criu", a->v);
fail:
  {
    char msg[256];
    int n = snprintf (msg, sizeof msg, "%s: %s", what, strerror (errno));
    if (write (errfd, msg, n) < 0)
      _exit (126);
  }
  _exit (errno == ENOENT && strcmp (what, "exec criu") == 0 ? 127 : 126);
}

int
criu_run (const struct criu_argv *a, const struct criu_run *r, sbx_error_t *err)
{
  int p[2], status;
  char msg[257] = "";
  ssize_t n;
  pid_t pid;
  _cleanup_free_ char *errors = NULL;

  if (a->failed)
    return sbx_error_set (err, ENOMEM, "criu command line");
  if (log_is_debug ())
    for (size_t i = 0; i < a->n; i++)
      log_debug ("criu argv[%zu]: %s", i, a->v[i]);
  if (pipe2 (p, O_CLOEXEC) < 0)
    return sbx_error_errno (err, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return sbx_error_errno (err, "fork criu");
    }
  if (pid == 0)
    child (a, r, p[1]);
  close (p[1]);
  n = read (p[0], msg, sizeof msg - 1);
  close (p[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return sbx_error_errno (err, "wait for criu");
  if (n > 0)
    {
      msg[n] = '\0';
      if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
        return sbx_error_set (err, ENOENT, "criu is not installed (no `criu` in PATH; Debian package criu)");
      return sbx_error_set (err, EIO, "criu %s: %s", a->v[1], msg);
    }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  errors = log_errors (r->work_dir, r->log_name);
  sbx_error_set (err, EIO, "criu %s failed (%s %d): %s (log: %s/%s)", a->v[1],
                 WIFEXITED (status) ? "exit" : "signal",
                 WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status),
                 errors ? errors : "no error lines in its log", r->work_dir, r->log_name);
  append_check (err);
  return -1;
}

/* --- what lies outside the container --- */

struct mnt
{
  int id;
  char *point, *fstype;
};

static void
mnts_free (struct mnt *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (m[i].point);
      free (m[i].fstype);
    }
  free (m);
}

/* /proc/PID/mountinfo: mount ids, points (relative to the init's root)
   and types. */
static struct mnt *
read_mounts (pid_t pid, size_t *n, sbx_error_t *err)
{
  char path[64];
  _cleanup_file_ FILE *f = NULL;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0, len = 0;
  struct mnt *m = NULL;

  *n = 0;
  snprintf (path, sizeof path, "/proc/%d/mountinfo", pid);
  f = fopen (path, "re");
  if (f == NULL)
    {
      sbx_error_errno (err, "open %s", path);
      return NULL;
    }
  while (getline (&line, &cap, f) > 0)
    {
      char point[4096], fstype[256];
      int id;
      const char *dash = strstr (line, " - ");
      struct mnt *nm;
      if (dash == NULL || sscanf (line, "%d %*d %*s %*s %4095s", &id, point) != 2
          || sscanf (dash + 3, "%255s", fstype) != 1)
        continue;
      nm = realloc (m, (len + 1) * sizeof *m);
      if (nm == NULL)
        break;
      m = nm;
      m[len].id = id;
      m[len].point = strdup (point);
      m[len].fstype = strdup (fstype);
      len++;
    }
  *n = len;
  if (m == NULL)
    sbx_error_set (err, EIO, "%s: no mounts", path);
  return m;
}

static const struct mnt *
find_point (const struct mnt *m, size_t n, const char *point)
{
  const struct mnt *found = NULL;

  /* The last one: what a later mount covered is not what the init sees. */
  for (size_t i = 0; i < n; i++)
    if (m[i].point && strcmp (m[i].point, point) == 0)
      found = &m[i];
  return found;
}

static char *
host_source (const struct spec_mount *m, const char *bundle)
{
  char *s = NULL;

  if (m->source == NULL)
    return NULL;
  if (m->source[0] == '/')
    return strdup (m->source);
  if (asprintf (&s, "%s/%s", bundle, m->source) < 0)
    return NULL;
  return s;
}

void
criu_external_mounts (struct criu_argv *a, const struct sbx_spec *spec, const char *bundle,
                      bool restore)
{
  const struct spec_linux *l = spec->linux_;
  struct dev_node *devs = NULL;
  size_t n_devs = 0;

  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      _cleanup_free_ char *src = NULL;
      if (!mount_is_bind (m))
        continue;
      if (!restore)
        {
          criu_argv_add (a, "--external");
          criu_argv_add (a, "mnt[%s]:%s", m->destination, m->destination);
          continue;
        }
      src = host_source (m, bundle);
      criu_argv_add (a, "--external");
      criu_argv_add (a, "mnt[%s]:%s", m->destination, src ? src : "");
    }
  /* Masked files are the host's /dev/null; device nodes in a user
     namespace are binds of the host's. On dump checkpoint.c adds them
     only where the init's mountinfo shows such a mount. */
  if (restore)
    {
      for (size_t i = 0; i < l->masked_paths.n; i++)
        {
          criu_argv_add (a, "--external");
          criu_argv_add (a, "mnt[%s]:/dev/null", l->masked_paths.v[i]);
        }
      if (devices_list (spec, &devs, &n_devs, NULL) == 0)
        for (size_t i = 0; i < n_devs; i++)
          {
            criu_argv_add (a, "--external");
            criu_argv_add (a, "mnt[%s]:%s", devs[i].path, devs[i].path);
          }
      free (devs);
    }
}

int
criu_make_mountpoints (const struct sbx_spec *spec, const char *bundle, const char *rootfs,
                       sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (rootfd < 0)
    return sbx_error_errno (err, "open rootfs `%s`", rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      _cleanup_free_ char *src = mount_is_bind (m) ? host_source (m, bundle) : NULL;
      _cleanup_fd_ int fd = -1;
      struct stat st;
      bool file = src != NULL && stat (src, &st) == 0 && !S_ISDIR (st.st_mode);
      fd = file ? mkfile_in_root (rootfd, m->destination, 0644, err)
                : mkdirall_in_root (rootfd, m->destination, 0755, err);
      if (fd < 0)
        return sbx_error_wrap (err, "mounts[%zu]: mount point `%s`", i, m->destination);
    }
  return 0;
}

/* Dump side of the masked files and host device binds. */
static int
dump_host_binds (struct criu_argv *a, const struct sbx_spec *spec, const struct mnt *m, size_t n)
{
  const struct spec_linux *l = spec->linux_;
  struct dev_node *devs = NULL;
  size_t n_devs = 0;

  for (size_t i = 0; i < l->masked_paths.n; i++)
    {
      const struct mnt *e = find_point (m, n, l->masked_paths.v[i]);
      /* A masked directory is an empty tmpfs: criu dumps that itself. */
      if (e != NULL && strcmp (e->fstype, "tmpfs") != 0)
        {
          criu_argv_add (a, "--external");
          criu_argv_add (a, "mnt[%s]:%s", e->point, e->point);
        }
    }
  if (devices_list (spec, &devs, &n_devs, NULL) < 0)
    return -1;
  for (size_t i = 0; i < n_devs; i++)
    if (find_point (m, n, devs[i].path) != NULL)
      {
        criu_argv_add (a, "--external");
        criu_argv_add (a, "mnt[%s]:%s", devs[i].path, devs[i].path);
      }
  free (devs);
  return 0;
}

static int
fd_mnt_id (pid_t pid, int fd)
{
  char path[64];
  _cleanup_file_ FILE *f = NULL;
  char line[256];
  int id = -1;

  snprintf (path, sizeof path, "/proc/%d/fdinfo/%d", pid, fd);
  f = fopen (path, "re");
  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "mnt_id: %d", &id) == 1)
      break;
  return id;
}

/* The init's fd is the host's /dev/null (the character device 1:3). */
static bool
is_dev_null (pid_t pid, int fd)
{
  char path[64];
  struct stat st;

  snprintf (path, sizeof path, "/proc/%d/fd/%d", pid, fd);
  return stat (path, &st) == 0 && S_ISCHR (st.st_mode) && major (st.st_rdev) == 1 && minor (st.st_rdev) == 3;
}

/* One stdio fd of the init: the key criu knows it by on restore, or NULL
   when it lies inside the container (nothing to inherit). */
static char *
stdio_key (struct criu_argv *a, pid_t pid, int fd, const struct mnt *m, size_t n)
{
  char path[64], link[4096];
  struct stat st;
  ssize_t len;
  int id;
  char *key = NULL;
  bool inside = false;

  snprintf (path, sizeof path, "/proc/%d/fd/%d", pid, fd);
  len = readlink (path, link, sizeof link - 1);
  if (len < 0 || stat (path, &st) < 0)
    return NULL;
  link[len] = '\0';
  /* A pty slave (process.terminal): criu-tty.c describes it. */
  if (S_ISCHR (st.st_mode) && major (st.st_rdev) >= 136 && major (st.st_rdev) < 144)
    return NULL;
  if (strncmp (link, "pipe:", 5) == 0)
    return strdup (link);
  if (strncmp (link, "socket:", 7) == 0)
    {
      criu_argv_add (a, "--external");
      criu_argv_add (a, "unix[%llu]", (unsigned long long) st.st_ino);
      return strdup (link);
    }
  if (link[0] != '/')
    return NULL;
  id = fd_mnt_id (pid, fd);
  for (size_t i = 0; i < n; i++)
    inside |= m[i].id == id;
  if (inside || id < 0)
    return NULL;
  if (asprintf (&key, "file[%x:%llx]", id, (unsigned long long) st.st_ino) < 0)
    return NULL;
  criu_argv_add (a, "--external");
  criu_argv_add (a, "%s", key);
  return key;
}

int
criu_dump_stdio (struct criu_argv *a, pid_t pid, int imgfd, sbx_error_t *err)
{
  struct json_buf b = { 0 };
  size_t n;
  struct mnt *m = read_mounts (pid, &n, err);
  int r;

  if (m == NULL)
    return -1;
  json_open (&b, '{');
  for (int fd = 0; fd < 3; fd++)
    {
      _cleanup_free_ char *key = stdio_key (a, pid, fd, m, n);
      char name[8];
      snprintf (name, sizeof name, "%d", fd);
      if (key == NULL)
        continue;
      json_kv_str (&b, name, key);
      /* restore may need to open it again itself (criu_restore_stdio) */
      if (is_dev_null (pid, fd))
        {
          snprintf (name, sizeof name, "null%d", fd);
          json_kv_str (&b, name, "yes");
        }
    }
  json_close (&b, '}');
  mnts_free (m, n);
  if (b.failed)
    return sbx_error_set (err, ENOMEM, "describe stdio");
  r = atomic_write_at (imgfd, STDIO_FILE, b.s, b.len, 0600, err);
  json_buf_free (&b);
  return r;
}

int
criu_dump_mounts (struct criu_argv *a, const struct sbx_spec *spec, pid_t pid, sbx_error_t *err)
{
  size_t n;
  struct mnt *m = read_mounts (pid, &n, err);
  int r;

  if (m == NULL)
    return -1;
  r = dump_host_binds (a, spec, m, n);
  mnts_free (m, n);
  if (r < 0)
    return sbx_error_set (err, EINVAL, "list the container's devices");
  return 0;
}

/* Whether criu can take fd as a file's replacement: it sets the dumped
   position on it, which a pipe or socket refuses (ESPIPE) and a closed fd
   cannot take. */
static bool
seekable (int fd)
{
  return lseek (fd, 0, SEEK_CUR) >= 0;
}

int
criu_restore_stdio (struct criu_argv *a, int imgfd, int null_fds[3], sbx_error_t *err)
{
  static const char *const names[3] = { "stdin", "stdout", "stderr" };
  _cleanup_free_ char *buf = NULL;
  struct spec_map m = { 0 };
  size_t len;
  int r = 0;

  for (int fd = 0; fd < 3; fd++)
    null_fds[fd] = -1;
  if (read_file_at (imgfd, STDIO_FILE, &buf, &len, 64 << 10, err) < 0)
    return sbx_error_wrap (err, "checkpoint images (not made by `sbx checkpoint`?)");
  if (json_parse_flat (buf, len, &m, err) < 0)
    return sbx_error_wrap (err, "%s", STDIO_FILE);
  for (int fd = 0; fd < 3 && r == 0; fd++)
    {
      char name[8];
      const char *key, *null;
      int use = fd;

      snprintf (name, sizeof name, "%d", fd);
      key = json_map_get (&m, name);
      if (key == NULL)
        continue;
      snprintf (name, sizeof name, "null%d", fd);
      null = json_map_get (&m, name);
      /* A host file (not a pipe or socket): criu puts the caller's fd in
         its place when it can position it. An engine gives pipes (the
         containerd shim a stdin pipe where the task had /dev/null): the
         host's /dev/null is opened again, as criu would have reopened it
         for runc; any other file cannot be stood in for by a pipe. */
      if (strncmp (key, "file[", 5) == 0 && !seekable (fd))
        {
          if (null == NULL)
            {
              r = sbx_error_set (err, EINVAL,
                                 "%s: the checkpointed container had a host file there (%s); restore's "
                                 "%s is a pipe, socket or closed, which criu cannot put in a file's "
                                 "place: give restore a file as %s (opened for appending)",
                                 names[fd], key, names[fd], names[fd]);
              break;
            }
          null_fds[fd] = open ("/dev/null", O_RDWR | O_CLOEXEC);
          if (null_fds[fd] < 0)
            {
              r = sbx_error_errno (err, "%s: open /dev/null", names[fd]);
              break;
            }
          use = null_fds[fd];
        }
      criu_argv_add (a, "--inherit-fd");
      criu_argv_add (a, "fd[%d]:%s", use, key);
    }
  json_map_free (&m);
  if (r < 0)
    for (int fd = 0; fd < 3; fd++)
      if (null_fds[fd] >= 0)
        {
          close (null_fds[fd]);
          null_fds[fd] = -1;
        }
  return r;
}

int
criu_joined_ns (const struct sbx_spec *spec, sbx_error_t *err)
{
  static const char *const names[SPEC_NS_COUNT] = { "pid", "network", "mount", "ipc", "uts",
                                                    "user", "cgroup", "time" };

  for (int t = 0; t < SPEC_NS_COUNT; t++)
    {
      const struct spec_namespace *ns = spec_linux_namespace (spec, t);
      if (t != SPEC_NS_NETWORK && ns != NULL && ns->path != NULL)
        return sbx_error_set (err, ENOTSUP,
                              "linux.namespaces: checkpoint/restore of a container that joins a %s "
                              "namespace (`%s`) is not supported: only a joined network namespace "
                              "can be handed to criu",
                              names[t], ns->path);
    }
  return 0;
}

int
criu_cgroups_mode (const char *mode, const char **out, sbx_error_t *err)
{
  static const char *const ok[] = { "soft", "full", "strict", "ignore" };

  if (mode == NULL || mode[0] == '\0')
    {
      *out = "soft";
      return 0;
    }
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (strcmp (mode, ok[i]) == 0)
      {
        *out = ok[i];
        return 0;
      }
  return sbx_error_set (err, EINVAL, "--manage-cgroups-mode: `%s` is not soft, full, strict or ignore", mode);
}

int
criu_check_feature (const char *feature, char **out)
{
  char *argv[] = { "criu", "check", "--feature", (char *) feature, NULL };

  *out = NULL;
  return capture (argv, out);
}
