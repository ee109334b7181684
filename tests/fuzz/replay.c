/* replay.c: the plain driver for the fuzz targets where libFuzzer is not
 * used: it runs LLVMFuzzerTestOneInput once on each file named (files, or
 * directories of files) and prints TAP, one line a file. Built with ASan
 * and UBSan (-fno-sanitize-recover), any memory error, leak or undefined
 * behaviour aborts the run, which `make check` counts as a failure. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int count;

static int
one (const char *path)
{
  FILE *f = fopen (path, "rb");
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, n;

  if (f == NULL)
    {
      printf ("not ok %d - %s: cannot open\n", ++count, path);
      return 1;
    }
  do
    {
      if (len == cap)
        {
          uint8_t *nb = realloc (buf, cap = cap ? cap * 2 : 4096);
          if (nb == NULL)
            abort ();
          buf = nb;
        }
      n = fread (buf + len, 1, cap - len, f);
      len += n;
    }
  while (n > 0);
  fclose (f);
  /* an exact-size copy, so ASan sees any read past the input */
  {
    uint8_t *exact = malloc (len ? len : 1);
    if (exact == NULL)
      abort ();
    memcpy (exact, buf, len);
    free (buf);
    LLVMFuzzerTestOneInput (exact, len);
    free (exact);
  }
  printf ("ok %d - %s\n", ++count, path);
  fflush (stdout);
  return 0;
}

static int
walk (const char *path)
{
  struct stat st;
  struct dirent **ents;
  int n, bad = 0;

  if (stat (path, &st) < 0 || !S_ISDIR (st.st_mode))
    return one (path);
  n = scandir (path, &ents, NULL, alphasort);
  for (int i = 0; i < n; i++)
    {
      char sub[4096];
      if (ents[i]->d_name[0] != '.')
        {
          snprintf (sub, sizeof sub, "%s/%s", path, ents[i]->d_name);
          bad |= walk (sub);
        }
      free (ents[i]);
    }
  free (ents);
  return bad;
}

int
main (int argc, char **argv)
{
  int bad = 0;

  for (int i = 1; i < argc; i++)
    bad |= walk (argv[i]);
  printf ("1..%d\n", count);
  return bad || count == 0;
}
