/* cgroup-resources.c: the conversions from OCI linux.resources to cgroup v2
 * files (the ones runc and crun document), and writing them. A value that
 * cgroup v2 cannot enforce is an error, never a silent no-op. The
 * device allow-list is bpf-devices.c; freezing and stats are cgroup-ops.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf-devices.h"
#include "cgroup-resources.h"
#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "log.h"

static int
add (struct cg_plan *p, const char *field, const char *file, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static int
add (struct cg_plan *p, const char *field, const char *file, const char *fmt, ...)
{
  struct cg_write *nv = realloc (p->v, (p->n + 1) * sizeof *nv);
  va_list ap;

  if (nv == NULL)
    return -1;
  p->v = nv;
  memset (&nv[p->n], 0, sizeof nv[p->n]);
  snprintf (nv[p->n].file, sizeof nv[p->n].file, "%s", file);
  va_start (ap, fmt);
  vsnprintf (nv[p->n].value, sizeof nv[p->n].value, fmt, ap);
  va_end (ap);
  nv[p->n].field = field;
  p->n++;
  return 0;
}

#define ADD(...)                                                               \
  do                                                                           \
    if (add (plan, __VA_ARGS__) < 0)                                           \
      return sbx_error_errno (err, "out of memory");                           \
  while (0)

unsigned long long
cgroup_shares_to_weight (unsigned long long shares)
{
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

unsigned long long
cgroup_blkio_to_io_weight (unsigned long long w)
{
  return 1 + ((w - 10) * 9999) / 990;
}

static int
plan_memory (const struct spec_memory *m, bool update, struct cg_plan *plan, sbx_error_t *err)
{
  if (m->has_limit && m->limit < -1)
    return sbx_error_set (err, EINVAL, "linux.resources.memory.limit: %lld is not a limit", (long long) m->limit);
  if (m->has_limit && m->limit != 0)
    ADD ("linux.resources.memory.limit", "memory.max", m->limit == -1 ? "max" : "%lld", (long long) m->limit);
  if (m->has_reservation && m->reservation != 0)
    ADD ("linux.resources.memory.reservation", "memory.low", m->reservation == -1 ? "max" : "%lld",
         (long long) m->reservation);
  if (m->has_swap && m->swap != 0)
    {
      /* OCI swap is memory+swap; v2 memory.swap.max is swap alone. */
      if (m->swap == -1)
        ADD ("linux.resources.memory.swap", "memory.swap.max", "max");
      else if (!m->has_limit || m->limit <= 0)
        return sbx_error_set (err, EINVAL, "linux.resources.memory.swap: needs memory.limit (it is memory+swap)");
      else if (m->swap < m->limit)
        return sbx_error_set (err, EINVAL, "linux.resources.memory.swap: %lld is below memory.limit %lld (it is memory+swap)",
                              (long long) m->swap, (long long) m->limit);
      else
        ADD ("linux.resources.memory.swap", "memory.swap.max", "%lld", (long long) (m->swap - m->limit));
    }
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return sbx_error_set (err, ENOTSUP, "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer");
  if (m->has_swappiness && m->swappiness != 0 && m->swappiness != (uint64_t) -1)
    return sbx_error_set (err, ENOTSUP, "linux.resources.memory.swappiness: not available on cgroup v2");
  (void) update;
  return cgroup_check_v1_only (&(struct spec_resources) { .memory = (struct spec_memory *) m }, err);
}

