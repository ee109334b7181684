/* test_policy_blob.c: a parsed policy as the bytes /run/sbx-policy keeps
 * (policy_encode) and back (policy_decode). What comes back must be the
 * policy that was parsed, member by member; bytes cut short, grown or
 * with a broken length must decode to nothing (the caller then parses
 * the file), never to a policy with less in it. */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "unit.h"

/* Every rule the schema has, each with a value other than its default. */
static const char every_rule[] =
  "{\"allow\": {\"capabilities\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"hostNamespaces\": [\"uts\"],"
  " \"bindSources\": [\"/srv/a\", \"/srv/b\"], \"devices\": [\"c 1:3\", \"c 136:*\"],"
  " \"sysctls\": [\"net.ipv4.ping_group_range\"], \"hooks\": [\"/usr/bin/*\"]},"
  " \"require\": {\"seccomp\": true, \"noNewPrivileges\": true, \"readonlyKernelFs\": true,"
  " \"maskedPaths\": [\"/proc/kcore\", \"/sys/firmware\"]},"
  " \"harden\": {\"readonlyRootfs\": true, \"noexecWritable\": true, \"procSubsetPid\": true,"
  " \"memory\": 268435456, \"pids\": 512, \"cpuMillis\": 1500,"
  " \"rlimits\": {\"RLIMIT_NOFILE\": \"1024\", \"RLIMIT_NPROC\": \"300\"}, \"network\": \"loopback\","
  " \"socketFamilies\": [\"AF_UNIX\", \"AF_NETLINK_ROUTE\"],"
  " \"userns\": {\"ids\": \"100000-299999\", \"size\": 50000, \"rootfs\": \"unmapped\"},"
  " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 5,"
  "  \"architectures\": [\"SCMP_ARCH_X86_64\"], \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
  "  \"syscalls\": [{\"names\": [\"bpf\", \"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},"
  "   {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 268435456,"
  "    \"valueTwo\": 268435456, \"op\": \"SCMP_CMP_MASKED_EQ\"}, {\"index\": 2, \"value\": 18446744073709551615,"
  "    \"op\": \"SCMP_CMP_NE\"}]}]}}}";

static struct sbx_policy *
parse (const char *json)
{
  sbx_error_t err = { 0 };
  struct sbx_policy *p = policy_parse (json, strlen (json), &err);

  if (p == NULL)
    fprintf (stderr, "# parse: %s\n", err.msg);
  sbx_error_free (&err);
  return p;
}

/* JSON -> parsed (*p) -> bytes (*b) -> decoded (returned); NULL if any fails */
static struct sbx_policy *
round_trip (const char *json, struct sbx_policy **p, char **b, size_t *len)
{
  *b = NULL;
  *p = parse (json);
  if (*p == NULL || (*b = policy_encode (*p, len)) == NULL)
    return NULL;
  return policy_decode (*b, *len);
}

static bool
same_strv (const struct spec_strv *a, const struct spec_strv *b)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (strcmp (a->v[i], b->v[i]) != 0)
      return false;
  return true;
}

