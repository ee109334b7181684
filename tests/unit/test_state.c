/* test_state.c: ids, state.json round trip, status from pid + start time,
 * cgroupsPath resolution. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-own.h"
#include "json.h"
#include "recover.h"
#include "state.h"
#include "unit.h"

UNIT_TEST (container_ids)
{
  sbx_error_t err = { 0 };
  CHECK (state_check_id ("abc-1.2_x+y", &err) == 0);
  CHECK (state_check_id ("", &err) == -1);
  CHECK (state_check_id ("../etc", &err) == -1);
  CHECK (state_check_id (".hidden", &err) == -1);
  CHECK (state_check_id ("a/b", &err) == -1);
  CHECK_CONTAINS (err.msg, "invalid container id");
  sbx_error_free (&err);
}

UNIT_TEST (state_round_trip)
{
  char dir[] = "/tmp/sbx-state-XXXXXX";
  sbx_error_t err = { 0 };
  char *keys[] = { "org.example/a", "b.c" }, *values[] = { "1", "x\"y" };
  struct container_state st = { .id = "c1", .pid = getpid (), .start_time = 12345,
                                .bundle = "/b", .rootfs = "/b/rootfs",
                                .created = "2026-01-01T00:00:00.000000001Z",
                                .cgroup_path = "/sys/fs/cgroup/sbx/c1", .cgroup_driver = CGROUP_DRIVER_V2,
                                .annotations = { keys, values, 2 } };
  struct container_state rd;
  int fd;

  REQUIRE (mkdtemp (dir) != NULL);
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  CHECK (state_write (fd, &st, &err) == 0);
  CHECK (state_read (fd, "c1", &rd, &err) == 0);
  CHECK_STREQ (rd.id, "c1");
  CHECK_INTEQ (rd.pid, getpid ());
  CHECK (rd.start_time == 12345);
  CHECK_STREQ (rd.bundle, "/b");
  CHECK_STREQ (rd.created, st.created);
  CHECK_STREQ (rd.cgroup_path, "/sys/fs/cgroup/sbx/c1");
  REQUIRE (rd.annotations.n == 2);
  CHECK_STREQ (rd.annotations.keys[0], "org.example/a");
  CHECK_STREQ (rd.annotations.values[1], "x\"y");
  /* The recorded start time is not this process's: status is stopped. */
  CHECK (state_status (fd, &rd) == STATUS_STOPPED);
  rd.start_time = proc_start_time (getpid (), NULL);
  CHECK (state_status (fd, &rd) == STATUS_RUNNING);
  state_free (&rd);
  unlinkat (fd, STATE_FILE, 0);
  close (fd);
  rmdir (dir);
}

UNIT_TEST (zombie_is_not_alive)
{
  pid_t pid = fork ();
  unsigned long long t;
  if (pid == 0)
    _exit (0);
  usleep (100000);
  t = proc_start_time (pid, NULL);
  CHECK (t != 0);
  CHECK (!state_pid_alive (pid, t));
  waitpid (pid, NULL, 0);
  CHECK (!state_pid_alive (pid, t));
}

UNIT_TEST (state_json_output)
{
  struct container_state st = { .id = "c", .pid = 7, .bundle = "/b", .rootfs = "/r",
                                .created = "t", .owner = "root" };
  char *s = state_to_json (&st, STATUS_CREATED);
  CHECK_STREQ (s, "{\"ociVersion\":\"" SBX_OCI_VERSION "\",\"id\":\"c\",\"pid\":7,\"status\":\"created\","
                  "\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\",\"owner\":\"root\",\"annotations\":{}}");
  free (s);
}

