/* criu-tty.h: checkpoint/restore of a container with process.terminal.
 * The pty master lives outside the container (the engine holds it, from
 * --console-socket), so criu is told the slave is external at dump; on
 * restore sbx makes a new pair, gives criu the new slave with --inherit-fd
 * and the caller sends the new master to --console-socket. */
#ifndef SBX_CRIU_TTY_H
#define SBX_CRIU_TTY_H

#include <sys/types.h>

#include "criu.h"
#include "sbx.h"
#include "spec.h"

/* Dump: when the init's stdio (or /dev/console) is a pty slave, add
   `--external tty[RDEV:DEV]` (and /dev/console as an external mount) and
   record the key in the images; otherwise remove any such record. */
int criu_tty_dump (struct criu_argv *a, pid_t pid, int imgfd, sbx_error_t *err);

struct criu_tty
{
  int master, slave; /* -1 when the images hold no terminal */
  char name[32];     /* the new slave's path, sent with the master */
};

/* Restore: when the images hold a terminal, make a new pty pair (sized
   as process.consoleSize says), add `--inherit-fd fd[SLAVE]:tty[...]`
   and the /dev/console mount. Refuses a mismatch with process.terminal. */
int criu_tty_restore (struct criu_argv *a, int imgfd, const struct spec_process *p,
                      struct criu_tty *t, sbx_error_t *err);
void criu_tty_close (struct criu_tty *t);

#endif
