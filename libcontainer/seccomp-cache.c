/* seccomp-cache.c: compiled seccomp programs kept in RUN_CACHE_SECCOMP
 * (run-cache.c), so that a filter sbx builds on every create and exec
 * (the config's linux.seccomp, the policy's, the two joined) is compiled
 * once: libseccomp takes milliseconds for a profile like Docker's default,
 * more than the rest of a `run`. The key is the whole text of what the
 * program depends on: this sbx binary and the kernel (run_cache_header),
 * libseccomp's version and API level, and every field of the filter. The
 * payload: the kernel flags (u32), the number of instructions (u32), the
 * program. Any trouble with the cache is a miss: the filter is compiled as
 * without it. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SBX_WANT_LIBSECCOMP 1
#include <seccomp.h>

#include "cleanup.h"
#include "error.h"
#include "json.h"
#include "log.h"
#include "run-cache.h"
#include "spec.h"

/* The key's text, appended by hand: stdio's formatting took most of a
   lookup (70 µs for a profile like Docker's). */
static void
put_text (struct json_buf *b, const char *s)
{
  json_buf_append (b, s, strlen (s));
}

static void
put_u64 (struct json_buf *b, uint64_t v)
{
  char t[24];
  size_t i = sizeof t;

  do
    t[--i] = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  json_buf_append (b, t + i, sizeof t - i);
}

static void
put_str (struct json_buf *b, const char *s)
{
  /* length-prefixed: no two filters give the same text */
  if (s == NULL)
    {
      put_text (b, "-;");
      return;
    }
  size_t len = strlen (s);
  put_u64 (b, len);
  json_buf_append (b, ":", 1);
  json_buf_append (b, s, len);
  json_buf_append (b, ";", 1);
}

static void
put_strv (struct json_buf *b, const struct spec_strv *v)
{
  json_buf_append (b, "[", 1);
  put_u64 (b, v->n);
  json_buf_append (b, "]", 1);
  for (size_t i = 0; i < v->n; i++)
    put_str (b, v->v[i]);
}

/* What every key starts with: this sbx binary, the kernel, libseccomp.
   The same for the life of the process: made once. */
static const char *
key_header (void)
{
  static char hdr[640];
  const char *run = run_cache_header ();
  const struct scmp_version *v;

  if (hdr[0] != '\0')
    return hdr;
  if (run == NULL)
    return NULL;
  v = seccomp_version ();
  snprintf (hdr, sizeof hdr, "%slibseccomp %u.%u.%u api %u\n", run, v->major, v->minor, v->micro, seccomp_api_get ());
  return hdr;
}

static char *
cache_key (const struct spec_seccomp *s, size_t *len)
{
  const char *hdr = key_header ();
  struct json_buf b = { 0 };

  if (hdr == NULL)
    return NULL;
  put_text (&b, hdr);
  put_str (&b, s->default_action);
  put_u64 (&b, s->has_default_errno_ret);
  json_buf_append (&b, " ", 1);
  put_u64 (&b, s->default_errno_ret);
  put_strv (&b, &s->architectures);
  put_strv (&b, &s->flags);
  put_str (&b, s->listener_path);
  put_str (&b, s->listener_metadata);
  json_buf_append (&b, "\n", 1);
  put_u64 (&b, s->n_syscalls);
  put_text (&b, " rules\n");
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *r = &s->syscalls[i];
      put_strv (&b, &r->names);
      put_str (&b, r->action);
      put_u64 (&b, r->has_errno_ret);
      json_buf_append (&b, " ", 1);
      put_u64 (&b, r->errno_ret);
      put_text (&b, " [");
      put_u64 (&b, r->n_args);
      json_buf_append (&b, "]", 1);
      for (size_t k = 0; k < r->n_args; k++)
        {
          put_u64 (&b, r->args[k].index);
          json_buf_append (&b, " ", 1);
          put_u64 (&b, r->args[k].value);
          json_buf_append (&b, " ", 1);
          put_u64 (&b, r->args[k].value_two);
          json_buf_append (&b, " ", 1);
          put_str (&b, r->args[k].op);
        }
      json_buf_append (&b, "\n", 1);
    }
  if (b.failed)
    {
      json_buf_free (&b);
      return NULL;
    }
  *len = b.len;
  return b.s;
}

