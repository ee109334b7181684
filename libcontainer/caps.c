/* caps.c: capability sets. Order matters: the bounding set is dropped
 * while CAP_SETPCAP is still held; PR_SET_KEEPCAPS keeps the permitted set
 * across setresuid to a non-root uid; capset then sets the three sets and
 * ambient capabilities are raised last (they must be in permitted and
 * inheritable). Inheritable and ambient are only what the config says:
 * never implied (CVE-2022-29162). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#ifdef HAVE_LIBCAP
#include <sys/capability.h>
#endif

#include "caps.h"
#include "kernel.h"
#include "error.h"
#include "log.h"

static const char *const cap_names[] = {
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
  "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
  "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
  "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
  "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
  "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
  "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int
caps_from_name (const char *name)
{
  if (strncasecmp (name, "CAP_", 4) == 0)
    name += 4;
  for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (strcasecmp (cap_names[i], name) == 0)
      return (int) i;
#ifdef HAVE_LIBCAP
  {
    /* Newer than this table: ask libcap, which knows its kernel's names. */
    cap_value_t v;
    char full[64];
    snprintf (full, sizeof full, "cap_%s", name);
    if (cap_from_name (full, &v) == 0)
      return (int) v;
  }
#endif
  return -1;
}

const char *
caps_name (int i)
{
  static char buf[64];
  if (i < 0 || i >= (int) (sizeof cap_names / sizeof cap_names[0]))
    return NULL;
  snprintf (buf, sizeof buf, "CAP_%s", cap_names[i]);
  return buf;
}

int
caps_last_cap (void)
{
  static int last = -1;
  char buf[16] = "";
  int fd;

  if (last >= 0)
    return last;
  fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (read (fd, buf, sizeof buf - 1) > 0)
        last = atoi (buf);
      close (fd);
    }
  if (last <= 0)
    last = CAP_LAST_CAP;
  return last;
}

static int
parse_set (const struct spec_strv *v, const char *set, uint64_t *out, sbx_error_t *err)
{
  *out = 0;
  for (size_t i = 0; i < v->n; i++)
    {
      int c = caps_from_name (v->v[i]);
      if (c < 0)
        return sbx_error_set (err, EINVAL, "process.capabilities.%s[%zu]: unknown capability \"%s\"",
                              set, i, v->v[i]);
      if (c > caps_last_cap ())
        {
          log_warn ("process.capabilities.%s: %s is not known to this kernel, skipped", set, v->v[i]);
          continue;
        }
      *out |= 1ULL << c;
    }
  return 0;
}

int
caps_parse (const struct spec_capabilities *c, struct caps_sets *out, sbx_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (c == NULL)
    return 0;
  out->present = true;
  if (parse_set (&c->bounding, "bounding", &out->bounding, err) < 0
      || parse_set (&c->effective, "effective", &out->effective, err) < 0
      || parse_set (&c->inheritable, "inheritable", &out->inheritable, err) < 0
      || parse_set (&c->permitted, "permitted", &out->permitted, err) < 0
      || parse_set (&c->ambient, "ambient", &out->ambient, err) < 0)
    return -1;
  return 0;
}

int
caps_prepare_switch (const struct caps_sets *s, sbx_error_t *err)
{
  if (!s->present)
    return 0;
  for (int c = 0; c <= caps_last_cap (); c++)
    if (!(s->bounding & (1ULL << c)) && sbx_kernel.prctl (PR_CAPBSET_DROP, (unsigned long) c, 0, 0, 0) < 0 && errno != EINVAL)
      return sbx_error_errno (err, "drop capability %d from the bounding set", c);
  if (sbx_kernel.prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return sbx_error_errno (err, "PR_SET_KEEPCAPS");
  return 0;
}

int
caps_apply (const struct caps_sets *s, sbx_error_t *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2];

  if (!s->present)
    return 0;
  sbx_kernel.prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0);
  for (int i = 0; i < 2; i++)
    {
      data[i].effective = (uint32_t) (s->effective >> (32 * i));
      data[i].permitted = (uint32_t) (s->permitted >> (32 * i));
      data[i].inheritable = (uint32_t) (s->inheritable >> (32 * i));
    }
  if (sbx_kernel.capset (&hdr, data) < 0)
    return sbx_error_errno (err, "set capabilities (process.capabilities)");
  if (sbx_kernel.prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return sbx_error_errno (err, "clear ambient capabilities");
  /* Like runc: an ambient capability that is not both permitted and
     inheritable cannot be raised; that is a warning, not a failure. */
  for (int c = 0; c <= caps_last_cap (); c++)
    if ((s->ambient & (1ULL << c)) && sbx_kernel.prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) c, 0, 0) < 0)
      log_warn ("cannot raise ambient capability CAP_%s (it must be permitted and inheritable): %s",
                c < (int) (sizeof cap_names / sizeof cap_names[0]) ? cap_names[c] : "?", strerror (errno));
  return 0;
}
