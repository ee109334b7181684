/* test_cgroup_systemd.c: which cgroup files become which systemd unit
 * properties (--systemd-cgroup), with the values systemd expects. The D-Bus
 * side is tested for real in tests/integration/systemd.bats (the VM boots
 * systemd for it). */
#include <string.h>

#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "spec.h"
#include "unit.h"

/* The properties of a plan of (file, value) pairs, joined by spaces. */
static char *
props_of (const char *const *pairs)
{
  struct cg_write w[16];
  struct cg_plan plan = { w, 0 };
  static char out[1024];
  char **v;
  size_t n;

  memset (w, 0, sizeof w);
  for (size_t i = 0; pairs[i] != NULL; i += 2, plan.n++)
    {
      snprintf (w[plan.n].file, sizeof w[0].file, "%s", pairs[i]);
      snprintf (w[plan.n].value, sizeof w[0].value, "%s", pairs[i + 1]);
    }
  v = cgroup_systemd_props (&plan, &n);
  out[0] = '\0';
  for (size_t i = 0; v != NULL && i < n; i++)
    snprintf (out + strlen (out), sizeof out - strlen (out), "%s%s", i ? " " : "", v[i]);
  cgroup_systemd_props_free (v);
  return out;
}

UNIT_TEST (direct_files_map_to_their_property_and_max_is_infinity)
{
  const char *p[] = { "memory.max", "67108864", "memory.low", "max", "memory.high", "1048576",
                      "memory.swap.max", "0", "pids.max", "max", "cpu.weight", "20",
                      "cpuset.cpus", "0-1,3", "cpuset.mems", "0", NULL };
  CHECK_STREQ (props_of (p), "MemoryMax=67108864 MemoryLow=infinity MemoryHigh=1048576 "
               "MemorySwapMax=0 TasksMax=infinity CPUWeight=20 AllowedCPUs=0-1,3 "
               "AllowedMemoryNodes=0");
}

UNIT_TEST (cpu_max_becomes_quota_per_second_rounded_up_and_period)
{
  const char *a[] = { "cpu.max", "50000 100000", NULL };
  const char *b[] = { "cpu.max", "max 20000", NULL };
  const char *c[] = { "cpu.max", "1 3", NULL };
  /* at create: a quota alone keeps the default period, a period alone
     the default quota (max) */
  const char *d[] = { "cpu.max", "25000", NULL };
  const char *e[] = { "cpu.max", "\x01 50000", NULL };
  CHECK_STREQ (props_of (a), "CPUQuotaPerSecUSec=500000 CPUQuotaPeriodUSec=100000");
  CHECK_STREQ (props_of (b), "CPUQuotaPerSecUSec=infinity CPUQuotaPeriodUSec=20000");
  CHECK_STREQ (props_of (c), "CPUQuotaPerSecUSec=333334 CPUQuotaPeriodUSec=3");
  CHECK_STREQ (props_of (d), "CPUQuotaPerSecUSec=250000 CPUQuotaPeriodUSec=100000");
  CHECK_STREQ (props_of (e), "CPUQuotaPerSecUSec=infinity CPUQuotaPeriodUSec=50000");
}

UNIT_TEST (io_weight_default_only_and_files_systemd_lacks_stay_sbx_s)
{
  const char *a[] = { "io.weight", "default 500", "io.weight", "8:0 200", "io.max", "8:0 rbps=1",
                      "hugetlb.2MB.max", "0", "memory.oom.group", "1", "cpu.idle", "1", NULL };
  const char *b[] = { "io.weight", "default 100\n8:16 300\n", NULL };
  CHECK_STREQ (props_of (a), "IOWeight=500");
  CHECK_STREQ (props_of (b), "IOWeight=100");
}

UNIT_TEST (from_config_resources_through_the_plan)
{
  static const char json[] = "{\"memory\":{\"limit\":1048576,\"swap\":3145728},"
                             "\"pids\":{\"limit\":-1},\"cpu\":{\"shares\":1024},"
                             "\"blockIO\":{\"weight\":500}}";
  sbx_error_t err = { 0 };
  struct spec_resources *r = spec_parse_resources (json, sizeof json - 1, &err);
  struct cg_plan plan;
  char **v, *all = NULL;
  size_t n, len = 0;
  FILE *f;

  REQUIRE (r != NULL);
  REQUIRE (cgroup_plan (r, false, &plan, &err) == 0);
  v = cgroup_systemd_props (&plan, &n);
  REQUIRE (v != NULL);
  f = open_memstream (&all, &len);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s ", v[i]);
  fclose (f);
  CHECK_CONTAINS (all, "MemoryMax=1048576 ");
  /* OCI swap is memory+swap; systemd's MemorySwapMax is swap alone */
  CHECK_CONTAINS (all, "MemorySwapMax=2097152 ");
  CHECK_CONTAINS (all, "TasksMax=infinity ");
  /* shares 1024 -> weight 1 + 1022 * 9999 / 262142 = 39 */
  CHECK_CONTAINS (all, "CPUWeight=39 ");
  /* blkio 500 -> io.weight 1 + 490 * 9999 / 990 = 4950 */
  CHECK_CONTAINS (all, "IOWeight=4950 ");
  CHECK (v[n] == NULL);
  free (all);
  cgroup_systemd_props_free (v);
  cgroup_plan_free (&plan);
  spec_resources_free (r);
}

int
main (void)
{
  return unit_main ();
}
