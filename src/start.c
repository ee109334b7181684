/* sbx start: let a created container's init exec the user program. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_start (struct sbx_context *ctx, int argc, char **argv)
{
  sbx_error_t err = { 0 };
  const char *id;

  if (argc > 1 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
    {
      printf ("Usage: sbx start ID\n\nStart the user program of a created container.\n");
      return 0;
    }
  id = cli_one_id (ctx, "start", argc, argv, 1);
  if (id == NULL)
    return 1;
  if (sbx_container_start (ctx, id, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
