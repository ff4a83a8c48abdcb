/* JSON (one document), JSON lines (one object per post) and id lists. */
#include <string.h>

#include "corpus.h"
#include "json.h"
#include "printer.h"

static void locator(qr_printer *p, qr_jw *w, const qr_post *post)
{
	qr_jw_key(w, "locator");
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "corpus_id", p->corpus_id);
	qr_jw_kstr(w, "record", post->record.locator);
	qr_jw_kstr(w, "sha256", post->record.sha256);
	qr_jw_end_object(w);
}

static void result(qr_printer *p, qr_jw *w, const qr_hit *h)
{
	qr_jw_begin_object(w);
	qr_jw_kint(w, "rank", h->rank);
	qr_jw_key(w, "score");
	qr_jw_double(w, h->weight);
	if (h->collapsed)
		qr_jw_kint(w, "folded", h->collapsed);
	if (h->has_reposts)
		qr_jw_kint(w, "reposts", h->reposts);
	qr_jw_key(w, "post");
	if (p->portable) {
		/* already without its places (print_wrap.c); its sha256 stays */
		qr_post_to_json(h->post, w);
	} else if (p->locator) {
		qr_post_to_json(h->post, w);
		locator(p, w, h->post);
	} else {
		/* --no-locator: the post without its record's place either. */
		qr_post bare = *h->post;
		bare.record.sha256 = bare.record.locator = NULL;
		bare.record.versions.n = 0;
		qr_post_to_json(&bare, w);
	}
	qr_jw_end_object(w);
}

/* ---- json ---- */

static void json_begin(qr_printer *p, const qr_result_info *info)
{
	qr_buf_addf(&p->buf, "{\"format_version\":%d,\"query\":", QR_OUTPUT_FORMAT_VERSION);
	qr_json_quote(&p->buf, info->query, strlen(info->query));
	qr_buf_adds(&p->buf, ",\"corpus\":{\"id\":");
	qr_json_quote(&p->buf, info->corpus_id, strlen(info->corpus_id));
	qr_buf_adds(&p->buf, ",\"path\":");
	qr_json_quote(&p->buf, info->corpus_path, strlen(info->corpus_path));
	qr_buf_addf(&p->buf, "},\"total\":{\"estimated\":%u,\"lower_bound\":%u,\"upper_bound\":%u,\"exact\":%s}",
		    info->estimated, info->lower, info->upper, info->exact ? "true" : "false");
	qr_buf_addf(&p->buf, ",\"offset\":%u,\"limit\":%u,\"sort\":", info->offset, info->limit);
	qr_json_quote(&p->buf, info->sort, strlen(info->sort));
	qr_buf_adds(&p->buf, ",\"collapse\":");
	if (info->collapse)
		qr_json_quote(&p->buf, info->collapse, strlen(info->collapse));
	else
		qr_buf_adds(&p->buf, "null");
	const qr_strv *missing = qr_corpus_missing_shards();
	if (missing->n) {
		qr_buf_adds(&p->buf, ",\"partial\":true,\"missing\":[");
		for (size_t i = 0; i < missing->n; i++) {
			if (i)
				qr_buf_addch(&p->buf, ',');
			qr_json_quote(&p->buf, missing->v[i], strlen(missing->v[i]));
		}
		qr_buf_addch(&p->buf, ']');
	}
	qr_buf_adds(&p->buf, ",\"results\":[");
	qr_printer_flush(p);
}

static void json_hit(qr_printer *p, const qr_hit *h)
{
	qr_jw w;
	if (p->count++)
		qr_buf_addch(&p->buf, ',');
	qr_jw_init(&w, &p->buf, false);
	result(p, &w, h);
	qr_printer_flush(p);
}

static void json_end(qr_printer *p, uint32_t shown)
{
	qr_buf_addf(&p->buf, "],\"shown\":%u}\n", shown);
	qr_printer_flush(p);
}

const qr_printer_backend qr_print_json = {
	"json", "one JSON document: query, totals and results (schemas/output.schema.json)", json_begin, json_hit,
	json_end, false,
};

/* ---- jsonl ---- */

static void nothing_begin(qr_printer *p, const qr_result_info *info)
{
	(void)p, (void)info;
}

static void nothing_end(qr_printer *p, uint32_t shown)
{
	(void)p, (void)shown;
}

static void jsonl_hit(qr_printer *p, const qr_hit *h)
{
	qr_jw w;
	qr_jw_init(&w, &p->buf, false);
	result(p, &w, h);
	qr_buf_addch(&p->buf, '\n');
	qr_printer_flush(p);
}

const qr_printer_backend qr_print_jsonl = {
	"jsonl", "one JSON object per post, as in json's results", nothing_begin, jsonl_hit, nothing_end, false,
};

/* ---- ids ---- */

static void ids_hit(qr_printer *p, const qr_hit *h)
{
	const char *id = h->post->native_id ? h->post->native_id : h->post->id;
	/* Ids are made of digits, letters and _-:. alone; anything else is
	 * dropped rather than printed raw. */
	for (const char *s = id; *s; s++)
		if ((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7F)
			qr_buf_addch(&p->buf, *s);
	qr_buf_addch(&p->buf, '\n');
	qr_printer_flush(p);
}

const qr_printer_backend qr_print_ids = {
	"ids", "one native post id per line (a dehydrated dataset)", nothing_begin, ids_hit, nothing_end, false,
};
