/* fdpass.h: connect to a unix socket path and send it one fd. */
#ifndef SBX_FDPASS_H
#define SBX_FDPASS_H

#include "sbx.h"

/* Connect to the AF_UNIX stream socket at path (e.g. --console-socket). */
int fdpass_connect (const char *path, sbx_error_t *err);
/* One sendmsg: payload (a NUL-terminated text) and fd as SCM_RIGHTS. */
int fdpass_send (int sock, int fd, const char *payload, sbx_error_t *err);

#endif
