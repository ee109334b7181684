/* cgroup.c: finds the v2 hierarchy, resolves cgroupsPath, creates and
 * removes the container's cgroup. sbx does not manage v1 controllers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "log.h"
#include "fsutil.h"

const char *
cgroup_v2_root (void)
{
  static int probed = 0;
  static const char *root = NULL;
  struct statfs sfs;

  if (probed)
    return root;
  probed = 1;
  if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    root = "/sys/fs/cgroup";
  else if (statfs ("/sys/fs/cgroup/unified", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    root = "/sys/fs/cgroup/unified";
  return root;
}

static bool
has_dotdot (const char *p)
{
  const char *s = p;
  while ((s = strstr (s, "..")) != NULL)
    {
      bool start = (s == p || s[-1] == '/');
      bool end = (s[2] == '\0' || s[2] == '/');
      if (start && end)
        return true;
      s += 2;
    }
  return false;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", as systemd nests. */
static int
expand_slice (const char *slice, char *out, size_t len)
{
  size_t n = strlen (slice), pos = 0;
  const char *dash;

  if (n < 6 || strcmp (slice + n - 6, ".slice") != 0 || strchr (slice, '/'))
    return -1;
  if (strcmp (slice, "-.slice") == 0)
    {
      out[0] = '\0';
      return 0;
    }
  for (dash = slice;; dash++)
    {
      dash = strchr (dash, '-');
      if (dash == NULL)
        break;
      pos += snprintf (out + pos, len > pos ? len - pos : 0, "/%.*s.slice", (int) (dash - slice), slice);
    }
  pos += snprintf (out + pos, len > pos ? len - pos : 0, "/%s", slice);
  return pos < len ? 0 : -1;
}

char *
cgroup_resolve_path (const char *cgroups_path, const char *id, bool systemd,
                     const char *manager_cg, sbx_error_t *err)
{
  const char *root = cgroup_v2_root ();
  char rel[4096];
  char *out = NULL;

  if (root == NULL)
    {
      sbx_error_set (err, ENOENT, "no cgroup v2 hierarchy mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified");
      return NULL;
    }
  /* Absent with --systemd-cgroup: the unit sbx-ID.scope in system.slice. */
  if ((cgroups_path == NULL || cgroups_path[0] == '\0') && systemd)
    cgroups_path = manager_cg ? "user.slice:sbx:" : "system.slice:sbx:";
  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    snprintf (rel, sizeof rel, "/sbx/%s", id);
  else if (systemd || (cgroups_path[0] != '/' && strchr (cgroups_path, ':') != NULL))
    {
      /* slice:prefix:name -> /<slice path>/<prefix>-<name>.scope */
      char slice[1024] = "", prefix[1024] = "", name[1024] = "", sl[2048];
      const char *a = strchr (cgroups_path, ':'), *b = a ? strchr (a + 1, ':') : NULL;
      if (a == NULL || b == NULL || strchr (b + 1, ':') != NULL)
        {
          sbx_error_set (err, EINVAL, "linux.cgroupsPath: `%s`: expected slice:prefix:name with --systemd-cgroup", cgroups_path);
          return NULL;
        }
      snprintf (slice, sizeof slice, "%.*s", (int) (a - cgroups_path), cgroups_path);
      snprintf (prefix, sizeof prefix, "%.*s", (int) (b - a - 1), a + 1);
      snprintf (name, sizeof name, "%s", b + 1);
      if (slice[0] == '\0')
        strcpy (slice, manager_cg ? "user.slice" : "system.slice");
      if (expand_slice (slice, sl, sizeof sl) < 0 || strchr (prefix, '/') || strchr (name, '/'))
        {
          sbx_error_set (err, EINVAL, "linux.cgroupsPath: invalid systemd path `%s`", cgroups_path);
          return NULL;
        }
      if (name[0] == '\0')
        snprintf (name, sizeof name, "%s", id);
      if (strlen (name) > 6 && strcmp (name + strlen (name) - 6, ".slice") == 0)
        snprintf (rel, sizeof rel, "%s/%s", sl, name);
      else if (prefix[0])
        snprintf (rel, sizeof rel, "%s/%s-%s.scope", sl, prefix, name);
      else
        snprintf (rel, sizeof rel, "%s/%s.scope", sl, name);
    }
  else if (cgroups_path[0] == '/')
    snprintf (rel, sizeof rel, "%s", cgroups_path);
  else
    snprintf (rel, sizeof rel, "/sbx/%s", cgroups_path);
  if (has_dotdot (rel))
    {
      sbx_error_set (err, EINVAL, "linux.cgroupsPath: `%s` must not contain `..`", cgroups_path);
      return NULL;
    }
  while (strlen (rel) > 1 && rel[strlen (rel) - 1] == '/')
    rel[strlen (rel) - 1] = '\0';
  if (strcmp (rel, "/") == 0)
    {
      sbx_error_set (err, EINVAL, "linux.cgroupsPath: the root cgroup cannot hold a container");
      return NULL;
    }
  if (asprintf (&out, "%s%s%s", root, systemd && manager_cg ? manager_cg : "", rel) < 0)
    {
      sbx_error_errno (err, "asprintf");
      return NULL;
    }
  /* With systemd running, systemd makes this scope (cgroup-systemd.c);
     without, sbx makes the same directories itself, and says so. */
  if (systemd && access ("/run/systemd/system", F_OK) < 0)
    log_warn ("--systemd-cgroup: systemd is not running here (no /run/systemd/system): "
              "sbx creates the cgroup %s itself", out);
  return out;
}

