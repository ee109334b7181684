/* sysctl.h: linux.sysctl. Only keys that belong to a namespace the
 * container owns are allowed; they are written through a procfs instance
 * the init mounts privately (never through the container's /proc). */
#ifndef SBX_SYSCTL_H
#define SBX_SYSCTL_H

#include "sbx.h"
#include "spec.h"

/* In the parent: refuse host-wide keys and malformed names. */
int sysctl_check (const struct sbx_spec *spec, sbx_error_t *err);
/* In the init, in its namespaces: write every key under PROCFD
 * (procfs.h's proc_open_private). */
int sysctl_apply (const struct sbx_spec *spec, int procfd, sbx_error_t *err);

#endif
