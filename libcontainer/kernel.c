/* kernel.c: the real system calls behind kernel.h's seam. */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

static int
k_setgroups (size_t n, const gid_t *list)
{
  return setgroups (n, list);
}

static int
k_capset (void *header, void *data)
{
  return (int) syscall (SYS_capset, header, data);
}

static int
k_prctl (int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
  return prctl (op, a, b, c, d);
}

static int
k_seccomp (unsigned int op, unsigned int flags, void *args)
{
  return (int) syscall (SYS_seccomp, op, flags, args);
}

static int
k_close_range (unsigned int first, unsigned int last, unsigned int flags)
{
  return (int) syscall (SYS_close_range, first, last, flags);
}

#ifndef SBX_KERNEL_SEAM
const
#endif
struct sbx_kernel_ops sbx_kernel = {
  .setgroups = k_setgroups,
  .setresgid = setresgid,
  .setresuid = setresuid,
  .capset = k_capset,
  .prctl = k_prctl,
  .seccomp = k_seccomp,
  .close_range = k_close_range,
  .execve = execve,
};
