/* spec-linux.c: the "linux" object of config.json (namespaces, id maps,
 * devices, seccomp, ...) and LinuxResources, which `update --resources`
 * also parses alone. Types and required keys only; what combinations make
 * sense is validate.c's business. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "spec-internal.h"

/* ---- resources ---- */

static const struct spec_field devcg_fields[] = {
  SPEC_FR (struct spec_device_cgroup, SK_BOOL, "allow", allow),
  SPEC_F (struct spec_device_cgroup, SK_STR, "type", type),
  SPEC_FH (struct spec_device_cgroup, SK_I64, "major", major, has_major),
  SPEC_FH (struct spec_device_cgroup, SK_I64, "minor", minor, has_minor),
  SPEC_F (struct spec_device_cgroup, SK_STR, "access", access),
};

#define MEM(kind, key, m, has) SPEC_FH (struct spec_memory, kind, key, m, has)
static const struct spec_field memory_fields[] = {
  MEM (SK_I64, "limit", limit, has_limit),
  MEM (SK_I64, "reservation", reservation, has_reservation),
  MEM (SK_I64, "swap", swap, has_swap),
  MEM (SK_I64, "kernel", kernel, has_kernel),
  MEM (SK_I64, "kernelTCP", kernel_tcp, has_kernel_tcp),
  MEM (SK_U64, "swappiness", swappiness, has_swappiness),
  MEM (SK_BOOL, "disableOOMKiller", disable_oom_killer,
       has_disable_oom_killer),
  MEM (SK_BOOL, "useHierarchy", use_hierarchy, has_use_hierarchy),
  MEM (SK_BOOL, "checkBeforeUpdate", check_before_update,
       has_check_before_update),
};

#define CPU(kind, key, m, has) SPEC_FH (struct spec_cpu, kind, key, m, has)
static const struct spec_field cpu_fields[] = {
  CPU (SK_U64, "shares", shares, has_shares),
  CPU (SK_I64, "quota", quota, has_quota),
  CPU (SK_U64, "burst", burst, has_burst),
  CPU (SK_U64, "period", period, has_period),
  CPU (SK_I64, "realtimeRuntime", realtime_runtime, has_realtime_runtime),
  CPU (SK_U64, "realtimePeriod", realtime_period, has_realtime_period),
  SPEC_F (struct spec_cpu, SK_STR, "cpus", cpus),
  SPEC_F (struct spec_cpu, SK_STR, "mems", mems),
  CPU (SK_I64, "idle", idle, has_idle),
};

static const struct spec_field blkio_fields[] = {
  SPEC_FH (struct spec_block_io, SK_U16, "weight", weight, has_weight),
  SPEC_FH (struct spec_block_io, SK_U16, "leafWeight", leaf_weight,
           has_leaf_weight),
};

static const struct spec_field weight_dev_fields[] = {
  SPEC_FR (struct spec_weight_device, SK_I64, "major", major),
  SPEC_FR (struct spec_weight_device, SK_I64, "minor", minor),
  SPEC_FH (struct spec_weight_device, SK_U16, "weight", weight, has_weight),
  SPEC_FH (struct spec_weight_device, SK_U16, "leafWeight", leaf_weight,
           has_leaf_weight),
};

static const struct spec_field throttle_fields[] = {
  SPEC_FR (struct spec_throttle_device, SK_I64, "major", major),
  SPEC_FR (struct spec_throttle_device, SK_I64, "minor", minor),
  SPEC_FR (struct spec_throttle_device, SK_U64, "rate", rate),
};

static const struct spec_field hugepage_fields[] = {
  SPEC_FR (struct spec_hugepage_limit, SK_STR, "pageSize", page_size),
  SPEC_FR (struct spec_hugepage_limit, SK_U64, "limit", limit),
};

static const struct spec_field network_fields[] = {
  SPEC_FH (struct spec_network, SK_U32, "classID", class_id, has_class_id),
};

static const struct spec_field net_prio_fields[] = {
  SPEC_FR (struct spec_net_priority, SK_STR, "name", name),
  SPEC_FR (struct spec_net_priority, SK_U32, "priority", priority),
};

static const struct spec_field pids_fields[] = {
  SPEC_FR (struct spec_resources, SK_I64, "limit", pids_limit),
};

