/* passwd.h: look a uid up in /etc/passwd text ourselves: no NSS (sbx links
 * statically, and the container's passwd must be read in-root, by fd). */
#ifndef SBX_PASSWD_H
#define SBX_PASSWD_H

#include <sys/types.h>

enum passwd_field
{
  PASSWD_NAME = 0,
  PASSWD_HOME = 5,
};

/* The field of the first line of `text` (passwd format) whose uid is `uid`,
   newly allocated; NULL when there is none (or it is empty). */
char *passwd_field (const char *text, uid_t uid, enum passwd_field field);

#endif