int
cgroup_create (const char *path, sbx_error_t *err)
{
  const char *root = cgroup_v2_root ();
  char buf[4096];
  int fd;

  if (root == NULL || strncmp (path, root, strlen (root)) != 0)
    return sbx_error_set (err, EINVAL, "cgroup `%s` is outside the v2 hierarchy", path);
  if (snprintf (buf, sizeof buf, "%s", path) >= (int) sizeof buf)
    return sbx_error_set (err, ENAMETOOLONG, "cgroup path too long");
  for (char *p = buf + strlen (root) + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (buf, 0755) < 0 && errno != EEXIST)
          return sbx_error_errno (err, "create cgroup `%s`", buf);
        *p = '/';
      }
  if (mkdir (buf, 0755) < 0 && errno != EEXIST)
    return sbx_error_errno (err, "create cgroup `%s`", buf);
  fd = open (buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "open cgroup `%s`", buf);
  return fd;
}

int
cgroup_enter (const char *path, pid_t pid, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);

  if (fd < 0)
    return sbx_error_errno (err, "open cgroup `%s`", path);
  if (write_file_at (fd, "cgroup.procs", buf, n, err) < 0)
    return sbx_error_wrap (err, "move pid %d into cgroup `%s`", pid, path);
  return 0;
}

int
cgroup_signal_all (const char *path, int signo, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *procs = NULL;
  char *line, *save = NULL;

  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return sbx_error_errno (err, "open cgroup `%s`", path);
    }
  if (signo == SIGKILL && write_file_at (fd, "cgroup.kill", "1", 1, NULL) == 0)
    return 0;
  if (read_file_at (fd, "cgroup.procs", &procs, NULL, 16 << 20, err) < 0)
    return -1;
  for (line = strtok_r (procs, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      pid_t pid = (pid_t) strtol (line, NULL, 10);
      if (pid > 0 && kill (pid, signo) < 0 && errno != ESRCH)
        return sbx_error_errno (err, "kill %d", pid);
    }
  return 0;
}

/* Remove the cgroups below dirfd, deepest first. Best effort: whatever
   stays makes the caller's rmdir fail with EBUSY, and it retries. */
static void
remove_descendants (int dirfd, int depth)
{
  int fd = dup (dirfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *e;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_type != DT_DIR || strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      _cleanup_fd_ int child = openat (dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (child >= 0 && depth < 64)
        remove_descendants (child, depth + 1);
      unlinkat (dirfd, e->d_name, AT_REMOVEDIR);
    }
  closedir (d);
}

/* The container's cgroup and every cgroup made below it: a container that
   runs its own runtime (Docker in Docker) leaves its containers' parents,
   such as `docker`, behind; runc removes those too. */
int
cgroup_destroy (const char *path, sbx_error_t *err)
{
  struct timespec ts = { 0, 5 * 1000 * 1000 };

  for (int i = 0; i < 200; i++)
    {
      _cleanup_fd_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0)
        remove_descendants (fd, 0);
      if (rmdir (path) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        return sbx_error_errno (err, "remove cgroup `%s`", path);
      /* Processes linger: kill them, give the kernel a moment. */
      if (cgroup_signal_all (path, SIGKILL, err) < 0)
        return -1;
      nanosleep (&ts, NULL);
    }
  return sbx_error_set (err, EBUSY, "remove cgroup `%s`: still busy after 1 s", path);
}

bool
cgroup_is_frozen (const char *path)
{
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *v = NULL;

  if (fd < 0 || read_file_at (fd, "cgroup.freeze", &v, NULL, 64, NULL) < 0)
    return false;
  return v[0] == '1';
}
