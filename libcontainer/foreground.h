/* foreground.h: a caller that waits for its container process (`run`,
 * `exec` without --detach): forward signals, proxy the terminal, wait. */
#ifndef SBX_FOREGROUND_H
#define SBX_FOREGROUND_H

#include <sys/types.h>

/* From now on, signals sent to sbx go to the process behind pidfd. */
void foreground_forward_signals (int pidfd);
/* Proxy the pty (master_fd >= 0) until the process exits, reap it, and
   return the status to exit with: its code, or 128+N if signal N killed it. */
int foreground_wait (pid_t pid, int pidfd, int master_fd);

#endif
