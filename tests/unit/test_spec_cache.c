/* test_spec_cache.c: config.json with its linux.seccomp from the cache of
 * profiles (libcontainer/spec-cache.c). Whatever the document, the spec
 * must be the one spec_parse gives: the same profile (compared as the
 * bytes the cache keeps), the same rest, the same error. Each document is
 * read three times (a miss that keeps the profile, then hits). Documents
 * that could fool a scan of the text: members named twice, names written
 * with escapes, braces and quotes inside strings, a profile that is null,
 * errors inside and outside the profile. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run-cache.h"
#include "spec-internal.h"
#include "unit.h"

#define PROFILE(action, name)                                                                          \
  "{\"defaultAction\": \"" action "\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],"  \
  " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"], \"syscalls\": [{\"names\": [\"" name "\", \"read\"],"     \
  " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}, {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\"," \
  " \"args\": [{\"index\": 0, \"value\": 2114060288, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}"

#define HEAD "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}, \"root\": {\"path\": \"rootfs\"}, "

static char *
bytes_of (const struct spec_seccomp *s, size_t *len)
{
  char *out = NULL;
  FILE *m = open_memstream (&out, len);

  spec_seccomp_put (m, s);
  fclose (m);
  return out;
}

/* spec_parse_cached gives what spec_parse gives, three times over. */
static bool
same_as_plain (const char *doc)
{
  sbx_error_t e1 = { 0 };
  struct sbx_spec *want = spec_parse (doc, strlen (doc), &e1);
  size_t wl = 0;
  char *wb = want != NULL && want->linux_ != NULL ? bytes_of (want->linux_->seccomp, &wl) : NULL;
  bool ok = true;

  for (int round = 0; round < 3 && ok; round++)
    {
      sbx_error_t e2 = { 0 };
      struct sbx_spec *got = spec_parse_cached (doc, strlen (doc), &e2);
      size_t gl = 0;
      char *gb = got != NULL && got->linux_ != NULL ? bytes_of (got->linux_->seccomp, &gl) : NULL;
      if ((want == NULL) != (got == NULL))
        ok = false;
      else if (want == NULL)
        ok = strcmp (e1.msg, e2.msg) == 0;
      else
        ok = (wb == NULL) == (gb == NULL) && wl == gl && (wb == NULL || memcmp (wb, gb, wl) == 0)
             && strcmp (want->process->args.v[0], got->process->args.v[0]) == 0
             && strcmp (want->root->path, got->root->path) == 0
             && (want->linux_ == NULL) == (got->linux_ == NULL)
             && (want->linux_ == NULL || want->linux_->n_namespaces == got->linux_->n_namespaces);
      if (!ok)
        printf ("# round %d differs: %s / %s\n", round, e1.msg ? e1.msg : "-", e2.msg ? e2.msg : "-");
      free (gb);
      spec_free (got);
      sbx_error_free (&e2);
    }
  free (wb);
  spec_free (want);
  sbx_error_free (&e1);
  return ok;
}

/* Whether the cache directory holds a profile kept by spec-cache.c. */
static bool
profile_kept (void)
{
  DIR *d = opendir (RUN_CACHE_SECCOMP);
  struct dirent *de;
  bool found = false;

  while (d != NULL && !found && (de = readdir (d)) != NULL)
    {
      char buf[256] = "";
      int fd = openat (dirfd (d), de->d_name, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      ssize_t n = read (fd, buf, sizeof buf - 1);
      close (fd);
      found = n > 0 && memmem (buf, (size_t) n, "config linux.seccomp 1\n", 23) != NULL;
    }
  if (d != NULL)
    closedir (d);
  return found;
}

UNIT_TEST (a_profile_comes_back_the_same)
{
  CHECK (same_as_plain (HEAD "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}], \"seccomp\": "
                        PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}}"));
  if (geteuid () == 0)
    CHECK (profile_kept ());
  else
    printf ("# not root: no cache, only the plain parse compared\n");
  /* compact, and the profile the last member */
  CHECK (same_as_plain ("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},\"linux\":{\"seccomp\":"
                        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                        "\"SCMP_ACT_ALLOW\"}]}}}"));
}

UNIT_TEST (the_last_member_counts_as_spec_get_says)
{
  /* linux twice: the second's profile */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}, "
                        "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_KILL", "rmdir") "}}"));
  /* the second linux has none: no profile */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}, "
                        "\"linux\": {\"namespaces\": []}}"));
  /* seccomp twice in one linux */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") ", "
                        "\"seccomp\": " PROFILE ("SCMP_ACT_KILL", "rmdir") "}}"));
  /* names spelled with escapes are the same names to yajl */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}, "
                        "\"linu\\u0078\": {\"seccomp\": " PROFILE ("SCMP_ACT_KILL", "rmdir") "}}"));
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") ", "
                        "\"secco\\u006dp\": " PROFILE ("SCMP_ACT_KILL", "rmdir") "}}"));
  /* a profile that is null, then one that is not */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": null}}"));
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": null, \"seccomp\": " PROFILE ("SCMP_ACT_LOG", "mkdir") "}}"));
}

UNIT_TEST (strings_that_look_like_structure)
{
  CHECK (same_as_plain (HEAD "\"annotations\": {\"x\": \"\\\"linux\\\": {\\\"seccomp\\\": {}}\"}, "
                        "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "a}b]c") "}}"));
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "q\\\"{[") "}}"));
}

UNIT_TEST (errors_are_the_plain_parse_errors)
{
  /* broken JSON after the profile, and before it */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") " \"x\": 1}}"));
  CHECK (same_as_plain (HEAD "\"linux\": {\"x\" 1, \"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}}"));
  /* a profile that does not parse; a field outside it that does not */
  CHECK (same_as_plain (HEAD "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": 3}}}"));
  CHECK (same_as_plain (HEAD "\"linux\": {\"namespaces\": 7, \"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}}"));
  /* a profile kept above, in a document broken elsewhere */
  CHECK (same_as_plain ("{\"process\": 5, \"linux\": {\"seccomp\": " PROFILE ("SCMP_ACT_ALLOW", "mkdir") "}}"));
  CHECK (same_as_plain (""));
  CHECK (same_as_plain ("{\"linux\": {\"seccomp\": {}}"));
}

int
main (void)
{
  return unit_main ();
}
