/* main.c: global options (runc's: --root, --log, --log-format, --debug,
 * --systemd-cgroup), --version, --help, and dispatch to one command. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"

static const struct command commands[] = {
  { "create", cmd_create, "create a container (its program waits for start)", true },
  { "start", cmd_start, "start the program of a created container", false },
  { "run", cmd_run, "create and start a container, wait for it unless -d", true },
  { "exec", cmd_exec, "run a new process in a running container", true },
  { "state", cmd_state, "print a container's state as JSON", false },
  { "kill", cmd_kill, "send a signal to a container", false },
  { "delete", cmd_delete, "delete a container", false },
  { "list", cmd_list, "list containers", false },
  { "update", cmd_update, "change a running container's cgroup limits", false },
  { "pause", cmd_pause, "freeze every process of a container", false },
  { "resume", cmd_resume, "thaw a paused container", false },
  { "ps", cmd_ps, "list the processes of a container", false },
  { "events", cmd_events, "print a container's stats and OOM events", false },
  { "checkpoint", cmd_checkpoint, "checkpoint a running container with CRIU", false },
  { "restore", cmd_restore, "create a container from a checkpoint (CRIU)", false },
  { "spec", cmd_spec, "write a default config.json", false },
  { "features", cmd_features, "print the features sbx supports (JSON)", false },
  { "check", cmd_check, "check this host's readiness for sandboxing", false },
  { "audit", cmd_audit, "what a bundle's config grants, and what a policy refuses", false },
};

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: sbx [GLOBAL OPTIONS] COMMAND [OPTIONS] ...\n\n"
           "sbx is an OCI container runtime.\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nGlobal options:\n"
           "  --root DIR            state directory (default /run/sbx, rootless: $XDG_RUNTIME_DIR/sbx)\n"
           "  --log FILE            write log lines to FILE instead of stderr\n"
           "  --log-format FORMAT   text (default) or json\n"
           "  --debug               log debug lines too\n"
           "  --systemd-cgroup      cgroupsPath is slice:prefix:name: a systemd scope unit\n"
           "  --policy FILE         refuse configs beyond the operator's sandbox policy (docs/policy.md)\n"
           "  -v, --version         print the version\n"
           "  -h, --help            show this help\n\n"
           "`sbx COMMAND --help` shows a command's options.\n");
}

static void
version (void)
{
  printf ("sbx version %s\ncommit: %s\nspec: %s\n", PACKAGE_VERSION, SBX_GIT_COMMIT,
          SBX_SPEC_VERSION);
  printf ("yajl: %s\n", SBX_YAJL_VERSION);
#ifdef HAVE_SECCOMP
  printf ("libseccomp: %s\n", SBX_SECCOMP_VERSION);
#endif
#ifdef HAVE_LIBCAP
  printf ("libcap: %s\n", SBX_LIBCAP_VERSION);
#endif
#ifdef HAVE_SELINUX
  printf ("libselinux: %s\n", SBX_SELINUX_VERSION);
#endif
}

static const char *
default_root (void)
{
  static char buf[4096];
  const char *xdg = getenv ("XDG_RUNTIME_DIR");

  if (geteuid () == 0 || xdg == NULL || xdg[0] == '\0')
    return "/run/sbx";
  snprintf (buf, sizeof buf, "%s/sbx", xdg);
  return buf;
}

int
main (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "root", required_argument, NULL, 'r' },
    { "log", required_argument, NULL, 'l' },
    { "log-format", required_argument, NULL, 'f' },
    { "debug", no_argument, NULL, 'd' },
    { "systemd-cgroup", no_argument, NULL, 's' },
    { "policy", required_argument, NULL, 'p' },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct sbx_context ctx = { .struct_size = sizeof ctx, .root = default_root () };
  sbx_error_t err = { 0 };
  int c;

  while ((c = getopt_long (argc, argv, "+vh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'r':
        ctx.root = optarg;
        break;
      case 'l':
        ctx.log_path = optarg;
        break;
      case 'f':
        if (strcmp (optarg, "json") == 0)
          ctx.log_format = SBX_LOG_JSON;
        else if (strcmp (optarg, "text") == 0)
          ctx.log_format = SBX_LOG_TEXT;
        else
          {
            fprintf (stderr, "sbx: --log-format must be text or json, not `%s`\n", optarg);
            return 1;
          }
        break;
      case 'd':
        ctx.debug = true;
        break;
      case 's':
        ctx.systemd_cgroup = true;
        break;
      case 'p':
        ctx.policy_path = optarg;
        break;
      case 'v':
        version ();
        return 0;
      case 'h':
        usage (stdout);
        return 0;
      default:
        usage (stderr);
        return 1;
      }
  /* A hook that exits without reading its stdin must not kill sbx. */
  signal (SIGPIPE, SIG_IGN);
  if (sbx_log_init (&ctx, &err) < 0)
    {
      fprintf (stderr, "sbx: %s\n", err.msg);
      return 1;
    }
  if (optind >= argc)
    {
      usage (stderr);
      return 1;
    }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, argv[optind]) == 0)
      {
        if (commands[i].enters_container && sbx_protect_self (argv, &err) < 0)
          return cli_fail (&ctx, &err);
        return commands[i].run (&ctx, argc - optind, argv + optind);
      }
  err.msg = NULL;
  if (asprintf (&err.msg, "unknown command `%s` (see `sbx --help`)", argv[optind]) < 0)
    err.msg = NULL;
  return cli_fail (&ctx, &err);
}
