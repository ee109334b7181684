/* container-open.c: opening an existing container for a command, and the
 * table of which statuses each command accepts and which locks it takes.
 *
 * Two locks, because `sbx run` in the foreground holds the directory's
 * flock (LOCK_LIFE) from create until the container exits and is deleted:
 * a command that must reach a running container (kill, exec, pause,
 * resume, update) cannot wait for that lock, or `sbx kill` of a foreground
 * run would block until the container ended by itself. Those commands take
 * LOCK_OPS instead, an exclusive flock on ops.lock, held only while they
 * act (exec drops it once its process is cloned into the cgroup, before
 * that process is even ready: with --ignore-paused it stays frozen until a
 * resume, which needs this lock),
 * so two of them serialise and none waits long. start and delete take
 * LOCK_LIFE; delete (and run, before it removes what it made) also takes
 * LOCK_OPS, so no exec is half-way into a cgroup being removed. Always
 * life before ops: no deadlock. Read-only commands (state, ps, events,
 * list) take no lock: state.json is written once, by rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cleanup.h"
#include "container-open.h"
#include "error.h"

#define S(x) (1u << STATUS_##x)
#define ALIVE (S (CREATED) | S (RUNNING) | S (PAUSED))
#define ANY (S (CREATING) | ALIVE | S (STOPPED) | S (UNKNOWN))
#define NOT_RUNNING "container \"%s\": container not running"

/* runc keeps such a table too; the messages are the ones sbx always gave. */
static const struct container_rule rules[CMD_COUNT] = {
  [CMD_START] = { "start", S (CREATED), LOCK_LIFE,
                  EINVAL, "cannot start container \"%s\": it is not created (status: %s)",
                  EINVAL, "cannot start container \"%s\": it is not created (status: %s)" },
  /* The runtime-spec refuses to delete a created container, but runc and
     crun kill and delete it, and containerd's shim calls plain `delete` on
     a task created and never started (issue #12): follow them. */
  [CMD_DELETE] = { "delete", S (CREATED) | S (STOPPED), LOCK_LIFE | LOCK_OPS,
                   0, NULL,
                   EBUSY, "cannot delete container \"%s\": it is not stopped (status: %s)" },
  [CMD_DELETE_FORCE] = { "delete --force", ANY, LOCK_LIFE | LOCK_OPS, 0, NULL, 0, NULL },
  [CMD_KILL] = { "kill", ALIVE, LOCK_OPS, ESRCH, "container not running", 0, NULL },
  [CMD_KILL_ALL] = { "kill --all", ALIVE | S (STOPPED), LOCK_OPS, 0, NULL, 0, NULL },
  /* exec into a created container is allowed (runc allows it too). */
  [CMD_EXEC] = { "exec", S (CREATED) | S (RUNNING), LOCK_OPS,
                 ESRCH, "cannot exec in container \"%s\": container not running",
                 EBUSY, "cannot exec in container \"%s\": it is paused" },
  /* --ignore-paused (runc): the process joins the frozen cgroup and
     starts when the container is resumed. */
  [CMD_EXEC_PAUSED] = { "exec --ignore-paused", ALIVE, LOCK_OPS,
                        ESRCH, "cannot exec in container \"%s\": container not running", 0, NULL },
  [CMD_PAUSE] = { "pause", S (CREATED) | S (RUNNING), LOCK_OPS,
                  ESRCH, NOT_RUNNING, EINVAL, "container \"%s\" is already paused" },
  [CMD_RESUME] = { "resume", S (PAUSED), LOCK_OPS,
                   ESRCH, NOT_RUNNING, EINVAL, "container \"%s\" is not paused" },
  [CMD_UPDATE] = { "update", ALIVE, LOCK_OPS, ESRCH, NOT_RUNNING, 0, NULL },
  [CMD_PS] = { "ps", ANY, 0, 0, NULL, 0, NULL },
  [CMD_EVENTS] = { "events", ALIVE, 0, ESRCH, NOT_RUNNING, 0, NULL },
  [CMD_STATE] = { "state", ANY, 0, 0, NULL, 0, NULL },
};

