/* userns.c: id maps. The parent writes them (the child cannot map ids it
 * does not own). Unprivileged callers can map only their own id, and must
 * deny setgroups first; a map beyond that needs newuidmap(1), which is not
 * used yet: the error says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "init.h"
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

int
userns_write_maps (pid_t pid, const struct sbx_spec *spec, sbx_error_t *err)
{
  char path[64], uid_map[4096], gid_map[4096];
  _cleanup_fd_ int procfd = -1;

  if (userns_format_map (&spec->linux_->uid_mappings, uid_map, sizeof uid_map, err) < 0)
    return sbx_error_wrap (err, "linux.uidMappings");
  if (userns_format_map (&spec->linux_->gid_mappings, gid_map, sizeof gid_map, err) < 0)
    return sbx_error_wrap (err, "linux.gidMappings");
  snprintf (path, sizeof path, "/proc/%d", pid);
  procfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0)
    return sbx_error_errno (err, "open `%s`", path);
  if (geteuid () != 0 && write_file_at (procfd, "setgroups", "deny", 4, err) < 0)
    return -1;
  if (write_file_at (procfd, "uid_map", uid_map, strlen (uid_map), err) < 0)
    {
      if (geteuid () != 0 && err->errno_ == EPERM)
        sbx_error_wrap (err, "as an unprivileged user only your own uid can be mapped (size 1)");
      return sbx_error_wrap (err, "write uid mappings");
    }
  if (write_file_at (procfd, "gid_map", gid_map, strlen (gid_map), err) < 0)
    return sbx_error_wrap (err, "write gid mappings");
  return 0;
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
  return init_chown_stdio (userns_host_id (&l->uid_mappings, p->user.uid),
                           userns_host_id (&l->gid_mappings, p->user.gid), err);
}
