#include "CNcurses.h"

/* The terminal's settings are saved before curses starts. A fatal signal (a crash) or a second
   Ctrl-C/SIGTERM/SIGHUP restores them with async-signal-safe calls only (tcsetattr and write):
   attributes reset, keypad and mouse reporting off, the alternate screen left, the cursor shown;
   then the signal does what it would have done (the shell sees 128 + its number). A first SIGINT,
   SIGTERM or SIGHUP only sets a flag: the run loop sees it within one tick, quits through the
   normal path (endwin) and exits 128 + the signal. SIGQUIT (Ctrl-\) restores the terminal and
   exits 131 at once, without the core dump that would keep the terminal raw while it is written. */
static struct termios saved_termios;
static int saved_termios_valid = 0;
static volatile sig_atomic_t quit_signal = 0;
/* Set once the window title was pushed on the terminal's title stack (XTWINOPS 22): the title the
   operator had is popped back (23) wherever the terminal is restored, so a tab does not go on
   saying "liqwatch — no alerts" after liqwatch has gone. */
static volatile sig_atomic_t title_pushed = 0;

void cn_push_title(void) {
    if (title_pushed) return;
    static const char push[] = "\033[22;2t";
    ssize_t ignored = write(STDOUT_FILENO, push, sizeof(push) - 1);
    (void)ignored;
    title_pushed = 1;
}

void cn_save_terminal(void) {
    if (tcgetattr(STDIN_FILENO, &saved_termios) == 0) saved_termios_valid = 1;
}

void cn_restore_terminal_raw(void) {
    if (saved_termios_valid) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    /* SGR reset; mouse reporting off; keypad local (rmkx); leave the alternate screen; cursor on. */
    static const char reset[] = "\033[0m\033[?1000l\033[?1002l\033[?1006l\033[?1l\033>\033[?1049l\033[?25h";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
    if (title_pushed) {
        /* Cleared first: a signal landing between the two would otherwise pop a second title. */
        title_pushed = 0;
        static const char pop[] = "\033[23;2t";
        ignored = write(STDOUT_FILENO, pop, sizeof(pop) - 1);
    }
    (void)ignored;
}

static void fatal_handler(int signal_number) {
    cn_restore_terminal_raw();
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
    raise(signal_number);
}

static void quit_handler(int signal_number) {
    if (quit_signal) { fatal_handler(signal_number); return; }
    quit_signal = signal_number;
}

static void immediate_quit_handler(int signal_number) {
    cn_restore_terminal_raw();
    _exit(128 + signal_number);
}

int cn_take_quit_signal(void) { return quit_signal; }

/* Whether `signal`'s disposition is `handler` (SIG_DFL, SIG_IGN) now. */
static int disposition_is(int signal_number, void (*handler)(int)) {
    struct sigaction current;
    return sigaction(signal_number, NULL, &current) == 0 && !(current.sa_flags & SA_SIGINFO) && current.sa_handler == handler;
}

void cn_install_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    sigemptyset(&action.sa_mask);
    action.sa_handler = fatal_handler;
    /* With the crashes, every other signal whose default ends the process: a `kill -USR1`, an
       alarm or a CPU-time limit (`ulimit -t` sends SIGXCPU) left the alternate screen, the hidden
       cursor and mouse reporting on (attacker trial). SIGXFSZ is ignored where the process starts:
       a write past a file-size limit fails and is counted instead. */
    int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) sigaction(fatal[i], &action, NULL);
    /* Only where the signal is at its default: one liqwatch was started with ignored (nohup's
       way), or a profiler's handler, is left as it was. */
    int ending[] = { SIGSYS, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGIO, SIGPWR, SIGSTKFLT };
    for (unsigned i = 0; i < sizeof(ending) / sizeof(ending[0]); i++) {
        if (disposition_is(ending[i], SIG_DFL)) sigaction(ending[i], &action, NULL);
    }
    /* The real-time signals end a process by default too (`kill -34` left the terminal raw:
       attacker trial). */
    for (int number = SIGRTMIN; number <= SIGRTMAX; number++) {
        if (disposition_is(number, SIG_DFL)) sigaction(number, &action, NULL);
    }
    /* Ctrl-C and Ctrl-\ are the operator's keys at the dashboard's own terminal: ours whatever
       was inherited (a wrapper script's `trap '' INT QUIT`). A hangup ignored at the start
       (`nohup`) stays ignored (a hangup ended a nohup'd run: attacker trial). */
    action.sa_handler = quit_handler;
    int quit[] = { SIGINT, SIGTERM, SIGHUP };
    for (unsigned i = 0; i < sizeof(quit) / sizeof(quit[0]); i++) {
        if (quit[i] == SIGHUP && disposition_is(SIGHUP, SIG_IGN)) continue;
        sigaction(quit[i], &action, NULL);
    }
    action.sa_handler = immediate_quit_handler;
    sigaction(SIGQUIT, &action, NULL);
}

#include <ncursesw/term.h>

int cn_terminal_problem(void) {
    int error = 0;
    TERMINAL *saved = cur_term;
    if (setupterm(NULL, STDOUT_FILENO, &error) != OK) {
        cur_term = saved;
        if (error == 0) return 1;
        if (error == -1) return 2;
        return 3;
    }
    char *address = tigetstr("cup");
    int problem = (address == NULL || address == (char *)-1) ? 3 : 0;
    TERMINAL *probed = cur_term;
    set_curterm(saved);
    del_curterm(probed);
    return problem;
}
