/* exec.h: `sbx exec`: a new process in a running container. */
#ifndef SBX_EXEC_H
#define SBX_EXEC_H

#include "sbx.h"
#include "spec.h"

/* "1000" or "1000:1000" -> uid/gid; numbers only (never /etc/passwd),
 * each within 32 bits. */
int exec_parse_user (const char *s, uint32_t *uid, uint32_t *gid, bool *has_gid,
                     sbx_error_t *err);
/* A --cgroup SUB inside the container's cgroup: relative, no "..". */
int exec_check_sub_cgroup (const char *sub, sbx_error_t *err);

#endif
