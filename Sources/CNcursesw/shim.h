#ifndef BEDSIDE_NCURSES_SHIM_H
#define BEDSIDE_NCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* wcwidth is hidden from Swift's Glibc module. */
extern int wcwidth(wchar_t c);

/* Global C state that Swift 6 treats as not concurrency-safe: accessors. */
static inline WINDOW *bedside_stdscr(void) { return stdscr; }
static inline int bedside_lines(void) { return LINES; }
static inline int bedside_cols(void) { return COLS; }
static inline int bedside_color_pairs(void) { return COLOR_PAIRS; }
static inline void bedside_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
static inline int bedside_color_pair(int n) { return COLOR_PAIR(n); }
static inline int bedside_key_resize(void) { return KEY_RESIZE; }

/* Key codes, as plain constants Swift imports (the octal macros are not importable reliably). */
enum {
    BEDSIDE_KEY_CODE_YES = KEY_CODE_YES,
    BEDSIDE_KEY_UP = KEY_UP,
    BEDSIDE_KEY_DOWN = KEY_DOWN,
    BEDSIDE_KEY_LEFT = KEY_LEFT,
    BEDSIDE_KEY_RIGHT = KEY_RIGHT,
    BEDSIDE_KEY_HOME = KEY_HOME,
    BEDSIDE_KEY_END = KEY_END,
    BEDSIDE_KEY_NPAGE = KEY_NPAGE,
    BEDSIDE_KEY_PPAGE = KEY_PPAGE,
    BEDSIDE_KEY_BTAB = KEY_BTAB,
    BEDSIDE_KEY_DC = KEY_DC,
    BEDSIDE_KEY_BACKSPACE = KEY_BACKSPACE,
    BEDSIDE_KEY_ENTER = KEY_ENTER,
    BEDSIDE_KEY_RESIZE = KEY_RESIZE,
    BEDSIDE_KEY_F1 = KEY_F(1)
};

/* Cell attribute flags understood by bedside_put_cell (the A_* macros are not importable). */
enum {
    BEDSIDE_ATTR_BOLD = 1,
    BEDSIDE_ATTR_REVERSE = 2,
    BEDSIDE_ATTR_UNDERLINE = 4,
    BEDSIDE_ATTR_DIM = 8
};

/* Puts the terminal in the mode the app needs: raw keys (Ctrl-C is a key, not SIGINT),
   no echo, keypad decoding, non-blocking reads, a short Escape delay. Returns 1 when
   colours are usable. */
static inline int bedside_start(int want_color) {
    setlocale(LC_ALL, "");
    /* Wide characters need a UTF-8 locale; under a bare C locale (LANG unset, as in some CI
       shells) fall back to C.UTF-8 so CJK and emoji still read and draw. */
    const char *codeset = nl_langinfo(CODESET);
    if (codeset == NULL || strcmp(codeset, "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
    if (initscr() == NULL) return -1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    int color = 0;
    if (want_color && has_colors()) {
        start_color();
        use_default_colors();
        color = 1;
    }
    return color;
}

static inline void bedside_stop(void) {
    if (!isendwin()) {
        curs_set(1);
        endwin();
    }
}

/* Reads one key without blocking: returns ERR, OK (value is a character) or
   KEY_CODE_YES (value is a KEY_* code). */
static inline int bedside_read_key(unsigned int *value) {
    wint_t ch = 0;
    int r = wget_wch(stdscr, &ch);
    *value = (unsigned int)ch;
    return r;
}

/* Draws one cell: `wch` is a NUL-terminated grapheme (at most CCHAR_MAX - 1 code points). */
static inline int bedside_put_cell(int y, int x, const wchar_t *wch, int flags, short pair) {
    attr_t attr = A_NORMAL;
    if (flags & BEDSIDE_ATTR_BOLD) attr |= A_BOLD;
    if (flags & BEDSIDE_ATTR_REVERSE) attr |= A_REVERSE;
    if (flags & BEDSIDE_ATTR_UNDERLINE) attr |= A_UNDERLINE;
    if (flags & BEDSIDE_ATTR_DIM) attr |= A_DIM;
    cchar_t cc;
    if (setcchar(&cc, wch, attr, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &cc);
}

/* For atexit: leaves curses mode if it is still active (plain C, no Swift state). */
static inline void bedside_stop_if_active(void) {
    if (stdscr != NULL && !isendwin()) endwin();
}

static inline void bedside_move(int y, int x) { wmove(stdscr, y, x); }
static inline void bedside_erase(void) { werase(stdscr); }
static inline void bedside_clearok(void) { clearok(stdscr, TRUE); }
static inline void bedside_refresh(void) { wrefresh(stdscr); }
static inline void bedside_screen_size(int *rows, int *cols) { int yy, xx; getmaxyx(stdscr, yy, xx); *rows = yy; *cols = xx; }
#endif