const struct container_rule *
container_rule (enum container_cmd cmd)
{
  return cmd < CMD_COUNT ? &rules[cmd] : NULL;
}

bool
container_accepts (enum container_cmd cmd, enum container_status s)
{
  const struct container_rule *r = container_rule (cmd);

  return r != NULL && (r->accept & (1u << s)) != 0;
}

int
container_check_status (enum container_cmd cmd, const char *id, enum container_status s,
                        sbx_error_t *err)
{
  const struct container_rule *r = container_rule (cmd);
  const char *name = state_status_name (s);

  if (r == NULL)
    return sbx_error_set (err, EINVAL, "unknown command %d", (int) cmd);
  if (container_accepts (cmd, s))
    return 0;
  if (s == STATUS_STOPPED && r->stopped_msg != NULL)
    return sbx_error_set (err, r->stopped_errno, r->stopped_msg, id, name);
  if (r->other_msg != NULL)
    return sbx_error_set (err, r->other_errno, r->other_msg, id, name);
  return sbx_error_set (err, EINVAL, "cannot %s container \"%s\" (status: %s)", r->verb, id, name);
}

int
container_make_ops_lock (int dirfd, sbx_error_t *err)
{
  int fd = openat (dirfd, OPS_LOCK_FILE, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return sbx_error_errno (err, "create %s", OPS_LOCK_FILE);
  close (fd);
  return 0;
}

int
container_lock_ops (int dirfd, int *fd, sbx_error_t *err)
{
  /* Never created here: a lock file made while delete empties the
     directory would make its rmdir fail. A directory from before the lock
     existed goes unlocked, as it always did. */
  *fd = openat (dirfd, OPS_LOCK_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (*fd < 0)
    return errno == ENOENT ? 0 : sbx_error_errno (err, "open %s", OPS_LOCK_FILE);
  while (flock (*fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        close (*fd);
        *fd = -1;
        return sbx_error_errno (err, "lock %s", OPS_LOCK_FILE);
      }
  return 0;
}

void
container_unlock_ops (struct container *c)
{
  /* Unlock, not just close: a child cloned since (exec's joiner, frozen
     with --ignore-paused) shares the open file and with it the lock. */
  if (c->opsfd >= 0)
    {
      flock (c->opsfd, LOCK_UN);
      close (c->opsfd);
    }
  c->opsfd = -1;
}

void
container_close (struct container *c)
{
  int *fds[] = { &c->dirfd, &c->rootfd };

  container_unlock_ops (c);
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      close (*fds[i]);
  if (c->have_state)
    state_free (&c->st);
  memset (c, 0, sizeof *c);
  c->rootfd = c->dirfd = c->opsfd = -1;
}

int
container_open (struct sbx_context *ctx, const char *id, enum container_cmd cmd,
                struct container *c, sbx_error_t *err)
{
  const struct container_rule *r = container_rule (cmd);

  memset (c, 0, sizeof *c);
  c->rootfd = c->dirfd = c->opsfd = -1;
  if (r == NULL)
    return sbx_error_set (err, EINVAL, "unknown command %d", (int) cmd);
  if (state_check_id (id, err) < 0)
    return -1;
  c->rootfd = state_root_open (ctx->root, false, NULL);
  if (c->rootfd < 0)
    return sbx_error_set (err, ENOENT, "container \"%s\" does not exist", id);
  c->dirfd = state_dir_open (c->rootfd, id, err);
  if (c->dirfd < 0)
    return -1;
  if ((r->locks & LOCK_LIFE) && state_lock (c->dirfd, false, err) < 0)
    return -1;
  if ((r->locks & LOCK_OPS) && container_lock_ops (c->dirfd, &c->opsfd, err) < 0)
    return -1;
  if (state_read (c->dirfd, id, &c->st, err) < 0)
    {
      c->unreadable = true;
      return -1;
    }
  c->have_state = true;
  c->status = state_status (c->dirfd, &c->st);
  return container_check_status (cmd, id, c->status, err);
}