int
cgroup_check_v1_only (const struct spec_resources *r, sbx_error_t *err)
{
  const struct spec_memory *m = r->memory;
  const struct spec_block_io *b = r->block_io;

  /* cgroup v2 has no kernel memory limit, no leaf weights, and is always
     hierarchical: a config that asks for them cannot get them. 0 and -1
     (unlimited) ask for nothing. */
  if (m != NULL && ((m->has_kernel && m->kernel > 0) || (m->has_kernel_tcp && m->kernel_tcp > 0)))
    return sbx_error_set (err, ENOTSUP, "linux.resources.memory.%s: kernel memory limits do not exist on cgroup v2",
                          m->has_kernel && m->kernel > 0 ? "kernel" : "kernelTCP");
  if (m != NULL && m->has_use_hierarchy && !m->use_hierarchy)
    return sbx_error_set (err, ENOTSUP, "linux.resources.memory.useHierarchy: false cannot be had, cgroup v2 is always hierarchical");
  if (b != NULL && b->has_leaf_weight && b->leaf_weight != 0)
    return sbx_error_set (err, ENOTSUP, "linux.resources.blockIO.leafWeight: cgroup v1 (CFQ) only");
  for (size_t i = 0; b != NULL && i < b->n_weight_device; i++)
    if (b->weight_device[i].has_leaf_weight && b->weight_device[i].leaf_weight != 0)
      return sbx_error_set (err, ENOTSUP, "linux.resources.blockIO.weightDevice[%zu].leafWeight: cgroup v1 (CFQ) only", i);
  return 0;
}

static int
plan_cpu (const struct spec_cpu *c, bool update, struct cg_plan *plan, sbx_error_t *err)
{
  bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;

  if (c->has_shares && c->shares != 0)
    ADD ("linux.resources.cpu.shares", "cpu.weight", "%llu", cgroup_shares_to_weight (c->shares));
  if (c->has_quota && c->quota < -1)
    return sbx_error_set (err, EINVAL, "linux.resources.cpu.quota: %lld is not a quota", (long long) c->quota);
  if (period && (c->period < 1000 || c->period > 1000000))
    return sbx_error_set (err, EINVAL, "linux.resources.cpu.period: must be 1000..1000000 (microseconds)");
  /* cpu.max is "QUOTA PERIOD"; "QUOTA" alone keeps the period. A period
     alone is completed with the current quota by the caller. */
  if (quota && period)
    ADD ("linux.resources.cpu.quota", "cpu.max", c->quota == -1 ? "max %llu" : "%lld %llu",
         c->quota == -1 ? (unsigned long long) c->period : (unsigned long long) c->quota,
         (unsigned long long) c->period);
  else if (quota)
    ADD ("linux.resources.cpu.quota", "cpu.max", c->quota == -1 ? "max" : "%lld", (long long) c->quota);
  else if (period)
    ADD ("linux.resources.cpu.period", "cpu.max", "\x01 %llu", (unsigned long long) c->period);
  if (c->has_burst && (c->burst != 0 || !update))
    ADD ("linux.resources.cpu.burst", "cpu.max.burst", "%llu", (unsigned long long) c->burst);
  if ((c->has_realtime_runtime && c->realtime_runtime != 0) || (c->has_realtime_period && c->realtime_period != 0))
    return sbx_error_set (err, ENOTSUP, "linux.resources.cpu.realtimeRuntime/realtimePeriod: not available on cgroup v2");
  if (c->cpus != NULL && c->cpus[0] != '\0')
    ADD ("linux.resources.cpu.cpus", "cpuset.cpus", "%s", c->cpus);
  if (c->mems != NULL && c->mems[0] != '\0')
    ADD ("linux.resources.cpu.mems", "cpuset.mems", "%s", c->mems);
  if (c->has_idle)
    ADD ("linux.resources.cpu.idle", "cpu.idle", "%lld", (long long) c->idle);
  return 0;
}

static int
plan_throttle (const struct spec_throttle_list *l, const char *key, const char *field,
               struct cg_plan *plan, sbx_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    {
      const struct spec_throttle_device *d = &l->v[i];
      if (d->major < 0 || d->minor < 0)
        return sbx_error_set (err, EINVAL, "%s[%zu]: bad device number", field, i);
      if (d->rate == 0)
        ADD (field, "io.max", "%lld:%lld %s=max", (long long) d->major, (long long) d->minor, key);
      else
        ADD (field, "io.max", "%lld:%lld %s=%llu", (long long) d->major, (long long) d->minor, key,
             (unsigned long long) d->rate);
    }
  return 0;
}

