#ifndef LIQWATCH_HOOK_SPAWN_H
#define LIQWATCH_HOOK_SPAWN_H

#include <sys/types.h>

/* Starts `/bin/sh -c command` for an alert hook: in a process group of its own (so a timeout can
 * stop everything it started), its standard input the read end of a new pipe, its output and
 * errors on /dev/null, no other descriptor of ours open in it, the signals we ignore or block
 * back at their defaults. Returns the child's pid and sets *input to the pipe's write end
 * (close-on-exec); on failure returns -1 with errno set. In C because pipe2 and
 * posix_spawn_file_actions_addclosefrom_np are GNU extensions Swift's Glibc does not import. */
pid_t liqwatch_spawn_hook(const char *command, int *input);

/* Whether `signal` is ignored now (SIG_IGN): a signal liqwatch was started with ignored (`nohup`,
 * a shell's background job) stays so. (SIG_IGN is a cast Swift cannot compare.) */
int liqwatch_signal_ignored(int signal);

#endif
