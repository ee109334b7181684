/* policy-userns.c: the policy's namespace rules. harden.userns gives a
 * container with no user namespace of its own one with a fresh range of
 * host ids: ranges of harden.userns.size ids from harden.userns.ids,
 * taken against the container's state directory (policy-ranges.c) and
 * given back with it; a create killed with -9 keeps its range until
 * `delete --force`. With
 * harden.userns.rootfs "idmap" the rootfs and every bind mount are
 * idmapped through the container's maps (host root's files are container
 * root's, no chown); a filesystem that cannot be (overlayfs) refuses the
 * container. "unmapped" leaves them as they are: files of ids outside the
 * range are the overflow id inside.
 *
 * harden.network "loopback": a fresh network namespace (added where the
 * config has none, a joined one refused) in which only `lo` exists, up.
 *
 * What was added is recorded in annotations (POLICY_USERNS_ANNOTATION,
 * POLICY_NS_ANNOTATION) that state.json keeps: exec joins those
 * namespaces too, though the saved config does not list them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "idmap.h"
#include "log.h"
#include "mounts.h"
#include "namespaces.h"
#include "policy.h"
#include "validate.h"

#define OVERLAYFS_MAGIC_ 0x794c7630

static const char *
map_get (const struct spec_map *a, const char *key)
{
  for (size_t i = 0; i < a->n; i++)
    if (strcmp (a->keys[i], key) == 0)
      return a->values[i];
  return NULL;
}

/* Set key to value, or with append, add "; value" to what is there. */
static int
map_set (struct spec_map *a, const char *key, const char *value, bool append, sbx_error_t *err)
{
  char **k, **v, *nv = NULL;

  for (size_t i = 0; i < a->n; i++)
    if (strcmp (a->keys[i], key) == 0)
      {
        if (append ? asprintf (&nv, "%s; %s", a->values[i], value) < 0 : (nv = strdup (value)) == NULL)
          return sbx_error_set (err, ENOMEM, "policy");
        free (a->values[i]);
        a->values[i] = nv;
        return 0;
      }
  if ((k = realloc (a->keys, (a->n + 1) * sizeof *k)) == NULL)
    return sbx_error_set (err, ENOMEM, "policy");
  a->keys = k;
  if ((v = realloc (a->values, (a->n + 1) * sizeof *v)) == NULL)
    return sbx_error_set (err, ENOMEM, "policy");
  a->values = v;
  k[a->n] = strdup (key);
  v[a->n] = strdup (value);
  if (k[a->n] == NULL || v[a->n] == NULL)
    {
      free (k[a->n]);
      free (v[a->n]);
      return sbx_error_set (err, ENOMEM, "policy");
    }
  a->n++;
  return 0;
}

static int
add_namespace (struct sbx_spec *spec, enum spec_ns_type t, sbx_error_t *err)
{
  struct spec_linux *l = spec->linux_;
  struct spec_namespace *n = realloc (l->namespaces, (l->n_namespaces + 1) * sizeof *n);

  if (n == NULL)
    return sbx_error_set (err, ENOMEM, "policy");
  l->namespaces = n;
  n[l->n_namespaces++] = (struct spec_namespace) { .type = t, .path = NULL };
  return map_set (&spec->annotations, POLICY_NS_ANNOTATION, spec_ns_type_to_string (t), true, err);
}

static bool
maps_host_root (const struct spec_id_mappings *m)
{
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].host_id == 0)
      return true;
  return false;
}