static const struct spec_field rdma_fields[] = {
  SPEC_FH (struct spec_rdma, SK_U32, "hcaHandles", hca_handles,
           has_hca_handles),
  SPEC_FH (struct spec_rdma, SK_U32, "hcaObjects", hca_objects,
           has_hca_objects),
};

static const struct spec_field resources_fields[] = {
  SPEC_F (struct spec_resources, SK_MAP, "unified", unified),
};

/* One parser per array-element table. */
#define TABLE_ELEM(name, table)                                               \
  static int name (yajl_val v, const char *path, void *elem,                  \
                   sbx_error_t *err)                                          \
  {                                                                           \
    return spec_parse_fields (v, path, table, SPEC_N (table), elem, err);     \
  }
TABLE_ELEM (parse_devcg, devcg_fields)
TABLE_ELEM (parse_weight_dev, weight_dev_fields)
TABLE_ELEM (parse_throttle, throttle_fields)
TABLE_ELEM (parse_hugepage, hugepage_fields)
TABLE_ELEM (parse_net_prio, net_prio_fields)

static int
parse_rdma (yajl_val v, const char *path, const char *name, void *elem,
            sbx_error_t *err)
{
  struct spec_rdma *r = elem;

  r->name = strdup (name);
  if (r->name == NULL)
    return spec_oom (err, path);
  return spec_parse_fields (v, path, rdma_fields, SPEC_N (rdma_fields), r,
                            err);
}

static const struct
{
  const char *key;
  size_t off;
} throttle_lists[] = {
  { "throttleReadBpsDevice",
    offsetof (struct spec_block_io, throttle_read_bps) },
  { "throttleWriteBpsDevice",
    offsetof (struct spec_block_io, throttle_write_bps) },
  { "throttleReadIOPSDevice",
    offsetof (struct spec_block_io, throttle_read_iops) },
  { "throttleWriteIOPSDevice",
    offsetof (struct spec_block_io, throttle_write_iops) },
};

static int
parse_block_io (yajl_val obj, const char *path, struct spec_block_io **out,
                sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  yajl_val v;
  size_t i;
  int r;

  r = spec_parse_alloc (obj, "blockIO", path, sizeof **out, out, blkio_fields,
                        SPEC_N (blkio_fields), err);
  if (r <= 0)
    return r;
  v = spec_get (obj, "blockIO");
  spec_join (sub, path, "blockIO");
  if (spec_parse_array (v, "weightDevice", sub,
                        sizeof (struct spec_weight_device),
                        &(*out)->weight_device, &(*out)->n_weight_device,
                        parse_weight_dev, err)
      < 0)
    return -1;
  for (i = 0; i < SPEC_N (throttle_lists); i++)
    {
      struct spec_throttle_list *l
          = (struct spec_throttle_list *) ((char *) *out
                                           + throttle_lists[i].off);
      if (spec_parse_array (v, throttle_lists[i].key, sub,
                            sizeof (struct spec_throttle_device), &l->v,
                            &l->n, parse_throttle, err)
          < 0)
        return -1;
    }
  return 0;
}

static int
parse_network (yajl_val obj, const char *path, struct spec_network **out,
               sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  int r;

  r = spec_parse_alloc (obj, "network", path, sizeof **out, out,
                        network_fields, SPEC_N (network_fields), err);
  if (r <= 0)
    return r;
  spec_join (sub, path, "network");
  return spec_parse_array (spec_get (obj, "network"), "priorities", sub,
                           sizeof (struct spec_net_priority),
                           &(*out)->priorities, &(*out)->n_priorities,
                           parse_net_prio, err);
}

int
spec_parse_resources_value (yajl_val v, const char *path,
                            struct spec_resources **out, sbx_error_t *err)
{
  struct spec_resources *r;

