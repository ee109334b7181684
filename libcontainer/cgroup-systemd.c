/* cgroup-systemd.c: --systemd-cgroup through systemd (see cgroup-systemd.h).
 *
 * The order at create: the init is cloned outside any container cgroup and
 * waits (it runs nothing of its own yet); systemd is asked for the scope
 * with PIDs=[init] and moves it there; sbx checks where the init landed,
 * writes the limits and the device program, and only then lets it go on.
 * Without systemd there is no scope to clone into, so CLONE_INTO_CGROUP is
 * not used in this mode.
 *
 * The helper is `sbx-systemd` next to the sbx binary (a build tree), else
 * in ../libexec/sbx/ from it (contrib/install.sh), else in SBX_LIBEXECDIR
 * (`make install`). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-systemd.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "log.h"

#ifndef SBX_LIBEXECDIR
#define SBX_LIBEXECDIR "/usr/libexec/sbx"
#endif
#define HELPER "sbx-systemd"

extern char **environ;

bool
cgroup_systemd_running (void)
{
  return access ("/run/systemd/system", F_OK) == 0;
}

static const struct
{
  const char *file;
  const char *prop;
} direct[] = {
  { "memory.max", "MemoryMax" },   { "memory.high", "MemoryHigh" },
  { "memory.low", "MemoryLow" },   { "memory.min", "MemoryMin" },
  { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
  { "cpu.weight", "CPUWeight" },   { "cpuset.cpus", "AllowedCPUs" },
  { "cpuset.mems", "AllowedMemoryNodes" },
};

static int
push (char **v, size_t *n, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
static int
push (char **v, size_t *n, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&v[*n], fmt, ap);
  va_end (ap);
  if (r < 0)
    {
      v[*n] = NULL;
      return -1;
    }
  (*n)++;
  return 0;
}

/* cpu.max "QUOTA PERIOD" (at create a lone QUOTA keeps the period 100000
   and "\1 PERIOD" the quota "max", as in a new cgroup) -> two properties. */
static int
push_cpu_max (char **v, size_t *n, const char *val)
{
  char quota[32] = "max";
  unsigned long long period = 100000;

  if (val[0] == '\x01')
    period = strtoull (val + 1, NULL, 10);
  else if (sscanf (val, "%31s %llu", quota, &period) < 1)
    return 0;
  if (period == 0)
    return 0;
  if (strcmp (quota, "max") == 0)
    {
      if (push (v, n, "CPUQuotaPerSecUSec=infinity") < 0)
        return -1;
    }
  else if (push (v, n, "CPUQuotaPerSecUSec=%llu",
                 (strtoull (quota, NULL, 10) * 1000000ULL + period - 1) / period) < 0)
    return -1;
  return push (v, n, "CPUQuotaPeriodUSec=%llu", period);
}

static int
push_one (char **v, size_t *n, const char *file, const char *val)
{
  unsigned long long w;

  if (strcmp (file, "cpu.max") == 0)
    return push_cpu_max (v, n, val);
  if (strcmp (file, "io.weight") == 0)
    {
      /* "default N" (the first line) or a bare "N"; per-device weights
         ("MAJ:MIN N") stay sbx's. */
      if (sscanf (val, "default %llu", &w) == 1
          || (strchr (val, ':') == NULL && sscanf (val, "%llu", &w) == 1))
        return push (v, n, "IOWeight=%llu", w);
      return 0;
    }
  for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++)
    if (strcmp (direct[i].file, file) == 0)
      {
        size_t len = strcspn (val, "\n");
        if (len == 0)
          return 0;
        if (strncmp (val, "max", len) == 0 && len == 3)
          return push (v, n, "%s=infinity", direct[i].prop);
        return push (v, n, "%s=%.*s", direct[i].prop, (int) len, val);
      }
  return 0;
}

char **
cgroup_systemd_props (const struct cg_plan *plan, size_t *n)
{
  /* at most two properties per write */
  char **v = calloc (2 * plan->n + 1, sizeof *v);

  *n = 0;
  if (v == NULL)
    return NULL;
  for (size_t i = 0; i < plan->n; i++)
    if (push_one (v, n, plan->v[i].file, plan->v[i].value) < 0)
      {
        cgroup_systemd_props_free (v);
        return NULL;
      }
  return v;
}

