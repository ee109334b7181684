/* cleanup.h: scope-bound cleanup attributes and ownership hand-off. */
#ifndef SBX_CLEANUP_H
#define SBX_CLEANUP_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void
sbx_freep (void *p)
{
  free (*(void **) p);
}

static inline void
sbx_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void
sbx_fclosep (FILE **f)
{
  if (*f != NULL)
    fclose (*f);
}

/* Kill and reap a child that was never handed off. */
static inline void
sbx_killp (pid_t *pid)
{
  if (*pid > 0)
    {
      int saved = errno;
      kill (*pid, SIGKILL);
      while (waitpid (*pid, NULL, 0) < 0 && errno == EINTR)
        ;
      errno = saved;
    }
}

#define _cleanup_fd_ __attribute__ ((cleanup (sbx_closep)))
#define _cleanup_free_ __attribute__ ((cleanup (sbx_freep)))
#define _cleanup_file_ __attribute__ ((cleanup (sbx_fclosep)))
#define _cleanup_pid_ __attribute__ ((cleanup (sbx_killp)))

static inline int
take_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

static inline void *
take_ptr (void *pp)
{
  void **p = pp;
  void *r = *p;
  *p = NULL;
  return r;
}

#endif
