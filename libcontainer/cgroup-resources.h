/* cgroup-resources.h: linux.resources -> cgroup v2 files. Planning (which
 * file gets which value) is pure and unit-tested; applying writes the plan
 * into a cgroup directory fd, checking each controller is available. */
#ifndef SBX_CGROUP_RESOURCES_H
#define SBX_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "sbx.h"
#include "spec.h"

struct cg_write
{
  char file[64];      /* "memory.max" */
  char value[512];    /* "67108864" */
  const char *field;  /* JSON path it came from, for errors */
};

struct cg_plan
{
  struct cg_write *v;
  size_t n;
};

/* update: zeros mean "leave unchanged" (as Docker sends them). */
int cgroup_plan (const struct spec_resources *r, bool update, struct cg_plan *plan,
                 sbx_error_t *err);
void cgroup_plan_free (struct cg_plan *plan);

/* OCI cpu.shares (2..262144) -> cgroup v2 cpu.weight (1..10000). */
unsigned long long cgroup_shares_to_weight (unsigned long long shares);
/* OCI blkio weight (10..1000) -> io.weight (1..10000). */
unsigned long long cgroup_blkio_to_io_weight (unsigned long long w);

/* Enable the controllers the plan needs in every ancestor's
 * cgroup.subtree_control, from the v2 root down to path's parent (an error
 * when one is missing); `defaults`: also cpu, io, memory and pids where the
 * hierarchy has them (no error when it does not). */
int cgroup_enable_controllers (const char *path, const struct cg_plan *plan, bool defaults,
                               sbx_error_t *err);
/* Write the plan into the cgroup (an O_DIRECTORY fd). */
int cgroup_apply_plan (int cgfd, const struct cg_plan *plan, sbx_error_t *err);
/* Plan, enable and apply: for create (update=false) and `sbx update`. */
int cgroup_set_resources (const char *path, int cgfd, const struct spec_resources *r,
                          bool update, sbx_error_t *err);

/* The device allow-list as an eBPF program on the cgroup (replacing any
 * before): r's devices (may be NULL), sbx's defaults, and an allow rule
 * for each of l's linux.devices. */
int cgroup_limit_devices (const struct spec_linux *l, const struct spec_resources *r, int cgfd,
                          sbx_error_t *err);

/* What only cgroup v1 had (kernel memory limits, leaf weights,
   useHierarchy false): an error naming the field. Before any fork. */
int cgroup_check_v1_only (const struct spec_resources *r, sbx_error_t *err);

#endif
