#ifndef CNCURSES_H
#define CNCURSES_H

/* Wide-character ncurses: UTF-8 box drawing and blocks when the locale allows. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* The width the C library gives a character (ncurses places characters by it): -1 for one it
   cannot measure. wcwidth is declared only for X/Open, which Swift's Glibc module does not ask. */
int wcwidth(wchar_t c);
static inline int cn_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/* Macros and globals Swift cannot import, as functions. */
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t cn_color_pair(int pair) { return (attr_t)COLOR_PAIR(pair); }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline int cn_key_resize(void) { return KEY_RESIZE; }
static inline int cn_key_up(void) { return KEY_UP; }
static inline int cn_key_down(void) { return KEY_DOWN; }
static inline int cn_key_left(void) { return KEY_LEFT; }
static inline int cn_key_right(void) { return KEY_RIGHT; }
static inline int cn_key_enter(void) { return KEY_ENTER; }
static inline int cn_key_btab(void) { return KEY_BTAB; }
static inline int cn_key_backspace(void) { return KEY_BACKSPACE; }
static inline int cn_key_npage(void) { return KEY_NPAGE; }
static inline int cn_key_ppage(void) { return KEY_PPAGE; }
static inline int cn_key_home(void) { return KEY_HOME; }
static inline int cn_key_end(void) { return KEY_END; }
static inline int cn_ok(void) { return OK; }
static inline int cn_err(void) { return ERR; }
static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }

/* Reads one key as a wide character; returns KEY_CODE_YES for function keys, OK for characters,
   ERR when nothing is waiting. */
static inline int cn_get_wch(unsigned int *out) {
    wint_t ch = 0;
    int result = get_wch(&ch);
    *out = (unsigned int)ch;
    return result;
}

static inline int cn_key_mouse(void) { return KEY_MOUSE; }

/* Clicks and the wheel: button 1 pressed/clicked, buttons 4 and 5 (the wheel). No motion
   reporting, and no click interval, so a press is reported at once. */
static inline void cn_enable_mouse(void) {
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
}

/* The waiting mouse event: 1 click, 2 wheel up, 3 wheel down, 0 anything else or none. */
static inline int cn_get_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    if (event.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 2;
#ifdef BUTTON5_PRESSED
    if (event.bstate & BUTTON5_PRESSED) return 3;
#endif
    return 0;
}

/* Whether the locale's character set is UTF-8 (after setlocale(LC_ALL, "")). */
static inline int cn_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

static inline void cn_set_locale_from_environment(void) { setlocale(LC_ALL, ""); }

/* --- Restoring the terminal whatever happens ---------------------------------------------
   Implemented in shim.c: the saved terminal settings and the signal flag must be real globals
   (a static in a header would be a different variable in every importer). */
void cn_save_terminal(void);
void cn_restore_terminal_raw(void);
void cn_push_title(void);
void cn_install_handlers(void);
int cn_take_quit_signal(void);

/* Whether the terminal named by TERM can run a full-screen program, before curses starts (it
   exits the process itself on an unknown TERM, and draws nothing on TERM=dumb): 0 it can,
   1 TERM names no terminal the terminfo database knows, 2 no terminfo database, 3 a hardcopy
   or dumb terminal that cannot place the cursor. */
int cn_terminal_problem(void);

#endif