void
cgroup_systemd_props_free (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

/* sbx-systemd beside this binary (the directory selfexe.c recorded before
   any re-exec), in ../libexec/sbx from it, else the configured one. */
static int
helper_path (char *buf, size_t len, sbx_error_t *err)
{
  const char *dir = sbx_self_dir ();

  if (dir != NULL && (size_t) snprintf (buf, len, "%s/" HELPER, dir) < len && access (buf, X_OK) == 0)
    return 0;
  if (dir != NULL && (size_t) snprintf (buf, len, "%s/../libexec/sbx/" HELPER, dir) < len
      && access (buf, X_OK) == 0)
    return 0;
  snprintf (buf, len, SBX_LIBEXECDIR "/" HELPER);
  if (access (buf, X_OK) == 0)
    return 0;
  return sbx_error_set (err, ENOENT, "--systemd-cgroup: systemd is running here, but its helper %s is "
                        "not installed (sbx was built without libsystemd? configure found no libsystemd-dev)",
                        buf);
}

/* Run the helper with args; its stderr line becomes the error, and on
   success its first output line goes to out (when given). */
static int
run_helper (char **args, char *out, size_t outlen, sbx_error_t *err)
{
  char path[PATH_MAX], msg[1024];
  size_t got = 0;
  int pipefd[2], status;
  pid_t pid;
  ssize_t r;

  if (helper_path (path, sizeof path, err) < 0)
    return -1;
  args[0] = path;
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return sbx_error_errno (err, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return sbx_error_errno (err, "fork %s", path);
    }
  if (pid == 0)
    {
      dup2 (pipefd[1], STDERR_FILENO);
      dup2 (pipefd[1], STDOUT_FILENO);
      close_range (3, ~0U, 0);
      execve (path, args, environ);
      dprintf (STDERR_FILENO, "exec %s: %s", path, strerror (errno));
      _exit (127);
    }
  close (pipefd[1]);
  while (got < sizeof msg - 1 && (r = read (pipefd[0], msg + got, sizeof msg - 1 - got)) != 0)
    if (r > 0)
      got += (size_t) r;
    else if (errno != EINTR)
      break;
  msg[got] = '\0';
  close (pipefd[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return sbx_error_errno (err, "wait for %s", path);
  msg[strcspn (msg, "\n")] = '\0';
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    {
      if (out != NULL)
        snprintf (out, outlen, "%s", msg);
      return 0;
    }
  return sbx_error_set (err, EIO, "%s", msg[0] ? msg : "sbx-systemd failed");
}

/* "/sys/fs/cgroup/a.slice/a-b.slice/p-n.scope" -> "a-b.slice", "p-n.scope" */
static int
split_unit (const char *path, char *slice, char *unit, size_t len, sbx_error_t *err)
{
  const char *u = strrchr (path, '/'), *s;

  if (u == NULL || strlen (u + 1) < 7 || strcmp (u + strlen (u) - 6, ".scope") != 0)
    return sbx_error_set (err, EINVAL, "linux.cgroupsPath: `%s` is not a scope: with systemd, name the container "
                          "slice:prefix:name (a name ending in .slice is not supported)", path);
  snprintf (unit, len, "%s", u + 1);
  /* the parent directory names the slice; the v2 root is "-.slice" */
  for (s = u; s > path && s[-1] != '/'; s--)
    ;
  if (u - s > 6 && (size_t) (u - s) < len && strncmp (u - 6, ".slice", 6) == 0)
    snprintf (slice, len, "%.*s", (int) (u - s), s);
  else
    snprintf (slice, len, "-.slice");
  return 0;
}

static bool
has_prop (char **v, size_t n, const char *prefix)
{
  for (size_t i = 0; i < n; i++)
    if (strncmp (v[i], prefix, strlen (prefix)) == 0)
      return true;
  return false;
}

int
cgroup_systemd_start (const char *cgroup_path, const char *id, pid_t pid,
                      const struct cg_plan *plan, sbx_error_t *err)
{
  static const char *fixed[] = { "Delegate=yes", "DefaultDependencies=no", "MemoryAccounting=yes",
                                 "CPUAccounting=yes", "IOAccounting=yes", "TasksAccounting=yes" };
  const size_t nfixed = sizeof fixed / sizeof fixed[0];
  char slice[256], unit[256], pidbuf[32];
  _cleanup_free_ char *slice_prop = NULL, *desc = NULL;
  _cleanup_free_ char **args = NULL;
  char **props = NULL;
  size_t n = 0, a = 0;
  int ret;

  if (split_unit (cgroup_path, slice, unit, sizeof slice, err) < 0)
    return -1;
  props = cgroup_systemd_props (plan, &n);
  args = calloc (n + nfixed + 8, sizeof *args);
  if (props == NULL || args == NULL || asprintf (&slice_prop, "Slice=%s", slice) < 0
      || asprintf (&desc, "Description=sbx container %s", id) < 0)
    {
      cgroup_systemd_props_free (props);
      return sbx_error_errno (err, "allocate systemd properties");
    }
  snprintf (pidbuf, sizeof pidbuf, "%d", pid);
  args[a++] = NULL; /* the helper's path */
  args[a++] = (char *) "start";
  args[a++] = unit;
  args[a++] = pidbuf;
  args[a++] = slice_prop;
  args[a++] = desc;
  for (size_t i = 0; i < nfixed; i++)
    args[a++] = (char *) fixed[i];
  /* No pids limit in the config means none: not systemd's DefaultTasksMax,
     which it would otherwise give every scope with TasksAccounting. */
  if (!has_prop (props, n, "TasksMax="))
    args[a++] = (char *) "TasksMax=infinity";
  for (size_t i = 0; i < n; i++)
    args[a++] = props[i];
  log_debug ("systemd: start %s in %s for pid %d (%zu limits as properties)", unit, slice, pid, n);
  ret = run_helper (args, NULL, 0, err);
  cgroup_systemd_props_free (props);
  return ret;
}

int
cgroup_systemd_update (const char *cgroup_path, const struct cg_plan *plan, sbx_error_t *err)
{
  char slice[256], unit[256];
  _cleanup_fd_ int cgfd = open (cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char **args = NULL;
  struct cg_plan now = { 0 };
  char **props;
  size_t n = 0;
  int ret = 0;

  if (split_unit (cgroup_path, slice, unit, sizeof slice, err) < 0)
    return -1;
  if (cgfd < 0)
    return sbx_error_errno (err, "open cgroup `%s`", cgroup_path);
  /* What the files hold now: an update may give a part (a new period
     alone), and systemd needs the whole value. */
  now.v = calloc (plan->n + 1, sizeof *now.v);
  if (now.v == NULL)
    return sbx_error_errno (err, "calloc");
  for (size_t i = 0; i < plan->n; i++)
    {
      _cleanup_free_ char *cur = NULL;
      if (read_file_at (cgfd, plan->v[i].file, &cur, NULL, sizeof now.v[0].value - 1, NULL) < 0)
        continue;
      snprintf (now.v[now.n].file, sizeof now.v[0].file, "%s", plan->v[i].file);
      snprintf (now.v[now.n].value, sizeof now.v[0].value, "%s", cur);
      now.n++;
    }
  props = cgroup_systemd_props (&now, &n);
  free (now.v);
  if (props == NULL)
    return sbx_error_errno (err, "allocate systemd properties");
  if (n > 0)
    {
      args = calloc (n + 4, sizeof *args);
      if (args == NULL)
        ret = sbx_error_errno (err, "calloc");
      else
        {
          args[1] = (char *) "set";
          args[2] = unit;
          memcpy (args + 3, props, n * sizeof *props);
          ret = run_helper (args, NULL, 0, err);
        }
    }
  cgroup_systemd_props_free (props);
  return ret;
}

int
cgroup_systemd_stop (const char *cgroup_path, sbx_error_t *err)
{
  char slice[256], unit[256];
  char *args[4] = { NULL, (char *) "stop", unit, NULL };

  if (split_unit (cgroup_path, slice, unit, sizeof slice, err) < 0)
    return -1;
  return run_helper (args, NULL, 0, err);
}

char *
cgroup_systemd_user_root (sbx_error_t *err)
{
  char *args[3] = { NULL, (char *) "root", NULL };
  char root[1024];
  char *out;

  if (run_helper (args, root, sizeof root, err) < 0)
    return NULL;
  if (root[0] != '/' || strstr (root, "/..") != NULL)
    {
      sbx_error_set (err, EIO, "systemd's user manager gave `%s` as its cgroup", root);
      return NULL;
    }
  out = strdup (strcmp (root, "/") == 0 ? "" : root);
  if (out == NULL)
    sbx_error_errno (err, "strdup");
  return out;
}
