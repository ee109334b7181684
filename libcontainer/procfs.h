/* procfs.h: a procfs instance of the runtime's own, for the steps that
 * write to /proc inside the container (linux.sysctl, the exec labels).
 * The container's /proc is the image's to shape: a bind or a symlink
 * could redirect a write, so those steps never go through it. */
#ifndef SBX_PROCFS_H
#define SBX_PROCFS_H

#include "sbx.h"

/* A fresh procfs of the caller's pid namespace, not attached anywhere, so
 * nothing in the container can have mounted over it. Verified to be
 * procfs. Falls back to "/proc" (verified) where fsopen is refused. */
int proc_open_private (sbx_error_t *err);

#endif
