/* sync.c: framing of the parent/child protocol. Frames are SOCK_SEQPACKET
 * datagrams: a header {uint32 type, uint32 len} then len bytes of payload,
 * with at most one fd as SCM_RIGHTS. Which side sends what, in order:
 *
 *   parent (sbx create/run)                 child (container init)
 *   clone3(CLONE_INTO_CGROUP, new ns) ----> starts in its namespaces
 *   [new userns: write uid/gid maps]
 *   [linux.netDevices: move them in]
 *   SYNC_IDMAP_DONE ---------------------->  (only with a new userns,
 *                                          netDevices or a systemd scope)
 *                     <------------------  SYNC_CHILD_PID (joined userns +
 *                                          new pidns: the forked real init)
 *                     <------------------  SYNC_HOOKS_REQUEST (if hooks)
 *   run prestart/createRuntime hooks
 *   SYNC_HOOKS_DONE ---------------------->
 *                     <------------------  SYNC_PTY_MASTER + fd (terminal)
 *                     <------------------  SYNC_SECCOMP_FD + fd (SCMP_ACT_NOTIFY:
 *   pass it on to linux.seccomp.listenerPath      the filter is loaded here)
 *                     <------------------  SYNC_READY (waits for start)
 *   write state.json and pid file
 *   SYNC_READY_ACK ----------------------->  poll exec.fifo, then execve
 *
 *   `sbx exec` speaks the same protocol with its joiner: SYNC_CHILD_PID
 *   (the process it forked into the pid namespace), SYNC_PTY_MASTER,
 *   SYNC_READY, SYNC_READY_ACK.
 *
 *   at any time       <------------------  SYNC_LOG (level, text)
 *   at any time       <------------------  SYNC_ERROR (errno, text); exits
 *
 * If the parent dies, the child reads EOF at its next receive and exits, so
 * a killed `create` never leaves a half-made container running. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "sync.h"

struct frame_header
{
  uint32_t type;
  uint32_t len;
};

static const char *const names[] = {
  [SYNC_IDMAP_DONE] = "IDMAP_DONE",
  [SYNC_HOOKS_REQUEST] = "HOOKS_REQUEST",
  [SYNC_HOOKS_DONE] = "HOOKS_DONE",
  [SYNC_PTY_MASTER] = "PTY_MASTER",
  [SYNC_CHILD_PID] = "CHILD_PID",
  [SYNC_SECCOMP_FD] = "SECCOMP_FD",
  [SYNC_READY] = "READY",
  [SYNC_READY_ACK] = "READY_ACK",
  [SYNC_LOG] = "LOG",
  [SYNC_ERROR] = "ERROR",
};

const char *
sync_msg_name (enum sync_msg type)
{
  if ((size_t) type < sizeof names / sizeof names[0] && names[type] != NULL)
    return names[type];
  return "UNKNOWN";
}

int
sync_socketpair (int fds[2], sbx_error_t *err)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return sbx_error_errno (err, "socketpair");
  return 0;
}

int
sync_send (int sock, enum sync_msg type, const void *payload, size_t len,
           int fd, sbx_error_t *err)
{
  struct frame_header h = { .type = type, .len = len };
  struct iovec iov[2] = { { &h, sizeof h }, { (void *) payload, len } };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };

  if (len > SYNC_MAX_PAYLOAD)
    return sbx_error_set (err, EMSGSIZE, "sync: %s payload of %zu bytes", sync_msg_name (type), len);
  if (fd >= 0)
    {
      struct cmsghdr *c;
      memset (&u, 0, sizeof u);
      msg.msg_control = u.buf;
      msg.msg_controllen = sizeof u.buf;
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return sbx_error_errno (err, "sync: send %s", sync_msg_name (type));
  return 0;
}

static int
recv_one (int sock, struct sync_frame *f, sbx_error_t *err)
{
  struct frame_header h;
  struct iovec iov[2] = { { &h, sizeof h }, { f->payload, SYNC_MAX_PAYLOAD } };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2,
                        .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  ssize_t n;
  struct cmsghdr *c;

  f->fd = -1;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return sbx_error_errno (err, "sync: receive");
  if (n == 0)
    return sbx_error_set (err, 0, "sync: the other side exited");
  for (c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int nfds = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        int fds[4] = { -1, -1, -1, -1 };
        memcpy (fds, CMSG_DATA (c), sizeof (int) * (nfds > 4 ? 4 : nfds));
        /* Exactly one fd is expected; close any extra. */
        for (int i = 1; i < nfds && i < 4; i++)
          close (fds[i]);
        if (f->fd >= 0)
          close (f->fd);
        f->fd = fds[0];
      }
  if ((size_t) n < sizeof h || h.len != (size_t) n - sizeof h
      || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
    {
      if (f->fd >= 0)
        close (f->fd);
      f->fd = -1;
      return sbx_error_set (err, EBADMSG, "sync: malformed frame (%zd bytes)", n);
    }
  f->type = h.type;
  f->len = h.len;
  f->payload[f->len] = '\0';
  return 0;
}

