/* The canvas: clipping, wide characters, ellipsis, marked text, row text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/canvas.h"

static void
test_put_and_clip(void **state)
{
	struct ui_canvas c;
	char buf[256];
	(void)state;

	canvas_init(&c, 10, 3);
	assert_int_equal(canvas_put(&c, 2, 1, 100, UI_ROLE_HEADER, "abcdefghijkl"), 8);
	assert_string_equal(canvas_row_text(&c, 1, buf, sizeof buf), "  abcdefgh");
	assert_int_equal(canvas_at(&c, 2, 1)->role, UI_ROLE_HEADER);
	assert_int_equal(canvas_at(&c, 1, 1)->role, UI_ROLE_DEFAULT);
	assert_null(canvas_at(&c, 10, 1));
	assert_int_equal(canvas_put(&c, 0, 5, 10, UI_ROLE_DEFAULT, "x"), 0);
	/* negative x: the visible part only */
	canvas_put(&c, -2, 0, 10, UI_ROLE_DEFAULT, "abcdef");
	assert_string_equal(canvas_row_text(&c, 0, buf, sizeof buf), "cdef");
	/* control characters never reach the terminal */
	canvas_put(&c, 0, 2, 10, UI_ROLE_DEFAULT, "a\tb\x1b" "c");
	assert_string_equal(canvas_row_text(&c, 2, buf, sizeof buf), "a?b?c");
	canvas_fini(&c);
}

static void
test_utf8_and_wide(void **state)
{
	struct ui_canvas c;
	char buf[256];
	uint32_t cp;
	(void)state;

	canvas_init(&c, 8, 2);
	assert_int_equal(canvas_text_width("Z\xc3\xbcrich"), 6);
	assert_int_equal(canvas_text_width("\xe5\x8c\x97\xe4\xba\xac"), 4); /* 北京 */
	assert_int_equal(canvas_put(&c, 0, 0, 8, UI_ROLE_DEFAULT, "\xe5\x8c\x97\xe4\xba\xac!"), 5);
	assert_int_equal(canvas_at(&c, 1, 0)->ch, CANVAS_CONT);
	assert_string_equal(canvas_row_text(&c, 0, buf, sizeof buf), "\xe5\x8c\x97\xe4\xba\xac!");
	/* a wide character that does not fit is not split */
	assert_int_equal(canvas_put(&c, 0, 1, 3, UI_ROLE_DEFAULT, "\xe5\x8c\x97\xe4\xba\xac"), 2);
	/* invalid UTF-8 becomes U+FFFD */
	assert_int_equal(canvas_utf8_decode("\xc3(", 2, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(canvas_utf8_decode("\xed\xa0\x80", 3, &cp), 3); /* surrogate */
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(canvas_fit("abc\xc3\xbc" "d", 4), 5);
	canvas_fini(&c);
}

static void
test_ellipsis_and_right(void **state)
{
	struct ui_canvas c;
	char buf[256];
	(void)state;

	canvas_init(&c, 20, 3);
	canvas_put_ellip(&c, 0, 0, 8, UI_ROLE_DEFAULT, "www.example.com");
	assert_string_equal(canvas_row_text(&c, 0, buf, sizeof buf), "www.exa\xe2\x80\xa6");
	c.unicode = false;
	canvas_put_ellip(&c, 0, 1, 8, UI_ROLE_DEFAULT, "www.example.com");
	assert_string_equal(canvas_row_text(&c, 1, buf, sizeof buf), "www.exa~");
	canvas_put_right(&c, 10, 2, 6, UI_ROLE_DEFAULT, "42");
	assert_string_equal(canvas_row_text(&c, 2, buf, sizeof buf), "              42");
	assert_int_equal(canvas_find(&c, "www.exa~"), 1);
	assert_int_equal(canvas_find(&c, "nothing"), -1);
	canvas_fini(&c);
}

static void
test_marked(void **state)
{
	struct ui_canvas c;
	char buf[256];
	char text[64];
	(void)state;

	canvas_init(&c, 30, 1);
	snprintf(text, sizeof text, "a \x01%cnew\x01\x01 b", (char)(UI_ROLE_NEW + 2));
	assert_int_equal(canvas_marked_width(text), 7);
	assert_int_equal(canvas_put_marked(&c, 0, 0, 30, UI_ROLE_LABEL, text), 7);
	assert_string_equal(canvas_row_text(&c, 0, buf, sizeof buf), "a new b");
	assert_int_equal(canvas_at(&c, 0, 0)->role, UI_ROLE_LABEL);
	assert_int_equal(canvas_at(&c, 2, 0)->role, UI_ROLE_NEW);
	assert_int_equal(canvas_at(&c, 4, 0)->role, UI_ROLE_NEW);
	assert_int_equal(canvas_at(&c, 6, 0)->role, UI_ROLE_LABEL);
	canvas_fini(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_and_clip),
		cmocka_unit_test(test_utf8_and_wide),
		cmocka_unit_test(test_ellipsis_and_right),
		cmocka_unit_test(test_marked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
