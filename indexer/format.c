#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "status.h"
#include "text.h"

extern const qr_format qr_format_twitter_v1;
extern const qr_format qr_format_twitter_v2, qr_format_gnip_activity, qr_format_reddit, qr_format_telegram,
	qr_format_warc, qr_format_csv, qr_format_jsonl;
extern const qr_format qr_format_twitter_archive;
extern const qr_format qr_format_mastodon;
extern const qr_format qr_format_bluesky_car, qr_format_bluesky_jetstream, qr_format_bluesky_api;

const qr_format *const qr_formats[] = {
	&qr_format_twitter_v1,
	&qr_format_twitter_archive,
	&qr_format_mastodon,
	&qr_format_twitter_v2,
	&qr_format_gnip_activity,
	&qr_format_reddit,
	&qr_format_telegram,
	&qr_format_bluesky_car,
	&qr_format_bluesky_jetstream,
	&qr_format_bluesky_api,
	&qr_format_warc,
	&qr_format_csv,
	&qr_format_jsonl,
	NULL,
};

qr_post *qr_posts_add(qr_posts *ps)
{
	ps->v = qr_grow_array(ps->v, sizeof(*ps->v), ps->n + 1, &ps->alloc);
	qr_post *p = &ps->v[ps->n++];
	qr_post_init(p);
	return p;
}

void qr_posts_clear(qr_posts *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		qr_post_clear(&ps->v[i]);
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

const qr_format *qr_format_by_name(const char *name)
{
	for (size_t i = 0; qr_formats[i]; i++)
		if (strcmp(qr_formats[i]->name, name) == 0)
			return qr_formats[i];
	return NULL;
}

const qr_format *qr_format_sniff(const char *head, size_t n, const char *member, int *bid)
{
	const qr_format *best = NULL;
	int best_bid = 0;
	for (size_t i = 0; qr_formats[i]; i++) {
		if (!qr_formats[i]->bid)
			continue;
		int b = qr_formats[i]->bid(head, n, member);
		if (b > best_bid) {
			best_bid = b;
			best = qr_formats[i];
		}
	}
	if (bid)
		*bid = best_bid;
	return best;
}

const qr_format *qr_format_sniff_member(const char *name, const char *head, size_t n, int *bid)
{
	const qr_format *best = NULL;
	int best_bid = 0;
	for (size_t i = 0; qr_formats[i]; i++) {
		if (!qr_formats[i]->archive)
			continue;
		int b = qr_formats[i]->archive->bid(name, head, n);
		if (b > best_bid) {
			best_bid = b;
			best = qr_formats[i];
		}
	}
	if (bid)
		*bid = best_bid;
	return best;
}

int qr_format_next(qr_reader *r, qr_frame *f, qr_buf *why)
{
	if (r->format->next)
		return r->format->next(r, f, why);
	return qr_input_json(&r->in, f, why);
}

cJSON *qr_parse_record(const char *data, size_t len, qr_buf *why)
{
	size_t bad;
	if (!qr_utf8_valid(data, len, &bad)) {
		if (data[bad] == '\0')
			qr_buf_setf(why, "NUL byte at byte %zu of the record", bad);
		else
			qr_buf_setf(why, "invalid UTF-8 at byte %zu of the record", bad);
		return NULL;
	}
	qr_buf detail = QR_BUF_INIT;
	cJSON *v = qr_json_parse(data, len, &detail);
	if (!v)
		qr_buf_setf(why, "%s", detail.buf);
	qr_buf_release(&detail);
	return v;
}

cJSON *qr_parse_object(const char *data, size_t len, qr_buf *why)
{
	cJSON *v = qr_parse_record(data, len, why);
	if (v && !cJSON_IsObject(v)) {
		qr_buf_setf(why, "record is not a JSON object");
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}
