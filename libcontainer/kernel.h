/* kernel.h: the seam between sbx and the system calls whose order makes a
 * process's confinement: the user switch, the capability sets,
 * no_new_privs, the seccomp load, the fd sweep and execve. The code that
 * takes those steps calls them through sbx_kernel. In the binary the table
 * is read-only; the unit-test build of the library (SBX_KERNEL_SEAM) lets
 * a test swap entries to record the calls (tests/unit/test_child.c). */
#ifndef SBX_KERNEL_H
#define SBX_KERNEL_H

#include <stddef.h>
#include <sys/types.h>

struct sbx_kernel_ops
{
  int (*setgroups) (size_t n, const gid_t *list);
  int (*setresgid) (gid_t r, gid_t e, gid_t s);
  int (*setresuid) (uid_t r, uid_t e, uid_t s);
  int (*capset) (void *header, void *data);
  int (*prctl) (int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d);
  int (*seccomp) (unsigned int op, unsigned int flags, void *args);
  int (*close_range) (unsigned int first, unsigned int last, unsigned int flags);
  int (*execve) (const char *path, char *const argv[], char *const envp[]);
};

#ifdef SBX_KERNEL_SEAM
extern struct sbx_kernel_ops sbx_kernel;
#else
extern const struct sbx_kernel_ops sbx_kernel;
#endif

#endif
