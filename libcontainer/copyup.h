/* copyup.h: copy a directory tree by fd (the tmpcopyup mount option). */
#ifndef SBX_COPYUP_H
#define SBX_COPYUP_H

#include "sbx.h"

/* Copy the content of the directory open at src (O_RDONLY|O_DIRECTORY)
 * into the empty directory dst_root (any fd of it, O_PATH included):
 * regular files, directories, symlinks (as symlinks) and special files,
 * with their owners and modes; dst_root gets src's owner and mode. Never
 * follows a symlink. path names src in errors. */
int copyup_dir (int src, int dst_root, const char *path, sbx_error_t *err);

#endif