/* The payload: kernel flags (u32), instructions (u32), the program. */
static bool
cache_read (const char *key, size_t key_len, struct seccomp_filter **out)
{
  _cleanup_free_ char *buf = NULL;
  sbx_error_t e = { 0 };
  uint32_t kflags, n;
  size_t len;

  if (!run_cache_get (run_cache_dir (RUN_CACHE_SECCOMP), key, key_len, &buf, &len) || len < 8)
    return false;
  memcpy (&kflags, buf, 4);
  memcpy (&n, buf + 4, 4);
  if (len != 8 + (size_t) n * 8)
    return false;
  if (seccomp_filter_from_bpf (buf + 8, n, kflags, out, &e) < 0)
    {
      sbx_error_free (&e);
      return false;
    }
  return true;
}

static void
cache_write (const char *key, size_t key_len, const struct seccomp_filter *f)
{
  _cleanup_free_ char *buf = NULL;
  const void *bpf;
  unsigned int kflags;
  uint32_t k32, n32;
  size_t n;

  if (seccomp_filter_bpf (f, &bpf, &n, &kflags) < 0 || (buf = malloc (8 + n * 8)) == NULL)
    return;
  k32 = kflags;
  n32 = (uint32_t) n;
  memcpy (buf, &k32, 4);
  memcpy (buf + 4, &n32, 4);
  memcpy (buf + 8, bpf, n * 8);
  run_cache_put (run_cache_dir (RUN_CACHE_SECCOMP), key, key_len, buf, 8 + n * 8);
}

/* Through the cache under KEY; compile with seccomp_prepare on a miss. */
static int
prepare_keyed (const struct spec_seccomp *s, const char *key, size_t key_len, struct seccomp_filter **out,
               sbx_error_t *err)
{
  if (key != NULL && cache_read (key, key_len, out))
    return 0;
  if (seccomp_prepare (s, out, err) < 0)
    return -1;
  if (key != NULL)
    cache_write (key, key_len, *out);
  return 0;
}

int
seccomp_prepare_cached (const struct spec_seccomp *s, struct seccomp_filter **out, sbx_error_t *err)
{
  _cleanup_free_ char *key = NULL;
  size_t key_len = 0;

  if (geteuid () == 0)
    key = cache_key (s, &key_len);
  return prepare_keyed (s, key, key_len, out, err);
}

int
seccomp_prepare_joined (const struct spec_seccomp *config, const struct spec_seccomp *policy, bool nnp, bool join,
                        struct seccomp_filter **config_out, struct seccomp_filter **policy_out, sbx_error_t *err)
{
  _cleanup_free_ char *kc = NULL, *kp = NULL, *kj = NULL;
  size_t lc = 0, lp = 0, lj = 0;
  int n;

  *config_out = *policy_out = NULL;
  if (geteuid () == 0)
    {
      kc = config != NULL ? cache_key (config, &lc) : NULL;
      kp = policy != NULL ? cache_key (policy, &lp) : NULL;
    }
  /* the two as one program: its own entry, keyed by both (each with its
     length) and their order */
  if (join && kc != NULL && kp != NULL)
    {
      n = asprintf (&kj, "joined %s %zu %zu\n%s\n%s", nnp ? "policy-first" : "config-first", lc, lp, kc, kp);
      if (n < 0)
        kj = NULL;
      else
        lj = (size_t) n;
      if (kj != NULL && cache_read (kj, lj, config_out))
        return 0;
    }
  if (policy != NULL && prepare_keyed (policy, kp, lp, policy_out, err) < 0)
    return sbx_error_wrap (err, "--policy seccomp");
  if (config != NULL && prepare_keyed (config, kc, lc, config_out, err) < 0)
    return -1;
  if (join && seccomp_join_policy (config_out, policy_out, nnp, err) < 0)
    return -1;
  if (kj != NULL && lj > 0 && *policy_out == NULL && *config_out != NULL)
    cache_write (kj, lj, *config_out);
  return 0;
}
