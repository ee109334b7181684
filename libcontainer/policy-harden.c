/* policy-harden.c: the policy's harden rules, which add to a config what
 * it lacks instead of refusing it: a read-only rootfs, noexec on every
 * writable mount, procfs limited to the processes (subset=pid) with the
 * others' hidden (hidepid=invisible), ceilings for the memory, pids and cpu
 * limits and the rlimits, and the seccomp filter joined to the config's (policy_seccomp). What changed goes into the annotation sbx.policy.hardened, which
 * state.json keeps, and into one log line. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "log.h"
#include "mounts.h"
#include "policy.h"
#include "procattrs.h"

struct changes
{
  char *text;
};

static int
note (struct changes *c, sbx_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
note (struct changes *c, sbx_error_t *err, const char *fmt, ...)
{
  char *item = NULL, *joined = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&item, fmt, ap) < 0)
    item = NULL;
  va_end (ap);
  if (item == NULL || asprintf (&joined, "%s%s%s", c->text ? c->text : "", c->text ? "; " : "", item) < 0)
    {
      free (item);
      return sbx_error_set (err, ENOMEM, "policy harden");
    }
  free (item);
  free (c->text);
  c->text = joined;
  return 0;
}

static bool
has_opt (const struct spec_mount *m, const char *o)
{
  for (size_t i = 0; i < m->options.n; i++)
    if (strcmp (m->options.v[i], o) == 0)
      return true;
  return false;
}

static int
harden_mounts (const struct sbx_policy *p, struct sbx_spec *spec, struct changes *c, sbx_error_t *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct spec_mount *m = &spec->mounts[i];
      bool proc = m->type != NULL && strcmp (m->type, "proc") == 0;

      if (p->noexec_writable && !proc && !has_opt (m, "ro") && !has_opt (m, "rro") && !has_opt (m, "noexec"))
        {
          if (spec_strv_push (&m->options, "noexec") < 0)
            return sbx_error_errno (err, "policy harden");
          if (note (c, err, "mounts[%zu] %s +noexec", i, m->destination) < 0)
            return -1;
        }
      if (p->proc_subset_pid && proc && !has_opt (m, "subset=pid"))
        {
          if (spec_strv_push (&m->options, "subset=pid") < 0 || spec_strv_push (&m->options, "hidepid=invisible") < 0)
            return sbx_error_errno (err, "policy harden");
          if (note (c, err, "mounts[%zu] %s +subset=pid,hidepid=invisible", i, m->destination) < 0)
            return -1;
        }
    }
  return 0;
}

static int
harden_limits (const struct sbx_policy *p, struct spec_linux *l, struct changes *c, sbx_error_t *err)
{
  if (!p->has_memory && !p->has_pids)
    return 0;
  if (l->resources == NULL && (l->resources = calloc (1, sizeof *l->resources)) == NULL)
    return sbx_error_errno (err, "policy harden");
  if (p->has_memory)
    {
      struct spec_memory *mem = l->resources->memory;
      if (mem == NULL && (mem = l->resources->memory = calloc (1, sizeof *mem)) == NULL)
        return sbx_error_errno (err, "policy harden");
      if (!mem->has_limit || mem->limit <= 0 || mem->limit > p->memory)
        {
          if (note (c, err, "linux.resources.memory.limit %" PRId64 " (was %s)", p->memory,
                    mem->has_limit && mem->limit > 0 ? "higher" : "none") < 0)
            return -1;
          mem->has_limit = true;
          mem->limit = p->memory;
          /* swap counts with memory as runc reads it (limit + swap): none more */
          mem->has_swap = true;
          mem->swap = p->memory;
        }
    }
  if (p->has_pids && (!l->resources->has_pids_limit || l->resources->pids_limit <= 0
                      || l->resources->pids_limit > p->pids))
    {
      if (note (c, err, "linux.resources.pids.limit %" PRId64 " (was %s)", p->pids,
                l->resources->has_pids_limit && l->resources->pids_limit > 0 ? "higher" : "none") < 0)
        return -1;
      l->resources->has_pids_limit = true;
      l->resources->pids_limit = p->pids;
    }
  return 0;
}

