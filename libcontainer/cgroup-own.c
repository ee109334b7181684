/* cgroup-own.c: claiming a container's cgroup at create and checking, in
 * every later command, that the cgroup at the recorded path is still that
 * one. Two containers with one id under two --root directories resolve to
 * the same default path; without this the second joined the first's cgroup
 * and `delete -f` of one killed the other (issue #13). Creating and
 * removing the directory itself stays in cgroup.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-own.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"

bool
cgroup_is_populated (const char *path)
{
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *ev = NULL;
  const char *p;

  if (fd < 0 || read_file_at (fd, "cgroup.events", &ev, NULL, 4096, NULL) < 0)
    return false;
  p = strstr (ev, "populated ");
  return p != NULL && p[10] == '1';
}

int
cgroup_inode (const char *path, unsigned long long *ino, sbx_error_t *err)
{
  struct stat st;

  *ino = 0;
  if (stat (path, &st) < 0)
    return sbx_error_errno (err, "cgroup `%s`", path);
  if (!S_ISDIR (st.st_mode))
    return sbx_error_set (err, ENOTDIR, "cgroup `%s` is not a directory", path);
  *ino = (unsigned long long) st.st_ino;
  return 0;
}

int
cgroup_claim (const char *path, bool join, unsigned long long *ino, sbx_error_t *err)
{
  _cleanup_fd_ int fd = -1;
  bool existed = access (path, F_OK) == 0;

  *ino = 0;
  if (existed && cgroup_is_populated (path))
    return sbx_error_set (err, EBUSY, "cgroup `%s` already has processes: it belongs to another container", path);
  if (existed && !join)
    return sbx_error_set (err, EEXIST, "cgroup `%s` already exists and this create did not make it "
                          "(another root's container of the same id, or a leftover: `delete --force` removes it)",
                          path);
  fd = cgroup_create (path, err);
  if (fd < 0)
    return -1;
  /* Checked again now that it exists: a process may have been moved in
     while we looked. */
  if (cgroup_is_populated (path))
    return sbx_error_set (err, EBUSY, "cgroup `%s` already has processes: it belongs to another container", path);
  return cgroup_inode (path, ino, err);
}

int
cgroup_check_owned (const char *path, unsigned long long ino, sbx_error_t *err)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return errno == ENOENT ? 0 : sbx_error_errno (err, "cgroup `%s`", path);
  if (ino == 0)
    return sbx_error_set (err, EPERM, "cgroup `%s`: the state records no cgroup identity: refusing to act on it", path);
  if ((unsigned long long) st.st_ino != ino)
    return sbx_error_set (err, EPERM, "cgroup `%s` is not this container's (recorded inode %llu, found %llu): "
                          "refusing to act on it", path, ino, (unsigned long long) st.st_ino);
  return 1;
}
