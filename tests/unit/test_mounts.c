/* test_mounts.c: the mount option table and id-map formatting. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-target.h"
#include "mounts.h"
#include "rootfs.h"
#include "unit.h"
#include "userns.h"

static struct mount_opts
parse (const char **opts, size_t n, int *r)
{
  struct spec_strv v = { (char **) opts, n };
  struct mount_opts o;
  sbx_error_t err = { 0 };
  *r = mount_opts_parse (&v, &o, &err);
  sbx_error_free (&err);
  return o;
}

UNIT_TEST (flags_map_to_mount_attrs)
{
  const char *opts[] = { "nosuid", "noexec", "nodev", "ro" };
  int r;
  struct mount_opts o = parse (opts, 4, &r);
  CHECK_INTEQ (r, 0);
  CHECK (o.attr_set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY));
  CHECK (o.rec_set == 0);
  CHECK (!o.bind);
  mount_opts_free (&o);
}

UNIT_TEST (later_option_wins)
{
  const char *opts[] = { "ro", "rw", "exec", "noexec" };
  int r;
  struct mount_opts o = parse (opts, 4, &r);
  CHECK (!(o.attr_set & MOUNT_ATTR_RDONLY));
  CHECK (o.attr_clr & MOUNT_ATTR_RDONLY);
  CHECK (o.attr_set & MOUNT_ATTR_NOEXEC);
  CHECK (!(o.attr_clr & MOUNT_ATTR_NOEXEC));
  mount_opts_free (&o);
}

UNIT_TEST (recursive_and_bind)
{
  const char *opts[] = { "rbind", "rro", "rprivate", "rnosuid" };
  int r;
  struct mount_opts o = parse (opts, 4, &r);
  CHECK (o.bind && o.rbind);
  CHECK (o.rec_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID));
  CHECK (o.attr_set == 0);
  CHECK (o.propagation == MS_PRIVATE && o.prop_recursive);
  mount_opts_free (&o);
}

UNIT_TEST (atime_modes_are_exclusive)
{
  const char *opts[] = { "noatime", "strictatime" };
  int r;
  struct mount_opts o = parse (opts, 2, &r);
  CHECK ((o.attr_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME);
  CHECK (o.attr_clr & MOUNT_ATTR__ATIME);
  CHECK (o.atime_set);
  mount_opts_free (&o);
}

UNIT_TEST (data_and_flags_go_to_fsconfig)
{
  const char *opts[] = { "mode=755", "size=65536k", "newinstance", "sync", "ptmxmode=0666" };
  int r;
  struct mount_opts o = parse (opts, 5, &r);
  REQUIRE (o.data.n == 3);
  CHECK_STREQ (o.data.keys[0], "mode");
  CHECK_STREQ (o.data.values[0], "755");
  CHECK_STREQ (o.data.keys[1], "size");
  CHECK_STREQ (o.data.values[1], "65536k");
  CHECK_STREQ (o.data.keys[2], "ptmxmode");
  REQUIRE (o.flags.n == 2);
  CHECK_STREQ (o.flags.v[0], "newinstance");
  CHECK_STREQ (o.flags.v[1], "sync");
  mount_opts_free (&o);
}

UNIT_TEST (bind_detection)
{
  char *bindopt[] = { "rbind", "ro" };
  struct spec_mount m = { .destination = "/x", .type = "none", .options = { bindopt, 2 } };
  struct spec_mount t = { .destination = "/x", .type = "tmpfs" };
  struct spec_mount b = { .destination = "/x", .type = "bind" };
  CHECK (mount_is_bind (&m));
  CHECK (!mount_is_bind (&t));
  CHECK (mount_is_bind (&b));
}

UNIT_TEST (propagation_names)
{
  unsigned long f;
  CHECK (rootfs_propagation_flags ("rslave", &f) == 0 && f == (MS_SLAVE | MS_REC));
  CHECK (rootfs_propagation_flags ("private", &f) == 0 && f == MS_PRIVATE);
  CHECK (rootfs_propagation_flags ("sideways", &f) == -1);
}

/* Bind sources: slave unless the config asks for sharing (#11). */
UNIT_TEST (bind_source_default_propagation)
{
  CHECK (mounts_bind_propagation (NULL) == MS_SLAVE);
  CHECK (mounts_bind_propagation ("rslave") == MS_SLAVE);
  CHECK (mounts_bind_propagation ("unbindable") == MS_SLAVE);
  CHECK (mounts_bind_propagation ("private") == MS_PRIVATE);
  CHECK (mounts_bind_propagation ("rprivate") == MS_PRIVATE);
  CHECK (mounts_bind_propagation ("shared") == 0);
  CHECK (mounts_bind_propagation ("rshared") == 0);
}

