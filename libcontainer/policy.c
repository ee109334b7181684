/* policy.c: the operator's floor. With --policy FILE, create refuses a
 * config that asks for more than the policy allows (capabilities, host
 * namespaces, bind sources, devices, sysctls, hooks) or lacks what it
 * requires (a seccomp filter, no_new_privs, read-only kernel filesystems,
 * masked paths), whatever the engine sent; exec refuses a process beyond
 * it. Every refusal names the policy rule and the config field, and comes
 * before anything is made. The file itself must be root's alone: a policy
 * others can write is no floor. (Hardening, where sbx adds what the config
 * lacks, is not done yet: see docs/policy.md.) */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "mounts.h"
#include "policy.h"

/* The engines' own sockets: a container holding one runs containers of
   its choice on the host. Refused under any prefix. */
static const char *const engine_sockets[] = {
  "/run/docker.sock", "/var/run/docker.sock", "/run/containerd/containerd.sock",
  "/var/run/containerd/containerd.sock", "/run/podman/podman.sock", "/run/crio/crio.sock",
  "/var/run/crio/crio.sock", "/run/buildkit/buildkitd.sock", "/run/sbx",
};

/* st: the file's, from the descriptor read; NULL to stat path */
static int
owned_by_root_only (const char *path, const struct stat *st_file, const char *what, sbx_error_t *err)
{
  struct stat st;

  if (st_file != NULL)
    st = *st_file;
  else if (stat (path, &st) < 0)
    return sbx_error_errno (err, "--policy: %s `%s`", what, path);
  if (st.st_uid != 0 || (st.st_mode & 022) != 0)
    return sbx_error_set (err, EPERM, "--policy: %s `%s` must be owned by root and writable by root only "
                          "(owner %u, mode %04o)", what, path, (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
  return 0;
}

struct sbx_policy *
policy_load (const char *path, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL, *dir = strdup (path);
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct sbx_policy *p;
  struct stat st;
  size_t len;

  if (fd < 0)
    {
      sbx_error_errno (err, "--policy `%s`", path);
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      sbx_error_set (err, EINVAL, "--policy `%s`: not a regular file", path);
      return NULL;
    }
  if (owned_by_root_only (path, &st, "file", err) < 0 || dir == NULL
      || owned_by_root_only (dirname (dir), NULL, "directory of", err) < 0)
    return NULL;
  if (read_file_at (fd, "", &buf, &len, SPEC_MAX_SIZE, err) < 0)
    {
      sbx_error_wrap (err, "--policy `%s`", path);
      return NULL;
    }
  p = policy_parse_cached (buf, len, err);
  if (p == NULL)
    sbx_error_wrap (err, "--policy `%s`", path);
  return p;
}

/* One check of a config against a policy: create stops at the first
   violation (the error), audit collects them all (the callback). */
struct pol_run
{
  sbx_error_t *err;
  policy_report_fn report;
  void *arg;
  int count;
};

static int violation (struct pol_run *r, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* -1 when the check must stop here, 0 when it goes on collecting */
static int
violation (struct pol_run *r, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;

  r->count++;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (r->report == NULL)
    {
      sbx_error_set (r->err, EPERM, "%s", msg ? msg : "policy violation");
      free (msg);
      return -1;
    }
  r->report (msg ? msg : "policy violation", r->arg);
  free (msg);
  return 0;
}

static bool
in_list (const struct spec_strv *v, const char *s)
{
  for (size_t i = 0; i < v->n; i++)
    if (strcmp (v->v[i], s) == 0)
      return true;
  return false;
}

static int
check_caps (const struct sbx_policy *p, const struct spec_process *proc, struct pol_run *r)
{
  const struct spec_capabilities *c = proc->capabilities;
  const struct spec_strv *sets[] = { c ? &c->bounding : NULL, c ? &c->effective : NULL,
                                     c ? &c->inheritable : NULL, c ? &c->permitted : NULL,
                                     c ? &c->ambient : NULL };
  static const char *const names[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

  if (!p->has_caps || c == NULL)
    return 0;
  for (size_t s = 0; s < 5; s++)
    for (size_t i = 0; i < sets[s]->n; i++)
      if (!in_list (&p->caps, sets[s]->v[i])
          && violation (r, "policy allow.capabilities: process.capabilities.%s has %s", names[s],
                        sets[s]->v[i]) < 0)
        return -1;
  return 0;
}

static int
check_process (const struct sbx_policy *p, const struct spec_process *proc, struct pol_run *r)
{
  if (check_caps (p, proc, r) < 0)
    return -1;
  if (p->no_new_privileges && !proc->no_new_privileges
      && violation (r, "policy require.noNewPrivileges: process.noNewPrivileges is not true") < 0)
    return -1;
  return 0;
}

int
policy_check_process (const struct sbx_policy *p, const struct spec_process *proc, sbx_error_t *err)
{
  struct pol_run r = { .err = err };
  return p == NULL ? 0 : check_process (p, proc, &r);
}

/* A namespace the container shares with the host, by omission or by
   joining a path, must be allowed by type. */
static int
check_namespaces (const struct sbx_policy *p, const struct sbx_spec *spec, struct pol_run *r)
{
  static const enum spec_ns_type must_own[] = { SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_IPC, SPEC_NS_UTS,
                                                 SPEC_NS_MOUNT };
  const struct spec_linux *l = spec->linux_;

  if (!p->has_host_ns)
    return 0;
  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      const struct spec_namespace *ns = &l->namespaces[i];
      const char *t = spec_ns_type_to_string (ns->type);
      if (ns->path != NULL && !in_list (&p->host_ns, t)
          && violation (r, "policy allow.hostNamespaces: linux.namespaces[%zu] joins the %s namespace at `%s`",
                        i, t, ns->path) < 0)
        return -1;
    }
  for (size_t i = 0; i < sizeof must_own / sizeof must_own[0]; i++)
    {
      const char *t = spec_ns_type_to_string (must_own[i]);
      if (spec_linux_namespace (spec, must_own[i]) == NULL && !in_list (&p->host_ns, t)
          && violation (r, "policy allow.hostNamespaces: linux.namespaces has no %s namespace "
                        "(the host's would be shared)", t) < 0)
        return -1;
    }
  return 0;
}

/* prefix names path or one of its parents, component-wise */
static bool
under (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);

  while (n > 1 && prefix[n - 1] == '/')
    n--;
  if (strncmp (path, prefix, n) != 0)
    return false;
  return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}

static int
check_bind (const struct sbx_policy *p, const struct spec_mount *m, size_t i, const char *bundle,
            struct pol_run *r)
{
  _cleanup_free_ char *abs = NULL;
  char real[PATH_MAX];
  struct stat st;
  bool ok = false;

  if (m->source == NULL)
    return 0;
  if (m->source[0] != '/' && asprintf (&abs, "%s/%s", bundle, m->source) < 0)
    return sbx_error_errno (r->err, "asprintf");
  /* The host path it really is: a symlink in the source path leads there. */
  if (realpath (abs ? abs : m->source, real) == NULL)
    return violation (r, "policy: mounts[%zu].source `%s`: %s", i, m->source, strerror (errno));
  if (stat (real, &st) == 0 && S_ISSOCK (st.st_mode))
    return violation (r, "policy: mounts[%zu].source `%s` is a socket", i, m->source);
  for (size_t k = 0; k < sizeof engine_sockets / sizeof engine_sockets[0]; k++)
    if (under (real, engine_sockets[k]) || under (engine_sockets[k], real))
      return violation (r, "policy: mounts[%zu].source `%s` reaches the engine socket %s", i, m->source,
                        engine_sockets[k]);
  for (size_t k = 0; k < p->binds.n && !ok; k++)
    ok = under (real, p->binds.v[k]);
  if (p->has_binds && !ok)
    return violation (r, "policy allow.bindSources: mounts[%zu].source `%s` (%s) is under no allowed prefix",
                      i, m->source, real);
  return 0;
}

static int
check_mounts (const struct sbx_policy *p, const struct sbx_spec *spec, const char *bundle, struct pol_run *r)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct spec_mount *m = &spec->mounts[i];
      bool ro = false;

      if (mount_is_bind (m) && check_bind (p, m, i, bundle, r) < 0)
        return -1;
      if (!p->readonly_kernel_fs || m->type == NULL
          || (strcmp (m->type, "sysfs") != 0 && strcmp (m->type, "cgroup") != 0 && strcmp (m->type, "cgroup2") != 0))
        continue;
      for (size_t k = 0; k < m->options.n; k++)
        if (strcmp (m->options.v[k], "ro") == 0 || strcmp (m->options.v[k], "rro") == 0)
          ro = true;
        else if (strcmp (m->options.v[k], "rw") == 0)
          ro = false;
      if (!ro && violation (r, "policy require.readonlyKernelFs: mounts[%zu] (%s on `%s`) is not ro", i,
                            m->type, m->destination) < 0)
        return -1;
    }
  return 0;
}

