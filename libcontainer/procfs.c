/* procfs.c: the private procfs instance (procfs.h). Its callers resolve
 * paths under it with the *_in_root() helpers of fsutil.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "procfs.h"

int
proc_open_private (sbx_error_t *err)
{
  _cleanup_fd_ int fsfd = fsopen ("proc", FSOPEN_CLOEXEC);
  int fd = -1;
  struct statfs sfs;

  if (fsfd >= 0 && fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    fd = fsmount (fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (fd < 0)
    fd = open ("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return sbx_error_errno (err, "open a procfs");
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    {
      close (fd);
      return sbx_error_set (err, EPERM, "/proc is not a procfs");
    }
  return fd;
}
