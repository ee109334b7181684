/* passwd.c: see passwd.h. */
#include <stdlib.h>
#include <string.h>

#include "passwd.h"

char *
passwd_field (const char *text, uid_t uid, enum passwd_field field)
{
  const char *line = text;

  while (line != NULL && *line != '\0')
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t) (end - line) : strlen (line);
      const char *f[7] = { 0 };
      size_t flen[7] = { 0 };
      const char *p = line;
      int k;

      /* name:pw:uid:gid:gecos:home:shell */
      for (k = 0; k < 7 && p <= line + len; k++)
        {
          const char *c = memchr (p, ':', line + len - p);
          f[k] = p;
          flen[k] = c ? (size_t) (c - p) : (size_t) (line + len - p);
          if (c == NULL)
            {
              k++;
              break;
            }
          p = c + 1;
        }
      if (k > (int) field && flen[2] > 0 && flen[2] < 11 && flen[field] > 0)
        {
          char num[12], *e;
          memcpy (num, f[2], flen[2]);
          num[flen[2]] = '\0';
          unsigned long v = strtoul (num, &e, 10);
          if (*e == '\0' && v == uid)
            return strndup (f[field], flen[field]);
        }
      line = end ? end + 1 : NULL;
    }
  return NULL;
}
