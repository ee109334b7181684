/* cli.c: helpers shared by the command files: error printing, id and
 * signal parsing, and the create/run option set. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

int
cli_fail (struct sbx_context *ctx, sbx_error_t *err)
{
  sbx_log_error (ctx, err);
  sbx_error_free (err);
  return 1;
}

int
cli_usage (struct sbx_context *ctx, const char *cmd, const char *fmt, ...)
{
  sbx_error_t err = { 0 };
  va_list ap;
  char *msg = NULL;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (asprintf (&err.msg, "%s: %s (see `sbx %s --help`)", cmd, msg ? msg : "usage error", cmd) < 0)
    err.msg = NULL;
  free (msg);
  return cli_fail (ctx, &err);
}

const char *
cli_one_id (struct sbx_context *ctx, const char *cmd, int argc, char **argv, int optind_)
{
  if (argc - optind_ != 1)
    {
      cli_usage (ctx, cmd, argc - optind_ < 1 ? "a container id is required" : "expected exactly one container id");
      return NULL;
    }
  return argv[optind_];
}

static const struct
{
  const char *name;
  int num;
} signals[] = {
  { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },     { "IOT", SIGIOT },   { "BUS", SIGBUS },
  { "FPE", SIGFPE },   { "KILL", SIGKILL },     { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },     { "ALRM", SIGALRM }, { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU }, { "URG", SIGURG },
  { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH }, { "IO", SIGIO },       { "POLL", SIGPOLL }, { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

int
cli_parse_signal (const char *s)
{
  char *end;
  long n;

  if (s[0] >= '0' && s[0] <= '9')
    {
      n = strtol (s, &end, 10);
      return (*end == '\0' && n > 0 && n < NSIG) ? (int) n : -1;
    }
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp (signals[i].name, s) == 0)
      return signals[i].num;
  if (strncasecmp (s, "RTMIN", 5) == 0 || strncasecmp (s, "RTMAX", 5) == 0)
    {
      int base = strncasecmp (s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
      if (s[5] == '\0')
        return base;
      n = strtol (s + 5, &end, 10);
      if (*end == '\0' && base + n >= SIGRTMIN && base + n <= SIGRTMAX)
        return (int) (base + n);
    }
  return -1;
}

static void
create_help (const char *cmd, bool detach)
{
  printf ("Usage: sbx %s [OPTIONS] ID\n\n", cmd);
  printf ("%s\n\n", detach ? "Create and start a container; wait for it unless --detach."
                           : "Create a container: its init waits until `sbx start`.");
  printf ("  -b, --bundle DIR          bundle directory holding config.json (default: .)\n"
          "      --pid-file FILE       write the init's host pid here\n"
          "      --console-socket SOCK send the pty master to this AF_UNIX socket\n"
          "      --preserve-fds N      pass N extra fds (3 .. 3+N-1) to the container\n"
          "      --no-pivot            use MS_MOVE+chroot instead of pivot_root\n"
          "      --no-new-keyring      keep the caller's session keyring\n");
  if (detach)
    printf ("  -d, --detach              do not wait for the container\n"
            "      --keep                do not delete the container after it exits\n");
  printf ("  -h, --help                show this help\n");
}

int
cli_parse_create (struct sbx_context *ctx, const char *cmd, int argc, char **argv,
                  struct sbx_create_opts *o, const char **id, bool allow_detach)
{
  static const struct option longopts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "pid-file", required_argument, NULL, 'p' },
    { "console-socket", required_argument, NULL, 'c' },
    { "preserve-fds", required_argument, NULL, 'f' },
    { "no-pivot", no_argument, NULL, 'P' },
    { "no-new-keyring", no_argument, NULL, 'K' },
    { "detach", no_argument, NULL, 'd' },
    { "keep", no_argument, NULL, 'k' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  memset (o, 0, sizeof *o);
  o->struct_size = sizeof *o;
  optind = 0;
  while ((c = getopt_long (argc, argv, allow_detach ? "+b:dh" : "+b:h", longopts, NULL)) != -1)
    {
      char *end;
      unsigned long n;
      switch (c)
        {
        case 'b':
          o->bundle = optarg;
          break;
        case 'p':
          o->pid_file = optarg;
          break;
        case 'c':
          o->console_socket = optarg;
          break;
        case 'f':
          errno = 0;
          n = strtoul (optarg, &end, 10);
          if (*end != '\0' || errno != 0 || n > 65536 || optarg[0] == '-')
            return cli_usage (ctx, cmd, "--preserve-fds: `%s` is not a count of fds", optarg);
          o->preserve_fds = (unsigned) n;
          break;
        case 'P':
          o->no_pivot = true;
          break;
        case 'K':
          o->no_new_keyring = true;
          break;
        case 'd':
          if (!allow_detach)
            return cli_usage (ctx, cmd, "unknown option --detach");
          o->detach = true;
          break;
        case 'k':
          if (!allow_detach)
            return cli_usage (ctx, cmd, "unknown option --keep");
          o->keep = true;
          break;
        case 'h':
          create_help (cmd, allow_detach);
          exit (0);
        default:
          return cli_usage (ctx, cmd, "unknown option `%s`", argv[optind - 1]);
        }
    }
  *id = cli_one_id (ctx, cmd, argc, argv, optind);
  return *id == NULL ? 1 : 0;
}

int
cli_format (struct sbx_context *ctx, const char *cmd, const char *value, bool *json)
{
  if (strcmp (value, "json") == 0)
    *json = true;
  else if (strcmp (value, "text") == 0)
    *json = false;
  else
    return cli_usage (ctx, cmd, "--format: text or json, not `%s`", value);
  return 0;
}

int
cli_criu_option (struct sbx_context *ctx, const char *cmd, int c, const char *arg, struct sbx_criu_opts *o)
{
  switch (c)
    {
    case 'i':
      o->image_path = arg;
      return 1;
    case 'w':
      o->work_path = arg;
      return 1;
    case 'm':
      o->manage_cgroups_mode = arg;
      return 1;
    case 't':
      o->tcp_established = true;
      return 1;
    case 'u':
      o->ext_unix_sk = true;
      return 1;
    case 'j':
      o->shell_job = true;
      return 1;
    case 'l':
      o->file_locks = true;
      return 1;
    case 'a':
      o->auto_dedup = true;
      return 1;
    case 'L':
      o->lazy_pages = true;
      return 1;
    case 'e':
      if (strcmp (arg, "network") != 0 && strcmp (arg, "net") != 0)
        {
          cli_usage (ctx, cmd, "--empty-ns: only `network` is supported, not `%s`", arg);
          return -1;
        }
      o->empty_ns_net = true;
      return 1;
    default:
      return 0;
    }
}
