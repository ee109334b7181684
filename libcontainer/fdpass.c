/* fdpass.c: handing an fd to another program over an AF_UNIX socket: the
 * engine's console socket (pty master) and the seccomp listenerPath. One
 * sendmsg, the payload text plus exactly one SCM_RIGHTS fd, as engines
 * expect. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fdpass.h"

int
fdpass_connect (const char *path, sbx_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_fd_ int fd = -1;

  if (strlen (path) >= sizeof addr.sun_path)
    return sbx_error_set (err, ENAMETOOLONG, "console socket path `%s`", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return sbx_error_errno (err, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return sbx_error_errno (err, "connect to `%s`", path);
  return take_fd (&fd);
}

int
fdpass_send (int sock, int fd, const char *payload, sbx_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { (void *) payload, strlen (payload) };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c;

  memset (&u, 0, sizeof u);
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return sbx_error_errno (err, "send fd over a unix socket");
  return 0;
}

