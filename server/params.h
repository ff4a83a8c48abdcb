/*
 * A request's parameters, and the state of a search as a URL: the query
 * `q`, the filters a click on a facet adds (hashtag=..., media=...), dates,
 * zone, order and page.  The URL is the whole state, so any view can be
 * bookmarked and shared, and the page, its JSON twin and its downloads
 * take the same parameters.  The filters become query text, so that what
 * the server runs is a query the command line runs too.
 */
#ifndef SV_PARAMS_H
#define SV_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct sv_param {
	char *key, *value;
} sv_param;

/* In the order they came; a key may come more than once. */
typedef struct sv_params {
	sv_param *v;
	size_t n, alloc;
} sv_params;

void sv_params_add(sv_params *p, const char *key, const char *value);
void sv_params_clear(sv_params *p);
void sv_params_copy(sv_params *to, const sv_params *from);
/* The first value of key, or NULL. */
const char *sv_params_get(const sv_params *p, const char *key);
/* A yes-or-no parameter: absent or empty is dflt; 0, no, false and off
 * are no; any other value is yes. */
bool sv_params_flag(const sv_params *p, const char *key, bool dflt);
/* Remove every value of key (value NULL), or that one value. */
void sv_params_del(sv_params *p, const char *key, const char *value);
/* Set key to this one value (NULL or "": remove it). */
void sv_params_set(sv_params *p, const char *key, const char *value);
bool sv_params_has(const sv_params *p, const char *key, const char *value);
/* path?k=v&k=v, every key and value percent-encoded; empty values left
 * out. */
void sv_params_href(qr_buf *out, const char *path, const sv_params *p);
/* application/x-www-form-urlencoded text (a POST body) into p; false when
 * it is not. */
bool sv_params_parse_form(sv_params *p, const char *body, size_t len);

/* The filters a facet value adds, with the query field each becomes. */
typedef struct sv_filter {
	const char *param;       /* "hashtag" */
	const char *field;       /* "hashtag" (query field), "from", "is" ... */
	const char *label;       /* "hashtag" as the page names it */
} sv_filter;

extern const sv_filter sv_filters[];
const sv_filter *sv_filter_named(const char *param);

/* The query the state asks for: q, then each filter as field:value
 * ("(q) hashtag:x media:video").  False, with the reason in why, when a
 * filter value cannot be written in the query language (it holds a
 * double quote). */
bool sv_compose_query(const sv_params *p, qr_buf *text, qr_buf *why);
/* Whether a value can be a filter (sv_compose_query would take it). */
bool sv_filter_value_ok(const char *value);

#endif
