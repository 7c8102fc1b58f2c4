#ifndef BEDSIDE_NCURSES_SHIM_H
#define BEDSIDE_NCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
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
#endif
