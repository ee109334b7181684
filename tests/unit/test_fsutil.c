/* test_fsutil.c: in-root resolution by fd, with openat2 and with the
 * O_NOFOLLOW walk fallback (forced), against a hostile tree of symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "unit.h"

static char root[256], outside[256];

/* root/
 *   real/file          "inside"
 *   abs -> /           (absolute symlink: means root/)
 *   up  -> ../../..    (tries to climb out)
 *   esc -> OUTSIDE     (absolute path of a dir next to root)
 *   loop -> loop */
static void
make_tree (void)
{
  char p[512];
  snprintf (root, sizeof root, "/tmp/sbx-fsutil-%d/root", getpid ());
  snprintf (outside, sizeof outside, "/tmp/sbx-fsutil-%d/outside", getpid ());
  snprintf (p, sizeof p, "/tmp/sbx-fsutil-%d", getpid ());
  mkdir (p, 0755);
  mkdir (root, 0755);
  mkdir (outside, 0755);
  snprintf (p, sizeof p, "%s/real", root);
  mkdir (p, 0755);
  snprintf (p, sizeof p, "%s/real/file", root);
  FILE *f = fopen (p, "w");
  fputs ("inside", f);
  fclose (f);
  snprintf (p, sizeof p, "%s/outside/secret", root);
  snprintf (p, sizeof p, "%s/secret", outside);
  f = fopen (p, "w");
  fputs ("outside", f);
  fclose (f);
  snprintf (p, sizeof p, "%s/abs", root);
  symlink ("/", p);
  snprintf (p, sizeof p, "%s/up", root);
  symlink ("../../..", p);
  snprintf (p, sizeof p, "%s/esc", root);
  symlink (outside, p);
  snprintf (p, sizeof p, "%s/loop", root);
  symlink ("loop", p);
}

static void
remove_tree (void)
{
  char cmd[512];
  snprintf (cmd, sizeof cmd, "rm -rf /tmp/sbx-fsutil-%d", getpid ());
  if (system (cmd) != 0)
    fprintf (stderr, "# cleanup failed\n");
}

static int
read_in_root (const char *path, char *buf, size_t len)
{
  sbx_error_t err = { 0 };
  int rootfd = open (root, O_PATH | O_DIRECTORY);
  int fd = open_in_root (rootfd, path, O_RDONLY, &err);
  ssize_t n = -1;
  close (rootfd);
  sbx_error_free (&err);
  if (fd < 0)
    return -1;
  n = read (fd, buf, len - 1);
  close (fd);
  buf[n < 0 ? 0 : n] = '\0';
  return 0;
}

static void
check_resolution (void)
{
  char buf[64];
  CHECK (read_in_root ("/real/file", buf, sizeof buf) == 0);
  CHECK_STREQ (buf, "inside");
  CHECK (read_in_root ("/abs/real/file", buf, sizeof buf) == 0);
  CHECK_STREQ (buf, "inside");
  CHECK (read_in_root ("/up/real/file", buf, sizeof buf) == 0);
  CHECK_STREQ (buf, "inside");
  CHECK (read_in_root ("../../../real/file", buf, sizeof buf) == 0);
  CHECK_STREQ (buf, "inside");
  /* esc points at the outside dir by absolute path: inside the root that
     path does not exist, so it must fail rather than read "outside". */
  CHECK (read_in_root ("/esc/secret", buf, sizeof buf) == -1);
  CHECK (read_in_root ("/loop", buf, sizeof buf) == -1);
}

UNIT_TEST (openat2_stays_in_root)
{
  make_tree ();
  fsutil_force_walk (0);
  check_resolution ();
}

UNIT_TEST (walk_fallback_stays_in_root)
{
  fsutil_force_walk (1);
  check_resolution ();
  fsutil_force_walk (0);
}

static void
check_mkdirall (int walk)
{
  sbx_error_t err = { 0 };
  int rootfd = open (root, O_PATH | O_DIRECTORY);
  char p[512];
  struct stat st;
  int fd;

  fsutil_force_walk (walk);
  /* Through the climbing symlink: the dirs must appear under root. */
  fd = mkdirall_in_root (rootfd, walk ? "/up/w/x/y" : "/up/a/b/c", 0755, &err);
  CHECK (fd >= 0);
  if (fd >= 0)
    close (fd);
  snprintf (p, sizeof p, "%s/%s", root, walk ? "w/x/y" : "a/b/c");
  CHECK (stat (p, &st) == 0 && S_ISDIR (st.st_mode));
  /* Through the absolute escape: nothing may be created outside. */
  fd = mkdirall_in_root (rootfd, "/esc/evil", 0755, &err);
  if (fd >= 0)
    close (fd);
  snprintf (p, sizeof p, "%s/evil", outside);
  CHECK (stat (p, &st) == -1 && errno == ENOENT);
  /* A file target through a symlink to "/". */
  fd = mkfile_in_root (rootfd, "/abs/etc-file", 0644, &err);
  CHECK (fd >= 0);
  if (fd >= 0)
    close (fd);
  snprintf (p, sizeof p, "%s/etc-file", root);
  CHECK (stat (p, &st) == 0 && S_ISREG (st.st_mode));
  fsutil_force_walk (0);
  sbx_error_free (&err);
  close (rootfd);
}