/* Each config field the namespace rules refuse, to fn; how many. */
static int
ns_violations (const struct sbx_policy *p, const struct sbx_spec *spec, policy_report_fn fn, void *arg)
{
  const struct spec_namespace *net = spec_linux_namespace (spec, SPEC_NS_NETWORK);
  const struct spec_namespace *user = spec_linux_namespace (spec, SPEC_NS_USER);
  char msg[PATH_MAX + 256];
  int n = 0;

#define VIOLATION(...) (snprintf (msg, sizeof msg, __VA_ARGS__), fn (msg, arg), n++)
  for (size_t i = 0; i < spec->annotations.n; i++)
    if (strcmp (spec->annotations.keys[i], POLICY_USERNS_ANNOTATION) == 0
        || strcmp (spec->annotations.keys[i], POLICY_NS_ANNOTATION) == 0)
      VIOLATION ("annotations.%s: set by the policy, not by a config", spec->annotations.keys[i]);
  if (p->network != NULL && net != NULL && net->path != NULL)
    VIOLATION ("policy harden.network loopback: linux.namespaces joins the network namespace `%s` "
               "(the policy gives the container a fresh one)", net->path);
  if (p->network != NULL && spec->linux_->n_net_devices > 0)
    VIOLATION ("policy harden.network loopback: linux.netDevices moves `%s` in", spec->linux_->net_devices[0].host_name);
  if (!p->has_userns)
    return n;
  if (user != NULL && user->path != NULL)
    VIOLATION ("policy harden.userns: linux.namespaces joins the user namespace `%s` "
               "(the policy gives each container its own)", user->path);
  if (user != NULL && (maps_host_root (&spec->linux_->uid_mappings) || maps_host_root (&spec->linux_->gid_mappings)))
    VIOLATION ("policy harden.userns: linux.uidMappings/gidMappings map host id 0 "
               "(a user namespace of the config's own must not map host root)");
  if (user == NULL && spec->process->user.uid >= (uint64_t) p->userns.size)
    VIOLATION ("policy harden.userns.size: process.user.uid %u is outside the %lld ids of a container's range",
               spec->process->user.uid, (long long) p->userns.size);
  if (user == NULL && spec->process->user.gid >= (uint64_t) p->userns.size)
    VIOLATION ("policy harden.userns.size: process.user.gid %u is outside the %lld ids of a container's range",
               spec->process->user.gid, (long long) p->userns.size);
#undef VIOLATION
  return n;
}

static void
keep_first (const char *msg, void *arg)
{
  char **first = arg;

  if (*first == NULL)
    *first = strdup (msg);
}

int
policy_ns_report (const struct sbx_policy *p, const struct sbx_spec *spec, policy_report_fn fn, void *arg)
{
  return ns_violations (p, spec, fn, arg);
}

int
policy_ns_harden (const struct sbx_policy *p, struct sbx_spec *spec, char **note, sbx_error_t *err)
{
  _cleanup_free_ char *first = NULL;

  *note = NULL;
  if (ns_violations (p, spec, keep_first, &first) > 0)
    return sbx_error_set (err, EPERM, "%s", first ? first : "policy: out of memory");
  if (p->has_userns && spec_linux_namespace (spec, SPEC_NS_USER) == NULL && geteuid () != 0)
    return sbx_error_set (err, EPERM, "policy harden.userns: taking an id range needs sbx to run as root");
  if (p->network != NULL && spec_linux_namespace (spec, SPEC_NS_NETWORK) == NULL)
    {
      if (add_namespace (spec, SPEC_NS_NETWORK, err) < 0)
        return -1;
      *note = strdup ("linux.namespaces +network (loopback only)");
    }
  return 0;
}

static int
set_maps (struct spec_id_mappings *m, uint32_t first, uint32_t size, sbx_error_t *err)
{
  free (m->v);
  m->v = calloc (1, sizeof *m->v);
  if (m->v == NULL)
    return sbx_error_set (err, ENOMEM, "policy");
  m->n = 1;
  m->v[0] = (struct spec_id_mapping) { .container_id = 0, .host_id = first, .size = size };
  return 0;
}

/* The rootfs and each bind source must be on a filesystem that can be
   idmapped. Overlayfs cannot; an overlay mount's root (the engines'
   rootfs) is idmapped by its layers, part of one is refused by the rule. */
