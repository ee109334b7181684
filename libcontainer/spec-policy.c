/* spec-policy.c: the policy file's JSON into struct sbx_policy, with the
 * config parser's field tables (so errors name the JSON path). Unknown
 * keys are an error here, unlike in config.json: a misspelt rule in an
 * operator's policy must not pass silently as no rule. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "policy.h"
#include "spec-internal.h"

static const struct spec_field allow_fields[] = {
  SPEC_FH (struct sbx_policy, SK_STRV, "capabilities", caps, has_caps),
  SPEC_FH (struct sbx_policy, SK_STRV, "hostNamespaces", host_ns, has_host_ns),
  SPEC_FH (struct sbx_policy, SK_STRV, "bindSources", binds, has_binds),
  SPEC_FH (struct sbx_policy, SK_STRV, "devices", devices, has_devices),
  SPEC_FH (struct sbx_policy, SK_STRV, "sysctls", sysctls, has_sysctls),
  SPEC_FH (struct sbx_policy, SK_STRV, "hooks", hooks, has_hooks),
};

static const struct spec_field require_fields[] = {
  SPEC_F (struct sbx_policy, SK_BOOL, "seccomp", seccomp),
  SPEC_F (struct sbx_policy, SK_BOOL, "noNewPrivileges", no_new_privileges),
  SPEC_F (struct sbx_policy, SK_BOOL, "readonlyKernelFs", readonly_kernel_fs),
  SPEC_F (struct sbx_policy, SK_STRV, "maskedPaths", masked_paths),
};

static const struct spec_field harden_fields[] = {
  SPEC_F (struct sbx_policy, SK_BOOL, "readonlyRootfs", readonly_rootfs),
  SPEC_F (struct sbx_policy, SK_BOOL, "noexecWritable", noexec_writable),
  SPEC_F (struct sbx_policy, SK_BOOL, "procSubsetPid", proc_subset_pid),
  SPEC_FH (struct sbx_policy, SK_I64, "memory", memory, has_memory),
  SPEC_FH (struct sbx_policy, SK_I64, "pids", pids, has_pids),
  SPEC_FH (struct sbx_policy, SK_STRV, "socketFamilies", socket_families, has_socket_families),
  SPEC_FH (struct sbx_policy, SK_I64, "cpuMillis", cpu_quota, has_cpus),
  SPEC_F (struct sbx_policy, SK_MAP, "rlimits", rlimits),
  SPEC_F (struct sbx_policy, SK_BOOL, "seccomp", seccomp), /* parsed below, by spec-linux.c */
};

static int
only_known (yajl_val obj, const char *path, const struct spec_field *f, size_t n, sbx_error_t *err)
{
  for (size_t i = 0; i < obj->u.object.len; i++)
    {
      bool known = false;
      for (size_t k = 0; k < n && !known; k++)
        known = strcmp (obj->u.object.keys[i], f[k].key) == 0;
      if (!known)
        return spec_fail (err, path, obj->u.object.keys[i], "unknown policy rule");
    }
  return 0;
}

struct sbx_policy *
policy_parse (const char *buf, size_t len, sbx_error_t *err)
{
  _cleanup_yajl_ yajl_val root = spec_parse_document (buf, len, err);
  struct sbx_policy *p;
  yajl_val allow = NULL, require = NULL, harden = NULL;
  static const struct spec_field top[] = {
    SPEC_F (struct sbx_policy, SK_BOOL, "allow", seccomp),
    SPEC_F (struct sbx_policy, SK_BOOL, "require", seccomp),
    SPEC_F (struct sbx_policy, SK_BOOL, "harden", seccomp),
  };

  if (root == NULL)
    return NULL;
  p = calloc (1, sizeof *p);
  if (p == NULL)
    {
      sbx_error_set (err, ENOMEM, "policy");
      return NULL;
    }
  if (only_known (root, "", top, SPEC_N (top), err) < 0
      || spec_get_object (root, "allow", "", &allow, err) < 0
      || spec_get_object (root, "require", "", &require, err) < 0
      || (allow != NULL && (only_known (allow, "allow", allow_fields, SPEC_N (allow_fields), err) < 0
                            || spec_parse_fields (allow, "allow", allow_fields, SPEC_N (allow_fields), p, err) < 0))
      || (require != NULL && (only_known (require, "require", require_fields, SPEC_N (require_fields), err) < 0
                              || spec_parse_fields (require, "require", require_fields,
                                                    SPEC_N (require_fields), p, err) < 0))
      || spec_get_object (root, "harden", "", &harden, err) < 0
      || (harden != NULL && (only_known (harden, "harden", harden_fields, SPEC_N (harden_fields), err) < 0
                             || spec_parse_fields (harden, "harden", harden_fields, SPEC_N (harden_fields) - 1, p,
                                                   err) < 0
                             || spec_parse_seccomp (harden, "harden", &p->seccomp_profile, err) < 0)))
    {
      policy_free (p);
      return NULL;
    }
  if ((p->has_memory && p->memory <= 0) || (p->has_pids && p->pids <= 0) || (p->has_cpus && p->cpu_quota <= 0))
    {
      sbx_error_set (err, EINVAL, "harden.%s: must be above 0",
                     p->has_memory && p->memory <= 0 ? "memory" : p->has_pids && p->pids <= 0 ? "pids" : "cpuMillis");
      policy_free (p);
      return NULL;
    }
  for (size_t i = 0; i < p->rlimits.n; i++)
    {
      char *end;
      errno = 0;
      (void) strtoull (p->rlimits.values[i], &end, 10);
      if (strncmp (p->rlimits.keys[i], "RLIMIT_", 7) != 0 || errno != 0 || end == p->rlimits.values[i] || *end != '\0')
        {
          sbx_error_set (err, EINVAL, "harden.rlimits.%s: a RLIMIT_* name and a decimal string", p->rlimits.keys[i]);
          policy_free (p);
          return NULL;
        }
    }
  return p;
}

void
policy_free (struct sbx_policy *p)
{
  if (p == NULL)
    return;
  spec_free_fields (allow_fields, SPEC_N (allow_fields), p);
  spec_free_fields (require_fields, SPEC_N (require_fields), p);
  spec_free_fields (harden_fields, SPEC_N (harden_fields) - 1, p);
  spec_seccomp_free (p->seccomp_profile);
  free (p);
}
