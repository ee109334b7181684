/* sbx pause ID / sbx resume ID: freeze and thaw through cgroup.freeze. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int
pause_or_resume (struct sbx_context *ctx, int argc, char **argv, bool pause)
{
  const char *cmd = pause ? "pause" : "resume";
  sbx_error_t err = { 0 };
  const char *id;

  if (argc > 1 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
    {
      printf ("Usage: sbx %s ID\n\n%s every process of the container (cgroup v2 freezer).\n", cmd,
              pause ? "Freeze" : "Thaw");
      return 0;
    }
  id = cli_one_id (ctx, cmd, argc, argv, 1);
  if (id == NULL)
    return 1;
  if (sbx_container_pause (ctx, id, pause, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}

int
cmd_pause (struct sbx_context *ctx, int argc, char **argv)
{
  return pause_or_resume (ctx, argc, argv, true);
}

int
cmd_resume (struct sbx_context *ctx, int argc, char **argv)
{
  return pause_or_resume (ctx, argc, argv, false);
}
