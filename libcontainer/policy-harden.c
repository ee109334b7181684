/* policy-harden.c: the policy's harden rules, which add to a config what
 * it lacks instead of refusing it: a read-only rootfs, noexec on every
 * writable mount, procfs limited to the processes (subset=pid) with the
 * others' hidden (hidepid=invisible), and ceilings for the memory and pids
 * limits. What changed goes into the annotation sbx.policy.hardened, which
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
  if (p->readonly_rootfs && !spec->root->readonly)
    {
      spec->root->readonly = true;
      if (note (&c, err, "root.readonly true") < 0)
        goto out;
    }
  if (harden_mounts (p, spec, &c, err) < 0 || harden_limits (p, spec->linux_, &c, err) < 0)
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
