/* sbx delete [--force] ID: remove a stopped container (--force: any). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_delete (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  sbx_error_t err = { 0 };
  bool force = false;
  const char *id;
  int c;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+fh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'h':
        printf ("Usage: sbx delete [-f|--force] ID\n\n"
                "Delete a stopped container: its state and cgroup. --force kills a\n"
                "running or created one first, and succeeds for an unknown ID.\n");
        return 0;
      default:
        return cli_usage (ctx, "delete", "unknown option `%s`", argv[optind - 1]);
      }
  id = cli_one_id (ctx, "delete", argc, argv, optind);
  if (id == NULL)
    return 1;
  if (sbx_container_delete (ctx, id, force, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
