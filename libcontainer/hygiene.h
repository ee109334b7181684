/* hygiene.h: what a process that enters a container must not carry from
 * its caller: inherited file descriptors and the caller's environment. */
#ifndef SBX_HYGIENE_H
#define SBX_HYGIENE_H

#include <stddef.h>

/* Close every fd from 3 + keep on, except `spare` (-1: none). For the
   start of create, run and exec, before anything is opened or joined:
   the caller's directory fds, its sockets, an engine's listening fd. */
void hygiene_close_inherited (unsigned int keep, int spare);

/* Close every fd from `from` on, except the n fds in `keep`. */
void hygiene_close_except (int from, const int *keep, size_t n);

/* How many fds socket activation hands on (LISTEN_FDS, at most 4096). */
unsigned int hygiene_listen_fds (void);

/* Zero the caller's environment strings where the kernel shows them
   (/proc/PID/environ reads that memory). For a process on its way into a
   container: only its new environment, built from the config, goes on. */
void hygiene_wipe_environ (void);

#endif