static int
harden_cpu (const struct sbx_policy *p, struct spec_linux *l, struct changes *c, sbx_error_t *err)
{
  const int64_t period = 100000, quota = p->cpu_quota * 100; /* millis -> us per 100 ms */
  struct spec_cpu *cpu;

  if (!p->has_cpus)
    return 0;
  if (l->resources == NULL && (l->resources = calloc (1, sizeof *l->resources)) == NULL)
    return sbx_error_errno (err, "policy harden");
  cpu = l->resources->cpu;
  if (cpu == NULL && (cpu = l->resources->cpu = calloc (1, sizeof *cpu)) == NULL)
    return sbx_error_errno (err, "policy harden");
  /* the config's share of a cpu, quota / period, at most the ceiling's */
  if (cpu->has_quota && cpu->quota > 0 && cpu->has_period && cpu->period > 0
      && (double) cpu->quota / (double) cpu->period <= (double) quota / (double) period)
    return 0;
  if (note (c, err, "linux.resources.cpu quota %" PRId64 " per %" PRId64 " us (was %s)", quota, period,
            cpu->has_quota && cpu->quota > 0 ? "more" : "none") < 0)
    return -1;
  cpu->has_quota = cpu->has_period = true;
  cpu->quota = quota;
  cpu->period = (uint64_t) period;
  return 0;
}

static int
harden_rlimits (const struct sbx_policy *p, struct spec_process *proc, struct changes *c, sbx_error_t *err)
{
  for (size_t i = 0; i < p->rlimits.n; i++)
    {
      const char *type = p->rlimits.keys[i];
      uint64_t ceil = strtoull (p->rlimits.values[i], NULL, 10);
      struct spec_rlimit *r = NULL;

      if (procattrs_rlimit_from_name (type) < 0)
        return sbx_error_set (err, EINVAL, "--policy harden.rlimits: unknown `%s`", type);
      for (size_t k = 0; k < proc->n_rlimits && r == NULL; k++)
        if (strcmp (proc->rlimits[k].type, type) == 0)
          r = &proc->rlimits[k];
      if (r == NULL)
        {
          struct spec_rlimit *n = realloc (proc->rlimits, (proc->n_rlimits + 1) * sizeof *n);
          if (n == NULL)
            return sbx_error_errno (err, "policy harden");
          proc->rlimits = n;
          r = &n[proc->n_rlimits];
          if ((r->type = strdup (type)) == NULL)
            return sbx_error_errno (err, "policy harden");
          proc->n_rlimits++;
          r->soft = r->hard = UINT64_MAX;
        }
      if (r->hard <= ceil && r->soft <= ceil)
        continue;
      if (note (c, err, "process.rlimits %s %" PRIu64, type, ceil) < 0)
        return -1;
      r->hard = r->hard > ceil ? ceil : r->hard;
      r->soft = r->soft > ceil ? ceil : r->soft;
    }
  return 0;
}

static int
annotate (struct sbx_spec *spec, const char *text, sbx_error_t *err)
{
  struct spec_map *a = &spec->annotations;
  char **k = realloc (a->keys, (a->n + 1) * sizeof *k), **v;

  if (k == NULL)
    return sbx_error_errno (err, "policy harden");
  a->keys = k;
  v = realloc (a->values, (a->n + 1) * sizeof *v);
  if (v == NULL)
    return sbx_error_errno (err, "policy harden");
  a->values = v;
  k[a->n] = strdup (POLICY_ANNOTATION);
  v[a->n] = strdup (text);
  if (k[a->n] == NULL || v[a->n] == NULL)
    {
      free (k[a->n]);
      free (v[a->n]);
      return sbx_error_errno (err, "policy harden");
    }
  a->n++;
  return 0;
}

int
policy_harden (const struct sbx_policy *p, struct sbx_spec *spec, sbx_error_t *err)
{
  struct changes c = { NULL };
  int r = -1;

  if (p == NULL)
    return 0;
  for (size_t i = 0; i < spec->annotations.n; i++)
    if (strcmp (spec->annotations.keys[i], POLICY_ANNOTATION) == 0)
      return sbx_error_set (err, EPERM, "annotations.%s: set by the policy, not by a config", POLICY_ANNOTATION);
  {
    char *ns_note = NULL;
    r = policy_ns_harden (p, spec, &ns_note, err);
    if (r == 0 && ns_note != NULL)
      r = note (&c, err, "%s", ns_note);
    free (ns_note);
    if (r < 0)
      goto out;
    r = -1;
  }
  if (p->readonly_rootfs && !spec->root->readonly)
    {
      spec->root->readonly = true;
      if (note (&c, err, "root.readonly true") < 0)
        goto out;
    }
  if (harden_mounts (p, spec, &c, err) < 0 || harden_limits (p, spec->linux_, &c, err) < 0
      || harden_cpu (p, spec->linux_, &c, err) < 0 || harden_rlimits (p, spec->process, &c, err) < 0)
    goto out;
  if (c.text != NULL)
    {
      if (annotate (spec, c.text, err) < 0)
        goto out;
      log_info ("policy hardened the container: %s", c.text);
    }
  r = 0;
out:
  free (c.text);
  return r;
}