static int
plan_io (const struct spec_block_io *b, struct cg_plan *plan, sbx_error_t *err)
{
  if (b->has_weight && b->weight != 0)
    {
      if (b->weight < 10 || b->weight > 1000)
        return sbx_error_set (err, EINVAL, "linux.resources.blockIO.weight: must be 10..1000");
      ADD ("linux.resources.blockIO.weight", "io.weight", "default %llu",
           cgroup_blkio_to_io_weight (b->weight));
    }
  if (cgroup_check_v1_only (&(struct spec_resources) { .block_io = (struct spec_block_io *) b }, err) < 0)
    return -1;
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct spec_weight_device *d = &b->weight_device[i];
      if (!d->has_weight)
        continue;
      if (d->weight < 10 || d->weight > 1000)
        return sbx_error_set (err, EINVAL, "linux.resources.blockIO.weightDevice[%zu].weight: must be 10..1000", i);
      ADD ("linux.resources.blockIO.weightDevice", "io.weight", "%lld:%lld %llu", (long long) d->major,
           (long long) d->minor, cgroup_blkio_to_io_weight (d->weight));
    }
  if (plan_throttle (&b->throttle_read_bps, "rbps", "linux.resources.blockIO.throttleReadBpsDevice", plan, err) < 0
      || plan_throttle (&b->throttle_write_bps, "wbps", "linux.resources.blockIO.throttleWriteBpsDevice", plan, err) < 0
      || plan_throttle (&b->throttle_read_iops, "riops", "linux.resources.blockIO.throttleReadIOPSDevice", plan, err) < 0
      || plan_throttle (&b->throttle_write_iops, "wiops", "linux.resources.blockIO.throttleWriteIOPSDevice", plan, err) < 0)
    return -1;
  return 0;
}

static int
plan_unified (const struct spec_map *u, struct cg_plan *plan, sbx_error_t *err)
{
  for (size_t i = 0; i < u->n; i++)
    {
      const char *k = u->keys[i], *dot = strchr (k, '.');
      /* A plain file of a controller: no path, nothing of cgroup.* (which
         could move processes or change the tree). */
      if (dot == NULL || dot == k || dot[1] == '\0' || strchr (k, '/') != NULL
          || strncmp (k, "cgroup.", 7) == 0 || strlen (k) >= sizeof plan->v->file)
        return sbx_error_set (err, EINVAL, "linux.resources.unified: \"%s\" is not a controller file of the container's cgroup", k);
      ADD ("linux.resources.unified", k, "%s", u->values[i]);
    }
  return 0;
}

int
cgroup_plan (const struct spec_resources *r, bool update, struct cg_plan *plan, sbx_error_t *err)
{
  memset (plan, 0, sizeof *plan);
  if (r == NULL)
    return 0;
  if ((r->memory && plan_memory (r->memory, update, plan, err) < 0)
      || (r->cpu && plan_cpu (r->cpu, update, plan, err) < 0)
      || (r->block_io && plan_io (r->block_io, plan, err) < 0))
    goto fail;
  if (r->has_pids_limit && r->pids_limit != 0)
    {
      if (r->pids_limit < -1)
        {
          sbx_error_set (err, EINVAL, "linux.resources.pids.limit: %lld is not a limit", (long long) r->pids_limit);
          goto fail;
        }
      if (add (plan, "linux.resources.pids.limit", "pids.max", r->pids_limit == -1 ? "max" : "%lld",
               (long long) r->pids_limit) < 0)
        goto nomem;
    }
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      char file[64];
      const char *ps = r->hugepage_limits[i].page_size;
      if (ps == NULL || strchr (ps, '/') || strchr (ps, '.'))
        {
          sbx_error_set (err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: bad size", i);
          goto fail;
        }
      snprintf (file, sizeof file, "hugetlb.%s.max", ps);
      if (add (plan, "linux.resources.hugepageLimits", file, "%llu",
               (unsigned long long) r->hugepage_limits[i].limit) < 0)
        goto nomem;
      snprintf (file, sizeof file, "hugetlb.%s.rsvd.max", ps);
      if (add (plan, "linux.resources.hugepageLimits", file, "%llu",
               (unsigned long long) r->hugepage_limits[i].limit) < 0)
        goto nomem;
    }
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      const struct spec_rdma *d = &r->rdma[i];
      char h[32] = "max", o[32] = "max";
      if (d->has_hca_handles)
        snprintf (h, sizeof h, "%u", d->hca_handles);
      if (d->has_hca_objects)
        snprintf (o, sizeof o, "%u", d->hca_objects);
      if (add (plan, "linux.resources.rdma", "rdma.max", "%s hca_handle=%s hca_object=%s", d->name, h, o) < 0)
        goto nomem;
    }
  if (r->network != NULL && (r->network->has_class_id || r->network->n_priorities > 0))
    {
      sbx_error_set (err, ENOTSUP, "linux.resources.network: net_cls/net_prio are cgroup v1 only");
      goto fail;
    }
  if (plan_unified (&r->unified, plan, err) < 0)
    goto fail;
  return 0;
