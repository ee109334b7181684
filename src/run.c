/* sbx run: create + start; in the foreground, forward signals, wait,
 * delete, and exit with the container's status (128+N when killed). */
#include "cli.h"

int
cmd_run (struct sbx_context *ctx, int argc, char **argv)
{
  struct sbx_create_opts o;
  sbx_error_t err = { 0 };
  const char *id;
  int status;

  if (cli_parse_create (ctx, "run", argc, argv, &o, &id, true) != 0)
    return 1;
  status = sbx_container_run (ctx, id, &o, &err);
  if (status < 0)
    return cli_fail (ctx, &err);
  return status;
}
