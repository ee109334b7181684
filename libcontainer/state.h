/* state.h: the per-container state directory <root>/<id>/: state.json
 * (written once, atomically, when `create` succeeds), exec.fifo (present
 * while the container is `created`), and the per-container lock (flock on
 * the directory). The status is computed, never stored: it cannot go stale
 * when a process dies or sbx is killed. */
#ifndef SBX_STATE_H
#define SBX_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup-driver.h"
#include "sbx.h"
#include "spec.h"

#define STATE_FILE "state.json"
#define EXEC_FIFO "exec.fifo"

enum container_status
{
  STATUS_CREATING = 0,
  STATUS_CREATED,
  STATUS_RUNNING,
  STATUS_PAUSED,
  STATUS_STOPPED,
  STATUS_UNKNOWN,  /* state.json unreadable: only `list` shows it */
};

struct container_state
{
  char *id;
  pid_t pid;
  unsigned long long start_time; /* /proc/PID/stat field 22 */
  char *bundle;
  char *rootfs;
  char *created;                 /* RFC3339Nano */
  char *owner;
  char *cgroup_path;             /* absolute, under the v2 mount; may be NULL */
  unsigned long long cgroup_ino; /* its identity (cgroup-own.h); 0: unknown */
  enum cgroup_driver_kind cgroup_driver; /* chosen at create; "none" iff no cgroup_path */
  bool pid_ns_private;           /* kill --all not needed when true */
  bool late_hooks;               /* the saved config has poststart/poststop */
  struct spec_map annotations;
};

/* Check an id: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes. */
int state_check_id (const char *id, sbx_error_t *err);
/* Open (and with create, make) the state root; returns an O_DIRECTORY fd. */
int state_root_open (const char *root, bool create, sbx_error_t *err);
/* Open an existing container's directory; "does not exist" error if not. */
int state_dir_open (int rootfd, const char *id, sbx_error_t *err);
/* Take the container lock (blocking, or fail fast with nonblock). */
int state_lock (int dirfd, bool nonblock, sbx_error_t *err);

int state_write (int dirfd, const struct container_state *st, sbx_error_t *err);
int state_read (int dirfd, const char *id, struct container_state *st,
                sbx_error_t *err);
void state_free (struct container_state *st);
/* JSON as `sbx state` prints it. */
char *state_to_json (const struct container_state *st, enum container_status s);

enum container_status state_status (int dirfd, const struct container_state *st);
const char *state_status_name (enum container_status s);
/* Is the recorded process (pid + start time) still alive, not a zombie? */
bool state_pid_alive (pid_t pid, unsigned long long start_time);
/* Read a process's start time (field 22 of /proc/PID/stat); 0 on error.
 * Zombies set *zombie. */
unsigned long long proc_start_time (pid_t pid, bool *zombie);
/* A pidfd for the recorded process, or -1 with ESRCH if it is gone or the
 * pid was reused. */
int state_pidfd (const struct container_state *st, sbx_error_t *err);

#endif
