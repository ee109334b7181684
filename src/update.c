/* sbx update [flags | -r FILE|-] ID: change a running container's cgroup
 * limits. Flags as runc's; -r reads an OCI LinuxResources JSON (Docker
 * sends it on stdin, zeros meaning "unchanged"). Flags fill a typed struct
 * sbx_resources. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum
{
  O_BLKIO = 256, O_CPU_PERIOD, O_CPU_QUOTA, O_CPU_BURST, O_CPU_RT_PERIOD, O_CPU_RT_RUNTIME,
  O_CPU_SHARE, O_CPUS, O_MEMS, O_MEMORY, O_MEM_RES, O_MEM_SWAP, O_PIDS, O_KMEM, O_KMEM_TCP,
};

/* "64m" -> 67108864; "-1" stays -1. */
static int
parse_size (const char *s, long long *out)
{
  char *end;
  long long v = strtoll (s, &end, 10);
  long long mul = 1;

  if (end == s)
    return -1;
  switch (*end)
    {
    case 'k': case 'K': mul = 1LL << 10; end++; break;
    case 'm': case 'M': mul = 1LL << 20; end++; break;
    case 'g': case 'G': mul = 1LL << 30; end++; break;
    default: break;
    }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end != '\0')
    return -1;
  *out = v < 0 ? v : v * mul;
  return 0;
}

