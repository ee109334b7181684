/* selfexe.c: the runtime binary must not be writable through any sbx
 * process a container can see (CVE-2019-5736).
 *
 * The container's init runs sbx's own code until its final execve, and a
 * program started with `#!/proc/self/exe` re-executes whatever the init's
 * exe is, inside the container. If that is the host's sbx file, a process in
 * the container can hold an O_PATH fd to it and, once the runtime exits
 * (ETXTBSY no longer applies), reopen it for writing through
 * /proc/self/fd/N: every later container start runs its code as host root.
 *
 * So `create`, `run` and `exec` (the commands whose processes enter a
 * container) first make sure /proc/self/exe is a file nobody can write:
 *
 *   1. already on a read-only mount, or a memfd sealed against writes:
 *      nothing to do (this is also how the re-executed process sees itself);
 *   2. else re-execute from a detached, read-only bind mount of the same
 *      file (open_tree + mount_setattr; no copy, no mount appears in any
 *      namespace); a reopen for writing fails with EROFS;
 *   3. where open_tree is not allowed (rootless), from a sealed memfd copy
 *      (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL).
 *
 * Cost: one extra execve of sbx on those three commands (bench/ measures it).
 * Installing sbx on a read-only file system (or ro bind-mounting it) removes
 * even that: case 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "log.h"
#include "sbx.h"

#define REEXEC_ENV "_SBX_SELFEXE"
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

/* Is the file behind `fd` unwritable for everyone (read-only mount, or a
   memfd sealed against writes)? */
static bool
exe_is_protected (int fd)
{
  struct statvfs sv;
  int seals;

  if (fstatvfs (fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
    return true;
  seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL);
}

static int
ro_bind_of (int exefd)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV };
  _cleanup_fd_ int tree = open_tree (exefd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

  if (tree < 0 || mount_setattr (tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return -1;
  return take_fd (&tree);
}

static int
sealed_copy_of (int exefd)
{
  const unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  _cleanup_fd_ int mfd = memfd_create ("sbx", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  struct stat st;
  off_t off = 0;

  if (mfd < 0 && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
    mfd = memfd_create ("sbx", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0 || fstat (exefd, &st) < 0)
    return -1;
  while (off < st.st_size)
    {
      ssize_t n = sendfile (mfd, exefd, &off, st.st_size - off);
      if (n <= 0)
        return -1;
    }
  if (fcntl (mfd, F_ADD_SEALS, seals) < 0)
    return -1;
  return take_fd (&mfd);
}

/* The directory of the binary as installed: after the re-exec,
   /proc/self/exe names the protected copy, so the first exec passes it on
   in REEXEC_ENV. */
static char self_dir[4096];

const char *
sbx_self_dir (void)
{
  char buf[sizeof self_dir];
  ssize_t n;

  if (self_dir[0])
    return self_dir;
  n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0 || buf[0] != '/')
    return NULL;
  buf[n] = '\0';
  *strrchr (buf, '/') = '\0';
  snprintf (self_dir, sizeof self_dir, "%s", buf[0] ? buf : "/");
  return self_dir;
}

int
sbx_protect_self (char **argv, sbx_error_t *err)
{
  _cleanup_fd_ int exefd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  const char *origin = getenv (REEXEC_ENV);
  bool reexecuted = origin != NULL;
  int fd;

  if (origin != NULL && origin[0] == '/')
    snprintf (self_dir, sizeof self_dir, "%s", origin);
  unsetenv (REEXEC_ENV);
  if (exefd < 0)
    return sbx_error_errno (err, "open /proc/self/exe");
  if (exe_is_protected (exefd))
    return 0;
  if (reexecuted)
    return sbx_error_set (err, EPERM, "re-executed sbx is still writable through /proc/self/exe");
  fd = ro_bind_of (exefd);
  if (fd < 0)
    {
      log_debug ("read-only bind of sbx's binary: %s; using a sealed copy", strerror (errno));
      fd = sealed_copy_of (exefd);
    }
  if (fd < 0)
    return sbx_error_errno (err, "protect sbx's binary from the container (CVE-2019-5736)");
  setenv (REEXEC_ENV, sbx_self_dir () ? sbx_self_dir () : "1", 1);
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  unsetenv (REEXEC_ENV);
  sbx_error_errno (err, "re-execute sbx from a protected copy");
  close (fd);
  return -1;
}
