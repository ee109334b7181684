/* test_container_open.c: the status table (which command accepts which
 * status, which locks it takes, what it says when it refuses) and
 * container_open on a state directory made here. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container-open.h"
#include "fsutil.h"
#include "state.h"
#include "unit.h"

#define C (1u << STATUS_CREATED)
#define R (1u << STATUS_RUNNING)
#define P (1u << STATUS_PAUSED)
#define T (1u << STATUS_STOPPED)

/* The expected table, written out once more by hand: a change to
   container-open.c's table must change this too. */
static const struct
{
  enum container_cmd cmd;
  unsigned accept; /* of created, running, paused, stopped */
  unsigned locks;
} expect[] = {
  { CMD_START, C, LOCK_LIFE },
  { CMD_DELETE, C | T, LOCK_LIFE | LOCK_OPS },
  { CMD_DELETE_FORCE, C | R | P | T, LOCK_LIFE | LOCK_OPS },
  { CMD_KILL, C | R | P, LOCK_OPS },
  { CMD_KILL_ALL, C | R | P | T, LOCK_OPS },
  { CMD_EXEC, C | R, LOCK_OPS },
  { CMD_EXEC_PAUSED, C | R | P, LOCK_OPS },
  { CMD_PAUSE, C | R, LOCK_OPS },
  { CMD_RESUME, P, LOCK_OPS },
  { CMD_UPDATE, C | R | P, LOCK_OPS },
  { CMD_PS, C | R | P | T, 0 },
  { CMD_EVENTS, C | R | P, 0 },
  { CMD_STATE, C | R | P | T, 0 },
};

UNIT_TEST (table_accepts)
{
  enum container_status all[] = { STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED };

  CHECK_INTEQ (sizeof expect / sizeof expect[0], CMD_COUNT);
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
    {
      const struct container_rule *r = container_rule (expect[i].cmd);
      REQUIRE (r != NULL);
      CHECK_INTEQ (r->locks, expect[i].locks);
      for (size_t k = 0; k < 4; k++)
        {
          bool want = (expect[i].accept & (1u << all[k])) != 0;
          sbx_error_t err = { 0 };
          if (container_accepts (expect[i].cmd, all[k]) != want)
            fprintf (stderr, "# %s, %s: expected %s\n", r->verb, state_status_name (all[k]),
                     want ? "accepted" : "refused");
          CHECK (container_accepts (expect[i].cmd, all[k]) == want);
          CHECK_INTEQ (container_check_status (expect[i].cmd, "c1", all[k], &err), want ? 0 : -1);
          CHECK (want ? err.msg == NULL : err.msg != NULL);
          sbx_error_free (&err);
        }
    }
  CHECK (!container_accepts (CMD_START, STATUS_UNKNOWN));
  CHECK (!container_accepts (CMD_DELETE, STATUS_CREATING));
  CHECK (container_accepts (CMD_DELETE_FORCE, STATUS_UNKNOWN));
  CHECK (container_rule (CMD_COUNT) == NULL);
}