static int
check_devices (const struct sbx_policy *p, const struct spec_linux *l, struct pol_run *r)
{
  const struct spec_resources *res = l->resources;
  char key[64];

  if (!p->has_devices)
    return 0;
  for (size_t i = 0; i < l->n_devices; i++)
    {
      snprintf (key, sizeof key, "%s %lld:%lld", l->devices[i].type ? l->devices[i].type : "?",
                (long long) l->devices[i].major, (long long) l->devices[i].minor);
      if (!in_list (&p->devices, key)
          && violation (r, "policy allow.devices: linux.devices[%zu] `%s` is %s", i, l->devices[i].path, key) < 0)
        return -1;
    }
  for (size_t i = 0; res != NULL && i < res->n_devices; i++)
    {
      const struct spec_device_cgroup *d = &res->devices[i];
      /* mknod alone grants nothing without CAP_MKNOD and an allowed use */
      if (!d->allow || (d->access != NULL && strcmp (d->access, "m") == 0))
        continue;
      /* a wildcard is "*" in the key: "c 136:*" (the ptys), "a *:*" (all) */
      {
        char maj[24] = "*", min[24] = "*";
        if (d->has_major && d->major >= 0)
          snprintf (maj, sizeof maj, "%lld", (long long) d->major);
        if (d->has_minor && d->minor >= 0)
          snprintf (min, sizeof min, "%lld", (long long) d->minor);
        snprintf (key, sizeof key, "%s %s:%s", d->type ? d->type : "a", maj, min);
      }
      if (!in_list (&p->devices, key)
          && violation (r, "policy allow.devices: linux.resources.devices[%zu] allows %s", i, key) < 0)
        return -1;
    }
  return 0;
}

