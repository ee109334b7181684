/* terminal.h: `process.terminal`. The pty is made inside the container's
 * own devpts; the slave is reached with TIOCGPTPEER (never by path) and
 * becomes stdio, the controlling tty and /dev/console. The master goes to
 * the parent, which hands it to --console-socket or proxies it (`run`). */
#ifndef SBX_TERMINAL_H
#define SBX_TERMINAL_H

#include <stdbool.h>

#include "sbx.h"
#include "spec.h"

/* Child, after pivot_root. Returns the master fd; the slave is 0/1/2 and,
 * with console, also bound over /dev/console (create, not exec). */
int terminal_setup (const struct spec_process *p, bool console, sbx_error_t *err);
/* Parent (`run` in the foreground): copy stdin -> master and master ->
 * stdout until the master hangs up or stop_fd becomes readable. */
int terminal_proxy (int master, int stop_fd, sbx_error_t *err);

#endif
