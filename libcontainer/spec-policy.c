/* spec-policy.c: the policy file's JSON into struct sbx_policy, with the
 * config parser's field tables (so errors name the JSON path). Unknown
 * keys are an error here, unlike in config.json: a misspelt rule in an
 * operator's policy must not pass silently as no rule.
 *
 * A parsed policy is kept in RUN_CACHE_POLICY (run-cache.c), keyed by
 * this sbx binary and the file's bytes, as the same tables written out
 * (spec-blob.c): reading it back costs a fraction of yajl's tree of the
 * file, paid by every create and exec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "policy.h"
#include "run-cache.h"
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
  SPEC_F (struct sbx_policy, SK_STR, "network", network),
  /* the last two are parsed below: userns by its table, seccomp by spec-linux.c */
  SPEC_F (struct sbx_policy, SK_BOOL, "userns", seccomp),
  SPEC_F (struct sbx_policy, SK_BOOL, "seccomp", seccomp),
};
#define N_HARDEN_PARSED (SPEC_N (harden_fields) - 2)

static const struct spec_field userns_fields[] = {
  SPEC_F (struct policy_userns, SK_STR, "ids", ids),
  SPEC_FH (struct policy_userns, SK_I64, "size", size, has_size),
  SPEC_F (struct policy_userns, SK_STR, "rootfs", rootfs),
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

/* harden.userns: {"ids": "FIRST-LAST", "size": N, "rootfs": "idmap"} */
static int
parse_userns (yajl_val harden, struct sbx_policy *p, sbx_error_t *err)
{
  struct policy_userns *u = &p->userns;
  yajl_val obj = NULL;
  unsigned long long first, last;
  int end = 0;

  if (spec_get_object (harden, "userns", "harden", &obj, err) < 0)
    return -1;
  if (obj == NULL)
    return 0;
  if (only_known (obj, "harden.userns", userns_fields, SPEC_N (userns_fields), err) < 0
      || spec_parse_fields (obj, "harden.userns", userns_fields, SPEC_N (userns_fields), u, err) < 0)
    return -1;
  p->has_userns = true;
  if (!u->has_size)
    u->size = 65536;
  if (u->ids == NULL || sscanf (u->ids, "%llu-%llu%n", &first, &last, &end) != 2 || u->ids[end] != '\0'
      || first == 0 || last < first || last >= 4294967295ULL)
    return sbx_error_set (err, EINVAL, "harden.userns.ids: `%s` is not FIRST-LAST (host ids, 0 < FIRST <= LAST < 2^32-1)",
                          u->ids ? u->ids : "");
  if (u->size <= 0 || (unsigned long long) u->size > last - first + 1)
    return sbx_error_set (err, EINVAL, "harden.userns.size: %lld ids do not fit in `%s`", (long long) u->size, u->ids);
  if (u->rootfs != NULL && strcmp (u->rootfs, "idmap") != 0 && strcmp (u->rootfs, "unmapped") != 0)
    return sbx_error_set (err, EINVAL, "harden.userns.rootfs: `%s` is not idmap or unmapped", u->rootfs);
  u->first = (uint32_t) first;
  u->last = (uint32_t) last;
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
                             || spec_parse_fields (harden, "harden", harden_fields, N_HARDEN_PARSED, p, err) < 0
                             || parse_userns (harden, p, err) < 0
                             || spec_parse_seccomp (harden, "harden", &p->seccomp_profile, err) < 0)))
    {
      policy_free (p);
      return NULL;
    }
  if (p->network != NULL && strcmp (p->network, "loopback") != 0)
    {
      sbx_error_set (err, EINVAL, "harden.network: `%s` is not loopback", p->network);
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
  spec_free_fields (harden_fields, N_HARDEN_PARSED, p);
  spec_free_fields (userns_fields, SPEC_N (userns_fields), &p->userns);
  spec_seccomp_free (p->seccomp_profile);
  free (p);
}

/* ---- the parsed policy as bytes, for the cache ---- */

/* Every member of struct sbx_policy is in a table above or named in
   policy_put and policy_decode: a new member must be added to one of them
   (else the cached policy would lack it), then this size updated. */
#if defined(__x86_64__) && defined(__LP64__)
_Static_assert (sizeof (struct sbx_policy) == 280,
                "struct sbx_policy changed: carry the new member in policy_put/policy_decode");
#endif

static void
policy_put (FILE *f, const struct sbx_policy *p)
{
  spec_fields_put (f, allow_fields, SPEC_N (allow_fields), p);
  spec_fields_put (f, require_fields, SPEC_N (require_fields), p);
  spec_fields_put (f, harden_fields, N_HARDEN_PARSED, p);
  blob_put_u64 (f, p->has_userns);
  spec_fields_put (f, userns_fields, SPEC_N (userns_fields), &p->userns);
  blob_put_u64 (f, p->userns.first);
  blob_put_u64 (f, p->userns.last);
  spec_seccomp_put (f, p->seccomp_profile);
}

struct sbx_policy *
policy_decode (const char *buf, size_t len)
{
  struct blob_in in = { buf, buf + len, false };
  struct sbx_policy *p = calloc (1, sizeof *p);

  if (p == NULL)
    return NULL;
  spec_fields_get (&in, allow_fields, SPEC_N (allow_fields), p);
  spec_fields_get (&in, require_fields, SPEC_N (require_fields), p);
  spec_fields_get (&in, harden_fields, N_HARDEN_PARSED, p);
  p->has_userns = blob_get_u64 (&in) != 0;
  spec_fields_get (&in, userns_fields, SPEC_N (userns_fields), &p->userns);
  p->userns.first = (uint32_t) blob_get_u64 (&in);
  p->userns.last = (uint32_t) blob_get_u64 (&in);
  if (!in.bad)
    spec_seccomp_get (&in, &p->seccomp_profile);
  if (in.bad || in.p != in.end)
    {
      policy_free (p);
      return NULL;
    }
  return p;
}

static void
put_policy (FILE *f, const void *p)
{
  policy_put (f, p);
}

char *
policy_encode (const struct sbx_policy *p, size_t *len)
{
  return blob_encode (put_policy, p, len);
}

struct sbx_policy *
policy_parse_cached (const char *buf, size_t len, sbx_error_t *err)
{
  const char *hdr = run_cache_header ();
  int dirfd = run_cache_dir (RUN_CACHE_POLICY);
  _cleanup_free_ char *key = NULL, *payload = NULL, *out = NULL;
  size_t klen = 0, plen = 0;
  struct sbx_policy *p;

  if (hdr != NULL && dirfd >= 0 && asprintf (&key, "policy 1\n%s%zu bytes\n", hdr, len) > 0)
    {
      char *k = realloc (key, strlen (key) + len);
      if (k == NULL)
        return policy_parse (buf, len, err);
      klen = strlen (k);
      memcpy (k + klen, buf, len);
      klen += len;
      key = k;
      if (run_cache_get (dirfd, key, klen, &payload, &plen) && (p = policy_decode (payload, plen)) != NULL)
        return p;
    }
  else
    key = NULL;
  p = policy_parse (buf, len, err);
  if (p != NULL && key != NULL && (out = policy_encode (p, &plen)) != NULL)
    run_cache_put (dirfd, key, klen, out, plen);
  return p;
}
