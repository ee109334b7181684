/* sync.h: the one message protocol between `sbx create` (the parent) and
 * the container's init (the child). See the diagram at the top of sync.c. */
#ifndef SBX_SYNC_H
#define SBX_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "sbx.h"

enum sync_msg
{
  SYNC_IDMAP_DONE = 1,  /* P->C  id maps written, cgroup joined */
  SYNC_HOOKS_REQUEST,   /* C->P  namespaces exist: run prestart/createRuntime */
  SYNC_HOOKS_DONE,      /* P->C  hooks ran */
  SYNC_PTY_MASTER,      /* C->P  fd: pty master; payload: pty name */
  SYNC_CHILD_PID,       /* C->P  payload: pid of the real init (double fork) */
  SYNC_SECCOMP_FD,      /* C->P  fd: seccomp notify listener (listenerPath) */
  SYNC_READY,           /* C->P  init waits for `start` */
  SYNC_READY_ACK,       /* P->C  state written; carry on */
  SYNC_LOG,             /* C->P  payload: level byte + text */
  SYNC_ERROR,           /* C->P  payload: int32 errno + text; C exits */
};

/* Largest payload of one frame: messages are bounded. */
#define SYNC_MAX_PAYLOAD 65536

struct sync_frame
{
  enum sync_msg type;
  size_t len;
  char payload[SYNC_MAX_PAYLOAD + 1]; /* NUL-terminated for text */
  int fd;                             /* -1 if none arrived */
};

int sync_socketpair (int fds[2], sbx_error_t *err);
int sync_send (int sock, enum sync_msg type, const void *payload, size_t len,
               int fd, sbx_error_t *err);
/* Receive one frame; SYNC_LOG frames are re-emitted to the log and
 * skipped. A SYNC_ERROR frame turns into an error carrying its text. EOF is
 * an error naming what was expected. */
int sync_recv (int sock, struct sync_frame *f, sbx_error_t *err);
/* Receive and require one type; a mismatch names both. */
int sync_expect (int sock, enum sync_msg type, struct sync_frame *f,
                 sbx_error_t *err);
void sync_send_log (int sock, int level, const char *msg);
/* In the child: send every log line to the parent over SOCK as SYNC_LOG
 * (SOCK -1: back to writing the log). */
void sync_forward_log (int sock);
/* In the child: report an error to the parent (best effort). */
void sync_send_error (int sock, const sbx_error_t *err);
const char *sync_msg_name (enum sync_msg type);

#endif
