/* seccomp-cache.c: compiled seccomp programs kept in SECCOMP_CACHE_DIR
 * (root's, 0700), so that a filter sbx builds on every create and exec
 * (the config's linux.seccomp, the policy's, the two joined) is compiled
 * once: libseccomp takes milliseconds for a profile like Docker's default,
 * more than the rest of a `run`. The key is the whole text
 * of what the program depends on: this sbx binary (device, inode, size,
 * mtime of /proc/self/exe), the kernel release, libseccomp's version and
 * API level, and every field of the filter. A file is named by the key's
 * FNV-1a hash and holds the key itself, compared byte for byte, so a hash
 * collision is a miss, never another program. Any trouble with the cache
 * (not root, unreadable, short, another owner) is a miss: the filter is
 * compiled as without it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SBX_WANT_LIBSECCOMP 1
#include <seccomp.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "log.h"
#include "spec.h"

#define SECCOMP_CACHE_DIR "/run/sbx-seccomp"
#define MAGIC "sbx-bpf 1\n"
#define MAX_FILE (1 << 20)
#define MAX_ENTRIES 256

static void
put_str (FILE *f, const char *s)
{
  /* length-prefixed: no two filters give the same text */
  if (s == NULL)
    fputs ("-;", f);
  else
    fprintf (f, "%zu:%s;", strlen (s), s);
}

static void
put_strv (FILE *f, const struct spec_strv *v)
{
  fprintf (f, "[%zu]", v->n);
  for (size_t i = 0; i < v->n; i++)
    put_str (f, v->v[i]);
}

/* What every key starts with: this sbx binary, the kernel, libseccomp.
   The same for the life of the process: made once. */
static const char *
key_header (void)
{
  static char hdr[512];
  const struct scmp_version *v;
  struct utsname u;
  struct stat st;

  if (hdr[0] != '\0')
    return hdr;
  if (stat ("/proc/self/exe", &st) < 0 || uname (&u) < 0)
    return NULL;
  v = seccomp_version ();
  snprintf (hdr, sizeof hdr, "exe %ju %ju %jd %jd.%ld\nkernel %s %s\nlibseccomp %u.%u.%u api %u\n",
            (uintmax_t) st.st_dev, (uintmax_t) st.st_ino, (intmax_t) st.st_size, (intmax_t) st.st_mtim.tv_sec,
            st.st_mtim.tv_nsec, u.release, u.version, v->major, v->minor, v->micro, seccomp_api_get ());
  return hdr;
}

static char *
cache_key (const struct spec_seccomp *s, size_t *len)
{
  const char *hdr = key_header ();
  char *buf = NULL;
  FILE *f;

  if (hdr == NULL || (f = open_memstream (&buf, len)) == NULL)
    return NULL;
  fputs (hdr, f);
  put_str (f, s->default_action);
  fprintf (f, "%d %" PRIu32, s->has_default_errno_ret, s->default_errno_ret);
  put_strv (f, &s->architectures);
  put_strv (f, &s->flags);
  put_str (f, s->listener_path);
  put_str (f, s->listener_metadata);
  fprintf (f, "\n%zu rules\n", s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *r = &s->syscalls[i];
      put_strv (f, &r->names);
      put_str (f, r->action);
      fprintf (f, "%d %" PRIu32 " [%zu]", r->has_errno_ret, r->errno_ret, r->n_args);
      for (size_t k = 0; k < r->n_args; k++)
        {
          fprintf (f, "%" PRIu32 " %" PRIu64 " %" PRIu64, r->args[k].index, r->args[k].value, r->args[k].value_two);
          put_str (f, r->args[k].op);
        }
      fputc ('\n', f);
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

static uint64_t
fnv1a (const char *s, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;

  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char) s[i]) * 0x100000001b3ULL;
  return h;
}

/* The file: MAGIC, u32 key length, key, u32 kflags, u32 instructions, program. */
static bool
cache_read (int dirfd, const char *name, const char *key, size_t key_len, struct seccomp_filter **out)
{
  _cleanup_fd_ int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_free_ char *buf = NULL;
  const size_t hdr = sizeof MAGIC - 1;
  struct stat st;
  uint32_t kl, kflags, n;
  sbx_error_t e = { 0 };
  ssize_t got;

  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) != 0
      || st.st_size > MAX_FILE || (buf = malloc ((size_t) st.st_size + 1)) == NULL)
    return false;
  got = read (fd, buf, (size_t) st.st_size);
  if (got != st.st_size || (size_t) got < hdr + 4 || memcmp (buf, MAGIC, hdr) != 0)
    return false;
  memcpy (&kl, buf + hdr, 4);
  if (kl != key_len || (size_t) got < hdr + 12 + kl || memcmp (buf + hdr + 4, key, kl) != 0)
    return false;
  memcpy (&kflags, buf + hdr + 4 + kl, 4);
  memcpy (&n, buf + hdr + 8 + kl, 4);
  if ((size_t) got != hdr + 12 + kl + (size_t) n * 8)
    return false;
  if (seccomp_filter_from_bpf (buf + hdr + 12 + kl, n, kflags, out, &e) < 0)
    {
      sbx_error_free (&e);
      return false;
    }
  return true;
}

