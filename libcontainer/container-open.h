/* container-open.h: the one way a command opens an existing container
 * (state root, state directory, locks, state.json, status), and the table
 * that says, per command, which statuses it accepts and which locks it
 * takes. Creating a container's directory stays in container.c; reading
 * and writing state.json in state.c. */
#ifndef SBX_CONTAINER_OPEN_H
#define SBX_CONTAINER_OPEN_H

#include <stdbool.h>

#include "sbx.h"
#include "state.h"

/* A second lock, a file in the state directory, beside the directory's own
 * flock; see container-open.c for why there are two. */
#define OPS_LOCK_FILE "ops.lock"

enum container_cmd
{
  CMD_START = 0,
  CMD_DELETE,
  CMD_DELETE_FORCE,
  CMD_KILL,
  CMD_KILL_ALL,   /* kill --all: also a stopped init's leftovers */
  CMD_EXEC,
  CMD_EXEC_PAUSED, /* exec --ignore-paused */
  CMD_PAUSE,
  CMD_RESUME,
  CMD_UPDATE,
  CMD_PS,
  CMD_EVENTS,
  CMD_STATE,
  CMD_COUNT,
};

/* Lock kinds, a bit mask. LIFE: the directory's flock, held by what makes,
   starts or removes the container (create and a foreground run hold it to
   the end). OPS: the short lock of commands that change a live
   container. */
enum
{
  LOCK_LIFE = 1,
  LOCK_OPS = 2,
};

struct container_rule
{
  const char *verb;
  unsigned accept;        /* bit (1 << STATUS_x) per accepted status */
  unsigned locks;         /* LOCK_LIFE | LOCK_OPS */
  int stopped_errno;      /* refusal of a stopped container */
  const char *stopped_msg;
  int other_errno;        /* refusal of any other status */
  const char *other_msg;  /* formats get the id, then the status name */
};

const struct container_rule *container_rule (enum container_cmd cmd);
bool container_accepts (enum container_cmd cmd, enum container_status s);
/* 0 if cmd accepts s, else -1 with the command's error. */
int container_check_status (enum container_cmd cmd, const char *id, enum container_status s,
                            sbx_error_t *err);

struct container
{
  int rootfd, dirfd, opsfd;   /* -1 when not open */
  bool have_state;            /* st and status are valid */
  bool unreadable;            /* locks held, but state.json missing or bad */
  struct container_state st;
  enum container_status status;
};

/* Open container id under ctx->root for cmd: take the locks the table
 * names (life before ops, always in that order), read state.json, compute
 * the status and check it. On -1, c is still to be closed; c->unreadable says
 * state.json was missing or unreadable with the locks held (delete
 * recovers from what survives). */
int container_open (struct sbx_context *ctx, const char *id, enum container_cmd cmd,
                    struct container *c, sbx_error_t *err);
/* Take the ops lock of the state directory dirfd (blocking) into *fd, the
   fd to close; *fd is -1 when the directory predates the lock file. */
int container_lock_ops (int dirfd, int *fd, sbx_error_t *err);
/* create: make the ops lock file of a new state directory. */
int container_make_ops_lock (int dirfd, sbx_error_t *err);
/* Drop the ops lock early (exec, once its process is cloned). */
void container_unlock_ops (struct container *c);
void container_close (struct container *c);

#endif