  if (spec_expect_object (v, path, err) < 0)
    return -1;
  r = calloc (1, sizeof *r);
  if (r == NULL)
    return spec_oom (err, path);
  *out = r;
  if (spec_parse_array (v, "devices", path, sizeof (struct spec_device_cgroup),
                        &r->devices, &r->n_devices, parse_devcg, err)
          < 0
      || spec_parse_alloc (v, "memory", path, sizeof (struct spec_memory),
                           &r->memory, memory_fields, SPEC_N (memory_fields),
                           err)
             < 0
      || spec_parse_alloc (v, "cpu", path, sizeof (struct spec_cpu), &r->cpu,
                           cpu_fields, SPEC_N (cpu_fields), err)
             < 0
      || parse_block_io (v, path, &r->block_io, err) < 0
      || spec_parse_array (v, "hugepageLimits", path,
                           sizeof (struct spec_hugepage_limit),
                           &r->hugepage_limits, &r->n_hugepage_limits,
                           parse_hugepage, err)
             < 0
      || parse_network (v, path, &r->network, err) < 0
      || spec_parse_sub (v, "pids", path, pids_fields, SPEC_N (pids_fields), r,
                         &r->has_pids_limit, err)
             < 0
      || spec_parse_object_map (v, "rdma", path, sizeof (struct spec_rdma),
                                &r->rdma, &r->n_rdma, parse_rdma, err)
             < 0
      || spec_parse_fields (v, path, resources_fields,
                            SPEC_N (resources_fields), r, err)
             < 0)
    return -1;
  return 0;
}

/* Free the elements of an array parsed with one table. */
static void
free_table_array (const struct spec_field *f, size_t nf, void *arr,
                  size_t size, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    spec_free_fields (f, nf, (char *) arr + i * size);
  free (arr);
}

void
spec_resources_free (struct spec_resources *r)
{
  size_t i;

  if (r == NULL)
    return;
  free_table_array (devcg_fields, SPEC_N (devcg_fields), r->devices,
                    sizeof *r->devices, r->n_devices);
  free (r->memory);
  spec_free_fields (cpu_fields, SPEC_N (cpu_fields), r->cpu);
  free (r->cpu);
  if (r->block_io != NULL)
    {
      free (r->block_io->weight_device);
      for (i = 0; i < SPEC_N (throttle_lists); i++)
        free (((struct spec_throttle_list *) ((char *) r->block_io
                                              + throttle_lists[i].off))
                  ->v);
      free (r->block_io);
    }
  free_table_array (hugepage_fields, SPEC_N (hugepage_fields),
                    r->hugepage_limits, sizeof *r->hugepage_limits,
                    r->n_hugepage_limits);
  if (r->network != NULL)
    free_table_array (net_prio_fields, SPEC_N (net_prio_fields),
                      r->network->priorities, sizeof *r->network->priorities,
                      r->network->n_priorities);
  free (r->network);
  for (i = 0; i < r->n_rdma; i++)
    free (r->rdma[i].name);
  free (r->rdma);
  spec_free_fields (resources_fields, SPEC_N (resources_fields), r);
  free (r);
}

/* ---- linux ---- */

static const struct spec_field ns_fields[] = {
  SPEC_F (struct spec_namespace, SK_STR, "path", path),
};

static int
parse_namespace (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  struct spec_namespace *ns = elem;
  yajl_val t = spec_get (v, "type");
  int type;

  if (t == NULL)
    return spec_fail (err, path, "type", "required");
  if (!YAJL_IS_STRING (t))
    return spec_fail (err, path, "type", "expected string");
  type = spec_ns_type_from_string (t->u.string);
  if (type < 0)
    return spec_fail (err, path, "type", "unknown namespace type \"%s\"",
                      t->u.string);
  ns->type = (enum spec_ns_type) type;
  return spec_parse_fields (v, path, ns_fields, SPEC_N (ns_fields), ns, err);
}

static const struct spec_field device_fields[] = {
  SPEC_FR (struct spec_device, SK_STR, "type", type),
  SPEC_FR (struct spec_device, SK_STR, "path", path),
  SPEC_FH (struct spec_device, SK_U32, "fileMode", file_mode, has_file_mode),
  SPEC_FH (struct spec_device, SK_U32, "uid", uid, has_uid),
  SPEC_FH (struct spec_device, SK_U32, "gid", gid, has_gid),
};

/* major and minor are required unless the device is a fifo. */
static const struct spec_field devnum_fields[] = {
  SPEC_FR (struct spec_device, SK_I64, "major", major),
  SPEC_FR (struct spec_device, SK_I64, "minor", minor),
};

static int
parse_device (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  struct spec_device *d = elem;

  if (spec_parse_fields (v, path, device_fields, SPEC_N (device_fields), d,
                         err)
      < 0)
    return -1;
  if (strlen (d->type) != 1 || strchr ("cbup", d->type[0]) == NULL)
    return spec_fail (err, path, "type", "must be one of c, b, u, p");
  if (!spec_is_absolute (d->path))
    return spec_fail (err, path, "path", "must be an absolute path");
  if (d->type[0] == 'p')
    {
      static const struct spec_field optional[] = {
        SPEC_F (struct spec_device, SK_I64, "major", major),
        SPEC_F (struct spec_device, SK_I64, "minor", minor),
      };
      return spec_parse_fields (v, path, optional, SPEC_N (optional), d, err);
    }
  return spec_parse_fields (v, path, devnum_fields, SPEC_N (devnum_fields), d,
                            err);
}

