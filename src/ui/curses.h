/* The one header that includes ncurses (htop's ProvideCurses.h); only draw.c includes it. */
#ifndef FLUXSCOPE_UI_CURSES_H
#define FLUXSCOPE_UI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

#endif
