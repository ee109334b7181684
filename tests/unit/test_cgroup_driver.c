/* test_cgroup_driver.c: the driver choice at create, its record in
 * state.json and owned.json, and the inference for states written before
 * the driver was recorded. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-driver.h"
#include "cleanup.h"
#include "fsutil.h"
#include "recover.h"
#include "state.h"
#include "unit.h"

UNIT_TEST (choose)
{
  struct cgroup_facts f = { 0 };

  /* no unified hierarchy: no cgroup, whatever else holds */
  f = (struct cgroup_facts) { .v2 = false, .want_systemd = true, .systemd_running = true, .root = true,
                              .writable = true };
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_NONE);
  /* root */
  f = (struct cgroup_facts) { .v2 = true, .root = true };
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_V2);
  f.want_systemd = true;
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_V2); /* systemd is not PID 1 */
  f.systemd_running = true;
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_SYSTEMD);
  f.want_systemd = false;
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_V2);
  /* rootless */
  f = (struct cgroup_facts) { .v2 = true };
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_NONE);
  f.writable = true;
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_V2);
  f = (struct cgroup_facts) { .v2 = true, .want_systemd = true, .systemd_running = true };
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_NONE); /* no user manager answered */
  f.writable = true;
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_V2);
  f.user_manager = true;
  CHECK (cgroup_driver_choose (&f) == CGROUP_DRIVER_SYSTEMD);
}

UNIT_TEST (names)
{
  CHECK_STREQ (cgroup_driver_get (CGROUP_DRIVER_NONE)->name, "none");
  CHECK_STREQ (cgroup_driver_get (CGROUP_DRIVER_V2)->name, "v2");
  CHECK_STREQ (cgroup_driver_get (CGROUP_DRIVER_SYSTEMD)->name, "systemd");
  CHECK_INTEQ (cgroup_driver_parse ("v2"), CGROUP_DRIVER_V2);
  CHECK_INTEQ (cgroup_driver_parse ("systemd"), CGROUP_DRIVER_SYSTEMD);
  CHECK_INTEQ (cgroup_driver_parse ("none"), CGROUP_DRIVER_NONE);
  CHECK_INTEQ (cgroup_driver_parse ("cgroupfs"), -1);
  CHECK (cgroup_driver_get (CGROUP_DRIVER_SYSTEMD)->place_after_clone);
  CHECK (!cgroup_driver_get (CGROUP_DRIVER_V2)->place_after_clone);
  CHECK (cgroup_driver_infer (NULL, true) == CGROUP_DRIVER_NONE);
  CHECK (cgroup_driver_infer ("/sys/fs/cgroup/x", false) == CGROUP_DRIVER_V2);
  CHECK (cgroup_driver_infer ("/sys/fs/cgroup/x", true) == CGROUP_DRIVER_SYSTEMD);
}

/* "none" refuses limits it cannot hold, before any process exists. */
UNIT_TEST (none_refuses_limits)
{
  struct spec_resources r = { .has_pids_limit = true, .pids_limit = 10 };
  struct cg_plan plan;
  sbx_error_t err = { 0 };
  const struct cgroup_driver *d = cgroup_driver_get (CGROUP_DRIVER_NONE);

  CHECK (d->plan (NULL, &plan, &err) == 0);
  cgroup_plan_free (&plan);
  CHECK (d->plan (&r, &plan, &err) == -1);
  CHECK_CONTAINS (err.msg, "limits need a cgroup");
  cgroup_plan_free (&plan);
  sbx_error_free (&err);
  CHECK (d->freeze (NULL, true, &err) == -1);
  CHECK_CONTAINS (err.msg, "no cgroup");
  sbx_error_free (&err);
  CHECK (d->destroy (NULL, &err) == 0);
}

static int
tmpdir (char *dir)
{
  return mkdtemp (dir) ? open (dir, O_RDONLY | O_DIRECTORY) : -1;
}

static void
write_state (int fd, const char *text)
{
  sbx_error_t err = { 0 };
  atomic_write_at (fd, STATE_FILE, text, strlen (text), 0600, &err);
  sbx_error_free (&err);
}