static const struct spec_field net_device_fields[] = {
  SPEC_F (struct spec_net_device, SK_STR, "name", name),
};

static int
parse_net_device (yajl_val v, const char *path, const char *name, void *elem,
                  sbx_error_t *err)
{
  struct spec_net_device *d = elem;

  d->host_name = strdup (name);
  if (d->host_name == NULL)
    return spec_oom (err, path);
  return spec_parse_fields (v, path, net_device_fields,
                            SPEC_N (net_device_fields), d, err);
}

static const struct spec_field time_offset_fields[] = {
  SPEC_F (struct spec_time_offset, SK_I64, "secs", secs),
  SPEC_F (struct spec_time_offset, SK_U32, "nanosecs", nanosecs),
};

/* The kernel has offsets for these two clocks only (time_namespaces(7));
 * another name cannot be honoured, so it is an error, not ignored. */
static int
parse_time_offsets (yajl_val obj, const char *path, struct spec_linux *l,
                    sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN], elem[SPEC_PATH_LEN];
  yajl_val v;
  size_t i;
  int r;

  r = spec_get_object (obj, "timeOffsets", path, &v, err);
  if (r <= 0)
    return r;
  spec_join (sub, path, "timeOffsets");
  for (i = 0; i < v->u.object.len; i++)
    {
      const char *clock = v->u.object.keys[i];
      yajl_val o = v->u.object.values[i];
      struct spec_time_offset *t;

      spec_join (elem, sub, clock);
      if (strcmp (clock, "monotonic") == 0)
        t = &l->time_monotonic;
      else if (strcmp (clock, "boottime") == 0)
        t = &l->time_boottime;
      else
        return spec_fail (err, elem, NULL, "unknown clock");
      if (YAJL_IS_NULL (o))
        continue;
      if (spec_expect_object (o, elem, err) < 0
          || spec_parse_fields (o, elem, time_offset_fields,
                                SPEC_N (time_offset_fields), t, err)
                 < 0)
        return -1;
      t->present = true;
    }
  return 0;
}

static const struct spec_field seccomp_arg_fields[] = {
  SPEC_FR (struct spec_seccomp_arg, SK_U32, "index", index),
  SPEC_F (struct spec_seccomp_arg, SK_U64, "value", value),
  SPEC_F (struct spec_seccomp_arg, SK_U64, "valueTwo", value_two),
  SPEC_FR (struct spec_seccomp_arg, SK_STR, "op", op),
};
TABLE_ELEM (parse_seccomp_arg, seccomp_arg_fields)

static const struct spec_field syscall_fields[] = {
  SPEC_FR (struct spec_seccomp_syscall, SK_STRV, "names", names),
  SPEC_FR (struct spec_seccomp_syscall, SK_STR, "action", action),
  SPEC_FH (struct spec_seccomp_syscall, SK_U32, "errnoRet", errno_ret,
           has_errno_ret),
};

static int
parse_syscall (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  struct spec_seccomp_syscall *s = elem;

  if (spec_parse_fields (v, path, syscall_fields, SPEC_N (syscall_fields), s,
                         err)
      < 0)
    return -1;
  if (s->names.n == 0)
    return spec_fail (err, path, "names",
                      "must be a non-empty array of strings");
  return spec_parse_array (v, "args", path, sizeof (struct spec_seccomp_arg),
                           &s->args, &s->n_args, parse_seccomp_arg, err);
}

#define SECCOMP(kind, key, m) SPEC_F (struct spec_seccomp, kind, key, m)
static const struct spec_field seccomp_fields[] = {
  SPEC_FR (struct spec_seccomp, SK_STR, "defaultAction", default_action),
  SPEC_FH (struct spec_seccomp, SK_U32, "defaultErrnoRet", default_errno_ret,
           has_default_errno_ret),
  SECCOMP (SK_STRV, "architectures", architectures),
  SECCOMP (SK_STRV, "flags", flags),
  SECCOMP (SK_STR, "listenerPath", listener_path),
  SECCOMP (SK_STR, "listenerMetadata", listener_metadata),
};

