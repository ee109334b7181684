/* sbx create: build the container; its init waits for `sbx start`. */
#include "cli.h"

int
cmd_create (struct sbx_context *ctx, int argc, char **argv)
{
  struct sbx_create_opts o;
  sbx_error_t err = { 0 };
  const char *id;

  if (cli_parse_create (ctx, "create", argc, argv, &o, &id, false) != 0)
    return 1;
  if (sbx_container_create (ctx, id, &o, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
