/*
 * The page's own files, web/, built into the binary (lib/embed.h): plain
 * CSS, JavaScript and SVG, no build step, nothing fetched from elsewhere.
 * No request path reaches the filesystem: a name is looked up in this
 * table or not found.
 */
#include <stddef.h>
#include <string.h>

#include "embed.h"
#include "server.h"

EMBED(sv_web_css, "web/quire.css");
EMBED(sv_web_js, "web/quire.js");
EMBED(sv_web_icon, "web/favicon.svg");

extern const char sv_web_css_start[], sv_web_css_end[];
extern const char sv_web_js_start[], sv_web_js_end[];
extern const char sv_web_icon_start[], sv_web_icon_end[];

static const struct {
	const char *name, *type;
	const char *start, *end;
} assets[] = {
	{ "quire.css", "text/css; charset=utf-8", sv_web_css_start, sv_web_css_end },
	{ "quire.js", "text/javascript; charset=utf-8", sv_web_js_start, sv_web_js_end },
	{ "favicon.svg", "image/svg+xml", sv_web_icon_start, sv_web_icon_end },
};

bool sv_asset(const char *name, const char **data, size_t *len, const char **type)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strcmp(assets[i].name, name) == 0) {
			*data = assets[i].start;
			*len = (size_t)(assets[i].end - assets[i].start);
			*type = assets[i].type;
			return true;
		}
	return false;
}
