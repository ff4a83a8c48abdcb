/*
 * WARC files of API responses, as social-feed harvesters (sfm, warcprox,
 * twarc's WARC output) write them.  The container layer has already undone
 * the per-record gzip of a .warc.gz; this reader frames each response or
 * resource record (WARC headers and block, byte for byte) and skips the
 * rest (warcinfo, request, metadata, revisit).
 *
 * normalize takes a record apart again: WARC headers, the HTTP response
 * (status, chunked transfer-encoding, gzip content-encoding), then hands
 * the JSON body to the reader that bids best on it, with that reader's own
 * framing (a stream response holds many tweets).  The WARC record id,
 * target URI and date become provenance of every post found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "json.h"
#include "libarchive.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"

#define MAX_HEADER 65536
/* A decoded body may not grow past this (a gzip bomb in a record). */
#define MAX_BODY ((size_t)1 << 30)

static int bid(const char *head, size_t n, const char *member)
{
	(void)member;
	if (n >= 7 && memcmp(head, "WARC/1.", 7) == 0)
		return 100;
	if (n >= 6 && memcmp(head, "WARC/", 5) == 0)
		return 90;
	return 0;
}

/* ---- framing ---- */

/* Skip n bytes without holding them; false when the input ends first. */
static bool skip_bytes(qr_input *in, uint64_t n)
{
	while (n) {
		size_t avail = qr_input_fill(in, 1);
		if (!avail)
			return false;
		size_t k = avail < n ? avail : (size_t)n;
		qr_input_skip(in, k);
		n -= k;
	}
	return true;
}

/* The value of a header line "Name: value" in a header block, trimmed;
 * false when absent. */
static bool header(const char *h, size_t n, const char *name, qr_buf *out)
{
	size_t nl = strlen(name);
	const char *p = h, *end = h + n;
	qr_buf_reset(out);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *ve = eol;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			qr_buf_add(out, v, (size_t)(ve - v));
			return true;
		}
		p = eol + 1;
	}
	return false;
}

/* Where the header block that starts at p ends (just past the blank line),
 * or 0 when it does not end within n bytes. */
static size_t header_end(const char *p, size_t n)
{
	const char *crlf = memmem(p, n, "\r\n\r\n", 4);
	const char *lf = memmem(p, n, "\n\n", 2);
	if (crlf && (!lf || crlf < lf))
		return (size_t)(crlf - p) + 4;
	if (lf)
		return (size_t)(lf - p) + 2;
	return 0;
}

/* Skip to the next line that starts a WARC record. */
static void resync(qr_input *in)
{
	for (;;) {
		size_t avail = qr_input_fill(in, 8);
		if (!avail)
			return;
		const char *p = in->buf + in->start;
		const char *hit = memmem(p + 1, avail > 1 ? avail - 1 : 0, "\nWARC/", 6);
		if (hit) {
			qr_input_skip(in, (size_t)(hit - p) + 1);
			return;
		}
		/* Keep a few bytes: the marker may straddle the refill. */
		if (avail <= 6 && in->eof) {
			qr_input_skip(in, avail);
			return;
		}
		qr_input_skip(in, avail > 6 ? avail - 6 : avail);
	}
}