UNIT_TEST (cgroup_paths)
{
  sbx_error_t err = { 0 };
  const char *root = cgroup_v2_root ();
  char *p;
  char want[512];

  if (root == NULL)
    {
      printf ("# no cgroup v2 hierarchy: path tests need one\n");
      CHECK (cgroup_resolve_path ("/a", "id", false, NULL, &err) == NULL);
      sbx_error_free (&err);
      return;
    }
  p = cgroup_resolve_path ("/docker/abc", "abc", false, NULL, &err);
  snprintf (want, sizeof want, "%s/docker/abc", root);
  CHECK_STREQ (p, want);
  free (p);
  p = cgroup_resolve_path (NULL, "abc", false, NULL, &err);
  snprintf (want, sizeof want, "%s/sbx/abc", root);
  CHECK_STREQ (p, want);
  free (p);
  /* absent with --systemd-cgroup: sbx-ID.scope in system.slice */
  p = cgroup_resolve_path (NULL, "abc", true, NULL, &err);
  snprintf (want, sizeof want, "%s/system.slice/sbx-abc.scope", root);
  CHECK_STREQ (p, want);
  free (p);
  p = cgroup_resolve_path ("system.slice:sbxtest:t4", "t4", true, NULL, &err);
  snprintf (want, sizeof want, "%s/system.slice/sbxtest-t4.scope", root);
  CHECK_STREQ (p, want);
  free (p);
  p = cgroup_resolve_path ("a-b.slice:pre:n", "n", true, NULL, &err);
  snprintf (want, sizeof want, "%s/a.slice/a-b.slice/pre-n.scope", root);
  CHECK_STREQ (p, want);
  free (p);
  /* rootless: under the user manager's cgroup, user.slice by default */
  p = cgroup_resolve_path ("user.slice:libpod:n", "n", true, "/user.slice/user-7.slice/user@7.service", &err);
  snprintf (want, sizeof want, "%s/user.slice/user-7.slice/user@7.service/user.slice/libpod-n.scope", root);
  CHECK_STREQ (p, want);
  free (p);
  p = cgroup_resolve_path (NULL, "abc", true, "/u@7.service", &err);
  snprintf (want, sizeof want, "%s/u@7.service/user.slice/sbx-abc.scope", root);
  CHECK_STREQ (p, want);
  free (p);
  /* a manager's cgroup only matters to the systemd form */
  p = cgroup_resolve_path ("/docker/abc", "abc", false, "/u@7.service", &err);
  snprintf (want, sizeof want, "%s/docker/abc", root);
  CHECK_STREQ (p, want);
  free (p);
  CHECK (cgroup_resolve_path ("/a/../../etc", "x", false, NULL, &err) == NULL);
  CHECK_CONTAINS (err.msg, "..");
  CHECK (cgroup_resolve_path ("..", "x", false, NULL, &err) == NULL);
  CHECK (cgroup_resolve_path ("/", "x", false, NULL, &err) == NULL);
  /* "a..b" is a legal name, not a parent reference. */
  p = cgroup_resolve_path ("/a..b", "x", false, NULL, &err);
  CHECK (p != NULL);
  free (p);
  sbx_error_free (&err);
}

UNIT_TEST (flat_json_reader)
{
  struct spec_map m;
  sbx_error_t err = { 0 };
  CHECK (json_parse_flat ("{\"a\":1,\"b\":\"s\",\"c\":true,\"d\":null,\"e\":{\"k.x\":\"v\"}}", 52, &m, &err) == 0);
  CHECK_STREQ (json_map_get (&m, "a"), "1");
  CHECK_STREQ (json_map_get (&m, "b"), "s");
  CHECK_STREQ (json_map_get (&m, "c"), "true");
  CHECK (json_map_get (&m, "d") == NULL);
  CHECK_STREQ (json_map_get (&m, "e.k.x"), "v");
  json_map_free (&m);
  CHECK (json_parse_flat ("[1]", 3, &m, &err) == -1);
  CHECK (json_parse_flat ("{", 1, &m, &err) == -1);
  CHECK_CONTAINS (err.msg, "invalid JSON");
  sbx_error_free (&err);
}

/* `state` and `list` used to leak the owner string read from state.json
   (issue #13): a thousand calls must not grow the heap. */
