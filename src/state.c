/* sbx state: print the runtime-spec state JSON of a container. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_state (struct sbx_context *ctx, int argc, char **argv)
{
  sbx_error_t err = { 0 };
  const char *id;

  if (argc > 1 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
    {
      printf ("Usage: sbx state ID\n\nPrint the state of a container as JSON.\n");
      return 0;
    }
  id = cli_one_id (ctx, "state", argc, argv, 1);
  if (id == NULL)
    return 1;
  if (sbx_container_state (ctx, id, stdout, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
