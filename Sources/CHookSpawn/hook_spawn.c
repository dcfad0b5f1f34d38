#define _GNU_SOURCE
#include "hook_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

pid_t liqwatch_spawn_hook(const char *command, int *input) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_adddup2(&actions, ends[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t defaulted;
    sigemptyset(&defaulted);
    const int signals[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU,
                           SIGCHLD, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, SIGXFSZ};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaddset(&defaulted, signals[i]);
    posix_spawnattr_setsigdefault(&attributes, &defaulted);
    sigset_t unblocked;
    sigemptyset(&unblocked);
    posix_spawnattr_setsigmask(&attributes, &unblocked);
    char *const arguments[] = {"/bin/sh", "-c", (char *)command, NULL};
    pid_t pid = -1;
    int result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(ends[0]);
    if (result != 0) {
        close(ends[1]);
        errno = result;
        return -1;
    }
    *input = ends[1];
    return pid;
}

int liqwatch_signal_ignored(int signal) {
    struct sigaction current;
    return sigaction(signal, NULL, &current) == 0 && !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN;
}
