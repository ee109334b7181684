/* test_criu.c: what sbx tells criu: the external mounts on dump and
 * restore, the restore-side stdio keys, joined namespaces, cgroup modes. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "criu.h"
#include "fsutil.h"
#include "spec.h"
#include "unit.h"

static const char config[] =
  "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
  "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
  "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
  "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
  "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\",\"options\":[\"rbind\"]},"
  "{\"destination\":\"/etc/hosts\",\"source\":\"hosts\",\"options\":[\"bind\",\"ro\"]}],"
  "\"linux\":{\"maskedPaths\":[\"/proc/kcore\"],"
  "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/run/netns/x\"},{\"type\":\"mount\"}]}}";

static struct sbx_spec *
load (const char *json)
{
  sbx_error_t err = { 0 };
  struct sbx_spec *s = spec_parse (json, strlen (json), &err);
  if (s == NULL)
    fprintf (stderr, "# %s\n", err.msg);
  sbx_error_free (&err);
  return s;
}

static bool
has_pair (const struct criu_argv *a, const char *opt, const char *val)
{
  for (size_t i = 0; i + 1 < a->n; i++)
    if (strcmp (a->v[i], opt) == 0 && strcmp (a->v[i + 1], val) == 0)
      return true;
  return false;
}

UNIT_TEST (dump_marks_binds_external_by_destination)
{
  struct sbx_spec *s = load (config);
  struct criu_argv a = { 0 };
  REQUIRE (s != NULL);
  criu_external_mounts (&a, s, "/b", false);
  CHECK (!a.failed);
  CHECK (has_pair (&a, "--external", "mnt[/data]:/data"));
  CHECK (has_pair (&a, "--external", "mnt[/etc/hosts]:/etc/hosts"));
  CHECK (!has_pair (&a, "--external", "mnt[/proc]:/proc"));
  /* masked files are added on dump only where mountinfo shows them */
  CHECK (!has_pair (&a, "--external", "mnt[/proc/kcore]:/proc/kcore"));
  criu_argv_free (&a);
  spec_free (s);
}

UNIT_TEST (restore_maps_binds_to_sources_and_masks_to_dev_null)
{
  struct sbx_spec *s = load (config);
  struct criu_argv a = { 0 };
  REQUIRE (s != NULL);
  criu_external_mounts (&a, s, "/b", true);
  CHECK (has_pair (&a, "--external", "mnt[/data]:/srv/data"));
  CHECK (has_pair (&a, "--external", "mnt[/etc/hosts]:/b/hosts"));
  CHECK (has_pair (&a, "--external", "mnt[/proc/kcore]:/dev/null"));
  CHECK (has_pair (&a, "--external", "mnt[/dev/null]:/dev/null"));
  criu_argv_free (&a);
  spec_free (s);
}

UNIT_TEST (restore_stdio_inherits_recorded_keys)
{
  char dir[] = "/tmp/test_criu.XXXXXX";
  struct criu_argv a = { 0 };
  sbx_error_t err = { 0 };
  int fd, nulls[3], saved0 = dup (0), devnull = open ("/dev/null", O_RDONLY);
  static const char rec[] = "{\"0\":\"file[2a:1f]\",\"1\":\"pipe:[77]\",\"2\":\"socket:[78]\",\"9\":\"pipe:[1]\"}";
  REQUIRE (mkdtemp (dir) != NULL);
  REQUIRE (saved0 >= 0 && devnull >= 0);
  /* fd 0 seekable: the file key takes it as it is */
  REQUIRE (dup2 (devnull, 0) == 0);
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  REQUIRE (fd >= 0);
  CHECK_INTEQ (criu_restore_stdio (&a, fd, nulls, &err), -1);
  CHECK_CONTAINS (err.msg, "sbx-stdio.json");
  sbx_error_free (&err);
  REQUIRE (atomic_write_at (fd, "sbx-stdio.json", rec, strlen (rec), 0600, &err) == 0);
  CHECK_INTEQ (criu_restore_stdio (&a, fd, nulls, &err), 0);
  CHECK (has_pair (&a, "--inherit-fd", "fd[0]:file[2a:1f]"));
  CHECK (has_pair (&a, "--inherit-fd", "fd[1]:pipe:[77]"));
  CHECK (has_pair (&a, "--inherit-fd", "fd[2]:socket:[78]"));
  CHECK (!has_pair (&a, "--inherit-fd", "fd[9]:pipe:[1]"));
  CHECK (nulls[0] == -1 && nulls[1] == -1 && nulls[2] == -1);
  criu_argv_free (&a);
  unlinkat (fd, "sbx-stdio.json", 0);
  close (fd);
  rmdir (dir);
  dup2 (saved0, 0);
  close (saved0);
  close (devnull);
}

