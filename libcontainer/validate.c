/* validate.c: checks that need more than one field of config.json. Type
 * and range checks of single fields are spec.c's. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cgroup-resources.h"
#include "error.h"
#include "idmap.h"
#include "label.h"
#include "mounts.h"
#include "netdev.h"
#include "procattrs.h"
#include "rootfs.h"
#include "sysctl.h"
#include "validate.h"

/* No mount namespace: the container inherits the runtime's (runtime-spec)
   and its root is a chroot into root.path. Whatever would need a mount is
   refused, naming the field: runc makes such mounts in the caller's mount
   namespace, where they outlive the container (issue #12). */
static int
check_inherited_mountns (const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  const char *what = NULL;

  if (spec->n_mounts > 0)
    what = "mounts";
  else if (l->masked_paths.n > 0)
    what = "linux.maskedPaths";
  else if (l->readonly_paths.n > 0)
    what = "linux.readonlyPaths";
  else if (spec->root != NULL && spec->root->readonly)
    what = "root.readonly";
  else if (l->rootfs_propagation != NULL)
    what = "linux.rootfsPropagation";
  else if (l->mount_label != NULL)
    what = "linux.mountLabel";
  else if (l->n_devices > 0)
    what = "linux.devices";
  else if (idmap_rootfs_wanted (spec))
    what = "annotations." IDMAP_ROOTFS_ANNOTATION;
  if (what == NULL)
    return 0;
  return sbx_error_set (err, EINVAL, "%s: needs a mount namespace of the container's own (linux.namespaces has "
                        "none; sbx makes no mounts in the host's mount namespace)", what);
}

static int
check_namespaces (const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  bool seen[SPEC_NS_COUNT] = { false };
  const struct spec_namespace *user, *uts, *time;

  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      enum spec_ns_type t = l->namespaces[i].type;
      if (seen[t])
        return sbx_error_set (err, EINVAL, "linux.namespaces[%zu]: duplicate %s namespace", i,
                              spec_ns_type_to_string (t));
      seen[t] = true;
    }
  if (!seen[SPEC_NS_MOUNT] && check_inherited_mountns (spec, err) < 0)
    return -1;
  user = spec_linux_namespace (spec, SPEC_NS_USER);
  if (user != NULL && user->path == NULL
      && (l->uid_mappings.n == 0 || l->gid_mappings.n == 0))
    return sbx_error_set (err, EINVAL, "linux.uidMappings/gidMappings: required with a new user namespace");
  if ((user == NULL || user->path != NULL) && (l->uid_mappings.n > 0 || l->gid_mappings.n > 0))
    return sbx_error_set (err, EINVAL, "linux.uidMappings: given without a new user namespace");
  uts = spec_linux_namespace (spec, SPEC_NS_UTS);
  /* A joined uts namespace gets the name too, as in runc (issue #12). */
  if ((spec->hostname != NULL || spec->domainname != NULL) && uts == NULL)
    return sbx_error_set (err, EINVAL, "hostname: setting it needs a uts namespace (new or joined)");
  time = spec_linux_namespace (spec, SPEC_NS_TIME);
  if ((l->time_monotonic.present || l->time_boottime.present) && (time == NULL || time->path != NULL))
    return sbx_error_set (err, EINVAL, "linux.timeOffsets: needs a new time namespace");
  return 0;
}

int
validate_process (const struct spec_process *p, sbx_error_t *err)
{
  /* execve would pass such an entry on, but what it means is up to each
     libc and shell: runc refuses it. */
  for (size_t i = 0; i < p->env.n; i++)
    if (strchr (p->env.v[i], '=') == NULL)
      return sbx_error_set (err, EINVAL, "process.env[%zu]: `%.64s` is not KEY=VALUE", i, p->env.v[i]);
  /* Parsed, never applied: refused until sbx sets the affinity. */
  if (p->exec_cpu_affinity_initial != NULL || p->exec_cpu_affinity_final != NULL)
    return sbx_error_set (err, ENOTSUP, "process.execCPUAffinity: not supported by sbx");
  return label_check (p, NULL, err);
}

static int
check_seccomp (const struct spec_seccomp *s, sbx_error_t *err)
{
  bool notify = false, listener;

  if (s == NULL)
    return 0;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (s->syscalls[i].action != NULL && strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      notify = true;
  listener = s->listener_path != NULL && s->listener_path[0] != '\0';
  if (listener && !notify)
    return sbx_error_set (err, EINVAL, "linux.seccomp.listenerPath: given without an SCMP_ACT_NOTIFY rule");
  if (notify && !listener)
    return sbx_error_set (err, EINVAL, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
  return 0;
}

/* Fields sbx does not implement: refused, never ignored (a sandbox weaker
   than its config says is worse than one that does not start). */
static int
check_unsupported (const struct spec_linux *l, sbx_error_t *err)
{
  if (l->intel_rdt != NULL)
    return sbx_error_set (err, ENOTSUP, "linux.intelRdt: not supported by sbx");
  return 0;
}

int
validate_spec (const struct sbx_spec *spec, sbx_error_t *err)
{
  if (spec->process == NULL)
    return sbx_error_set (err, EINVAL, "process: required");
  if (spec->root == NULL || spec->root->path == NULL)
    return sbx_error_set (err, EINVAL, "root.path: required");
  if (spec->linux_ == NULL)
    return sbx_error_set (err, EINVAL, "linux: required (sbx runs Linux containers)");
  if (check_namespaces (spec, err) < 0)
    return -1;
  if (spec->process->user.n_additional_gids > NGROUPS_MAX)
    return sbx_error_set (err, EINVAL, "process.user.additionalGids: more than %d groups", NGROUPS_MAX);
  if (spec->process->cwd == NULL || spec->process->cwd[0] != '/')
    return sbx_error_set (err, EINVAL, "process.cwd: must be an absolute path");
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const char *d = spec->mounts[i].destination;
      if (d == NULL || strlen (d) >= PATH_MAX)
        return sbx_error_set (err, EINVAL, "mounts[%zu].destination: missing or longer than %d bytes", i, PATH_MAX - 1);
    }
  if (procattrs_check (spec, err) < 0 || sysctl_check (spec, err) < 0
      || validate_process (spec->process, err) < 0
      || label_check (NULL, spec->linux_->mount_label, err) < 0
      || mounts_check (spec, err) < 0 || idmap_check (spec, err) < 0
      || (spec->linux_->resources != NULL && cgroup_check_v1_only (spec->linux_->resources, err) < 0)
      || check_seccomp (spec->linux_->seccomp, err) < 0
      || check_unsupported (spec->linux_, err) < 0 || netdev_check (spec, err) < 0)
    return -1;
  if (spec->process->has_oom_score_adj
      && (spec->process->oom_score_adj < -1000 || spec->process->oom_score_adj > 1000))
    return sbx_error_set (err, EINVAL, "process.oomScoreAdj: must be -1000..1000");
  if (spec->linux_->rootfs_propagation != NULL)
    {
      unsigned long f;
      if (rootfs_propagation_flags (spec->linux_->rootfs_propagation, &f) < 0)
        return sbx_error_set (err, EINVAL, "linux.rootfsPropagation: unknown value `%s`",
                              spec->linux_->rootfs_propagation);
    }
  return 0;
}