/* The messages engines and users match on stay what they were. */
UNIT_TEST (table_messages)
{
  sbx_error_t err = { 0 };

  container_check_status (CMD_START, "c1", STATUS_RUNNING, &err);
  CHECK_STREQ (err.msg, "cannot start container \"c1\": it is not created (status: running)");
  CHECK_INTEQ (err.errno_, EINVAL);
  sbx_error_free (&err);
  container_check_status (CMD_DELETE, "c1", STATUS_PAUSED, &err);
  CHECK_STREQ (err.msg, "cannot delete container \"c1\": it is not stopped (status: paused)");
  CHECK_INTEQ (err.errno_, EBUSY);
  sbx_error_free (&err);
  container_check_status (CMD_KILL, "c1", STATUS_STOPPED, &err);
  CHECK_STREQ (err.msg, "container not running");
  CHECK_INTEQ (err.errno_, ESRCH);
  sbx_error_free (&err);
  container_check_status (CMD_EXEC, "c1", STATUS_PAUSED, &err);
  CHECK_STREQ (err.msg, "cannot exec in container \"c1\": it is paused");
  CHECK_INTEQ (err.errno_, EBUSY);
  sbx_error_free (&err);
  container_check_status (CMD_EXEC, "c1", STATUS_STOPPED, &err);
  CHECK_STREQ (err.msg, "cannot exec in container \"c1\": container not running");
  sbx_error_free (&err);
  container_check_status (CMD_PAUSE, "c1", STATUS_PAUSED, &err);
  CHECK_STREQ (err.msg, "container \"c1\" is already paused");
  sbx_error_free (&err);
  container_check_status (CMD_RESUME, "c1", STATUS_RUNNING, &err);
  CHECK_STREQ (err.msg, "container \"c1\" is not paused");
  CHECK_INTEQ (err.errno_, EINVAL);
  sbx_error_free (&err);
  container_check_status (CMD_UPDATE, "c1", STATUS_STOPPED, &err);
  CHECK_STREQ (err.msg, "container \"c1\": container not running");
  CHECK_INTEQ (err.errno_, ESRCH);
  sbx_error_free (&err);
}

/* A state root with container c1 whose init is this process. */
static int
make_root (char *dir, bool live, const char *state_text)
{
  char path[256];
  int rootfd, dirfd;
  sbx_error_t err = { 0 };
  struct container_state st = { .id = "c1", .pid = getpid (), .bundle = "/b", .rootfs = "/b/r",
                                .created = "2026-01-01T00:00:00Z" };

  st.start_time = live ? proc_start_time (getpid (), NULL) : 1;
  if (mkdtemp (dir) == NULL)
    return -1;
  snprintf (path, sizeof path, "%s/c1", dir);
  mkdir (path, 0700);
  rootfd = open (dir, O_RDONLY | O_DIRECTORY);
  dirfd = openat (rootfd, "c1", O_RDONLY | O_DIRECTORY);
  container_make_ops_lock (dirfd, &err);
  if (state_text != NULL)
    atomic_write_at (dirfd, STATE_FILE, state_text, strlen (state_text), 0600, &err);
  else
    state_write (dirfd, &st, &err);
  sbx_error_free (&err);
  close (dirfd);
  return rootfd;
}

static void
remove_root (int rootfd, const char *dir)
{
  sbx_error_t err = { 0 };
  rm_rf_at (rootfd, "c1", &err);
  sbx_error_free (&err);
  close (rootfd);
  rmdir (dir);
}

UNIT_TEST (open_checks_status)
{
  char dir[] = "/tmp/sbx-open-XXXXXX";
  int rootfd = make_root (dir, true, NULL);
  struct sbx_context ctx = { .root = dir };
  struct container c;
  sbx_error_t err = { 0 };

  REQUIRE (rootfd >= 0);
  CHECK (container_open (&ctx, "c1", CMD_STATE, &c, &err) == 0);
  CHECK (c.have_state);
  CHECK (c.status == STATUS_RUNNING);
  CHECK_INTEQ (c.opsfd, -1);
  container_close (&c);
  CHECK (container_open (&ctx, "c1", CMD_START, &c, &err) == -1);
  CHECK_CONTAINS (err.msg, "not created (status: running)");
  sbx_error_free (&err);
  container_close (&c);
  CHECK (container_open (&ctx, "nope", CMD_KILL, &c, &err) == -1);
  CHECK_STREQ (err.msg, "container \"nope\" does not exist");
  CHECK (!c.unreadable);
  sbx_error_free (&err);
  container_close (&c);
  remove_root (rootfd, dir);
}

/* A damaged state.json: open fails, but says so with the locks held, for
   delete --force to remove what survives. */