static int next(qr_reader *r, qr_frame *f, qr_buf *why)
{
	qr_input *in = &r->in;
	qr_buf type = QR_BUF_INIT, clen = QR_BUF_INIT;
	int st;
	for (;;) {
		/* Blank lines separate records. */
		while (qr_input_fill(in, 1) && (in->buf[in->start] == '\r' || in->buf[in->start] == '\n'))
			qr_input_skip(in, 1);
		f->line = in->line;
		f->byte = in->offset;
		size_t avail = qr_input_fill(in, MAX_HEADER);
		if (!avail) {
			st = in->failed ? QR_IO : QR_END;
			break;
		}
		const char *p = in->buf + in->start;
		if (avail < 5 || memcmp(p, "WARC/", 5) != 0) {
			qr_buf_setf(why, "no WARC record starts here (a damaged or cut WARC file); skipped to the next one");
			resync(in);
			st = QR_BAD_INPUT;
			break;
		}
		size_t hlen = header_end(p, avail);
		char *end;
		unsigned long long len;
		if (!hlen || !header(p, hlen, "Content-Length", &clen) ||
		    (len = strtoull(clen.buf, &end, 10), *end || !clen.len)) {
			qr_buf_setf(why, hlen ? "WARC record without a valid Content-Length"
					      : "WARC header does not end (cut off, or longer than 64 KiB)");
			qr_input_skip(in, 5);
			resync(in);
			st = QR_BAD_INPUT;
			break;
		}
		header(p, hlen, "WARC-Type", &type);
		bool wanted = strcasecmp(type.buf, "response") == 0 || strcasecmp(type.buf, "resource") == 0;
		if (!wanted) {
			qr_input_skip(in, hlen);
			if (!skip_bytes(in, len)) {
				st = in->failed ? QR_IO : QR_END;
				break;
			}
			continue;
		}
		if (len > in->max_record || hlen + len > in->max_record) {
			qr_buf_setf(why, "WARC record of %llu bytes is longer than %zu bytes (limit max_record)", len,
				    in->max_record);
			qr_input_skip(in, hlen);
			skip_bytes(in, len);
			st = QR_LIMIT;
			break;
		}
		if (qr_input_fill(in, hlen + len) < hlen + len) {
			if (in->failed) {
				st = QR_IO;
				break;
			}
			qr_buf_setf(why, "WARC record is cut off: %zu of %llu bytes", in->len - in->start - hlen, len);
			qr_input_skip(in, in->len - in->start);
			st = QR_BAD_INPUT;
			break;
		}
		f->data = in->buf + in->start;
		f->len = hlen + (size_t)len;
		qr_input_skip(in, f->len);
		st = QR_OK;
		break;
	}
	qr_buf_release(&type);
	qr_buf_release(&clen);
	return st;
}

/* ---- normalize ---- */

/* Undo chunked transfer-encoding. */
static bool dechunk(const char *p, size_t n, qr_buf *out, qr_buf *why)
{
	const char *end = p + n;
	while (p < end) {
		char *e;
		unsigned long long size = strtoull(p, &e, 16);
		if (e == p) {
			qr_buf_setf(why, "bad chunk size in a chunked HTTP body");
			return false;
		}
		const char *eol = memchr(e, '\n', (size_t)(end - e));
		if (!eol) {
			qr_buf_setf(why, "chunked HTTP body is cut off");
			return false;
		}
		p = eol + 1;
		if (size == 0)
			return true;
		if (size > (unsigned long long)(end - p)) {
			/* A cut-off last chunk: keep what there is. */
			qr_buf_add(out, p, (size_t)(end - p));
			return true;
		}
		qr_buf_add(out, p, (size_t)size);
		p += size;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	return true;
}

/* Undo gzip content-encoding through libarchive's gzip filter.  A body
 * that is not gzip after all (some harvesters store it decoded) is kept. */
static bool gunzip(const char *p, size_t n, qr_buf *out, qr_buf *why)
{
	if (n < 2 || (unsigned char)p[0] != 0x1F || (unsigned char)p[1] != 0x8B) {
		qr_buf_add(out, p, n);
		return true;
	}
	if (qr_libarchive(why))
		return false;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool ok = false;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, p, n) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		qr_buf_setf(why, "cannot decode the gzip body: %s",
			    archive_error_string(a) ? archive_error_string(a) : "unknown error");
		goto out;
	}
	char buf[65536];
	for (;;) {
		la_ssize_t r = archive_read_data(a, buf, sizeof(buf));
		if (r < 0) {
			/* A truncated gzip stream: keep what came out. */
			if (out->len)
				break;
			qr_buf_setf(why, "cannot decode the gzip body: %s",
				    archive_error_string(a) ? archive_error_string(a) : "unknown error");
			goto out;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > MAX_BODY) {
			qr_buf_setf(why, "gzip body decodes to more than %zu bytes", MAX_BODY);
			goto out;
		}
		qr_buf_add(out, buf, (size_t)r);
	}
	ok = true;
