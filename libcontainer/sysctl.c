/* sysctl.c: namespaced sysctls (see runc's and the kernel's lists: IPC
 * keys need a private IPC namespace, net.* a private network namespace,
 * kernel.hostname/domainname a private UTS namespace). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "sysctl.h"

static const char *const ipc_keys[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
  "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool
ns_private (const struct sbx_spec *spec, enum spec_ns_type t)
{
  const struct spec_namespace *ns = spec_linux_namespace (spec, t);
  return ns != NULL && ns->path == NULL;
}

static bool
ns_present (const struct sbx_spec *spec, enum spec_ns_type t)
{
  return spec_linux_namespace (spec, t) != NULL;
}

/* "a.b/c.d" names the file a/b.c/d under /proc/sys (a dot inside an
   interface name). */
static void
key_to_path (const char *key, char *path, size_t len)
{
  snprintf (path, len, "%s", key);
  for (char *p = path; *p; p++)
    *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
}

static bool
host_has_key (const char *key)
{
  char path[512] = "/proc/sys/";

  key_to_path (key, path + 10, sizeof path - 10);
  return access (path, F_OK) == 0;
}

/* hostname and kernel.hostname set the same thing: two values for it is
   a config error, not a race the later write wins. */
static int
check_uts_conflict (const struct sbx_spec *spec, const char *key, const char *value, sbx_error_t *err)
{
  const char *field = NULL, *given = NULL;

  if (strcmp (key, "kernel.hostname") == 0)
    field = "hostname", given = spec->hostname;
  else if (strcmp (key, "kernel.domainname") == 0)
    field = "domainname", given = spec->domainname;
  if (given != NULL && strcmp (given, value) != 0)
    return sbx_error_set (err, EINVAL, "linux.sysctl: \"%s\" (\"%.64s\") conflicts with %s (\"%.64s\")", key,
                          value, field, given);
  return 0;
}

static int
check_key (const struct sbx_spec *spec, const char *key, sbx_error_t *err)
{
  const char *why = NULL;

  for (const char *p = key; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || strchr ("._-/", *p)))
      return sbx_error_set (err, EINVAL, "linux.sysctl: invalid key \"%s\"", key);
  if (key[0] == '.' || key[0] == '/' || strstr (key, "..") || strstr (key, "//") || strstr (key, "./")
      || strstr (key, "/.") || key[strlen (key) - 1] == '.')
    return sbx_error_set (err, EINVAL, "linux.sysctl: invalid key \"%s\"", key);
  for (size_t i = 0; i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
    if (strcmp (key, ipc_keys[i]) == 0)
      {
        if (!ns_private (spec, SPEC_NS_IPC) && !ns_present (spec, SPEC_NS_IPC))
          why = "needs a private IPC namespace";
        goto done;
      }
  if (strncmp (key, "fs.mqueue.", 10) == 0)
    {
      if (!ns_present (spec, SPEC_NS_IPC))
        why = "needs a private IPC namespace";
      goto done;
    }
  if (strncmp (key, "net.", 4) == 0)
    {
      if (!ns_present (spec, SPEC_NS_NETWORK))
        why = "needs a network namespace of the container's own";
      goto done;
    }
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    {
      if (!ns_present (spec, SPEC_NS_UTS))
        why = "needs a private UTS namespace";
      goto done;
    }
  why = host_has_key (key) ? "is not namespaced: changing it would change the whole host"
                           : "does not exist (no such file under /proc/sys)";
done:
  if (why != NULL)
    return sbx_error_set (err, EPERM, "linux.sysctl: \"%s\" %s", key, why);
  return 0;
}

int
sysctl_check (const struct sbx_spec *spec, sbx_error_t *err)
{
  if (spec->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < spec->linux_->sysctl.n; i++)
    if (check_key (spec, spec->linux_->sysctl.keys[i], err) < 0
        || check_uts_conflict (spec, spec->linux_->sysctl.keys[i], spec->linux_->sysctl.values[i], err) < 0)
      return -1;
  return 0;
}

int
sysctl_apply (const struct sbx_spec *spec, int procfd, sbx_error_t *err)
{
  const struct spec_map *m = &spec->linux_->sysctl;

  for (size_t i = 0; i < m->n; i++)
    {
      char path[512];
      _cleanup_fd_ int fd = -1;
      size_t len = strlen (m->values[i]);

      memcpy (path, "sys/", 4);
      key_to_path (m->keys[i], path + 4, sizeof path - 4);
      fd = open_in_root (procfd, path, O_WRONLY, err);
      if (fd < 0)
        return sbx_error_wrap (err, "linux.sysctl \"%s\"", m->keys[i]);
      if (write (fd, m->values[i], len) != (ssize_t) len)
        return sbx_error_errno (err, "linux.sysctl: set \"%s\" to \"%s\"", m->keys[i], m->values[i]);
    }
  return 0;
}