UNIT_TEST (open_unreadable_state)
{
  char dir[] = "/tmp/sbx-open-XXXXXX";
  int rootfd = make_root (dir, true, "{\"pid\": ");
  struct sbx_context ctx = { .root = dir };
  struct container c;
  sbx_error_t err = { 0 };

  REQUIRE (rootfd >= 0);
  CHECK (container_open (&ctx, "c1", CMD_DELETE_FORCE, &c, &err) == -1);
  CHECK (c.unreadable);
  CHECK (c.dirfd >= 0);
  CHECK (c.opsfd >= 0);
  sbx_error_free (&err);
  container_close (&c);
  remove_root (rootfd, dir);
}

/* Run cmd's open in a child (5 s at most): 0 if it returned, 1 if it
   failed, 2 if it blocked. */
static int
open_in_child (const char *dir, enum container_cmd cmd)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      struct sbx_context ctx = { .root = dir };
      struct container c;
      alarm (5);
      _exit (container_open (&ctx, "c1", cmd, &c, NULL) == 0 ? 0 : 1);
    }
  waitpid (pid, &status, 0);
  if (WIFSIGNALED (status) && WTERMSIG (status) == SIGALRM)
    return 2;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 3;
}

/* A foreground run holds the life lock until its container exits: kill,
   exec, pause do not wait for it; delete and start do. The ops lock
   serialises the commands that take it. */
UNIT_TEST (locks_kinds)
{
  char dir[] = "/tmp/sbx-open-XXXXXX";
  int rootfd = make_root (dir, true, NULL);
  struct sbx_context ctx = { .root = dir };
  struct container c;
  sbx_error_t err = { 0 };
  int life;

  REQUIRE (rootfd >= 0);
  life = openat (rootfd, "c1", O_RDONLY | O_DIRECTORY);
  REQUIRE (flock (life, LOCK_EX) == 0);
  CHECK_INTEQ (open_in_child (dir, CMD_KILL), 0);
  CHECK_INTEQ (open_in_child (dir, CMD_EXEC), 0);
  CHECK_INTEQ (open_in_child (dir, CMD_PAUSE), 0);
  CHECK_INTEQ (open_in_child (dir, CMD_RESUME), 1); /* running: refused, not blocked */
  CHECK_INTEQ (open_in_child (dir, CMD_STATE), 0);
  CHECK_INTEQ (open_in_child (dir, CMD_DELETE_FORCE), 2);
  close (life);
  REQUIRE (container_open (&ctx, "c1", CMD_KILL, &c, &err) == 0);
  CHECK (c.opsfd >= 0);
  CHECK_INTEQ (open_in_child (dir, CMD_UPDATE), 2);
  CHECK_INTEQ (open_in_child (dir, CMD_PS), 0);
  {
    /* a child that shares the lock's open file (exec's frozen joiner)
       does not keep it locked once the parent lets go */
    pid_t holder = fork ();
    if (holder == 0)
      {
        sleep (3);
        _exit (0);
      }
    container_unlock_ops (&c);
    CHECK_INTEQ (open_in_child (dir, CMD_UPDATE), 0);
    kill (holder, SIGKILL);
    waitpid (holder, NULL, 0);
  }
  container_close (&c);
  remove_root (rootfd, dir);
}

/* A state directory from before ops.lock: commands work unlocked. */
UNIT_TEST (open_without_ops_lock)
{
  char dir[] = "/tmp/sbx-open-XXXXXX";
  int rootfd = make_root (dir, true, NULL);
  struct sbx_context ctx = { .root = dir };
  struct container c;
  sbx_error_t err = { 0 };
  int dirfd;

  REQUIRE (rootfd >= 0);
  dirfd = openat (rootfd, "c1", O_RDONLY | O_DIRECTORY);
  CHECK (unlinkat (dirfd, OPS_LOCK_FILE, 0) == 0);
  CHECK (container_open (&ctx, "c1", CMD_KILL, &c, &err) == 0);
  CHECK_INTEQ (c.opsfd, -1);
  container_close (&c);
  /* never made by a command other than create */
  CHECK (faccessat (dirfd, OPS_LOCK_FILE, F_OK, 0) < 0);
  close (dirfd);
  remove_root (rootfd, dir);
}

int
main (void)
{
  return unit_main ();
}