int
sync_recv (int sock, struct sync_frame *f, sbx_error_t *err)
{
  for (;;)
    {
      if (recv_one (sock, f, err) < 0)
        return -1;
      if (f->type == SYNC_LOG)
        {
          int lvl = f->len > 0 ? f->payload[0] : LOG_LVL_INFO;
          if (lvl < LOG_LVL_ERROR || lvl > LOG_LVL_DEBUG)
            lvl = LOG_LVL_INFO;
          log_write (lvl, f->len > 0 ? f->payload + 1 : "");
          continue;
        }
      if (f->type == SYNC_ERROR)
        {
          int32_t e = 0;
          if (f->len >= sizeof e)
            memcpy (&e, f->payload, sizeof e);
          if (err != NULL)
            {
              sbx_error_free (err);
              err->errno_ = e;
              err->msg = strdup (f->len > sizeof e ? f->payload + sizeof e : "container init failed");
            }
          return -1;
        }
      return 0;
    }
}

int
sync_expect (int sock, enum sync_msg type, struct sync_frame *f, sbx_error_t *err)
{
  if (sync_recv (sock, f, err) < 0)
    return -1;
  if (f->type != type)
    {
      if (f->fd >= 0)
        close (f->fd);
      f->fd = -1;
      return sbx_error_set (err, EPROTO, "sync: expected %s, got %s",
                            sync_msg_name (type), sync_msg_name (f->type));
    }
  return 0;
}

void
sync_send_log (int sock, int level, const char *msg)
{
  char buf[SYNC_MAX_PAYLOAD];
  size_t len = strlen (msg);

  if (len > sizeof buf - 1)
    len = sizeof buf - 1;
  buf[0] = (char) level;
  memcpy (buf + 1, msg, len);
  sync_send (sock, SYNC_LOG, buf, len + 1, -1, NULL);
}

static int log_sock_ = -1;

static void
log_to_parent (void *data, enum log_level lvl, const char *msg)
{
  sync_send_log (*(int *) data, lvl, msg);
}

void
sync_forward_log (int sock)
{
  log_sock_ = sock;
  log_set_sink (sock >= 0 ? log_to_parent : NULL, &log_sock_);
}

void
sync_send_error (int sock, const sbx_error_t *err)
{
  char buf[SYNC_MAX_PAYLOAD];
  int32_t e = err != NULL ? err->errno_ : 0;
  const char *m = (err != NULL && err->msg != NULL) ? err->msg : "container init failed";
  size_t len = strlen (m);

  if (len > sizeof buf - sizeof e)
    len = sizeof buf - sizeof e;
  memcpy (buf, &e, sizeof e);
  memcpy (buf + sizeof e, m, len);
  sync_send (sock, SYNC_ERROR, buf, sizeof e + len, -1, NULL);
}