UNIT_TEST (every_rule_comes_back)
{
  struct sbx_policy *p, *q;
  size_t len;
  char *b;

  q = round_trip (every_rule, &p, &b, &len);
  REQUIRE (q != NULL);
  CHECK (q->has_caps && same_strv (&q->caps, &p->caps) && q->caps.n == 2);
  CHECK (q->has_host_ns && same_strv (&q->host_ns, &p->host_ns));
  CHECK (q->has_binds && same_strv (&q->binds, &p->binds));
  CHECK (q->has_devices && same_strv (&q->devices, &p->devices));
  CHECK (q->has_sysctls && same_strv (&q->sysctls, &p->sysctls));
  CHECK (q->has_hooks && same_strv (&q->hooks, &p->hooks));
  CHECK (q->seccomp && q->no_new_privileges && q->readonly_kernel_fs);
  CHECK (same_strv (&q->masked_paths, &p->masked_paths) && q->masked_paths.n == 2);
  CHECK (q->readonly_rootfs && q->noexec_writable && q->proc_subset_pid);
  CHECK (q->has_memory && q->memory == 268435456 && q->has_pids && q->pids == 512);
  CHECK (q->has_cpus && q->cpu_quota == p->cpu_quota);
  REQUIRE (q->rlimits.n == 2);
  CHECK_STREQ (q->rlimits.keys[1], "RLIMIT_NPROC");
  CHECK_STREQ (q->rlimits.values[1], "300");
  CHECK_STREQ (q->network, "loopback");
  CHECK (q->has_socket_families && same_strv (&q->socket_families, &p->socket_families));
  CHECK (q->has_userns && q->userns.has_size && q->userns.size == 50000);
  CHECK_STREQ (q->userns.ids, "100000-299999");
  CHECK_STREQ (q->userns.rootfs, "unmapped");
  CHECK (q->userns.first == 100000 && q->userns.last == 299999);
  REQUIRE (q->seccomp_profile != NULL && q->seccomp_profile->n_syscalls == 2);
  CHECK_STREQ (q->seccomp_profile->default_action, "SCMP_ACT_ALLOW");
  CHECK (q->seccomp_profile->has_default_errno_ret && q->seccomp_profile->default_errno_ret == 5);
  CHECK (same_strv (&q->seccomp_profile->architectures, &p->seccomp_profile->architectures));
  CHECK (same_strv (&q->seccomp_profile->flags, &p->seccomp_profile->flags));
  CHECK (q->seccomp_profile->listener_path == NULL);
  CHECK (same_strv (&q->seccomp_profile->syscalls[0].names, &p->seccomp_profile->syscalls[0].names));
  CHECK (q->seccomp_profile->syscalls[0].has_errno_ret && q->seccomp_profile->syscalls[0].errno_ret == 1);
  REQUIRE (q->seccomp_profile->syscalls[1].n_args == 2);
  CHECK (q->seccomp_profile->syscalls[1].args[0].value_two == 268435456);
  CHECK (q->seccomp_profile->syscalls[1].args[1].index == 2);
  CHECK (q->seccomp_profile->syscalls[1].args[1].value == 18446744073709551615ULL);
  CHECK_STREQ (q->seccomp_profile->syscalls[1].args[1].op, "SCMP_CMP_NE");
  /* and as bytes again, the same */
  {
    size_t len2;
    char *b2 = policy_encode (q, &len2);
    REQUIRE (b2 != NULL);
    CHECK (len2 == len && memcmp (b, b2, len) == 0);
    free (b2);
  }
  free (b);
  policy_free (p);
  policy_free (q);
}

UNIT_TEST (an_empty_policy_comes_back_empty)
{
  struct sbx_policy *p, *q;
  size_t len;
  char *b;

  q = round_trip ("{}", &p, &b, &len);
  REQUIRE (q != NULL);
  CHECK (!q->has_caps && !q->seccomp && !q->has_userns && q->seccomp_profile == NULL && q->network == NULL);
  free (b);
  policy_free (p);
  policy_free (q);
}

UNIT_TEST (bad_bytes_decode_to_nothing)
{
  struct sbx_policy *p = parse (every_rule), *q;
  size_t len;
  char *b, *grown;

  REQUIRE (p != NULL);
  b = policy_encode (p, &len);
  REQUIRE (b != NULL);
  /* every prefix */
  for (size_t n = 0; n < len; n++)
    {
      q = policy_decode (b, n);
      CHECK (q == NULL);
      policy_free (q);
    }
  /* one byte more */
  grown = malloc (len + 1);
  REQUIRE (grown != NULL);
  memcpy (grown, b, len);
  grown[len] = 0;
  q = policy_decode (grown, len + 1);
  CHECK (q == NULL);
  policy_free (q);
  /* the first list's count (allow.capabilities, after has_caps) made huge */
  memset (grown + 8, 0x7f, 8);
  q = policy_decode (grown, len);
  CHECK (q == NULL);
  policy_free (q);
  /* its first string's length past the end */
  memcpy (grown, b, len);
  memset (grown + 16, 0x7f, 4);
  q = policy_decode (grown, len);
  CHECK (q == NULL);
  policy_free (q);
  free (grown);
  free (b);
  policy_free (p);
}

int
main (void)
{
  return unit_main ();
}