UNIT_TEST (state_records_driver)
{
  char dir[] = "/tmp/sbx-drv-XXXXXX";
  int fd = tmpdir (dir);
  sbx_error_t err = { 0 };
  struct container_state st = { .id = "c1", .pid = 1, .bundle = "/b", .rootfs = "/r", .created = "x",
                                .cgroup_path = "/sys/fs/cgroup/s.slice/x.scope", .cgroup_ino = 7,
                                .cgroup_driver = CGROUP_DRIVER_SYSTEMD };
  struct container_state rd;
  _cleanup_free_ char *text = NULL;

  REQUIRE (fd >= 0);
  REQUIRE (state_write (fd, &st, &err) == 0);
  REQUIRE (read_file_at (fd, STATE_FILE, &text, NULL, 65536, &err) == 0);
  CHECK_CONTAINS (text, "\"cgroupDriver\":\"systemd\"");
  REQUIRE (state_read (fd, "c1", &rd, &err) == 0);
  CHECK (rd.cgroup_driver == CGROUP_DRIVER_SYSTEMD);
  state_free (&rd);
  st.cgroup_driver = CGROUP_DRIVER_V2;
  REQUIRE (state_write (fd, &st, &err) == 0);
  REQUIRE (state_read (fd, "c1", &rd, &err) == 0);
  CHECK (rd.cgroup_driver == CGROUP_DRIVER_V2);
  state_free (&rd);
  st.cgroup_driver = CGROUP_DRIVER_NONE;
  st.cgroup_path = NULL;
  REQUIRE (state_write (fd, &st, &err) == 0);
  REQUIRE (state_read (fd, "c1", &rd, &err) == 0);
  CHECK (rd.cgroup_driver == CGROUP_DRIVER_NONE);
  state_free (&rd);
  unlinkat (fd, STATE_FILE, 0);
  close (fd);
  rmdir (dir);
}

/* A state.json from before the driver was recorded: as create would have
   chosen. A recorded driver nobody knows, or one that contradicts the
   path, is refused (delete --force then works from owned.json). */
UNIT_TEST (state_old_and_bad_driver)
{
  char dir[] = "/tmp/sbx-drv-XXXXXX";
  int fd = tmpdir (dir);
  sbx_error_t err = { 0 };
  struct container_state rd;

  REQUIRE (fd >= 0);
  write_state (fd, "{\"pid\":1,\"cgroupPath\":\"/sys/fs/cgroup/a\",\"systemdCgroup\":true}");
  REQUIRE (state_read (fd, "c1", &rd, &err) == 0);
  CHECK (rd.cgroup_driver == CGROUP_DRIVER_SYSTEMD);
  state_free (&rd);
  write_state (fd, "{\"pid\":1,\"cgroupPath\":\"/sys/fs/cgroup/a\",\"systemdCgroup\":false}");
  REQUIRE (state_read (fd, "c1", &rd, &err) == 0);
  CHECK (rd.cgroup_driver == CGROUP_DRIVER_V2);
  state_free (&rd);
  write_state (fd, "{\"pid\":1,\"systemdCgroup\":false}");
  REQUIRE (state_read (fd, "c1", &rd, &err) == 0);
  CHECK (rd.cgroup_driver == CGROUP_DRIVER_NONE);
  state_free (&rd);
  write_state (fd, "{\"pid\":1,\"cgroupPath\":\"/sys/fs/cgroup/a\",\"cgroupDriver\":\"cgroupfs\"}");
  CHECK (state_read (fd, "c1", &rd, &err) == -1);
  CHECK_CONTAINS (err.msg, "unknown cgroupDriver `cgroupfs`");
  sbx_error_free (&err);
  write_state (fd, "{\"pid\":1,\"cgroupPath\":\"/sys/fs/cgroup/a\",\"cgroupDriver\":\"none\"}");
  CHECK (state_read (fd, "c1", &rd, &err) == -1);
  CHECK_CONTAINS (err.msg, "cgroupDriver `none` with a cgroupPath");
  sbx_error_free (&err);
  write_state (fd, "{\"pid\":1,\"cgroupDriver\":\"v2\"}");
  CHECK (state_read (fd, "c1", &rd, &err) == -1);
  CHECK_CONTAINS (err.msg, "without a cgroupPath");
  sbx_error_free (&err);
  unlinkat (fd, STATE_FILE, 0);
  close (fd);
  rmdir (dir);
}

UNIT_TEST (owned_records_driver)
{
  char dir[] = "/tmp/sbx-drv-XXXXXX";
  int fd = tmpdir (dir);
  sbx_error_t err = { 0 };
  struct owned o = { .cgroup_path = "/sys/fs/cgroup/a", .cgroup_ino = 5, .driver = CGROUP_DRIVER_V2,
                     .pid = 3 }, rd;
  const char *old = "{\"cgroupPath\":\"/sys/fs/cgroup/a\",\"cgroupInode\":\"5\",\"systemdCgroup\":true,\"pid\":3}";

  REQUIRE (fd >= 0);
  REQUIRE (owned_write (fd, &o, &err) == 0);
  REQUIRE (owned_read (fd, &rd, &err) == 0);
  CHECK (rd.driver == CGROUP_DRIVER_V2);
  owned_free (&rd);
  atomic_write_at (fd, OWNED_FILE, old, strlen (old), 0600, &err);
  REQUIRE (owned_read (fd, &rd, &err) == 0);
  CHECK (rd.driver == CGROUP_DRIVER_SYSTEMD);
  owned_free (&rd);
  unlinkat (fd, OWNED_FILE, 0);
  close (fd);
  rmdir (dir);
}

int
main (void)
{
  return unit_main ();
}