int
spec_parse_seccomp (yajl_val obj, const char *path, struct spec_seccomp **out,
                    sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  int r;

  r = spec_parse_alloc (obj, "seccomp", path, sizeof **out, out,
                        seccomp_fields, SPEC_N (seccomp_fields), err);
  if (r <= 0)
    return r;
  spec_join (sub, path, "seccomp");
  return spec_parse_array (spec_get (obj, "seccomp"), "syscalls", sub,
                           sizeof (struct spec_seccomp_syscall),
                           &(*out)->syscalls, &(*out)->n_syscalls,
                           parse_syscall, err);
}

void
spec_seccomp_put (FILE *f, const struct spec_seccomp *s)
{
  blob_put_u64 (f, s != NULL);
  if (s == NULL)
    return;
  spec_fields_put (f, seccomp_fields, SPEC_N (seccomp_fields), s);
  blob_put_u64 (f, s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *c = &s->syscalls[i];
      spec_fields_put (f, syscall_fields, SPEC_N (syscall_fields), c);
      blob_put_u64 (f, c->n_args);
      for (size_t k = 0; k < c->n_args; k++)
        spec_fields_put (f, seccomp_arg_fields, SPEC_N (seccomp_arg_fields), &c->args[k]);
    }
}

int
spec_seccomp_get (struct blob_in *in, struct spec_seccomp **out)
{
  struct spec_seccomp *s;
  size_t n = 0;

  *out = NULL;
  if (blob_get_u64 (in) == 0)
    return in->bad ? -1 : 0;
  if ((s = calloc (1, sizeof *s)) == NULL)
    return -1;
  if (spec_fields_get (in, seccomp_fields, SPEC_N (seccomp_fields), s) == 0 && (n = blob_get_count (in, 8)) > 0
      && (s->syscalls = calloc (n, sizeof *s->syscalls)) == NULL)
    in->bad = true;
  for (; !in->bad && s->n_syscalls < n; s->n_syscalls++)
    {
      struct spec_seccomp_syscall *c = &s->syscalls[s->n_syscalls];
      size_t na;
      if (spec_fields_get (in, syscall_fields, SPEC_N (syscall_fields), c) < 0)
        {
          s->n_syscalls++; /* freed with the rest */
          break;
        }
      na = blob_get_count (in, 8);
      if (na > 0 && (c->args = calloc (na, sizeof *c->args)) == NULL)
        in->bad = true;
      for (; !in->bad && c->n_args < na; c->n_args++)
        if (spec_fields_get (in, seccomp_arg_fields, SPEC_N (seccomp_arg_fields), &c->args[c->n_args]) < 0)
          {
            c->n_args++;
            break;
          }
    }
  if (in->bad || s->default_action == NULL)
    {
      in->bad = true;
      spec_seccomp_free (s);
      return -1;
    }
  *out = s;
  return 0;
}

void
spec_seccomp_free (struct spec_seccomp *s)
{
  size_t i;

  if (s == NULL)
    return;
  for (i = 0; i < s->n_syscalls; i++)
    {
      struct spec_seccomp_syscall *c = &s->syscalls[i];
      spec_free_fields (syscall_fields, SPEC_N (syscall_fields), c);
      free_table_array (seccomp_arg_fields, SPEC_N (seccomp_arg_fields),
                        c->args, sizeof *c->args, c->n_args);
    }
  free (s->syscalls);
  spec_free_fields (seccomp_fields, SPEC_N (seccomp_fields), s);
  free (s);
}

#define RDT(kind, key, m) SPEC_F (struct spec_intel_rdt, kind, key, m)
static const struct spec_field intel_rdt_fields[] = {
  RDT (SK_STR, "closID", clos_id),
  RDT (SK_STR, "l3CacheSchema", l3_cache_schema),
  RDT (SK_STR, "memBwSchema", mem_bw_schema),
  RDT (SK_BOOL, "enableCMT", enable_cmt),
  RDT (SK_BOOL, "enableMBM", enable_mbm),
};

static const struct spec_field personality_fields[] = {
  SPEC_FR (struct spec_personality, SK_STR, "domain", domain),
  SPEC_F (struct spec_personality, SK_STRV, "flags", flags),
};

