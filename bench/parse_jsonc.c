/* bench/parse_jsonc: json-c for bench/jsonparse, apart from jansson whose
 * names it shares. */
#include <json-c/json.h>

#include "parsers.h"

static struct json_tokener *tok;

int bench_jsonc_parse(const char *buf, size_t len)
{
	if (!tok)
		tok = json_tokener_new();
	json_tokener_reset(tok);
	struct json_object *j = json_tokener_parse_ex(tok, buf, (int)len);
	int ok = j && json_tokener_get_error(tok) == json_tokener_success;
	json_object_put(j);
	return ok ? 0 : -1;
}