out:
	archive_read_free(a);
	return ok;
}

/* A read-only stream over bytes in memory, for the inner reader's framing. */
struct mem {
	const char *p;
	size_t n, pos;
};

static ssize_t mem_read(qr_stream *s, void *buf, size_t n)
{
	struct mem *m = s->ctx;
	size_t k = m->n - m->pos < n ? m->n - m->pos : n;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

struct warc_meta {
	qr_buf id, uri, date, type;
};

static void add_provenance(qr_post *p, const struct warc_meta *wm, const char *inner)
{
	if (wm->id.len)
		qr_kvv_set(&p->source.provenance, "warc_record_id", wm->id.buf);
	if (wm->uri.len)
		qr_kvv_set(&p->source.provenance, "warc_target_uri", wm->uri.buf);
	if (wm->date.len)
		qr_kvv_set(&p->source.provenance, "warc_date", wm->date.buf);
	qr_kvv_set(&p->source.provenance, "payload_format", inner);
}

/* Read the JSON body with the reader that bids best on it. */
static int read_payload(const char *body, size_t n, const struct warc_meta *wm, qr_posts *out, qr_buf *why)
{
	int bidv;
	size_t head = n < 65536 ? n : 65536;
	const qr_format *inner = qr_format_sniff(body, head, NULL, &bidv);
	if (!inner || strcmp(inner->name, "warc") == 0) {
		qr_buf shown = QR_BUF_INIT;
		qr_escape_terminal(&shown, body, n < 48 ? n : 48, QR_ESC_QUOTE);
		qr_buf_setf(why, "JSON body of no known format; it begins \"%s\"%s", shown.buf, n > 48 ? "..." : "");
		qr_buf_release(&shown);
		return QR_BAD_INPUT;
	}
	qr_stream *s = qr_calloc(1, sizeof(*s));
	struct mem m = { body, n, 0 };
	qr_buf_init(&s->err);
	qr_buf_init(&s->peeked);
	s->ctx = &m;
	s->read = mem_read;
	qr_reader r = { inner, { 0 }, NULL, NULL, NULL };
	qr_input_init(&r.in, s, n + 1);
	qr_frame fr;
	qr_buf one = QR_BUF_INIT, first_bad = QR_BUF_INIT, first_skip = QR_BUF_INIT;
	size_t bad = 0, skipped = 0;
	for (;;) {
		qr_buf_reset(&one);
		int st = qr_format_next(&r, &fr, &one);
		if (st == QR_END || st == QR_IO)
			break;
		if (st == QR_OK) {
			qr_posts ps = { 0 };
			st = inner->normalize(fr.data, fr.len, &ps, &one);
			if (st == QR_OK) {
				for (size_t i = 0; i < ps.n; i++) {
					add_provenance(&ps.v[i], wm, inner->name);
					qr_post *dst = qr_posts_add(out);
					qr_post_clear(dst);
					*dst = ps.v[i];
				}
				free(ps.v);
				continue;
			}
			qr_posts_clear(&ps);
		}
		if (st == QR_SKIP) {
			if (skipped++ == 0)
				qr_buf_setf(&first_skip, "%s", one.buf);
		} else if (bad++ == 0) {
			qr_buf_setf(&first_bad, "%s", one.len ? one.buf : "malformed record");
		}
	}
	qr_input_release(&r.in);
	s->ctx = NULL;
	qr_stream_free(s);
	int st = QR_OK;
	if (!out->n) {
		if (bad) {
			qr_buf_setf(why, "%s body: %s", inner->name, first_bad.buf);
			st = QR_BAD_INPUT;
		} else {
			qr_buf_setf(why, "%s body: %s", inner->name, skipped ? first_skip.buf : "no records");
			st = QR_SKIP;
		}
	}
	qr_buf_release(&one);
	qr_buf_release(&first_bad);
	qr_buf_release(&first_skip);
	return st;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	struct warc_meta wm = { QR_BUF_INIT, QR_BUF_INIT, QR_BUF_INIT, QR_BUF_INIT };
	qr_buf ct = QR_BUF_INIT, te = QR_BUF_INIT, ce = QR_BUF_INIT, body = QR_BUF_INIT, tmp = QR_BUF_INIT;
	int st = QR_BAD_INPUT;

	size_t hlen = header_end(data, len);
	if (len < 5 || memcmp(data, "WARC/", 5) != 0 || !hlen) {
		qr_buf_setf(why, "not a WARC record");
		goto out;
	}
	header(data, hlen, "WARC-Record-ID", &wm.id);
	/* "<urn:uuid:...>": the brackets are WARC syntax, not the id. */
	if (wm.id.len >= 2 && wm.id.buf[0] == '<' && wm.id.buf[wm.id.len - 1] == '>') {
		memmove(wm.id.buf, wm.id.buf + 1, wm.id.len - 2);
		qr_buf_setlen(&wm.id, wm.id.len - 2);
	}
	header(data, hlen, "WARC-Target-URI", &wm.uri);
	header(data, hlen, "WARC-Date", &wm.date);
	header(data, hlen, "WARC-Type", &wm.type);
	header(data, hlen, "Content-Type", &ct);
	const char *block = data + hlen;
	size_t blen = len - hlen;
	const char *payload = block;
	size_t plen = blen;

	if (qr_starts_with_ci(ct.buf, "application/http") || (blen > 5 && memcmp(block, "HTTP/", 5) == 0)) {
		size_t h2 = header_end(block, blen);
		if (blen < 12 || memcmp(block, "HTTP/", 5) != 0 || !h2) {
			qr_buf_setf(why, "WARC %s record holds no readable HTTP response", wm.type.buf);
			goto out;
		}
		const char *sp = memchr(block, ' ', h2);
		int code = sp ? atoi(sp + 1) : 0;
		if (code < 200 || code > 299) {
			qr_buf_setf(why, "HTTP %d response (%s)", code, wm.uri.len ? wm.uri.buf : "no target URI");
			st = QR_SKIP;
			goto out;
		}
		header(block, h2, "Transfer-Encoding", &te);
		header(block, h2, "Content-Encoding", &ce);
		payload = block + h2;
		plen = blen - h2;
		if (te.len && strcasestr(te.buf, "chunked")) {
			if (!dechunk(payload, plen, &tmp, why))
				goto out;
			payload = tmp.buf;
			plen = tmp.len;
		}
		if (ce.len && (strcasecmp(ce.buf, "gzip") == 0 || strcasecmp(ce.buf, "x-gzip") == 0)) {
			if (!gunzip(payload, plen, &body, why))
				goto out;
			payload = body.buf;
			plen = body.len;
		} else if (ce.len && strcasecmp(ce.buf, "identity") != 0) {
			qr_buf_setf(why, "HTTP body with content-encoding '%s', which quire does not decode", ce.buf);
			goto out;
		}
	}
	char first = qr_head_first(payload, plen);
	if (first != '{' && first != '[') {
		qr_buf_setf(why, "%s is not JSON (%s)", plen ? "body" : "empty body", wm.uri.len ? wm.uri.buf : "no target URI");
		st = QR_SKIP;
		goto out;
	}
	st = read_payload(payload, plen, &wm, out, why);
out:
	qr_buf_release(&wm.id);
	qr_buf_release(&wm.uri);
	qr_buf_release(&wm.date);
	qr_buf_release(&wm.type);
	qr_buf_release(&ct);
	qr_buf_release(&te);
	qr_buf_release(&ce);
	qr_buf_release(&body);
	qr_buf_release(&tmp);
	return st;
}

const qr_format qr_format_warc = {
	.name = "warc",
	.description = "WARC files of API responses (response records; gzip and chunked bodies; JSON read by its own reader)",
	.bid = bid,
	.next = next,
	.normalize = normalize,
};