/* Socket families by name (the ones a policy may want to keep). */
static const struct
{
  const char *name;
  int value;
} families[] = {
  { "AF_UNIX", 1 },    { "AF_LOCAL", 1 },  { "AF_INET", 2 },     { "AF_INET6", 10 },
  { "AF_NETLINK", 16 }, { "AF_PACKET", 17 }, { "AF_KEY", 15 },   { "AF_ALG", 38 },
  { "AF_VSOCK", 40 },  { "AF_XDP", 44 },    { "AF_BLUETOOTH", 31 }, { "AF_CAN", 29 },
  { "AF_TIPC", 30 },   { "AF_RDS", 21 },    { "AF_SMC", 43 },     { "AF_QIPCRTR", 42 },
  { "AF_NETLINK_ROUTE", -16 }, /* AF_NETLINK with protocol NETLINK_ROUTE only */
};

#define AF_LIMIT 64 /* above AF_MAX (46 in Linux 6.x); the kernel refuses the rest */
#define AF_NETLINK_ 16
#define EAFNOSUPPORT_ 97
#define LOW32 0xffffffffULL

/* socket and socketpair fail with EAFNOSUPPORT when (domain & mask) ==
   value, and, for netlink, the protocol is not NETLINK_ROUTE. Only the low
   32 bits of the domain are compared, as the kernel reads an int: a value
   with high bits set must not slip past an equality test. */
static int
add_rule (struct spec_seccomp *sc, uint64_t mask, uint64_t value, bool route_only, sbx_error_t *err)
{
  struct spec_seccomp_syscall *n = realloc (sc->syscalls, (sc->n_syscalls + 1) * sizeof *n), *r;
  size_t nargs = route_only ? 2 : 1;

  if (n == NULL)
    return sbx_error_errno (err, "policy seccomp");
  sc->syscalls = n;
  r = &n[sc->n_syscalls];
  memset (r, 0, sizeof *r);
  sc->n_syscalls++;
  r->args = calloc (nargs, sizeof *r->args);
  r->action = strdup ("SCMP_ACT_ERRNO");
  if (r->args == NULL || r->action == NULL || spec_strv_push (&r->names, "socket") < 0
      || spec_strv_push (&r->names, "socketpair") < 0)
    return sbx_error_errno (err, "policy seccomp");
  r->n_args = nargs;
  r->has_errno_ret = true;
  r->errno_ret = EAFNOSUPPORT_;
  r->args[0] = (struct spec_seccomp_arg) { .index = 0, .value = mask, .value_two = value,
                                           .op = strdup ("SCMP_CMP_MASKED_EQ") };
  /* any protocol but 0, high bits included, is refused */
  if (route_only)
    r->args[1] = (struct spec_seccomp_arg) { .index = 2, .value = 0, .op = strdup ("SCMP_CMP_NE") };
  for (size_t i = 0; i < nargs; i++)
    if (r->args[i].op == NULL)
      return sbx_error_errno (err, "policy seccomp");
  return 0;
}

/* Every family not on the list fails with EAFNOSUPPORT; AF_NETLINK_ROUTE
   keeps netlink for NETLINK_ROUTE (protocol 0) only. The refused values
   below AF_LIMIT go in aligned power-of-two blocks, one masked rule each
   (a dozen rules, not sixty). */
