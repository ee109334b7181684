/* sbx-systemd: the helper sbx runs for --systemd-cgroup, so that only this
 * small program links libsystemd and sbx stays a static binary. Not meant
 * to be run by hand, but it can be:
 *
 *   sbx-systemd start UNIT PID [Name=value]...   transient unit holding PID
 *   sbx-systemd set UNIT Name=value...           change its properties
 *   sbx-systemd stop UNIT                        stop it (gone already: ok)
 *   sbx-systemd root                             print the manager's cgroup
 *
 * Exit status 0 on success; else 1 and one line on stderr saying why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systemd-bus.h"

static int
usage (void)
{
  fputs ("usage: sbx-systemd start UNIT PID [Name=value]...\n"
         "       sbx-systemd set UNIT Name=value...\n"
         "       sbx-systemd stop UNIT\n"
         "       sbx-systemd root\n",
         stderr);
  return 2;
}

int
main (int argc, char **argv)
{
  sbx_error_t err = { 0 };
  struct sdbus_props p = { 0 };
  int r;

  if (argc < 2)
    return usage ();
  if (strcmp (argv[1], "root") == 0 && argc == 2)
    {
      char *cg = NULL;
      r = sdbus_manager_cgroup (&cg, &err);
      if (r == 0)
        printf ("%s\n", cg);
      free (cg);
    }
  else if (strcmp (argv[1], "start") == 0 && argc >= 4)
    {
      char *end;
      long pid = strtol (argv[3], &end, 10);
      if (*end || pid <= 0)
        return usage ();
      p.v = argv + 4;
      p.n = (size_t) (argc - 4);
      r = sdbus_start_unit (argv[2], (pid_t) pid, &p, &err);
    }
  else if (strcmp (argv[1], "set") == 0 && argc >= 4)
    {
      p.v = argv + 3;
      p.n = (size_t) (argc - 3);
      r = sdbus_set_properties (argv[2], &p, &err);
    }
  else if (strcmp (argv[1], "stop") == 0 && argc == 3)
    r = sdbus_stop_unit (argv[2], &err);
  else
    return usage ();
  if (r < 0)
    {
      fprintf (stderr, "%s\n", err.msg ? err.msg : "failed");
      return 1;
    }
  return 0;
}