static const struct spec_field memory_policy_fields[] = {
  SPEC_FR (struct spec_memory_policy, SK_STR, "mode", mode),
  SPEC_F (struct spec_memory_policy, SK_STR, "nodes", nodes),
  SPEC_F (struct spec_memory_policy, SK_STRV, "flags", flags),
};

#define LINUX(kind, key, m) SPEC_F (struct spec_linux, kind, key, m)
static const struct spec_field linux_fields[] = {
  LINUX (SK_STR, "cgroupsPath", cgroups_path),
  LINUX (SK_STR, "rootfsPropagation", rootfs_propagation),
  LINUX (SK_MAP, "sysctl", sysctl),
  LINUX (SK_STRV, "maskedPaths", masked_paths),
  LINUX (SK_STRV, "readonlyPaths", readonly_paths),
  LINUX (SK_STR, "mountLabel", mount_label),
};

int
spec_parse_linux (yajl_val v, const char *path, struct spec_linux **out,
                  sbx_error_t *err)
{
  struct spec_linux *l;
  yajl_val res;
  char sub[SPEC_PATH_LEN];
  int r;

  l = calloc (1, sizeof *l);
  if (l == NULL)
    return spec_oom (err, path);
  *out = l;
  if (spec_parse_fields (v, path, linux_fields, SPEC_N (linux_fields), l, err)
          < 0
      || spec_parse_array (v, "namespaces", path,
                           sizeof (struct spec_namespace), &l->namespaces,
                           &l->n_namespaces, parse_namespace, err)
             < 0
      || spec_parse_id_mappings (v, "uidMappings", path, &l->uid_mappings,
                                 err)
             < 0
      || spec_parse_id_mappings (v, "gidMappings", path, &l->gid_mappings,
                                 err)
             < 0
      || parse_time_offsets (v, path, l, err) < 0
      || spec_parse_array (v, "devices", path, sizeof (struct spec_device),
                           &l->devices, &l->n_devices, parse_device, err)
             < 0
      || spec_parse_object_map (v, "netDevices", path,
                                sizeof (struct spec_net_device),
                                &l->net_devices, &l->n_net_devices,
                                parse_net_device, err)
             < 0
      || spec_parse_seccomp (v, path, &l->seccomp, err) < 0
      || spec_parse_alloc (v, "intelRdt", path, sizeof (struct spec_intel_rdt),
                           &l->intel_rdt, intel_rdt_fields,
                           SPEC_N (intel_rdt_fields), err)
             < 0
      || spec_parse_alloc (v, "personality", path,
                           sizeof (struct spec_personality), &l->personality,
                           personality_fields, SPEC_N (personality_fields),
                           err)
             < 0
      || spec_parse_alloc (v, "memoryPolicy", path,
                           sizeof (struct spec_memory_policy),
                           &l->memory_policy, memory_policy_fields,
                           SPEC_N (memory_policy_fields), err)
             < 0)
    return -1;

  r = spec_get_object (v, "resources", path, &res, err);
  spec_join (sub, path, "resources");
  if (r < 0
      || (r > 0 && spec_parse_resources_value (res, sub, &l->resources, err)
                       < 0))
    return -1;
  return 0;
}

void
spec_linux_free (struct spec_linux *l)
{
  size_t i;

  if (l == NULL)
    return;
  spec_free_fields (linux_fields, SPEC_N (linux_fields), l);
  free_table_array (ns_fields, SPEC_N (ns_fields), l->namespaces,
                    sizeof *l->namespaces, l->n_namespaces);
  free (l->uid_mappings.v);
  free (l->gid_mappings.v);
  free_table_array (device_fields, SPEC_N (device_fields), l->devices,
                    sizeof *l->devices, l->n_devices);
  for (i = 0; i < l->n_net_devices; i++)
    free (l->net_devices[i].host_name);
  free_table_array (net_device_fields, SPEC_N (net_device_fields),
                    l->net_devices, sizeof *l->net_devices, l->n_net_devices);
  spec_resources_free (l->resources);
  spec_seccomp_free (l->seccomp);
  spec_free_fields (intel_rdt_fields, SPEC_N (intel_rdt_fields), l->intel_rdt);
  free (l->intel_rdt);
  spec_free_fields (personality_fields, SPEC_N (personality_fields),
                    l->personality);
  free (l->personality);
  spec_free_fields (memory_policy_fields, SPEC_N (memory_policy_fields),
                    l->memory_policy);
  free (l->memory_policy);
  free (l);
}