static int
socket_rules (const struct sbx_policy *p, struct spec_seccomp *sc, sbx_error_t *err)
{
  bool allowed[AF_LIMIT] = { false }, route_only = false;

  for (size_t i = 0; i < p->socket_families.n; i++)
    {
      size_t k;
      for (k = 0; k < sizeof families / sizeof families[0]; k++)
        if (strcmp (families[k].name, p->socket_families.v[i]) == 0)
          break;
      if (k == sizeof families / sizeof families[0])
        return sbx_error_set (err, EINVAL, "--policy harden.socketFamilies: unknown family `%s`",
                              p->socket_families.v[i]);
      if (families[k].value < 0)
        route_only = true;
      else
        allowed[families[k].value] = true;
    }
  if (allowed[AF_NETLINK_])
    route_only = false;
  else if (route_only)
    {
      allowed[AF_NETLINK_] = true;
      if (add_rule (sc, LOW32, AF_NETLINK_, true, err) < 0)
        return -1;
    }
  for (int f = 0; f < AF_LIMIT;)
    {
      int size = 1;
      if (allowed[f])
        {
          f++;
          continue;
        }
      /* the largest aligned block from f with nothing allowed in it */
      while (f % (size * 2) == 0 && f + size * 2 <= AF_LIMIT)
        {
          bool clear = true;
          for (int k = f + size; k < f + size * 2 && clear; k++)
            clear = !allowed[k];
          if (!clear)
            break;
          size *= 2;
        }
      if (add_rule (sc, LOW32 & ~(uint64_t) (size - 1), (uint64_t) f, false, err) < 0)
        return -1;
      f += size;
    }
  return 0;
}

int
policy_seccomp (const struct sbx_policy *p, struct spec_seccomp **out, sbx_error_t *err)
{
  struct spec_seccomp *sc = NULL;

  *out = NULL;
  if (p == NULL || (p->seccomp_profile == NULL && !p->has_socket_families))
    return 0;
  sc = calloc (1, sizeof *sc);
  if (sc == NULL)
    return sbx_error_errno (err, "policy seccomp");
  if (p->seccomp_profile != NULL)
    {
      const struct spec_seccomp *src = p->seccomp_profile;
      /* a deep copy, so that the socket rules can be appended and one free
         releases all of it */
      sc->default_action = strdup (src->default_action);
      sc->has_default_errno_ret = src->has_default_errno_ret;
      sc->default_errno_ret = src->default_errno_ret;
      for (size_t i = 0; i < src->architectures.n; i++)
        spec_strv_push (&sc->architectures, src->architectures.v[i]);
      sc->syscalls = calloc (src->n_syscalls + 1, sizeof *sc->syscalls);
      if (sc->syscalls == NULL)
        goto oom;
      for (size_t i = 0; i < src->n_syscalls; i++)
        {
          const struct spec_seccomp_syscall *a = &src->syscalls[i];
          struct spec_seccomp_syscall *b = &sc->syscalls[i];
          sc->n_syscalls++;
          for (size_t k = 0; k < a->names.n; k++)
            spec_strv_push (&b->names, a->names.v[k]);
          b->action = strdup (a->action);
          b->has_errno_ret = a->has_errno_ret;
          b->errno_ret = a->errno_ret;
          if (a->n_args > 0 && (b->args = calloc (a->n_args, sizeof *b->args)) == NULL)
            goto oom;
          for (size_t k = 0; k < a->n_args; k++)
            {
              b->args[k] = a->args[k];
              b->args[k].op = strdup (a->args[k].op);
              b->n_args++;
            }
          if (strcmp (a->action, "SCMP_ACT_NOTIFY") == 0)
            {
              spec_seccomp_free (sc);
              return sbx_error_set (err, EINVAL, "--policy harden.seccomp: SCMP_ACT_NOTIFY has no listener here");
            }
        }
    }
  else
    sc->default_action = strdup ("SCMP_ACT_ALLOW");
  if (sc->default_action == NULL)
    goto oom;
  if (p->has_socket_families && socket_rules (p, sc, err) < 0)
    {
      spec_seccomp_free (sc);
      return -1;
    }
  *out = sc;
  return 0;
oom:
  spec_seccomp_free (sc);
  return sbx_error_errno (err, "policy seccomp");
}

int
policy_harden_process (const struct sbx_policy *p, struct spec_process *proc, sbx_error_t *err)
{
  struct changes c = { NULL };
  int r;

  if (p == NULL)
    return 0;
  r = harden_rlimits (p, proc, &c, err);
  if (r == 0 && c.text != NULL)
    log_debug ("policy hardened the exec process: %s", c.text);
  free (c.text);
  return r;
}
