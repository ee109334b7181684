/* recvtty: console-socket receiver for the integration tests (like runc's
 * contrib/cmd/recvtty).
 *
 *   recvtty [--once] [--print] [--input TEXT] [--name-file FILE] SOCKET_PATH
 *
 * Creates SOCKET_PATH as a listening AF_UNIX stream socket, accepts one
 * connection and receives one message: a payload (the pty name, written to
 * FILE with --name-file) with exactly one SCM_RIGHTS fd, the pty master.
 * Then it writes TEXT to the master (--input), and copies everything the
 * master yields to stdout (--print, the default) until the slave side is
 * closed by everyone (read gives EIO or EOF).  Exits 0 then; 1 on errors
 * (message on stderr), e.g. a message without exactly one fd.
 *
 * --once is accepted for compatibility: one connection is all we ever take.
 * The socket file is removed before recvtty exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *sock_path;

static void
die (const char *what)
{
  fprintf (stderr, "recvtty: %s: %s\n", what, strerror (errno));
  if (sock_path)
    unlink (sock_path);
  exit (1);
}

static int
recv_master (int conn, char *name, size_t name_len)
{
  char cbuf[CMSG_SPACE (sizeof (int) * 4)];
  struct iovec iov = { name, name_len - 1 };
  struct msghdr msg = { 0 };
  struct cmsghdr *cm;
  ssize_t n;
  int fd = -1, nfds = 0;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  do
    n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    die ("recvmsg");
  name[n] = '\0';
  for (cm = CMSG_FIRSTHDR (&msg); cm; cm = CMSG_NXTHDR (&msg, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      {
        nfds += (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        memcpy (&fd, CMSG_DATA (cm), sizeof fd);
      }
  if (nfds != 1 || (msg.msg_flags & MSG_CTRUNC))
    {
      errno = EBADMSG;
      die ("expected exactly one fd in the message");
    }
  return fd;
}

static void
write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die ("write");
      buf += n;
      len -= n;
    }
}

int
main (int argc, char **argv)
{
  const char *input = NULL, *name_file = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char name[4096], buf[4096];
  int i, lfd, conn, master;

  for (i = 1; i < argc - 1; i++)
    {
      if (strcmp (argv[i], "--once") == 0 || strcmp (argv[i], "--print") == 0)
        continue;
      else if (strcmp (argv[i], "--input") == 0 && i + 2 < argc)
        input = argv[++i];
      else if (strcmp (argv[i], "--name-file") == 0 && i + 2 < argc)
        name_file = argv[++i];
      else
        break;
    }
  if (i != argc - 1 || strlen (argv[i]) >= sizeof addr.sun_path)
    {
      fputs ("usage: recvtty [--once] [--print] [--input TEXT] "
             "[--name-file FILE] SOCKET_PATH\n",
             stderr);
      return 2;
    }
  strcpy (addr.sun_path, argv[i]);

  lfd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0)
    die ("socket");
  /* bind to a temporary name, then rename: the path appears only once the
     socket listens, so a test can poll for it. */
  {
    struct sockaddr_un tmp = addr;
    char final[sizeof addr.sun_path];
    strcpy (final, addr.sun_path);
    if (snprintf (tmp.sun_path, sizeof tmp.sun_path, "%s.tmp", final)
        >= (int) sizeof tmp.sun_path)
      {
        errno = ENAMETOOLONG;
        die ("socket path");
      }
    unlink (tmp.sun_path);
    if (bind (lfd, (struct sockaddr *) &tmp, sizeof tmp) < 0)
      die ("bind");
    if (listen (lfd, 1) < 0)
      die ("listen");
    if (rename (tmp.sun_path, final) < 0)
      die ("rename");
    sock_path = argv[i];
  }

  do
    conn = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    die ("accept");
  master = recv_master (conn, name, sizeof name);
  close (conn);
  close (lfd);
  unlink (sock_path);
  sock_path = NULL;

  if (name_file)
    {
      FILE *f = fopen (name_file, "w");
      if (!f)
        die (name_file);
      fprintf (f, "%s\n", name);
      fclose (f);
    }
  if (input)
    write_all (master, input, strlen (input));

  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EIO) /* every slave fd is closed */
        break;
      if (n < 0)
        die ("read pty master");
      if (n == 0)
        break;
      write_all (STDOUT_FILENO, buf, n);
    }
  return 0;
}