UNIT_TEST (mkdirall_creates_inside_root)
{
  check_mkdirall (0);
}

UNIT_TEST (mkdirall_walk_creates_inside_root)
{
  check_mkdirall (1);
}

UNIT_TEST (atomic_write_and_read_back)
{
  sbx_error_t err = { 0 };
  int dirfd = open (root, O_RDONLY | O_DIRECTORY);
  char *buf = NULL;
  size_t len = 0;

  CHECK (atomic_write_at (dirfd, "state", "{\"a\":1}", 7, 0600, &err) == 0);
  CHECK (read_file_at (dirfd, "state", &buf, &len, 1024, &err) == 0);
  CHECK_STREQ (buf, "{\"a\":1}");
  CHECK (len == 7);
  free (buf);
  CHECK (faccessat (dirfd, ".state.tmp", F_OK, 0) == -1);
  CHECK (read_file_at (dirfd, "state", &buf, &len, 3, &err) == -1);
  CHECK_CONTAINS (err.msg, "too large");
  sbx_error_free (&err);
  close (dirfd);
}

/* A failed rename leaves no temporary file behind, and the error is the
   rename's alone (nothing failed in the cleanup to append). */
UNIT_TEST (atomic_write_failure_removes_the_tmp_file)
{
  sbx_error_t err = { 0 };
  int dirfd = open (root, O_RDONLY | O_DIRECTORY);

  CHECK (mkdirat (dirfd, "busy", 0700) == 0);
  CHECK (mkdirat (dirfd, "busy/x", 0700) == 0);
  CHECK (atomic_write_at (dirfd, "busy", "{}", 2, 0600, &err) == -1);
  CHECK_CONTAINS (err.msg, "rename `.busy.tmp` to `busy`");
  CHECK (strstr (err.msg, "and then") == NULL);
  CHECK (faccessat (dirfd, ".busy.tmp", F_OK, AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT);
  sbx_error_free (&err);
  unlinkat (dirfd, "busy/x", AT_REMOVEDIR);
  unlinkat (dirfd, "busy", AT_REMOVEDIR);
  close (dirfd);
}

UNIT_TEST (rm_rf_does_not_follow_symlinks)
{
  sbx_error_t err = { 0 };
  char p[512];
  struct stat st;
  int base;

  snprintf (p, sizeof p, "/tmp/sbx-fsutil-%d", getpid ());
  base = open (p, O_RDONLY | O_DIRECTORY);
  CHECK (rm_rf_at (base, "root", &err) == 0);
  snprintf (p, sizeof p, "%s/secret", outside);
  CHECK (stat (p, &st) == 0);
  CHECK (stat (root, &st) == -1);
  close (base);
  sbx_error_free (&err);
  remove_tree ();
}

/* open_nofollow_in_root: any symlink on the way is ELOOP, even one that
   stays inside; plain paths open (the mount-target check of #11). */
static void
check_nofollow (int walk)
{
  int rootfd, fd;

  make_tree ();
  rootfd = open (root, O_PATH | O_DIRECTORY);
  fsutil_force_walk (walk);
  fd = open_nofollow_in_root (rootfd, "/real/file", O_PATH);
  CHECK (fd >= 0);
  if (fd >= 0)
    close (fd);
  fd = open_nofollow_in_root (rootfd, "real", O_PATH);
  CHECK (fd >= 0);
  if (fd >= 0)
    close (fd);
  CHECK (open_nofollow_in_root (rootfd, "/abs/real/file", O_PATH) == -1 && errno == ELOOP);
  CHECK (open_nofollow_in_root (rootfd, "/abs", O_PATH) == -1 && errno == ELOOP);
  CHECK (open_nofollow_in_root (rootfd, "/esc", O_PATH) == -1 && errno == ELOOP);
  CHECK (open_nofollow_in_root (rootfd, "/up/real", O_PATH) == -1 && errno == ELOOP);
  CHECK (open_nofollow_in_root (rootfd, "/real/missing", O_PATH) == -1 && errno == ENOENT);
  fsutil_force_walk (0);
  close (rootfd);
  remove_tree ();
}

UNIT_TEST (nofollow_refuses_every_symlink)
{
  check_nofollow (0);
}

UNIT_TEST (nofollow_walk_refuses_every_symlink)
{
  check_nofollow (1);
}

int
main (void)
{
  return unit_main ();
}
