/* cli.h: the thin command line. Each command file parses its options,
 * calls one sbx_container_* function, and returns the exit status. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include "sbx.h"

struct command
{
  const char *name;
  int (*run) (struct sbx_context *ctx, int argc, char **argv);
  const char *summary;
  bool enters_container; /* runs sbx code in a container: see selfexe.c */
};

int cmd_create (struct sbx_context *ctx, int argc, char **argv);
int cmd_start (struct sbx_context *ctx, int argc, char **argv);
int cmd_run (struct sbx_context *ctx, int argc, char **argv);
int cmd_state (struct sbx_context *ctx, int argc, char **argv);
int cmd_kill (struct sbx_context *ctx, int argc, char **argv);
int cmd_delete (struct sbx_context *ctx, int argc, char **argv);
int cmd_list (struct sbx_context *ctx, int argc, char **argv);
int cmd_spec (struct sbx_context *ctx, int argc, char **argv);
int cmd_exec (struct sbx_context *ctx, int argc, char **argv);
int cmd_update (struct sbx_context *ctx, int argc, char **argv);
int cmd_pause (struct sbx_context *ctx, int argc, char **argv);
int cmd_resume (struct sbx_context *ctx, int argc, char **argv);
int cmd_ps (struct sbx_context *ctx, int argc, char **argv);
int cmd_events (struct sbx_context *ctx, int argc, char **argv);
int cmd_features (struct sbx_context *ctx, int argc, char **argv);
int cmd_check (struct sbx_context *ctx, int argc, char **argv);
/* --format text|json: 0, or the usage error's exit status */
int cli_format (struct sbx_context *ctx, const char *cmd, const char *value, bool *json);
int cmd_audit (struct sbx_context *ctx, int argc, char **argv);
int cmd_checkpoint (struct sbx_context *ctx, int argc, char **argv);
int cmd_restore (struct sbx_context *ctx, int argc, char **argv);

/* Print the error once (log format) and return 1. */
int cli_fail (struct sbx_context *ctx, sbx_error_t *err);
/* A usage problem: message to stderr (and log), return 1. */
int cli_usage (struct sbx_context *ctx, const char *cmd, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Exactly one container id after the options. */
const char *cli_one_id (struct sbx_context *ctx, const char *cmd, int argc, char **argv, int optind_);
/* "TERM", "SIGTERM", "15" -> 15; -1 if unknown. */
int cli_parse_signal (const char *s);
/* Options checkpoint and restore share (getopt codes i w t u j l m e a L,
   see their longopts): 1 when C was one, 0 when not, -1 after a usage
   error (printed). */
int cli_criu_option (struct sbx_context *ctx, const char *cmd, int c, const char *arg, struct sbx_criu_opts *o);
/* Options shared by create and run. */
int cli_parse_create (struct sbx_context *ctx, const char *cmd, int argc, char **argv,
                      struct sbx_create_opts *o, const char **id, bool allow_detach);

#endif
