/* Fuzz target: the sanitizer. Whatever the bytes, its output is valid
 * UTF-8 with no C0/C1 control, no DEL and no bidi or zero-width character,
 * and the cells it yields tile the input exactly. */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
forbidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0x200b && cp <= 0x200f) || cp == 0x061c ||
	       cp == 0x2060 || cp == 0xfeff;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		setlocale(LC_ALL, "C.UTF-8");
		once = 1;
	}
	const char *s = (const char *)data;
	char *out = ag_sanitize_line(s, size);
	size_t len = strlen(out);
	if (!ag_utf8_valid(out, len, NULL))
		__builtin_trap();
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = ag_utf8_decode(out + i, len - i, &cp);
		if (n <= 0 || forbidden(cp))
			__builtin_trap();
		i += (size_t)n;
	}
	free(out);

	struct ag_san it;
	struct ag_cell cell;
	size_t next = 0;
	ag_san_init(&it, s, size, AG_SAN_EXPAND_TABS);
	while (ag_san_next(&it, &cell)) {
		if (cell.offset != next || cell.srclen == 0 || cell.width <= 0 ||
		    cell.len >= sizeof cell.text || strlen(cell.text) != cell.len)
			__builtin_trap();
		next = cell.offset + cell.srclen;
	}
	if (next != size)
		__builtin_trap();
	return 0;
}
