/* criu-lazy.c: lazy migration through criu's command line.
 *
 * `sbx checkpoint --lazy-pages --page-server ADDR:PORT` runs `criu dump
 * --lazy-pages --address ADDR --port PORT`: criu dumps everything but the
 * memory, then serves the pages from the frozen tree and writes \0 to
 * --status-fd once it listens; it ends (and the container with it, unless
 * --leave-running) when every page has been fetched. On the other side the
 * caller runs `criu lazy-pages --page-server --address ADDR --port PORT
 * -D IMAGES`, then `sbx restore --lazy-pages`: criu restores the tree with
 * its memory registered to userfaultfd and hands it to that daemon (over
 * lazy-pages.socket in the work dir), which fills each page on first touch.
 * As with runc, sbx starts neither daemon itself. Without --lazy-pages,
 * --page-server sends the dump's pages to a `criu page-server` instead. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "criu-lazy.h"
#include "error.h"

#define LAZY_SOCKET "lazy-pages.socket"

/* Does this kernel let criu restore lazily (userfaultfd)? */
static int
check_kernel (sbx_error_t *err)
{
  _cleanup_free_ char *out = NULL;
  int r = criu_check_feature ("uffd-noncoop", &out);

  if (r == 0)
    return 0;
  for (char *p = out; p && *p; p++)
    if (*p == '\n')
      *p = ' ';
  if (r < 0 || r == 127)
    return sbx_error_set (err, ENOENT, "--lazy-pages: cannot run `criu check --feature uffd-noncoop` "
                          "(is criu installed?)");
  return sbx_error_set (err, ENOTSUP, "--lazy-pages: `criu check --feature uffd-noncoop` fails (exit %d): "
                        "%s (the kernel needs userfaultfd, CONFIG_USERFAULTFD, with its "
                        "non-cooperative events)", r, out ? out : "");
}

/* ADDR:PORT (ADDR may be [v6]); port 1-65535. */
static int
parse_server (const char *s, char **addr, long *port, sbx_error_t *err)
{
  const char *colon = strrchr (s, ':');
  char *end;
  size_t len;

  if (colon == NULL || colon == s)
    return sbx_error_set (err, EINVAL, "--page-server: `%s` is not ADDRESS:PORT", s);
  errno = 0;
  *port = strtol (colon + 1, &end, 10);
  if (errno != 0 || end == colon + 1 || *end != '\0' || *port < 1 || *port > 65535)
    return sbx_error_set (err, EINVAL, "--page-server: `%s`: the port is not 1-65535", s);
  len = colon - s;
  if (s[0] == '[' && len > 2 && s[len - 1] == ']')
    s++, len -= 2;
  *addr = strndup (s, len);
  if (*addr == NULL)
    return sbx_error_set (err, ENOMEM, "--page-server");
  return 0;
}

int
criu_lazy_dump_args (struct criu_argv *a, const struct sbx_checkpoint_opts *o, sbx_error_t *err)
{
  _cleanup_free_ char *addr = NULL;
  long port = 0;
  int fl;

  if (o->has_status_fd && !o->criu.lazy_pages)
    return sbx_error_set (err, EINVAL, "--status-fd needs --lazy-pages");
  if (!o->criu.lazy_pages && o->page_server == NULL)
    return 0;
  if (o->criu.lazy_pages && o->pre_dump)
    return sbx_error_set (err, EINVAL, "--lazy-pages and --pre-dump: a pre-dump has no pages to serve");
  if (o->criu.lazy_pages && o->page_server == NULL)
    return sbx_error_set (err, EINVAL, "--lazy-pages needs --page-server ADDRESS:PORT: where criu "
                          "serves the pages to `criu lazy-pages`");
  if (parse_server (o->page_server, &addr, &port, err) < 0)
    return -1;
  if (o->has_status_fd)
    {
      fl = fcntl (o->status_fd, F_GETFL);
      if (fl < 0)
        return sbx_error_errno (err, "--status-fd %d", o->status_fd);
      if ((fl & O_ACCMODE) == O_RDONLY)
        return sbx_error_set (err, EBADF, "--status-fd %d: not open for writing", o->status_fd);
    }
  if (o->criu.lazy_pages && check_kernel (err) < 0)
    return -1;
  criu_argv_add (a, o->criu.lazy_pages ? "--lazy-pages" : "--page-server");
  criu_argv_add (a, "--address=%s", addr);
  criu_argv_add (a, "--port=%ld", port);
  if (o->has_status_fd)
    criu_argv_add (a, "--status-fd=%d", o->status_fd);
  return 0;
}

int
criu_lazy_restore_args (struct criu_argv *a, const char *work, sbx_error_t *err)
{
  _cleanup_fd_ int dfd = open (work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;

  if (check_kernel (err) < 0)
    return -1;
  if (dfd < 0 || fstatat (dfd, LAZY_SOCKET, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK (st.st_mode))
    return sbx_error_set (err, ENOENT, "--lazy-pages: no `criu lazy-pages` daemon listens in `%s` "
                          "(no %s there): start `criu lazy-pages --page-server --address ADDRESS "
                          "--port PORT -D IMAGES` with the same work directory first",
                          work, LAZY_SOCKET);
  criu_argv_add (a, "--lazy-pages");
  return 0;
}