/* What a config mount may cover inside a procfs (#11). */
UNIT_TEST (proc_mount_allowlist)
{
  char *masked[] = { "/proc/kcore", NULL };
  char *ro[] = { "/proc/sys", NULL };
  struct spec_linux l = { .masked_paths = { masked, 1 }, .readonly_paths = { ro, 1 } };
  struct sbx_spec spec = { .linux_ = &l };
  CHECK (mount_target_proc_allowed (&spec, "/proc/cpuinfo"));
  CHECK (mount_target_proc_allowed (&spec, "//proc//uptime/"));
  CHECK (mount_target_proc_allowed (&spec, "/proc/kcore"));
  CHECK (mount_target_proc_allowed (&spec, "/proc/sys"));
  CHECK (!mount_target_proc_allowed (&spec, "/proc/sys/net"));
  CHECK (!mount_target_proc_allowed (&spec, "/proc/self/attr"));
  CHECK (!mount_target_proc_allowed (&spec, "/proc"));
  CHECK (!mount_target_proc_allowed (&spec, "/proc/./cpuinfo"));
  CHECK (!mount_target_proc_allowed (&spec, "/proc/x/../cpuinfo"));
  CHECK (!mount_target_proc_allowed (&spec, "/proc/cpuinfox"));
}

UNIT_TEST (id_map_format)
{
  struct spec_id_mapping v[] = { { 0, 100000, 65536 }, { 65536, 1000, 1 } };
  struct spec_id_mappings m = { v, 2 };
  char buf[256];
  sbx_error_t err = { 0 };
  CHECK (userns_format_map (&m, buf, sizeof buf, &err) == 0);
  CHECK_STREQ (buf, "0 100000 65536\n65536 1000 1\n");
}

UNIT_TEST (id_map_overflow_is_refused)
{
  struct spec_id_mapping v[] = { { 0, 4294967295u, 2 } };
  struct spec_id_mappings m = { v, 1 };
  struct spec_id_mapping z[] = { { 0, 0, 0 } };
  struct spec_id_mappings mz = { z, 1 };
  char buf[256];
  sbx_error_t err = { 0 };
  CHECK (userns_format_map (&m, buf, sizeof buf, &err) == -1);
  CHECK_CONTAINS (err.msg, "past 2^32");
  CHECK (userns_format_map (&mz, buf, sizeof buf, &err) == -1);
  sbx_error_free (&err);
}

UNIT_TEST (id_map_too_long)
{
  struct spec_id_mapping v[400];
  struct spec_id_mappings m = { v, 400 };
  char buf[4096];
  sbx_error_t err = { 0 };
  for (int i = 0; i < 400; i++)
    v[i] = (struct spec_id_mapping) { (uint32_t) i * 100000u, 4000000000u, 1 };
  CHECK (userns_format_map (&m, buf, sizeof buf, &err) == -1);
  sbx_error_free (&err);
}

UNIT_TEST (tmpcopyup_and_idmap_are_parsed)
{
  const char *cu[] = { "tmpcopyup", "mode=755" };
  const char *idm[] = { "rbind", "idmap" };
  const char *ridm[] = { "ridmap" };
  int r;
  struct mount_opts o = parse (cu, 2, &r);
  CHECK_INTEQ (r, 0);
  CHECK (o.tmpcopyup);
  CHECK (o.flags.n == 0 && o.data.n == 1);
  mount_opts_free (&o);
  /* idmap and ridmap are idmap.c's: no fsconfig flag, nothing refused */
  o = parse (idm, 2, &r);
  CHECK_INTEQ (r, 0);
  CHECK (o.flags.n == 0 && o.rbind);
  mount_opts_free (&o);
  o = parse (ridm, 1, &r);
  CHECK_INTEQ (r, 0);
  CHECK (o.flags.n == 0);
  mount_opts_free (&o);
}

static int
check_mounts (const char *type, const char **opts, size_t n, char **msg)
{
  struct spec_mount m = { .destination = (char *) "/m", .type = (char *) type, .source = (char *) "/src",
                          .options = { (char **) opts, n } };
  struct sbx_spec spec = { .mounts = &m, .n_mounts = 1 };
  sbx_error_t err = { 0 };
  int r = mounts_check (&spec, &err);
  *msg = err.msg ? strdup (err.msg) : NULL;
  sbx_error_free (&err);
  return r;
}

UNIT_TEST (mounts_check_refuses_what_a_bind_would_drop)
{
  const char *typo[] = { "rbind", "noexecc" };
  const char *data[] = { "rbind", "size=1m" };
  const char *fine[] = { "rbind", "ro", "nosuid", "rprivate", "defaults" };
  const char *cu[] = { "tmpcopyup" };
  char *msg = NULL;

  CHECK_INTEQ (check_mounts ("bind", typo, 2, &msg), -1);
  CHECK (msg != NULL && strstr (msg, "mounts[0] (/m)") && strstr (msg, "noexecc"));
  free (msg);
  CHECK_INTEQ (check_mounts ("none", data, 2, &msg), -1);
  CHECK (msg != NULL && strstr (msg, "size=1m"));
  free (msg);
  CHECK_INTEQ (check_mounts ("bind", fine, 5, &msg), 0);
  free (msg);
  CHECK_INTEQ (check_mounts ("tmpfs", cu, 1, &msg), 0);
  free (msg);
  CHECK_INTEQ (check_mounts ("proc", cu, 1, &msg), -1);
  CHECK (msg != NULL && strstr (msg, "tmpcopyup"));
  free (msg);
  CHECK_INTEQ (check_mounts ("tmpfs", typo + 1, 1, &msg), 0); /* fsconfig refuses it later */
  free (msg);
}

int
main (void)
{
  return unit_main ();
}