UNIT_TEST (state_and_list_do_not_leak)
{
  char dir[] = "/tmp/sbx-leak-XXXXXX", sub[64];
  sbx_error_t err = { 0 };
  struct container_state st = { .id = "c1", .pid = getpid (), .bundle = "/b", .rootfs = "/b/r",
                                .created = "2026-01-01T00:00:00Z", .owner = "someone" };
  struct sbx_context ctx = { .struct_size = sizeof ctx, .root = dir };
  FILE *null = fopen ("/dev/null", "w");
  size_t before;
  int fd;

  REQUIRE (mkdtemp (dir) != NULL && null != NULL);
  st.start_time = proc_start_time (getpid (), NULL);
  snprintf (sub, sizeof sub, "%s/c1", dir);
  REQUIRE (mkdir (sub, 0700) == 0);
  fd = open (sub, O_RDONLY | O_DIRECTORY);
  REQUIRE (state_write (fd, &st, &err) == 0);
  /* warm up stdio and the allocator (its per-size caches count as in use:
     run the same calls as the loop until they are full) */
  for (int i = 0; i < 100; i++)
    {
      CHECK (sbx_container_state (&ctx, "c1", null, &err) == 0);
      CHECK (sbx_container_list (&ctx, SBX_LIST_JSON, false, null, &err) == 0);
      CHECK (sbx_container_list (&ctx, SBX_LIST_TABLE, false, null, &err) == 0);
    }
  before = mallinfo2 ().uordblks;
  for (int i = 0; i < 1000; i++)
    {
      CHECK (sbx_container_state (&ctx, "c1", null, &err) == 0);
      CHECK (sbx_container_list (&ctx, SBX_LIST_TABLE, false, null, &err) == 0);
    }
  CHECK (mallinfo2 ().uordblks < before + 4096);
  fclose (null);
  unlinkat (fd, STATE_FILE, 0);
  close (fd);
  rmdir (sub);
  rmdir (dir);
}

/* owned.json round trip: what delete --force works from after a crash. */
UNIT_TEST (owned_round_trip)
{
  char dir[] = "/tmp/sbx-owned-XXXXXX";
  sbx_error_t err = { 0 };
  struct owned o = { .cgroup_path = "/sys/fs/cgroup/sbx/c\"1", .cgroup_ino = 1234567890123ULL,
                     .driver = CGROUP_DRIVER_SYSTEMD, .pid = 42, .start_time = 99 }, rd;
  int fd;

  REQUIRE (mkdtemp (dir) != NULL);
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  CHECK (owned_read (fd, &rd, &err) == -1);
  CHECK (err.errno_ == ENOENT);
  sbx_error_free (&err);
  CHECK (owned_write (fd, &o, &err) == 0);
  REQUIRE (owned_read (fd, &rd, &err) == 0);
  CHECK_STREQ (rd.cgroup_path, o.cgroup_path);
  CHECK (rd.cgroup_ino == o.cgroup_ino);
  CHECK (rd.driver == CGROUP_DRIVER_SYSTEMD);
  CHECK_INTEQ (rd.pid, 42);
  CHECK (rd.start_time == 99);
  owned_free (&rd);
  unlinkat (fd, OWNED_FILE, 0);
  close (fd);
  rmdir (dir);
}

/* The identity check every command makes before it acts on a cgroup. */
UNIT_TEST (cgroup_identity_check)
{
  char dir[] = "/tmp/sbx-cgid-XXXXXX", gone[64];
  sbx_error_t err = { 0 };
  unsigned long long ino;

  REQUIRE (mkdtemp (dir) != NULL);
  REQUIRE (cgroup_inode (dir, &ino, &err) == 0 && ino != 0);
  CHECK (cgroup_check_owned (dir, ino, &err) == 1);
  CHECK (cgroup_check_owned (dir, ino + 1, &err) == -1);
  CHECK_CONTAINS (err.msg, "is not this container's");
  sbx_error_free (&err);
  CHECK (cgroup_check_owned (dir, 0, &err) == -1);
  CHECK_CONTAINS (err.msg, "no cgroup identity");
  sbx_error_free (&err);
  snprintf (gone, sizeof gone, "%s/gone", dir);
  CHECK (cgroup_check_owned (gone, ino, &err) == 0);
  CHECK (!cgroup_is_populated (gone));
  rmdir (dir);
}

int
main (void)
{
  return unit_main ();
}
