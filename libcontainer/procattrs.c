/* procattrs.c: rlimits, personality, scheduler, ioPriority, the NUMA
 * memory policy (linux.memoryPolicy) and no_new_privs. Capabilities are caps.c; oom_score_adj is written by the
 * parent through the host's /proc (process.c). */
#include <errno.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "kernel.h"
#include "procattrs.h"

static const struct
{
  const char *name;
  int num;
} rlimits[] = {
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
  { "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const struct
{
  const char *name;
  int num;
} policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 },          { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", 6 },
};

static const struct
{
  const char *name;
  uint64_t flag;
} sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },    { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },   { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const struct
{
  const char *name;
  int num;
} io_classes[] = {
  { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT }, { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
  { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};

/* linux/mempolicy.h's values (glibc has no header for them). */
static const struct
{
  const char *name;
  int num;
  int nodes; /* 1: nodes required, -1: forbidden, 0: optional */
} mpol_modes[] = {
  { "MPOL_DEFAULT", 0, -1 },   { "MPOL_PREFERRED", 1, 0 },       { "MPOL_BIND", 2, 1 },
  { "MPOL_INTERLEAVE", 3, 1 }, { "MPOL_LOCAL", 4, -1 },          { "MPOL_PREFERRED_MANY", 5, 1 },
  { "MPOL_WEIGHTED_INTERLEAVE", 6, 1 },
};

static const struct
{
  const char *name;
  int num;
} mpol_flags[] = {
  { "MPOL_F_NUMA_BALANCING", 1 << 13 },
  { "MPOL_F_RELATIVE_NODES", 1 << 14 },
  { "MPOL_F_STATIC_NODES", 1 << 15 },
};

/* Nodes 0..MPOL_MAX_NODE-1 fit the mask passed to set_mempolicy. */
#define MPOL_MAX_NODE 1024
#define MPOL_WORDS (MPOL_MAX_NODE / (8 * sizeof (unsigned long)))

#define LOOKUP(table, key, field)                                              \
  ({                                                                           \
    int found_ = -1;                                                           \
    for (size_t i_ = 0; i_ < sizeof table / sizeof table[0]; i_++)             \
      if (strcmp (table[i_].name, key) == 0)                                   \
        found_ = (int) i_;                                                     \
    found_;                                                                    \
  })

int
procattrs_rlimit_from_name (const char *name)
{
  int i = LOOKUP (rlimits, name, num);
  return i < 0 ? -1 : rlimits[i].num;
}

static int
check_personality (const struct spec_personality *p, sbx_error_t *err)
{
  if (p == NULL)
    return 0;
  if (p->domain == NULL || (strcmp (p->domain, "LINUX") != 0 && strcmp (p->domain, "LINUX32") != 0))
    return sbx_error_set (err, EINVAL, "linux.personality.domain: must be LINUX or LINUX32, not \"%s\"",
                          p->domain ? p->domain : "");
  if (p->flags.n > 0)
    return sbx_error_set (err, EINVAL, "linux.personality.flags: no flags are supported");
  return 0;
}

const char *
procattrs_mpol_mode_name (size_t i)
{
  return i < sizeof mpol_modes / sizeof mpol_modes[0] ? mpol_modes[i].name : NULL;
}

const char *
procattrs_mpol_flag_name (size_t i)
{
  return i < sizeof mpol_flags / sizeof mpol_flags[0] ? mpol_flags[i].name : NULL;
}

/* "0-3,7" -> a node mask. */
static int
parse_nodes (const char *s, unsigned long *mask, sbx_error_t *err)
{
  const char *p = s;

  memset (mask, 0, MPOL_WORDS * sizeof *mask);
  while (*p != '\0')
    {
      char *end;
      unsigned long a, b;
      if (*p < '0' || *p > '9')
        goto bad;
      a = b = strtoul (p, &end, 10);
      if (*end == '-')
        {
          if (end[1] < '0' || end[1] > '9')
            goto bad;
          b = strtoul (end + 1, &end, 10);
        }
      if (a > b || b >= MPOL_MAX_NODE)
        return sbx_error_set (err, EINVAL, "linux.memoryPolicy.nodes: `%.64s`: nodes are 0..%d, low-high",
                              s, MPOL_MAX_NODE - 1);
      for (unsigned long n = a; n <= b; n++)
        mask[n / (8 * sizeof *mask)] |= 1UL << (n % (8 * sizeof *mask));
      if (*end != ',' && *end != '\0')
        goto bad;
      p = *end == ',' ? end + 1 : end;
      if (*end == ',' && *p == '\0')
        goto bad;
    }
  return 0;
bad:
  return sbx_error_set (err, EINVAL, "linux.memoryPolicy.nodes: `%.64s`: expected a list such as 0-3,7", s);
}

/* The set_mempolicy arguments of linux.memoryPolicy; *has_nodes false: no
   mask. Refuses what runc and the kernel refuse, before any fork. */
static int
memory_policy (const struct spec_memory_policy *mp, int *mode, unsigned long *mask, bool *has_nodes,
               sbx_error_t *err)
{
  int m = LOOKUP (mpol_modes, mp->mode, num);

  if (m < 0)
    return sbx_error_set (err, EINVAL, "linux.memoryPolicy.mode: unknown mode \"%.64s\"", mp->mode);
  *has_nodes = mp->nodes != NULL && mp->nodes[0] != '\0';
  if (*has_nodes && mpol_modes[m].nodes < 0)
    return sbx_error_set (err, EINVAL, "linux.memoryPolicy.nodes: not allowed with %s", mp->mode);
  if (!*has_nodes && mpol_modes[m].nodes > 0)
    return sbx_error_set (err, EINVAL, "linux.memoryPolicy.nodes: required with %s", mp->mode);
  if (*has_nodes && parse_nodes (mp->nodes, mask, err) < 0)
    return -1;
  *mode = mpol_modes[m].num;
  for (size_t i = 0; i < mp->flags.n; i++)
    {
      int f = LOOKUP (mpol_flags, mp->flags.v[i], num);
      if (f < 0)
        return sbx_error_set (err, EINVAL, "linux.memoryPolicy.flags[%zu]: unknown flag \"%.64s\"", i,
                              mp->flags.v[i]);
      *mode |= mpol_flags[f].num;
    }
  return 0;
}

static int
apply_memory_policy (const struct spec_memory_policy *mp, sbx_error_t *err)
{
  unsigned long mask[MPOL_WORDS];
  bool has_nodes;
  int mode;

  if (memory_policy (mp, &mode, mask, &has_nodes, err) < 0)
    return -1;
  /* maxnode counts one more than the bits the kernel reads. */
  if (syscall (SYS_set_mempolicy, mode, has_nodes ? mask : NULL, has_nodes ? MPOL_MAX_NODE + 1 : 0) < 0)
    return sbx_error_errno (err, "linux.memoryPolicy: set_mempolicy %s%s%s", mp->mode,
                            has_nodes ? " " : "", has_nodes ? mp->nodes : "");
  return 0;
}

int
procattrs_check (const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_process *p = spec->process;

  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct spec_rlimit *r = &p->rlimits[i];
      if (procattrs_rlimit_from_name (r->type) < 0)
        return sbx_error_set (err, EINVAL, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i, r->type);
      if (r->soft > r->hard)
        return sbx_error_set (err, EINVAL, "process.rlimits[%zu]: soft limit %llu is above hard limit %llu",
                              i, (unsigned long long) r->soft, (unsigned long long) r->hard);
      for (size_t j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          return sbx_error_set (err, EINVAL, "process.rlimits[%zu]: %s given twice", i, r->type);
    }
  if (p->scheduler != NULL)
    {
      if (p->scheduler->policy == NULL || LOOKUP (policies, p->scheduler->policy, num) < 0)
        return sbx_error_set (err, EINVAL, "process.scheduler.policy: unknown policy \"%s\"",
                              p->scheduler->policy ? p->scheduler->policy : "");
      for (size_t i = 0; i < p->scheduler->flags.n; i++)
        if (LOOKUP (sched_flags, p->scheduler->flags.v[i], flag) < 0)
          return sbx_error_set (err, EINVAL, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i,
                                p->scheduler->flags.v[i]);
      if (p->scheduler->has_nice && (p->scheduler->nice < -20 || p->scheduler->nice > 19))
        return sbx_error_set (err, EINVAL, "process.scheduler.nice: must be -20..19");
    }
  if (p->io_priority != NULL)
    {
      if (p->io_priority->klass == NULL || LOOKUP (io_classes, p->io_priority->klass, num) < 0)
        return sbx_error_set (err, EINVAL, "process.ioPriority.class: unknown class \"%s\"",
                              p->io_priority->klass ? p->io_priority->klass : "");
      if (p->io_priority->priority < 0 || p->io_priority->priority > 7)
        return sbx_error_set (err, EINVAL, "process.ioPriority.priority: must be 0..7");
    }
  if (spec->linux_ != NULL && spec->linux_->memory_policy != NULL)
    {
      unsigned long mask[MPOL_WORDS];
      bool has_nodes;
      int mode;
      if (memory_policy (spec->linux_->memory_policy, &mode, mask, &has_nodes, err) < 0)
        return -1;
    }
  return check_personality (spec->linux_ ? spec->linux_->personality : NULL, err);
}

struct sbx_sched_attr
{
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

static int
apply_scheduler (const struct spec_scheduler *s, sbx_error_t *err)
{
  struct sbx_sched_attr a = { .size = sizeof a };

  a.sched_policy = (uint32_t) policies[LOOKUP (policies, s->policy, num)].num;
  for (size_t i = 0; i < s->flags.n; i++)
    a.sched_flags |= sched_flags[LOOKUP (sched_flags, s->flags.v[i], flag)].flag;
  a.sched_nice = s->has_nice ? s->nice : 0;
  a.sched_priority = s->has_priority ? (uint32_t) s->priority : 0;
  a.sched_runtime = s->has_runtime ? s->runtime : 0;
  a.sched_deadline = s->has_deadline ? s->deadline : 0;
  a.sched_period = s->has_period ? s->period : 0;
  if (syscall (SYS_sched_setattr, 0, &a, 0) < 0)
    return sbx_error_errno (err, "process.scheduler: sched_setattr %s", s->policy);
  return 0;
}

int
procattrs_apply (const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_process *p = spec->process;
  const struct spec_personality *pers = spec->linux_ ? spec->linux_->personality : NULL;

  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
      if (setrlimit (procattrs_rlimit_from_name (p->rlimits[i].type), &rl) < 0)
        return sbx_error_errno (err, "process.rlimits: set %s to %llu/%llu", p->rlimits[i].type,
                                (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max);
    }
  if (pers != NULL && personality (strcmp (pers->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX) < 0)
    return sbx_error_errno (err, "linux.personality: %s", pers->domain);
  if (p->scheduler != NULL && apply_scheduler (p->scheduler, err) < 0)
    return -1;
  if (spec->linux_ != NULL && spec->linux_->memory_policy != NULL
      && apply_memory_policy (spec->linux_->memory_policy, err) < 0)
    return -1;
  if (p->io_priority != NULL)
    {
      int cls = io_classes[LOOKUP (io_classes, p->io_priority->klass, num)].num;
      if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE (cls, p->io_priority->priority)) < 0)
        return sbx_error_errno (err, "process.ioPriority: ioprio_set");
    }
  return 0;
}

int
procattrs_no_new_privs (const struct spec_process *p, sbx_error_t *err)
{
  if (p->no_new_privileges && sbx_kernel.prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sbx_error_errno (err, "process.noNewPrivileges: PR_SET_NO_NEW_PRIVS");
  return 0;
}