static char *
read_all (const char *path)
{
  int fd = strcmp (path, "-") == 0 ? 0 : open (path, O_RDONLY | O_CLOEXEC);
  size_t cap = 4096, n = 0;
  char *buf;

  if (fd < 0 || (buf = malloc (cap + 1)) == NULL)
    return NULL;
  for (;;)
    {
      ssize_t r;
      if (n == cap)
        {
          char *nb = cap > (1 << 22) ? NULL : realloc (buf, (cap *= 2) + 1);
          if (nb == NULL)
            {
              free (buf);
              return NULL;
            }
          buf = nb;
        }
      r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  if (fd != 0)
    close (fd);
  return buf;
}

static const char *
flag_name (const struct option *o, int c)
{
  for (; o->name != NULL; o++)
    if (o->val == c)
      return o->name;
  return "?";
}

/* One numeric flag into res; -1 when v does not fit its field (the
   unsigned ones take no negative value, as the JSON's uint64 fields). */
static int
set_flag (struct sbx_resources *res, int c, long long v)
{
  bool neg = v < 0;

  switch (c)
    {
    case O_MEMORY: res->has_memory = true, res->memory = v; return 0;
    case O_MEM_RES: res->has_memory_reservation = true, res->memory_reservation = v; return 0;
    case O_MEM_SWAP: res->has_memory_swap = true, res->memory_swap = v; return 0;
    case O_KMEM: res->has_kernel_memory = true, res->kernel_memory = v; return 0;
    case O_KMEM_TCP: res->has_kernel_memory_tcp = true, res->kernel_memory_tcp = v; return 0;
    case O_CPU_QUOTA: res->has_cpu_quota = true, res->cpu_quota = v; return 0;
    case O_CPU_RT_RUNTIME: res->has_cpu_rt_runtime = true, res->cpu_rt_runtime = v; return 0;
    case O_PIDS: res->has_pids_limit = true, res->pids_limit = v; return 0;
    case O_CPU_SHARE: res->has_cpu_shares = true, res->cpu_shares = v; return neg ? -1 : 0;
    case O_CPU_PERIOD: res->has_cpu_period = true, res->cpu_period = v; return neg ? -1 : 0;
    case O_CPU_BURST: res->has_cpu_burst = true, res->cpu_burst = v; return neg ? -1 : 0;
    case O_CPU_RT_PERIOD: res->has_cpu_rt_period = true, res->cpu_rt_period = v; return neg ? -1 : 0;
    case O_BLKIO:
      res->has_blkio_weight = true, res->blkio_weight = (uint16_t) v;
      return neg || v > UINT16_MAX ? -1 : 0;
    default:
      return -1;
    }
}

static void
help (void)
{
  printf ("Usage: sbx update [OPTIONS] ID\n\n"
          "Change the cgroup limits of a running container.\n\n"
          "  -r, --resources FILE|-     an OCI LinuxResources JSON (- for stdin)\n"
          "      --memory N             memory limit in bytes (k/m/g suffixes; -1 unlimited)\n"
          "      --memory-reservation N memory.low\n"
          "      --memory-swap N        memory+swap limit\n"
          "      --cpu-share N          cpu shares (converted to cpu.weight)\n"
          "      --cpu-quota N          CFS quota in microseconds (-1 unlimited)\n"
          "      --cpu-period N         CFS period in microseconds\n"
          "      --cpu-burst N          cpu.max.burst\n"
          "      --cpuset-cpus LIST     cpuset.cpus\n"
          "      --cpuset-mems LIST     cpuset.mems\n"
          "      --pids-limit N         pids.max (-1 unlimited)\n"
          "      --blkio-weight N       io.weight (10..1000)\n"
          "  -h, --help                 show this help\n");
}

int
cmd_update (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "resources", required_argument, NULL, 'r' },
    { "blkio-weight", required_argument, NULL, O_BLKIO },
    { "cpu-period", required_argument, NULL, O_CPU_PERIOD },
    { "cpu-quota", required_argument, NULL, O_CPU_QUOTA },
    { "cpu-burst", required_argument, NULL, O_CPU_BURST },
    { "cpu-rt-period", required_argument, NULL, O_CPU_RT_PERIOD },
    { "cpu-rt-runtime", required_argument, NULL, O_CPU_RT_RUNTIME },
    { "cpu-share", required_argument, NULL, O_CPU_SHARE },
    { "cpuset-cpus", required_argument, NULL, O_CPUS },
    { "cpuset-mems", required_argument, NULL, O_MEMS },
    { "memory", required_argument, NULL, O_MEMORY },
    { "memory-reservation", required_argument, NULL, O_MEM_RES },
    { "memory-swap", required_argument, NULL, O_MEM_SWAP },
    { "pids-limit", required_argument, NULL, O_PIDS },
    { "kernel-memory", required_argument, NULL, O_KMEM },
    { "kernel-memory-tcp", required_argument, NULL, O_KMEM_TCP },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct sbx_resources res = { .struct_size = sizeof res };
  bool flags = false;
  char *json = NULL;
  const char *resources = NULL;
  sbx_error_t err = { 0 };
  const char *id;
  int c, r;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+r:h", longopts, NULL)) != -1)
    {
      long long v = 0;

      if (c == 'r')
        {
          resources = optarg;
          continue;
        }
      if (c == 'h')
        {
          help ();
          return 0;
        }
      if (c == '?' || c == ':')
        return cli_usage (ctx, "update", "unknown option `%s`", argv[optind - 1]);
      flags = true;
      if (c == O_CPUS || c == O_MEMS)
        {
          *(c == O_CPUS ? &res.cpuset_cpus : &res.cpuset_mems) = optarg;
          continue;
        }
      if (parse_size (optarg, &v) < 0)
        return cli_usage (ctx, "update", "`%s` is not a number", optarg);
      if (set_flag (&res, c, v) < 0)
        return cli_usage (ctx, "update", "`%s` is out of range for --%s", optarg, flag_name (longopts, c));
    }
  id = cli_one_id (ctx, "update", argc, argv, optind);
  if (id == NULL)
    return 1;
  if (resources != NULL)
    {
      if (flags)
        return cli_usage (ctx, "update", "--resources and the other flags exclude each other");
      json = read_all (resources);
      if (json == NULL)
        return cli_usage (ctx, "update", "cannot read --resources `%s`", resources);
      r = sbx_container_update (ctx, id, json, strlen (json), &err);
      free (json);
    }
  else
    r = sbx_container_update_resources (ctx, id, &res, &err);
  if (r < 0)
    return cli_fail (ctx, &err);
  return 0;
}
