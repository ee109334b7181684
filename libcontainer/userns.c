/* userns.c: id maps and user namespaces made for them. The parent writes
 * a container's maps (the child cannot map ids it does not own): root
 * directly; an unprivileged caller directly when it maps only its own id,
 * else through newuidmap/newgidmap (Debian `uidmap`), which check the
 * ranges against /etc/subuid and /etc/subgid. userns_open_with_maps makes
 * a user namespace that exists only to carry a mapping, for idmapped
 * mounts (mount_setattr MOUNT_ATTR_IDMAP takes a user namespace fd). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "child.h"
#include "userns.h"

int
userns_format_map (const struct spec_id_mappings *m, char *buf, size_t len,
                   sbx_error_t *err)
{
  size_t pos = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < m->n; i++)
    {
      const struct spec_id_mapping *e = &m->v[i];
      int n;
      if (e->size == 0
          || (uint64_t) e->container_id + e->size > UINT32_MAX + 1ULL
          || (uint64_t) e->host_id + e->size > UINT32_MAX + 1ULL)
        return sbx_error_set (err, EINVAL, "id mapping %zu (%u %u %u): empty or past 2^32",
                              i, e->container_id, e->host_id, e->size);
      n = snprintf (buf + pos, len - pos, "%u %u %u\n", e->container_id, e->host_id, e->size);
      if (n < 0 || (size_t) n >= len - pos)
        return sbx_error_set (err, E2BIG, "id mappings: too many entries");
      pos += n;
    }
  return 0;
}

/* Only the caller's own id, once: what an unprivileged process may write
   itself. */
static bool
is_own_id_only (const struct spec_id_mappings *m, uint32_t own)
{
  return m->n == 1 && m->v[0].size == 1 && m->v[0].host_id == own;
}

/* newuidmap PID C H S [C H S ...]: the setuid helper writes the map after
   checking each range against /etc/subuid (newgidmap: /etc/subgid). */
static int
run_newidmap (const char *tool, pid_t pid, const struct spec_id_mappings *m, sbx_error_t *err)
{
  char **argv = calloc (3 + 3 * m->n, sizeof *argv);
  char buf[64];
  int status = 0;
  pid_t child;

  if (argv == NULL)
    return sbx_error_errno (err, "calloc");
  argv[0] = (char *) tool;
  snprintf (buf, sizeof buf, "%d", pid);
  argv[1] = strdup (buf);
  for (size_t i = 0; i < m->n; i++)
    for (int k = 0; k < 3; k++)
      {
        uint32_t v = k == 0 ? m->v[i].container_id : k == 1 ? m->v[i].host_id : m->v[i].size;
        snprintf (buf, sizeof buf, "%u", v);
        argv[2 + 3 * i + k] = strdup (buf);
      }
  child = fork ();
  if (child == 0)
    {
      /* Its stderr is the caller's: the helper says which range it refused. */
      execvp (tool, argv);
      _exit (127);
    }
  for (size_t i = 1; argv[i] != NULL; i++)
    free (argv[i]);
  free (argv);
  if (child < 0)
    return sbx_error_errno (err, "fork %s", tool);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return sbx_error_set (err, ENOENT, "%s not found: mapping more than your own id needs it (Debian package uidmap)", tool);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return sbx_error_set (err, EPERM, "%s refused the mapping: is every range yours in /etc/sub%cid?",
                          tool, tool[3] == 'u' ? 'u' : 'g');
  return 0;
}

static int
write_map (int procfd, pid_t pid, const char *file, const struct spec_id_mappings *m,
           uint32_t own, sbx_error_t *err)
{
  char map[4096];

  if (userns_format_map (m, map, sizeof map, err) < 0)
    return -1;
  if (geteuid () != 0 && !is_own_id_only (m, own))
    return run_newidmap (file[0] == 'u' ? "newuidmap" : "newgidmap", pid, m, err);
  if (write_file_at (procfd, file, map, strlen (map), err) < 0)
    {
      if (geteuid () != 0 && err->errno_ == EPERM)
        sbx_error_wrap (err, "as an unprivileged user only your own id can be mapped without newuidmap");
      return -1;
    }
  return 0;
}

int
userns_write_id_maps (pid_t pid, const struct spec_id_mappings *uids,
                      const struct spec_id_mappings *gids, sbx_error_t *err)
{
  char path[64];
  _cleanup_fd_ int procfd = -1;

  snprintf (path, sizeof path, "/proc/%d", pid);
  procfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0)
    return sbx_error_errno (err, "open `%s`", path);
  /* An unprivileged writer must deny setgroups first, unless newgidmap
     (which may allow it) writes the gid map. */
  if (geteuid () != 0 && is_own_id_only (gids, getegid ())
      && write_file_at (procfd, "setgroups", "deny", 4, err) < 0)
    return -1;
  if (write_map (procfd, pid, "uid_map", uids, geteuid (), err) < 0)
    return sbx_error_wrap (err, "uid mappings");
  if (write_map (procfd, pid, "gid_map", gids, getegid (), err) < 0)
    return sbx_error_wrap (err, "gid mappings");
  return 0;
}

int
userns_write_maps (pid_t pid, const struct sbx_spec *spec, sbx_error_t *err)
{
  if (userns_write_id_maps (pid, &spec->linux_->uid_mappings, &spec->linux_->gid_mappings, err) < 0)
    return sbx_error_wrap (err, "linux.uidMappings/gidMappings");
  return 0;
}

int
userns_open_with_maps (const struct spec_id_mappings *uids, const struct spec_id_mappings *gids,
                       sbx_error_t *err)
{
  _cleanup_pid_ pid_t pid = -1;
  int pipefd[2];
  char path[64];
  int fd = -1;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return sbx_error_errno (err, "pipe");
  pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid == 0)
    {
      char c;
      close (pipefd[1]);
      /* Live until the parent holds the namespace, then go. */
      while (read (pipefd[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (pipefd[0]);
  if (pid < 0)
    {
      close (pipefd[1]);
      return sbx_error_errno (err, "create a user namespace for an id mapping");
    }
  if (userns_write_id_maps (pid, uids, gids, err) == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/ns/user", pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        sbx_error_errno (err, "open `%s`", path);
    }
  close (pipefd[1]);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  pid = -1;
  return fd;
}

uint32_t
userns_host_id (const struct spec_id_mappings *m, uint32_t id)
{
  for (size_t i = 0; i < m->n; i++)
    if (id >= m->v[i].container_id && id - m->v[i].container_id < m->v[i].size)
      return m->v[i].host_id + (id - m->v[i].container_id);
  return id;
}

int
userns_chown_stdio (const struct sbx_spec *spec, const struct spec_process *p, sbx_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  const struct spec_namespace *ns = spec_linux_namespace (spec, SPEC_NS_USER);

  if (geteuid () != 0 || p->terminal || ns == NULL || ns->path != NULL || l->uid_mappings.n == 0)
    return 0;
  return child_chown_stdio (userns_host_id (&l->uid_mappings, p->user.uid),
                           userns_host_id (&l->gid_mappings, p->user.gid), err);
}
