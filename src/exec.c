/* sbx exec: run a new process in a running container. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
help (void)
{
  printf ("Usage: sbx exec [OPTIONS] ID [COMMAND [ARG...]]\n\n"
          "Run a process in a running container, in all of its namespaces and its\n"
          "cgroup, with its seccomp filter. Without --process, the container's own\n"
          "process (env, user, cwd, capabilities) is the base for the options.\n\n"
          "  -p, --process FILE        the process as runtime-spec JSON\n"
          "  -t, --tty                 allocate a pseudo-terminal\n"
          "  -d, --detach              do not wait for the process\n"
          "      --pid-file FILE       write the process's host pid here\n"
          "      --console-socket SOCK send the pty master to this socket\n"
          "      --cwd DIR             working directory inside the container\n"
          "  -e, --env KEY=VALUE       add an environment variable (repeatable)\n"
          "  -u, --user UID[:GID]      numeric user and group\n"
          "  -g, --additional-gids G   comma-separated extra groups\n"
          "  -c, --cap CAP             add a capability (repeatable)\n"
          "      --no-new-privs        set no_new_privs\n"
          "      --apparmor PROFILE    AppArmor profile\n"
          "      --process-label LABEL SELinux label\n"
          "      --preserve-fds N      pass N extra fds from 3 on\n"
          "      --cgroup SUB          a sub-cgroup of the container's (`/SUB` or `SUB`)\n"
          "      --ignore-paused       exec into a paused container (runs once resumed)\n"
          "  -h, --help                show this help\n");
}

static int
push (char ***v, size_t *n, char *s)
{
  char **nv = realloc (*v, (*n + 1) * sizeof *nv);
  if (nv == NULL)
    return -1;
  nv[(*n)++] = s;
  *v = nv;
  return 0;
}

int
cmd_exec (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "process", required_argument, NULL, 'p' },
    { "tty", no_argument, NULL, 't' },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, 'P' },
    { "console-socket", required_argument, NULL, 'C' },
    { "cwd", required_argument, NULL, 'w' },
    { "env", required_argument, NULL, 'e' },
    { "user", required_argument, NULL, 'u' },
    { "additional-gids", required_argument, NULL, 'g' },
    { "cap", required_argument, NULL, 'c' },
    { "no-new-privs", no_argument, NULL, 'N' },
    { "apparmor", required_argument, NULL, 'A' },
    { "process-label", required_argument, NULL, 'L' },
    { "preserve-fds", required_argument, NULL, 'f' },
    { "cgroup", required_argument, NULL, 'G' },
    { "ignore-paused", no_argument, NULL, 'I' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct sbx_exec_opts o = { .struct_size = sizeof o };
  char **env = NULL, **caps = NULL;
  sbx_error_t err = { 0 };
  int c, status;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+p:tde:u:g:c:h", longopts, NULL)) != -1)
    {
      char *end;
      switch (c)
        {
        case 'p': o.process_file = optarg; break;
        case 't': o.tty = true; break;
        case 'd': o.detach = true; break;
        case 'P': o.pid_file = optarg; break;
        case 'C': o.console_socket = optarg; break;
        case 'w': o.cwd = optarg; break;
        case 'e':
          if (push (&env, &o.n_env, optarg) < 0)
            return cli_usage (ctx, "exec", "out of memory");
          break;
        case 'u': o.user = optarg; break;
        case 'g': o.additional_gids = optarg; break;
        case 'c':
          if (push (&caps, &o.n_caps, optarg) < 0)
            return cli_usage (ctx, "exec", "out of memory");
          break;
        case 'N': o.no_new_privs = true; break;
        case 'A': o.apparmor = optarg; break;
        case 'L': o.process_label = optarg; break;
        case 'f':
          o.preserve_fds = (unsigned) strtoul (optarg, &end, 10);
          if (*end != '\0' || optarg[0] == '-' || o.preserve_fds > 65536)
            return cli_usage (ctx, "exec", "--preserve-fds: `%s` is not a count of fds", optarg);
          break;
        case 'G': o.cgroup = optarg; break;
        case 'I': o.ignore_paused = true; break;
        case 'h':
          help ();
          return 0;
        default:
          return cli_usage (ctx, "exec", "unknown option `%s`", argv[optind - 1]);
        }
    }
  if (optind >= argc)
    return cli_usage (ctx, "exec", "a container id is required");
  o.env = env;
  o.caps = caps;
  o.args = argv + optind + 1;
  o.n_args = argc - optind - 1;
  if (o.process_file == NULL && o.n_args == 0)
    return cli_usage (ctx, "exec", "give a COMMAND or --process FILE");
  status = sbx_container_exec (ctx, argv[optind], &o, &err);
  free (env);
  free (caps);
  if (status < 0)
    return cli_fail (ctx, &err);
  return status;
}