nomem:
  sbx_error_errno (err, "out of memory");
fail:
  cgroup_plan_free (plan);
  return -1;
}

void
cgroup_plan_free (struct cg_plan *plan)
{
  free (plan->v);
  memset (plan, 0, sizeof *plan);
}

static void
controller_of (const char *file, char *out, size_t len)
{
  size_t n = strcspn (file, ".");
  snprintf (out, len, "%.*s", (int) n, file);
}

static bool
word_in (const char *list, const char *word)
{
  size_t n = strlen (word);
  for (const char *p = list; (p = strstr (p, word)) != NULL; p += n)
    if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
      return true;
  return false;
}

/* Controllers every container gets when the hierarchy offers them, as runc
   and crun do: stats (`events`) and a later `update` of a limit the config
   did not set both need them. Best effort: a missing one is no error. */
static const char default_controllers[] = "cpu io memory pids";

/* A cgroup that holds processes cannot give controllers to its children
   (the "no internal processes" rule; only the real root is exempt). That is
   the Docker-in-Docker case: sbx in a container with its own cgroup
   namespace, whose root holds the container's processes (sbx's own among
   them). Move them all into the leaf `init` (as Docker's dind script
   does), a few rounds in case they fork meanwhile. */
static int
move_procs_to_leaf (int fd, const char *dir, sbx_error_t *err)
{
  _cleanup_fd_ int leaf = -1;

  if (mkdirat (fd, "init", 0755) < 0 && errno != EEXIST)
    return sbx_error_errno (err, "create the leaf cgroup `%s/init`", dir);
  leaf = openat (fd, "init", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (leaf < 0)
    return sbx_error_errno (err, "open the leaf cgroup `%s/init`", dir);
  for (int round = 0; round < 5; round++)
    {
      _cleanup_free_ char *procs = NULL;
      char *line, *save = NULL;
      if (read_file_at (fd, "cgroup.procs", &procs, NULL, 1 << 20, err) < 0)
        return -1;
      if (procs[0] == '\0')
        return 0;
      for (line = strtok_r (procs, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        if (write_file_at (leaf, "cgroup.procs", line, strlen (line), NULL) < 0 && errno != ESRCH)
          return sbx_error_errno (err, "move process %s into `%s/init`", line, dir);
    }
  return 0;
}

static bool
has_procs (int fd)
{
  _cleanup_free_ char *procs = NULL;
  return read_file_at (fd, "cgroup.procs", &procs, NULL, 1 << 20, NULL) == 0 && procs[0] != '\0';
}

/* Is every controller of `want` (space separated) in `list`? */
static bool
all_in (const char *want, const char *list)
{
  _cleanup_free_ char *copy = strdup (want);
  char *w, *save = NULL;

  if (copy == NULL)
    return false;
  for (w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
    if (!word_in (list, w))
      return false;
  return true;
}

/* Enable the controllers in `want` (space separated) in dir's
   subtree_control; `strict`: a controller that is not available is an
   error (the config asked for it), else it is skipped. */
static int
enable_in (const char *dir, const char *want, bool strict, const char *root, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *avail = NULL, *on = NULL, *copy = strdup (want);
  char *w, *save = NULL;

  if (fd < 0 || copy == NULL)
    return sbx_error_errno (err, "open cgroup `%s`", dir);
  if (read_file_at (fd, "cgroup.controllers", &avail, NULL, 4096, err) < 0
      || read_file_at (fd, "cgroup.subtree_control", &on, NULL, 4096, err) < 0)
    return -1;
  /* A cgroup other than the real root (only that one has no cgroup.type)
     that holds processes: enabling a domain controller fails, and enabling
     a threaded one (cpu, pids) makes it a thread root whose new children
     cannot take a process (clone3 gets EOPNOTSUPP). Controllers the config
     needs: move the processes to a leaf first (only at the top of a cgroup
     namespace, the Docker-in-Docker case); the defaults: leave it alone. */
  if (faccessat (fd, "cgroup.type", F_OK, 0) == 0 && has_procs (fd))
    {
      if (!strict)
        return 0;
      if (strcmp (dir, root) == 0 && !all_in (want, on))
        {
          log_debug ("`%s` holds processes: moving them to `%s/init`", dir, dir);
          if (move_procs_to_leaf (fd, dir, err) < 0)
            return -1;
        }
    }
  for (w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
    {
      char plus[40];
      if (word_in (on, w))
        continue;
      if (!word_in (avail, w))
        {
          if (!strict)
            continue;
          return sbx_error_set (err, ENOTSUP, "linux.resources: the %s controller is not available in the "
                                "cgroup v2 hierarchy at %s (a hybrid host binds it to cgroup v1)", w, root);
        }
      snprintf (plus, sizeof plus, "+%s", w);
      if (write_file_at (fd, "cgroup.subtree_control", plus, strlen (plus), NULL) < 0)
        {
          if (!strict)
            {
              log_debug ("enable the %s controller in `%s`: %s", w, dir, strerror (errno));
              continue;
            }
          return sbx_error_errno (err, "enable the %s controller in `%s`", w, dir);
        }
    }
  return 0;
}

int
cgroup_enable_controllers (const char *path, const struct cg_plan *plan, bool defaults,
                           sbx_error_t *err)
{
  const char *root = cgroup_v2_root ();
  char dir[4096], want[256] = "", extra[256] = "";
  const char *p = NULL;
  size_t rootlen;

  if (root == NULL)
    return plan->n == 0 ? 0 : sbx_error_set (err, ENOENT, "linux.resources: no cgroup v2 hierarchy to enforce them in");
  for (size_t i = 0; i < plan->n; i++)
    {
      char c[32];
      controller_of (plan->v[i].file, c, sizeof c);
      if (!word_in (want, c) && strlen (want) + strlen (c) + 2 < sizeof want)
        snprintf (want + strlen (want), sizeof want - strlen (want), "%s%s", want[0] ? " " : "", c);
    }
  if (defaults)
    snprintf (extra, sizeof extra, "%s", default_controllers);
  rootlen = strlen (root);
  if (strncmp (path, root, rootlen) != 0 || strlen (path) >= sizeof dir)
    return sbx_error_set (err, EINVAL, "cgroup `%s` is outside %s", path, root);
  /* The root, then each ancestor down to the container's parent. */
  snprintf (dir, sizeof dir, "%s", root);
  do
    {
      if (p != NULL)
        snprintf (dir, sizeof dir, "%.*s", (int) (p - path), path);
      if (enable_in (dir, want, true, root, err) < 0 || enable_in (dir, extra, false, root, err) < 0)
        return -1;
    }
  while ((p = strchr (p ? p + 1 : path + rootlen + 1, '/')) != NULL);
  return 0;
}

static int
write_one (int cgfd, const struct cg_write *w, sbx_error_t *err)
{
  char value[600];

  if (w->value[0] == '\x01')
    {
      /* cpu.max with a new period only: keep the current quota. */
      _cleanup_free_ char *cur = NULL;
      if (read_file_at (cgfd, "cpu.max", &cur, NULL, 256, err) < 0)
        return -1;
      cur[strcspn (cur, " \n")] = '\0';
      snprintf (value, sizeof value, "%s%s", cur, w->value + 1);
    }
  else
    snprintf (value, sizeof value, "%s", w->value);
  if (write_file_at (cgfd, w->file, value, strlen (value), NULL) < 0)
    {
      if (errno == ENOENT)
        {
          if (strstr (w->file, ".rsvd.") != NULL)
            return 0; /* older kernels have no reservation limits */
          return sbx_error_set (err, ENOTSUP, "%s: the cgroup has no file `%s` (controller not enabled or unknown)",
                                w->field, w->file);
        }
      return sbx_error_errno (err, "%s: write `%s` to %s", w->field, value, w->file);
    }
  return 0;
}

int
cgroup_apply_plan (int cgfd, const struct cg_plan *plan, sbx_error_t *err)
{
  for (size_t i = 0; i < plan->n; i++)
    if (write_one (cgfd, &plan->v[i], err) < 0)
      return -1;
  return 0;
}

int
cgroup_set_resources (const char *path, int cgfd, const struct spec_resources *r, bool update,
                      sbx_error_t *err)
{
  struct cg_plan plan;
  int ret;

  if (cgroup_plan (r, update, &plan, err) < 0)
    return -1;
  if (update && r->memory && r->memory->has_check_before_update && r->memory->check_before_update
      && r->memory->has_limit && r->memory->limit > 0)
    {
      _cleanup_free_ char *cur = NULL;
      if (read_file_at (cgfd, "memory.current", &cur, NULL, 64, NULL) == 0
          && strtoll (cur, NULL, 10) > r->memory->limit)
        {
          cgroup_plan_free (&plan);
          return sbx_error_set (err, EBUSY, "linux.resources.memory.limit: %lld is below the current usage %s",
                                (long long) r->memory->limit, cur);
        }
    }
  ret = cgroup_enable_controllers (path, &plan, !update, err);
  if (ret == 0)
    ret = cgroup_apply_plan (cgfd, &plan, err);
  cgroup_plan_free (&plan);
  return ret;
}

/* The device allow-list: linux.resources.devices and sbx's defaults, as
   an eBPF program on the cgroup. A node of linux.devices is created but
   gets only what linux.resources.devices allows (as in runc: an engine
   that wants it open adds an allow rule, Docker does); it used to be
   allowed rwm whatever the config denied. Always attached when there is a
   cgroup and sbx runs as root, so
   such a container never runs without one. Rootless, the kernel refuses
   the program (it needs CAP_BPF and CAP_SYS_ADMIN on the host), and has no
   need of it: mknod of a real device needs CAP_MKNOD on the host, and a
   file system mounted in the container's user namespace is nodev, so the
   container reaches only the nodes the user could open anyway. */
int
cgroup_limit_devices (const struct spec_linux *l, const struct spec_resources *r, int cgfd,
                      sbx_error_t *err)
{
  _cleanup_free_ struct bpf_dev_rule *rules = NULL;
  size_t n = 0;

  if (geteuid () != 0)
    {
      log_debug ("rootless: no device program (the user namespace keeps device nodes out)");
      return 0;
    }
  if (bpf_devices_rules (r ? r->devices : NULL, r ? r->n_devices : 0, l->devices, l->n_devices, NULL, 0,
                         &rules, &n, err) < 0)
    return -1;
  return bpf_devices_apply (cgfd, rules, n, err);
}
