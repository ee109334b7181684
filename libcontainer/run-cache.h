/* run-cache.h: keyed files in a directory of root's under /run, for what
 * sbx would otherwise work out again on every create (compiled seccomp
 * programs, parsed policies). See run-cache.c. */
#ifndef SBX_RUN_CACHE_H
#define SBX_RUN_CACHE_H
#include <stdbool.h>
#include <stddef.h>

#define RUN_CACHE_SECCOMP "/run/sbx-seccomp" /* compiled seccomp programs */
#define RUN_CACHE_POLICY "/run/sbx-policy"   /* parsed --policy files */

/* What every key starts with: this sbx binary (device, inode, size,
   mtime of /proc/self/exe) and the kernel. Made once per process; NULL
   if unknown (then nothing is cached). */
const char *run_cache_header (void);

/* The directory PATH (made 0700 if missing), opened once per process
   (close-on-exec); -1 when sbx is not root or the directory is not
   root's alone: no cache. */
int run_cache_dir (const char *path);

/* The payload kept under KEY (compared byte for byte), malloc'd into
   *payload; false on a miss or any trouble. */
bool run_cache_get (int dirfd, const char *key, size_t key_len, char **payload, size_t *len);

/* Keep PAYLOAD under KEY (written whole or not at all). Past a few
   hundred entries the directory starts again from empty. */
void run_cache_put (int dirfd, const char *key, size_t key_len, const void *payload, size_t len);

#endif