/* A pipe where the init had a host file: /dev/null is opened again when
   that is what it was, anything else is refused naming the fd. */
UNIT_TEST (restore_stdio_pipe_for_a_file)
{
  char dir[] = "/tmp/test_criu.XXXXXX", want[64];
  struct criu_argv a = { 0 };
  sbx_error_t err = { 0 };
  int fd, p[2], nulls[3], saved0 = dup (0);
  struct stat st;
  static const char null_rec[] = "{\"0\":\"file[2a:1f]\",\"null0\":\"yes\"}";
  static const char file_rec[] = "{\"0\":\"file[2a:1f]\"}";
  REQUIRE (mkdtemp (dir) != NULL);
  REQUIRE (saved0 >= 0 && pipe (p) == 0 && dup2 (p[0], 0) == 0);
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  REQUIRE (fd >= 0);
  REQUIRE (atomic_write_at (fd, "sbx-stdio.json", null_rec, strlen (null_rec), 0600, &err) == 0);
  CHECK_INTEQ (criu_restore_stdio (&a, fd, nulls, &err), 0);
  REQUIRE (nulls[0] > 2);
  CHECK (fstat (nulls[0], &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3));
  CHECK (fcntl (nulls[0], F_GETFD) & FD_CLOEXEC);
  snprintf (want, sizeof want, "fd[%d]:file[2a:1f]", nulls[0]);
  CHECK (has_pair (&a, "--inherit-fd", want));
  CHECK (!has_pair (&a, "--inherit-fd", "fd[0]:file[2a:1f]"));
  close (nulls[0]);
  criu_argv_free (&a);
  memset (&a, 0, sizeof a);
  REQUIRE (atomic_write_at (fd, "sbx-stdio.json", file_rec, strlen (file_rec), 0600, &err) == 0);
  CHECK_INTEQ (criu_restore_stdio (&a, fd, nulls, &err), -1);
  CHECK_CONTAINS (err.msg, "stdin: the checkpointed container had a host file there");
  CHECK (nulls[0] == -1);
  sbx_error_free (&err);
  criu_argv_free (&a);
  unlinkat (fd, "sbx-stdio.json", 0);
  close (fd);
  rmdir (dir);
  dup2 (saved0, 0);
  close (saved0);
  close (p[0]);
  close (p[1]);
}

UNIT_TEST (joined_namespaces_other_than_network_are_refused)
{
  struct sbx_spec *s = load (config);
  sbx_error_t err = { 0 };
  REQUIRE (s != NULL);
  CHECK_INTEQ (criu_joined_ns (s, &err), 0);
  spec_free (s);
  s = load ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
            "\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"/proc/1/ns/ipc\"}]}}");
  REQUIRE (s != NULL);
  CHECK_INTEQ (criu_joined_ns (s, &err), -1);
  CHECK_CONTAINS (err.msg, "joins a ipc namespace");
  sbx_error_free (&err);
  spec_free (s);
}

UNIT_TEST (cgroup_modes)
{
  const char *m = NULL;
  sbx_error_t err = { 0 };
  CHECK_INTEQ (criu_cgroups_mode (NULL, &m, &err), 0);
  CHECK_STREQ (m, "soft");
  CHECK_INTEQ (criu_cgroups_mode ("ignore", &m, &err), 0);
  CHECK_STREQ (m, "ignore");
  CHECK_INTEQ (criu_cgroups_mode ("props", &m, &err), -1);
  CHECK_CONTAINS (err.msg, "--manage-cgroups-mode");
  sbx_error_free (&err);
}

int
main (void)
{
  return unit_main ();
}