static int
check_hooks (const struct sbx_policy *p, const struct spec_hooks *h, struct pol_run *r)
{
  const struct spec_hook_list *lists[] = { &h->prestart, &h->create_runtime, &h->create_container,
                                           &h->start_container, &h->poststart, &h->poststop };
  static const char *const names[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                       "poststart", "poststop" };

  for (size_t k = 0; p->has_hooks && k < 6; k++)
    for (size_t i = 0; i < lists[k]->n; i++)
      {
        bool ok = false;
        for (size_t j = 0; j < p->hooks.n && !ok; j++)
          ok = fnmatch (p->hooks.v[j], lists[k]->v[i].path, FNM_PATHNAME) == 0;
        if (!ok && violation (r, "policy allow.hooks: hooks.%s[%zu] runs `%s`", names[k], i,
                              lists[k]->v[i].path) < 0)
          return -1;
      }
  return 0;
}

static int
check_linux (const struct sbx_policy *p, const struct spec_linux *l, struct pol_run *r)
{
  const struct spec_seccomp *sc = l->seccomp;

  if (p->seccomp && (sc == NULL || (strcmp (sc->default_action, "SCMP_ACT_ALLOW") == 0 && sc->n_syscalls == 0))
      && violation (r, "policy require.seccomp: linux.seccomp is %s",
                    sc == NULL ? "absent (unconfined)" : "an empty allow-all filter") < 0)
    return -1;
  for (size_t i = 0; p->has_sysctls && i < l->sysctl.n; i++)
    if (!in_list (&p->sysctls, l->sysctl.keys[i])
        && violation (r, "policy allow.sysctls: linux.sysctl has %s", l->sysctl.keys[i]) < 0)
      return -1;
  for (size_t i = 0; i < p->masked_paths.n; i++)
    if (!in_list (&l->masked_paths, p->masked_paths.v[i])
        && violation (r, "policy require.maskedPaths: linux.maskedPaths lacks %s", p->masked_paths.v[i]) < 0)
      return -1;
  if (p->readonly_kernel_fs && !in_list (&l->readonly_paths, "/proc/sys") && !in_list (&l->masked_paths, "/proc/sys")
      && violation (r, "policy require.readonlyKernelFs: /proc/sys is in neither linux.readonlyPaths nor "
                    "linux.maskedPaths") < 0)
    return -1;
  return check_devices (p, l, r);
}

static int
check_all (const struct sbx_policy *p, const struct sbx_spec *spec, const char *bundle, struct pol_run *r)
{
  if (check_process (p, spec->process, r) < 0 || check_namespaces (p, spec, r) < 0
      || check_mounts (p, spec, bundle, r) < 0 || check_linux (p, spec->linux_, r) < 0)
    return -1;
  if (spec->hooks != NULL && check_hooks (p, spec->hooks, r) < 0)
    return -1;
  return 0;
}

int
policy_check (const struct sbx_policy *p, const struct sbx_spec *spec, const char *bundle, sbx_error_t *err)
{
  struct pol_run r = { .err = err };
  return p == NULL ? 0 : check_all (p, spec, bundle, &r);
}

int
policy_report (const struct sbx_policy *p, const struct sbx_spec *spec, const char *bundle,
               policy_report_fn report, void *arg, sbx_error_t *err)
{
  struct pol_run r = { .err = err, .report = report, .arg = arg };
  if (check_all (p, spec, bundle, &r) < 0)
    return -1;
  return r.count + policy_ns_report (p, spec, report, arg);
}