static void
cache_write (int dirfd, const char *name, const char *key, size_t key_len, const struct seccomp_filter *f)
{
  const void *bpf;
  size_t n;
  unsigned int kflags;
  uint32_t kl = (uint32_t) key_len, k32, n32;
  char *buf = NULL;
  size_t len = 0;
  FILE *m;
  sbx_error_t e = { 0 };

  if (seccomp_filter_bpf (f, &bpf, &n, &kflags) < 0 || (m = open_memstream (&buf, &len)) == NULL)
    return;
  k32 = kflags;
  n32 = (uint32_t) n;
  fwrite (MAGIC, 1, sizeof MAGIC - 1, m);
  fwrite (&kl, 4, 1, m);
  fwrite (key, 1, key_len, m);
  fwrite (&k32, 4, 1, m);
  fwrite (&n32, 4, 1, m);
  fwrite (bpf, 8, n, m);
  if (fclose (m) == 0 && atomic_write_at (dirfd, name, buf, len, 0600, &e) < 0)
    log_debug ("seccomp cache: %s", e.msg);
  sbx_error_free (&e);
  free (buf);
}

/* Past MAX_ENTRIES programs (profiles, sbx binaries and kernels come and
   go) the directory starts again from empty: a miss costs a compile. */
static void
cache_prune (int dirfd)
{
  _cleanup_fd_ int fd = dup (dirfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  size_t n = 0;

  if (d == NULL)
    return;
  fd = -1;
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  if (n >= MAX_ENTRIES)
    {
      rewinddir (d);
      while ((de = readdir (d)) != NULL)
        if (de->d_name[0] != '.')
          unlinkat (dirfd, de->d_name, 0);
    }
  closedir (d);
}

/* The directory, opened once per process (close-on-exec; the init
   closes it with everything else it does not need). */
static int
cache_dir (void)
{
  static int fd = -1;
  struct stat st;

  if (fd >= 0)
    return fd;
  fd = open (SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && mkdir (SECCOMP_CACHE_DIR, 0700) == 0)
    fd = open (SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && (fstat (fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077) != 0))
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* Through the cache under KEY; compile with seccomp_prepare on a miss. */
static int
prepare_keyed (const struct spec_seccomp *s, const char *key, size_t key_len, struct seccomp_filter **out,
               sbx_error_t *err)
{
  int dirfd;
  char name[32];

  if (key == NULL || (dirfd = cache_dir ()) < 0)
    return seccomp_prepare (s, out, err);
  snprintf (name, sizeof name, "%016" PRIx64, fnv1a (key, key_len));
  if (cache_read (dirfd, name, key, key_len, out))
    return 0;
  if (seccomp_prepare (s, out, err) < 0)
    return -1;
  cache_prune (dirfd);
  cache_write (dirfd, name, key, key_len, *out);
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
  int dirfd = -1;
  char name[32];

  *config_out = *policy_out = NULL;
  if (geteuid () == 0)
    {
      kc = config != NULL ? cache_key (config, &lc) : NULL;
      kp = policy != NULL ? cache_key (policy, &lp) : NULL;
    }
  /* the two as one program: its own entry, keyed by both and their order */
  if (join && kc != NULL && kp != NULL && (dirfd = cache_dir ()) >= 0
      && (lj = (size_t) asprintf (&kj, "joined %s\n%s\n%s", nnp ? "policy-first" : "config-first", kc, kp)) > 0
      && kj != NULL)
    {
      snprintf (name, sizeof name, "%016" PRIx64, fnv1a (kj, lj));
      if (cache_read (dirfd, name, kj, lj, config_out))
        return 0;
    }
  if (policy != NULL && prepare_keyed (policy, kp, lp, policy_out, err) < 0)
    return sbx_error_wrap (err, "--policy seccomp");
  if (config != NULL && prepare_keyed (config, kc, lc, config_out, err) < 0)
    return -1;
  if (join && seccomp_join_policy (config_out, policy_out, nnp, err) < 0)
    return -1;
  if (kj != NULL && *policy_out == NULL && *config_out != NULL)
    cache_write (dirfd, name, kj, lj, *config_out);
  return 0;
}