static int
idmap_binds (struct sbx_spec *spec, const char *rootfs, sbx_error_t *err)
{
  struct statfs sf;

  if (statfs (rootfs, &sf) == 0 && sf.f_type == OVERLAYFS_MAGIC_ && !idmap_overlay_root (rootfs))
    return sbx_error_set (err, EPERM, "policy harden.userns.rootfs idmap: root.path `%s` is inside an overlayfs mount "
                          "(not its root), which cannot be idmapped (use \"rootfs\": \"unmapped\", an overlay mount's "
                          "root, or a rootfs on ext4, xfs, btrfs, tmpfs)", rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct spec_mount *m = &spec->mounts[i];
      bool rec;
      if (!mount_is_bind (m) || idmap_wanted (m, &rec))
        continue;
      if (m->source != NULL && m->source[0] == '/' && statfs (m->source, &sf) == 0 && sf.f_type == OVERLAYFS_MAGIC_)
        return sbx_error_set (err, EPERM, "policy harden.userns.rootfs idmap: mounts[%zu] `%s`: the source `%s` is "
                              "on overlayfs, which cannot be idmapped", i, m->destination, m->source);
      if (spec_strv_push (&m->options, "idmap") < 0)
        return sbx_error_set (err, ENOMEM, "policy");
    }
  return map_set (&spec->annotations, IDMAP_ROOTFS_ANNOTATION, "true", false, err);
}

/* net.ipv4.ping_group_range names groups of the network namespace's user
   namespace, and the kernel refuses ids it cannot map. Docker asks for
   "0 2147483647" (any group may ping); inside a range of SIZE ids the
   same means "0 SIZE-1". Anything starting past the range is refused. */
static int
clamp_ping_range (struct spec_map *sysctl, uint32_t size, bool *clamped, sbx_error_t *err)
{
  for (size_t i = 0; i < sysctl->n; i++)
    {
      unsigned long long a, b;
      char buf[64];

      if (strcmp (sysctl->keys[i], "net.ipv4.ping_group_range") != 0
          || sscanf (sysctl->values[i], "%llu %llu", &a, &b) != 2 || b < size)
        continue;
      if (a >= size)
        return sbx_error_set (err, EPERM, "policy harden.userns: linux.sysctl net.ipv4.ping_group_range `%s` names no "
                              "group of the user namespace (0-%u)", sysctl->values[i], size - 1);
      snprintf (buf, sizeof buf, "%llu %u", a, size - 1);
      free (sysctl->values[i]);
      sysctl->values[i] = strdup (buf);
      if (sysctl->values[i] == NULL)
        return sbx_error_set (err, ENOMEM, "policy");
      *clamped = true;
    }
  return 0;
}

int
policy_userns_apply (const struct sbx_policy *p, struct sbx_spec *spec, const char *rootfs, int dirfd,
                     sbx_error_t *err)
{
  char val[160];
  uint32_t first, size;
  bool idmap, clamped = false;

  if (p == NULL || !p->has_userns || spec_linux_namespace (spec, SPEC_NS_USER) != NULL)
    return 0;
  size = (uint32_t) p->userns.size;
  idmap = p->userns.rootfs == NULL || strcmp (p->userns.rootfs, "idmap") == 0;
  if ((idmap && idmap_binds (spec, rootfs, err) < 0) || policy_range_take (&p->userns, dirfd, &first, err) < 0)
    return -1;
  snprintf (val, sizeof val, "%u %u", first, size);
  if (set_maps (&spec->linux_->uid_mappings, first, size, err) < 0
      || set_maps (&spec->linux_->gid_mappings, first, size, err) < 0
      || add_namespace (spec, SPEC_NS_USER, err) < 0
      || map_set (&spec->annotations, POLICY_USERNS_ANNOTATION, val, false, err) < 0
      || clamp_ping_range (&spec->linux_->sysctl, size, &clamped, err) < 0)
    return -1;
  snprintf (val, sizeof val, "user namespace 0 -> %u (%u ids)%s%s", first, size, idmap ? ", idmapped rootfs" : "",
            clamped ? ", net.ipv4.ping_group_range within its groups" : "");
  if (map_set (&spec->annotations, POLICY_ANNOTATION, val, true, err) < 0)
    return -1;
  log_info ("policy hardened the container: %s", val);
  /* the config as changed must still hold together */
  return validate_spec (spec, err) < 0 ? sbx_error_wrap (err, "policy harden.userns") : 0;
}

