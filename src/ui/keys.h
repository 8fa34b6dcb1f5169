/* Keys and input events as the UI sees them, independent of curses: a key is a Unicode code
 * point (control keys as their ASCII codes: C-c is 3, Enter is '\r', Tab '\t', BSpace 0x7f,
 * Escape 0x1b) or one of the KEYC_* values for keys without a character. Key names follow tmux
 * ("C-c", "Enter", "BTab", "PgUp", "F1", "Space"). Pure; any thread. */
#ifndef FLUXSCOPE_UI_KEYS_H
#define FLUXSCOPE_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t ui_key;

#define KEYC_BASE 0x200000u
enum {
	KEYC_NONE = KEYC_BASE,
	KEYC_UP, KEYC_DOWN, KEYC_LEFT, KEYC_RIGHT,
	KEYC_HOME, KEYC_END, KEYC_PPAGE, KEYC_NPAGE,
	KEYC_IC, KEYC_DC, KEYC_BTAB,
	KEYC_F1, KEYC_F2, KEYC_F3, KEYC_F4, KEYC_F5, KEYC_F6,
	KEYC_F7, KEYC_F8, KEYC_F9, KEYC_F10, KEYC_F11, KEYC_F12,
	KEYC_END_OF_LIST
};
#define KEY_CTRL(c) ((ui_key)((c) & 0x1f))
#define KEY_ENTER_C ((ui_key)'\r')
#define KEY_TAB_C ((ui_key)'\t')
#define KEY_ESC_C ((ui_key)0x1b)
#define KEY_BSPACE_C ((ui_key)0x7f)

enum ui_event_type { UI_EV_NONE = 0, UI_EV_KEY, UI_EV_MOUSE, UI_EV_RESIZE, UI_EV_TICK };

enum ui_mouse_button {
	UI_MOUSE_LEFT = 1, UI_MOUSE_MIDDLE, UI_MOUSE_RIGHT, UI_MOUSE_WHEEL_UP, UI_MOUSE_WHEEL_DOWN
};

struct ui_event {
	enum ui_event_type type;
	ui_key key;                /* UI_EV_KEY */
	int x, y;                  /* UI_EV_MOUSE: cell */
	int button;                /* enum ui_mouse_button */
	bool dbl;                  /* double click */
	int w, h;                  /* UI_EV_RESIZE: new size */
};

/* "C-c", "Enter", "j", "F5", "é"; writes into buf (at least 16 bytes) and returns it. */
const char *keys_name(ui_key k, char *buf, size_t len);
/* Parse a key name; returns KEYC_NONE for an unknown name. Accepts tmux's aliases (PageUp,
 * PgUp, PPage; Escape, Esc; BSpace, Backspace). */
ui_key keys_parse(const char *name);

#endif
