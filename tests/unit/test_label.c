/* test_label.c: what the LSM exec labels write, and where, with a
 * directory standing in for the init's private procfs. The kernel side
 * (the label taking effect) is tested in envelope.bats (AppArmor, in the
 * VM); SELinux has no enabled host here, so these are its tests. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "label.h"
#include "unit.h"

static char root[64];

/* A fake procfs: thread-self/attr/{exec,apparmor/exec} as empty files
   (apparmor/exec only when `aa_dir`). */
static int
fake_proc (bool aa_dir)
{
  char p[128];
  strcpy (root, "/tmp/sbx-test-label.XXXXXX");
  if (mkdtemp (root) == NULL)
    return -1;
  snprintf (p, sizeof p, "%s/thread-self", root);
  mkdir (p, 0755);
  snprintf (p, sizeof p, "%s/thread-self/attr", root);
  mkdir (p, 0755);
  snprintf (p, sizeof p, "%s/thread-self/attr/exec", root);
  close (open (p, O_CREAT | O_WRONLY, 0644));
  if (aa_dir)
    {
      snprintf (p, sizeof p, "%s/thread-self/attr/apparmor", root);
      mkdir (p, 0755);
      snprintf (p, sizeof p, "%s/thread-self/attr/apparmor/exec", root);
      close (open (p, O_CREAT | O_WRONLY, 0644));
    }
  return open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static char *
slurp (const char *rel)
{
  char p[160], *out = NULL;
  snprintf (p, sizeof p, "%s/%s", root, rel);
  if (read_file_at (AT_FDCWD, p, &out, NULL, 4096, NULL) < 0)
    return NULL;
  return out;
}

static void
cleanup (int fd)
{
  char cmd[128];
  close (fd);
  snprintf (cmd, sizeof cmd, "rm -rf %s", root);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", root);
}

UNIT_TEST (selinux_label_goes_to_attr_exec)
{
  struct spec_process p = { 0 };
  sbx_error_t err = { 0 };
  int fd = fake_proc (true);
  char *s;

  p.selinux_label = (char *) "system_u:system_r:container_t:s0:c1,c2";
  CHECK (label_apply_exec_lsm (&p, fd, true, false, &err) == 0);
  s = slurp ("thread-self/attr/exec");
  CHECK_STREQ (s, "system_u:system_r:container_t:s0:c1,c2");
  free (s);
  cleanup (fd);
}

UNIT_TEST (apparmor_profile_goes_to_apparmor_exec)
{
  struct spec_process p = { 0 };
  sbx_error_t err = { 0 };
  int fd = fake_proc (true);
  char *s, *t;

  p.apparmor_profile = (char *) "docker-default";
  CHECK (label_apply_exec_lsm (&p, fd, false, true, &err) == 0);
  s = slurp ("thread-self/attr/apparmor/exec");
  t = slurp ("thread-self/attr/exec");
  CHECK_STREQ (s, "exec docker-default");
  CHECK_STREQ (t, ""); /* the generic file stays untouched */
  free (s);
  free (t);
  cleanup (fd);
}

UNIT_TEST (apparmor_falls_back_to_attr_exec_on_old_kernels)
{
  struct spec_process p = { 0 };
  sbx_error_t err = { 0 };
  int fd = fake_proc (false);
  char *s;

  p.apparmor_profile = (char *) "myprof";
  CHECK (label_apply_exec_lsm (&p, fd, false, true, &err) == 0);
  s = slurp ("thread-self/attr/exec");
  CHECK_STREQ (s, "exec myprof");
  free (s);
  cleanup (fd);
}

/* Fail closed: a label whose LSM is off is an error naming the field,
   and nothing is written (it used to be skipped with a debug line). */
UNIT_TEST (disabled_lsm_refuses_the_label)
{
  struct spec_process p = { 0 };
  sbx_error_t err = { 0 };
  int fd = fake_proc (true);
  char *s, *t;

  p.selinux_label = (char *) "system_u:system_r:container_t:s0";
  CHECK (label_apply_exec_lsm (&p, fd, false, true, &err) == -1);
  CHECK (err.msg != NULL && strstr (err.msg, "process.selinuxLabel") != NULL);
  sbx_error_free (&err);
  p.selinux_label = NULL;
  p.apparmor_profile = (char *) "docker-default";
  CHECK (label_apply_exec_lsm (&p, fd, true, false, &err) == -1);
  CHECK (err.msg != NULL && strstr (err.msg, "process.apparmorProfile") != NULL);
  sbx_error_free (&err);
  s = slurp ("thread-self/attr/exec");
  t = slurp ("thread-self/attr/apparmor/exec");
  CHECK_STREQ (s, "");
  CHECK_STREQ (t, "");
  free (s);
  free (t);
  cleanup (fd);
}

UNIT_TEST (label_check_names_each_field)
{
  struct spec_process p = { 0 };
  sbx_error_t err = { 0 };

  CHECK (label_check_lsm (&p, NULL, false, false, &err) == 0);
  p.selinux_label = (char *) "";
  p.apparmor_profile = (char *) "";
  CHECK (label_check_lsm (&p, "", false, false, &err) == 0); /* empty: absent */
  CHECK (label_check_lsm (NULL, "system_u:object_r:container_file_t:s0", false, true, &err) == -1);
  CHECK (err.msg != NULL && strstr (err.msg, "linux.mountLabel") != NULL);
  sbx_error_free (&err);
  CHECK (label_check_lsm (NULL, "system_u:object_r:container_file_t:s0", true, false, &err) == 0);
  p.apparmor_profile = (char *) "docker-default";
  CHECK (label_check_lsm (&p, NULL, true, false, &err) == -1);
  CHECK (err.msg != NULL && strstr (err.msg, "process.apparmorProfile \"docker-default\"") != NULL);
  sbx_error_free (&err);
  CHECK (label_check_lsm (&p, NULL, false, true, &err) == 0);
}

UNIT_TEST (a_failed_write_names_the_field)
{
  struct spec_process p = { 0 };
  sbx_error_t err = { 0 };
  int fd = fake_proc (true);
  char p1[160];

  /* attr/exec is a directory: the write fails */
  snprintf (p1, sizeof p1, "%s/thread-self/attr/exec", root);
  unlink (p1);
  mkdir (p1, 0755);
  p.selinux_label = (char *) "bad";
  CHECK (label_apply_exec_lsm (&p, fd, true, false, &err) == -1);
  CHECK (err.msg != NULL && strstr (err.msg, "process.selinuxLabel \"bad\"") != NULL);
  sbx_error_free (&err);
  cleanup (fd);
}

int
main (void)
{
  return unit_main ();
}