/* The loopback up (ns_loopback_up, in the init's network namespace), as
   the only interface. */
int
policy_ns_started (const struct sbx_policy *p, pid_t pid, sbx_error_t *err)
{
  char path[64], line[256];
  _cleanup_fd_ int netfd = -1;
  FILE *f;

  if (p == NULL || p->network == NULL)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  if ((netfd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return sbx_error_errno (err, "policy harden.network loopback: %s", path);
  if (ns_loopback_up (netfd, err) < 0)
    return sbx_error_wrap (err, "policy harden.network loopback");
  /* a hook (createRuntime) may have moved an interface in */
  snprintf (path, sizeof path, "/proc/%d/net/dev", (int) pid);
  if ((f = fopen (path, "re")) == NULL)
    return sbx_error_errno (err, "policy harden.network loopback: %s", path);
  while (fgets (line, sizeof line, f) != NULL)
    {
      char *colon = strchr (line, ':'), *name = line;
      if (colon == NULL)
        continue;
      *colon = '\0';
      name += strspn (name, " ");
      if (strcmp (name, "lo") != 0)
        {
          fclose (f);
          return sbx_error_set (err, EPERM, "policy harden.network loopback: the network namespace has `%s`", name);
        }
    }
  fclose (f);
  return 0;
}

int
policy_exec_namespaces (const struct spec_map *annotations, struct sbx_spec *spec, sbx_error_t *err)
{
  const char *ns = map_get (annotations, POLICY_NS_ANNOTATION), *ids = map_get (annotations, POLICY_USERNS_ANNOTATION);
  unsigned first, size;

  if (map_get (&spec->annotations, POLICY_NS_ANNOTATION) != NULL || map_get (&spec->annotations, POLICY_USERNS_ANNOTATION) != NULL)
    return sbx_error_set (err, EPERM, "annotations: %s and %s are the policy's, not a config's", POLICY_NS_ANNOTATION,
                          POLICY_USERNS_ANNOTATION);
  if (ns == NULL)
    return 0;
  for (int t = 0; t < SPEC_NS_COUNT; t++)
    {
      const char *name = spec_ns_type_to_string (t);
      size_t len = strlen (name);
      bool listed = false;
      for (const char *s = ns; *s != '\0'; s += strspn (s, "; "))
        {
          size_t w = strcspn (s, "; ");
          listed = listed || (w == len && strncmp (s, name, len) == 0);
          s += w;
        }
      if (!listed || spec_linux_namespace (spec, t) != NULL)
        continue;
      struct spec_namespace *n = realloc (spec->linux_->namespaces, (spec->linux_->n_namespaces + 1) * sizeof *n);
      if (n == NULL)
        return sbx_error_set (err, ENOMEM, "exec");
      spec->linux_->namespaces = n;
      n[spec->linux_->n_namespaces++] = (struct spec_namespace) { .type = t, .path = NULL };
    }
  if (ids == NULL)
    return 0;
  if (sscanf (ids, "%u %u", &first, &size) != 2)
    return sbx_error_set (err, EINVAL, "annotations.%s: `%s`", POLICY_USERNS_ANNOTATION, ids);
  if (set_maps (&spec->linux_->uid_mappings, first, size, err) < 0 || set_maps (&spec->linux_->gid_mappings, first, size, err) < 0)
    return -1;
  return 0;
}
