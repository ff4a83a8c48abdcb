/* quire export: a query's posts as a BagIt bag (export.h); --verify. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bag.h"
#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "export.h"
#include "federation.h"
#include "format.h"
#include "io.h"
#include "page.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"
#include "version.h"

/* Results are read this many at a time. */
#define PAGE 1000
/* Bytes an archive bag may unpack to when it is verified. */
#define MAX_UNPACK ((uint64_t)1 << 40)

const char *const qr_content_names[] = { "ids", "posts", "originals", NULL };

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "out", 'o', "PATH", "the bag: a new folder, or a .zip, .tar.gz or .tgz file" },
	{ "content", 0, "LEVEL", "originals (default: everything), posts (no original records, no media) or ids (id lists, data card, codebook, events)" },
	{ "sort", 's', "ORDER", "oldest (default), newest or relevance (relevance depends on the corpus: not reproducible elsewhere)" },
	{ "since", 0, "WHEN", "only posts from this date or time on (same as date:WHEN..)" },
	{ "until", 0, "WHEN", "only posts up to this date or time, all of it (date:..WHEN)" },
	{ "tz", 0, "ZONE", "read dates and times in the query in this IANA zone (default UTC)" },
	{ "title", 0, "TEXT", "the dataset's title (data card, CITATION.cff, datapackage.json)" },
	{ "author", 0, "NAME", "an author of the dataset, 'Family, Given' or a name; repeat for each" },
	{ "version", 0, "TEXT", "the dataset's version" },
	{ "license", 0, "ID", "the dataset's licence (an SPDX id, e.g. CC-BY-4.0)" },
	{ "source-organization", 0, "TEXT", "bag-info.txt Source-Organization" },
	{ "contact-name", 0, "TEXT", "bag-info.txt Contact-Name" },
	{ "contact-email", 0, "TEXT", "bag-info.txt Contact-Email" },
	{ "verify", 0, NULL, "check the bag(s) given as operands instead: manifests, Payload-Oxum, tag files, every original" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"export",
	"[OPTIONS] --out PATH QUERY...   or   export --verify BAG...",
	"Write the posts a query matches as a BagIt bag (RFC 8493) to deposit, share or load back.",
	"The bag holds the posts as JSON lines and CSV (with a Frictionless Data Package\n"
	"and its Table Schema), the native ids per platform, the original records\n"
	"byte-exact as standard zstd frames with an index, the media files, CSL-JSON\n"
	"citations, the events and codes the posts carry, the inputs they came from, a\n"
	"data card (data/README.md) and CITATION.cff; manifests in sha256 and sha512.\n"
	"The payload is the same wherever the same posts are exported from, for the same\n"
	"query and options; SOURCE_DATE_EPOCH fixes the Bagging-Date (and the time of\n"
	"every member of a .zip or .tar.gz).  'quire ingest BAG' loads a bag back.\n\n"
	"Exit status: 0 written (or sound), 1 no posts matched, 2 usage or query error,\n"
	"3 damaged corpus or bad bag, 5 internal error or a bag that could not be written.",
	"  quire export -o wlm-0603 '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire export -o wlm.zip --title 'Fancams on #WhiteLivesMatter' --author 'Doe, Jane' '#WhiteLivesMatter'\n"
	"  quire export -o ids.tar.gz --content ids 'event:iwatch-dallas'\n"
	"  quire export --verify wlm.zip\n"
	"  cd wlm-0603 && sha256sum -c manifest-sha256.txt",
	options,
};

struct opts {
	qr_cmd_opts c;               /* --corpus, --since, --until, --tz */
	qr_export_opts x;
	const char *content;
	bool verify;
	char out_copy[4096];
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "out") == 0 && strlen(arg) >= sizeof(o->out_copy))
		return qr_usage_error("export", "--out is too long");
	else if (strcmp(name, "out") == 0)
		o->x.out = memcpy(o->out_copy, arg, strlen(arg) + 1);
	else if (strcmp(name, "content") == 0)
		o->content = arg;
	else if (strcmp(name, "sort") == 0)
		o->x.sort = arg;
	else if (strcmp(name, "title") == 0)
		o->x.title = arg;
	else if (strcmp(name, "author") == 0)
		qr_strv_push(&o->x.authors, arg);
	else if (strcmp(name, "version") == 0)
		o->x.version = arg;
	else if (strcmp(name, "license") == 0)
		o->x.license = arg;
	else if (strcmp(name, "source-organization") == 0)
		o->x.org = arg;
	else if (strcmp(name, "contact-name") == 0)
		o->x.contact_name = arg;
	else if (strcmp(name, "contact-email") == 0)
		o->x.contact_email = arg;
	else if (strcmp(name, "verify") == 0)
		o->verify = true;
	return 0;
}

void qr_export_printer(qr_printer *p, const char *sort)
{
	qr_printer_set_portable(p);
	if (sort && strcmp(sort, "relevance") != 0)
		qr_printer_order_ties(p);
}

void qr_export_ids_file(const char *platform, qr_buf *rel)
{
	qr_buf_setf(rel, "ids/");
	for (const char *s = *platform ? platform : "unknown"; *s; s++)
		qr_buf_addch(rel, (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("._-", *s) ? *s : '_');
	qr_buf_adds(rel, ".txt");
}

void qr_export_day(int64_t t, char out[16])
{
	char iso[32];
	qr_time_format_iso(t, iso);
	snprintf(out, 16, "%.10s", iso);
}

/* ---- the query pass: posts, CSV, citations, id lists ---- */

struct platform_ids {
	char *platform;
	qr_bag_file *file;
	qr_printer *pr;
};

/* The printers the posts go through, behind one tee: ties of a time
 * sort are put in id order once, before it. */
struct tee {
	qr_printer p;                /* first: freed as a printer */
	qr_export *x;
	qr_bag_file *files[3];
	qr_printer *prs[3];          /* jsonl, csv, csl-json */
	struct platform_ids *ids;
	size_t nids, ids_alloc;
	int failed;
};

static const char *const payload_printers[3][2] = {
	{ "jsonl", "posts.jsonl" }, { "csv", "posts.csv" }, { "csl-json", "citations.csl.json" }
};

static qr_printer *portable_printer(const char *name, FILE *f)
{
	qr_printer *pr = qr_printer_new(name, f, false, true, NULL);
	qr_printer_set_portable(pr);
	return pr;
}

/* The id list of a platform, opened at its first post. */
static struct platform_ids *platform_ids(struct tee *t, const char *platform)
{
	for (size_t i = 0; i < t->nids; i++)
		if (strcmp(t->ids[i].platform, platform) == 0)
			return &t->ids[i];
	qr_buf rel = QR_BUF_INIT;
	qr_export_ids_file(platform, &rel);
	qr_bag_file *f = qr_bag_open(t->x->bag, rel.buf, &t->x->err);
	qr_buf_release(&rel);
	if (!f) {
		t->failed = QR_IO;
		return NULL;
	}
	t->ids = qr_grow_array(t->ids, sizeof(*t->ids), t->nids + 1, &t->ids_alloc);
	struct platform_ids *pi = &t->ids[t->nids++];
	pi->platform = qr_strdup(platform);
	pi->file = f;
	pi->pr = portable_printer("ids", f->f);
	return pi;
}

static void note_source(qr_export *x, uint32_t shard, uint32_t n)
{
	uint64_t key = (uint64_t)shard << 32 | n;
	if (x->nsources && x->sources[x->nsources - 1] == key)
		return;
	x->sources = qr_grow_array(x->sources, sizeof(*x->sources), x->nsources + 1, &x->sources_alloc);
	x->sources[x->nsources++] = key;
}

/* Where the post's record is, for the originals pass. */
static void note_record(struct tee *t, const qr_post *p, uint32_t shard)
{
	qr_export *x = t->x;
	qr_export_record r = { 0 };
	if (!p->record.locator || !qr_locator_parse(p->record.locator, &r.loc) || !p->record.sha256 ||
	    !qr_unhex(p->record.sha256, r.sha256, QR_SHA256_LEN)) {
		qr_buf_setf(&x->err, "post %s has no valid record locator and sha256", p->id);
		t->failed = QR_DAMAGED;
		return;
	}
	r.source = p->source.number;
	r.shard = shard;
	r.id = (uint32_t)x->ids.len;
	const qr_format *f = p->source.format ? qr_format_by_name(p->source.format) : NULL;
	r.archive = f && f->archive;
	if (x->ids.len > UINT32_MAX - 4096) {
		qr_buf_setf(&x->err, "too many posts for one bag's originals");
		t->failed = QR_LIMIT;
		return;
	}
	qr_buf_adds(&x->ids, p->id);
	qr_buf_addch(&x->ids, '\0');
	x->records = qr_grow_array(x->records, sizeof(*x->records), x->nrecords + 1, &x->records_alloc);
	x->records[x->nrecords++] = r;
}

static void tee_hit(qr_printer *pr, const qr_hit *h)
{
	struct tee *t = (struct tee *)pr;
	qr_export *x = t->x;
	const qr_post *p = h->post;
	if (t->failed)
		return;
	x->posts++;
	if (p->created != QR_TIME_UNKNOWN) {
		if (x->first == QR_TIME_UNKNOWN || p->created < x->first)
			x->first = p->created;
		if (x->last == QR_TIME_UNKNOWN || p->created > x->last)
			x->last = p->created;
	}
	for (int i = 0; i < 3; i++)
		if (t->prs[i])
			t->prs[i]->hit(t->prs[i], h);
	struct platform_ids *pi = platform_ids(t, p->platform ? p->platform : "");
	if (pi)
		pi->pr->hit(pi->pr, h);
	x->post_keys = qr_grow_array(x->post_keys, sizeof(*x->post_keys), x->nposts_keys + 1, &x->post_keys_alloc);
	qr_export_post_key(p->id ? p->id : "", x->post_keys[x->nposts_keys++]);
	qr_progress_update(&x->progress, x->posts, 0);
}

static void tee_end(qr_printer *pr, uint32_t shown)
{
	struct tee *t = (struct tee *)pr;
	for (int i = 0; i < 3; i++)
		if (t->prs[i])
			t->prs[i]->end(t->prs[i], shown);
	for (size_t i = 0; i < t->nids; i++)
		t->ids[i].pr->end(t->ids[i].pr, shown);
}

static void tee_begin(qr_printer *pr, const qr_result_info *info)
{
	struct tee *t = (struct tee *)pr;
	for (int i = 0; i < 3; i++)
		if (t->prs[i])
			t->prs[i]->begin(t->prs[i], info);
}

static int tee_open(struct tee *t, qr_export *x)
{
	memset(t, 0, sizeof(*t));
	t->x = x;
	t->p.name = "export";
	t->p.begin = tee_begin;
	t->p.hit = tee_hit;
	t->p.end = tee_end;
	qr_buf_init(&t->p.buf);
	if (x->o->sort && strcmp(x->o->sort, "relevance") != 0)
		qr_printer_order_ties(&t->p);
	for (int i = 0; i < 3 && x->o->content >= QR_CONTENT_POSTS; i++) {
		if (!(t->files[i] = qr_bag_open(x->bag, payload_printers[i][1], &x->err)))
			return QR_IO;
		t->prs[i] = portable_printer(payload_printers[i][0], t->files[i]->f);
	}
	return 0;
}

static int tee_close(struct tee *t, int st)
{
	qr_export *x = t->x;
	for (int i = 0; i < 3; i++) {
		qr_printer_free(t->prs[i]);
		int c = qr_bag_close(x->bag, t->files[i], st ? &t->p.buf : &x->err);
		st = st ? st : c;
	}
	for (size_t i = 0; i < t->nids; i++) {
		qr_printer_free(t->ids[i].pr);
		int c = qr_bag_close(x->bag, t->ids[i].file, st ? &t->p.buf : &x->err);
		st = st ? st : c;
		free(t->ids[i].platform);
	}
	free(t->ids);
	qr_buf_release(&t->p.buf);
	qr_printer_wrap_free(&t->p);
	return st;
}

/* Why a page or a result could not be read, in x->err; QR_END asks for
 * another attempt. */
static int read_failed(qr_export *x, xc_status s, const qr_buf *why)
{
	if (s == XC_ERR_NETWORK) {
		qr_corpus_network_fault(why->buf, &x->err);
		return QR_DAMAGED;
	}
	qr_buf_setf(&x->err, "cannot read a result: %s", why->buf);
	return s == XC_ERR_DATABASE_MODIFIED ? QR_END : QR_DAMAGED;
}

static int read_hit(qr_export *x, qr_page *pg, xc_mset *ms, uint32_t i, qr_post *post)
{
	char *data = NULL;
	size_t len;
	int st = 0;
	xc_status s;
	qr_buf err = QR_BUF_INIT;
	if ((s = qr_corpus_page_data(x->c, pg, ms, i, &data, &len, &err)) != XC_OK) {
		st = read_failed(x, s, &err);
	} else {
		qr_post_clear(post);
		qr_buf why = QR_BUF_INIT;
		if (qr_post_from_json(post, data, len, &why)) {
			qr_buf_setf(&x->err, "a result holds no valid post: %s", why.buf);
			st = QR_DAMAGED;
		}
		qr_buf_release(&why);
	}
	free(data);
	qr_buf_release(&err);
	return st;
}

/* The shard of the federation (1-based) that holds a hit. */
static int shard_of(qr_export *x, xc_mset *ms, uint32_t i, uint32_t *shard)
{
	xc_docid docid = 0;
	qr_fed_shard *s = xc_mset_docid(ms, i, &docid) == XC_OK ? qr_federation_shard_of(x->fed, docid) : NULL;
	if (!s) {
		qr_buf_setf(&x->err, "no shard holds result %u", i);
		return QR_INTERNAL;
	}
	*shard = (uint32_t)(s - x->fed->v) + 1;
	return 0;
}

/* Every post the query matches, in the asked order, through the tee. */
static int query_pass(qr_export *x, struct tee *t)
{
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	qr_post post;
	qr_page *pg = qr_page_new();
	uint32_t pos = 0;
	int st = 0;
	xc_status s;
	qr_post_init(&post);
	if ((s = xc_enquire_create(qr_corpus_db(x->c), &enq)) != XC_OK) {
		qr_buf_setf(&x->err, "cannot search: %s", xc_db_error(qr_corpus_db(x->c)));
		st = s == XC_ERR_DATABASE_MODIFIED ? QR_END : QR_INTERNAL;
		goto out;
	}
	xc_enquire_set_query(enq, x->q);
	if (strcmp(x->o->sort, "newest") == 0)
		xc_enquire_set_sort_by_value(enq, QR_SLOT_TIME, 1, 0);
	else if (strcmp(x->o->sort, "oldest") == 0)
		xc_enquire_set_sort_by_value(enq, QR_SLOT_TIME, 0, 0);
	qr_result_info info = { x->o->query, NULL, NULL, 0, 0, 0, 0, 0, x->o->sort, NULL, true };
	t->p.begin(&t->p, &info);
	for (;;) {
		xc_mset_destroy(ms);
		ms = NULL;
		if ((s = xc_enquire_get_mset(enq, pos, PAGE, 0, &ms)) != XC_OK) {
			st = s == XC_ERR_DATABASE_MODIFIED ? QR_END : QR_USAGE;
			qr_buf_setf(&x->err, "cannot search: %s", xc_enquire_error(enq));
			goto out;
		}
		uint32_t n = xc_mset_size(ms);
		qr_buf why = QR_BUF_INIT;
		if ((s = qr_corpus_page_fetch(x->c, ms, pg, &why)) != XC_OK)
			st = read_failed(x, s, &why);
		qr_buf_release(&why);
		if (st)
			goto out;
		for (uint32_t i = 0; i < n && !t->failed; i++) {
			if ((st = read_hit(x, pg, ms, i, &post)))
				goto out;
			/* what is read from the store, in the order of the store:
			 * the order of the hits does not matter */
			uint32_t shard = 0;
			if (x->fed && (st = shard_of(x, ms, i, &shard)))
				goto out;
			if (post.source.number)
				note_source(x, shard, post.source.number);
			if (x->o->content == QR_CONTENT_ORIGINALS) {
				note_record(t, &post, shard);
				qr_export_note_media(x, &post, shard);
			}
			double w = 0;
			xc_mset_weight(ms, i, &w);
			qr_hit hit = { &post, pos + i + 1, w, 0, NULL, false, 0 };
			t->p.hit(&t->p, &hit);
		}
		if (t->failed) {
			st = t->failed;
			goto out;
		}
		pos += n;
		if (n < PAGE)
			break;
	}
	t->p.end(&t->p, pos);
	st = t->failed;
out:
	qr_post_clear(&post);
	qr_page_free(pg);
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}

/* ---- one attempt ---- */

struct job {
	qr_export *x;
	const char *dir;             /* where the bag is built */
	int64_t when;                /* Bagging-Date */
};

static void export_reset(qr_export *x)
{
	x->posts = 0;
	x->first = x->last = QR_TIME_UNKNOWN;
	x->nrecords = x->nsources = 0;
	qr_buf_reset(&x->ids);
	x->nposts_keys = 0;
	for (size_t i = 0; i < x->nmedia; i++) {
		free(x->media[i].locator);
		free(x->media[i].ext);
	}
	x->nmedia = x->media_missing = 0;
	for (size_t i = 0; i < x->ninputs; i++) {
		free(x->inputs[i].line);
		free(x->inputs[i].sha256);
	}
	free(x->inputs);
	x->inputs = NULL;
	x->ninputs = 0;
	x->originals = x->original_bytes = x->contexts = 0;
	x->originals_seconds = x->originals_cpu = 0;
}

static int attempt(qr_corpus *c, void *ctx, qr_buf *err)
{
	struct job *j = ctx;
	qr_export *x = j->x;
	qr_kvv info = { 0 };
	struct tee t;
	int st;

	export_reset(x);
	qr_bag_free(x->bag);
	x->bag = NULL;
	xc_query_destroy(x->q);
	x->q = NULL;
	qr_io_remove_tree(j->dir, err);
	if ((st = qr_query_build(qr_corpus_db(c), x->o->query, &x->o->q, &x->q, &x->err)))
		goto out;
	if ((st = qr_bag_create(j->dir, &x->bag, &x->err)))
		goto out;
	if ((st = tee_open(&t, x)) == 0)
		st = query_pass(x, &t);
	st = tee_close(&t, st);
	qr_progress_clear(&x->progress);
	if (st)
		goto out;
	if ((st = qr_export_sources(x)))
		goto out;
	if (x->o->content == QR_CONTENT_ORIGINALS && (st = qr_export_originals(x)))
		goto out;
	if ((st = qr_export_card(x, &info)))
		goto out;
	char day[16];
	qr_export_day(j->when, day);
	qr_kvv_set(&info, "Bagging-Date", day);
	st = qr_bag_finish(x->bag, &info, &x->err);
out:
	qr_kvv_clear(&info);
	if (st)
		qr_buf_setf(err, "%s", x->err.buf);
	return st;
}

/* ---- the command ---- */

static int64_t bagging_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	if (sde && *sde) {
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			return (int64_t)v;
		qr_warning("SOURCE_DATE_EPOCH is not a number of seconds: the time now is used");
	}
	return (int64_t)time(NULL);
}

static int check_options(struct opts *o)
{
	if (!o->x.out)
		return qr_usage_error("export", "no --out PATH given (a new folder, or a .zip or .tar.gz file)");
	if (strcmp(o->x.sort, "relevance") && strcmp(o->x.sort, "newest") && strcmp(o->x.sort, "oldest"))
		return qr_usage_error("export", "--sort takes oldest, newest or relevance, not '%s'", o->x.sort);
	o->x.content = -1;
	for (int i = 0; qr_content_names[i]; i++)
		if (strcmp(o->content, qr_content_names[i]) == 0)
			o->x.content = i;
	if (o->x.content < 0)
		return qr_usage_error("export", "--content takes originals, posts or ids, not '%s'", o->content);
	if (qr_cmd_check_tz("export", o->x.q.tz))
		return QR_EXIT_USAGE;
	/* "bag/" is the folder "bag" */
	size_t n = strlen(o->out_copy);
	while (n > 1 && o->out_copy[n - 1] == '/')
		o->out_copy[--n] = '\0';
	struct stat sb;
	if (lstat(o->x.out, &sb) == 0)
		return qr_usage_error("export", "'%s' exists: a bag is written to a new path", o->x.out);
	return 0;
}

static void export_free(qr_export *x)
{
	export_reset(x);
	qr_bag_free(x->bag);
	xc_query_destroy(x->q);
	qr_buf_release(&x->err);
	qr_buf_release(&x->shard_name);
	qr_buf_release(&x->ids);
	free(x->records);
	free(x->media);
	free(x->sources);
	free(x->post_keys);
}

static void print_problem(void *ctx, const char *file, const char *why)
{
	const char *bag = ctx;
	qr_error("bad bag: %s: %s (%s)", file, why, bag);
}

/* --verify: each operand, a folder or an archive unpacked for the
 * check. */
static int verify(int argc, char **argv)
{
	int worst = 0;
	if (argc < 1)
		return qr_usage_error("export", "--verify needs the bag to check");
	for (int i = 0; i < argc; i++) {
		const char *path = argv[i];
		qr_buf tmp = QR_BUF_INIT, root = QR_BUF_INIT, err = QR_BUF_INIT;
		const char *dir = path;
		long problems;
		if (qr_bag_kind_of(path) != QR_BAG_DIR) {
			const char *base = getenv("TMPDIR");
			qr_buf_setf(&tmp, "%s/quire-verify.%ld.%d", base && *base ? base : "/tmp", (long)getpid(), i);
			qr_io_remove_tree(tmp.buf, &err);
			if (qr_bag_unpack(path, tmp.buf, MAX_UNPACK, &root, &err)) {
				qr_error("bad bag: %s (%s)", err.buf, path);
				worst = QR_EXIT_DAMAGED;
				qr_io_remove_tree(tmp.buf, &err);
				goto next;
			}
			dir = root.buf;
		}
		problems = qr_bag_verify(dir, true, print_problem, (void *)path);
		if (problems < 0) {
			qr_error("bad bag: bagit.txt: missing: not a bag (%s)", path);
			worst = QR_EXIT_DAMAGED;
		} else if (problems > 0) {
			qr_error("bag '%s' is NOT sound: %ld problem%s", path, problems, problems == 1 ? "" : "s");
			worst = QR_EXIT_DAMAGED;
		} else {
			printf("%s: sound (every manifest, Payload-Oxum, tag manifests, every original record)\n", path);
		}
		if (tmp.len)
			qr_io_remove_tree(tmp.buf, &err);
next:
		qr_buf_release(&tmp);
		qr_buf_release(&root);
		qr_buf_release(&err);
	}
	return worst;
}

/* The finished bag in `dir` into place at out. */
static int put_in_place(const qr_export_opts *o, const char *dir, const char *tmp_archive, int64_t when, qr_buf *err)
{
	int kind = qr_bag_kind_of(o->out);
	if (kind == QR_BAG_DIR)
		return qr_io_rename(dir, o->out, err);
	qr_buf name = QR_BUF_INIT;
	char day[16];
	qr_bag_base_name(o->out, &name);
	qr_export_day(when, day);
	/* every member has the Bagging-Date's midnight (UTC) as its time */
	int64_t midnight = when - (when % 86400 + 86400) % 86400;
	(void)day;
	int st = qr_bag_pack(dir, name.buf, tmp_archive, kind, midnight, err);
	if (!st)
		st = qr_io_rename(tmp_archive, o->out, err);
	qr_buf_release(&name);
	return st;
}

int cmd_export(int argc, char **argv)
{
	struct opts o = { { 0 }, { 0 }, "originals", false, "" };
	qr_export x = { 0 };
	qr_buf text = QR_BUF_INIT, dir = QR_BUF_INIT, archive = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_corpus *c = NULL;
	int first, st;

	o.x.sort = "oldest";
	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st) {
		qr_strv_clear(&o.x.authors);
		return st < 0 ? 0 : st;
	}
	o.x.corpus = o.c.corpus;
	o.x.q = o.c.q;
	if (o.verify) {
		qr_strv_clear(&o.x.authors);
		return verify(argc - first, argv + first);
	}
	if ((st = check_options(&o)))
		goto done;
	qr_cmd_join(&text, argc - first, argv + first);
	o.x.query = text.buf;
	if (!o.x.authors.n)
		qr_warning("no --author: CITATION.cff names the author 'Unknown' (give --author 'Family, Given')");
	if ((st = qr_cmd_open_corpus(o.x.corpus, &c)))
		goto done;
	/* Built beside its final place (same file system), moved there when
	 * whole: a killed export leaves no half bag under the name asked. */
	qr_buf_setf(&dir, "%s.tmp-%ld", o.x.out, (long)getpid());
	if (qr_bag_kind_of(o.x.out) != QR_BAG_DIR) {
		qr_buf_setf(&archive, "%s", dir.buf);
		qr_buf_setf(&dir, "%s.d", archive.buf);
	}
	x.o = &o.x;
	x.c = c;
	x.fed = qr_corpus_federation(c);
	qr_progress_init(&x.progress, 0, "posts");
	struct job j = { &x, dir.buf, bagging_time() };
	st = qr_cmd_retry(c, attempt, &j);
	if (!st && x.posts == 0)
		st = QR_EXIT_NO_HITS;
	if (!st && (st = put_in_place(&o.x, dir.buf, archive.buf, j.when, &err))) {
		qr_error("cannot write the bag: %s", err.buf);
		st = QR_EXIT_INTERNAL;
	}
	if (st == QR_EXIT_NO_HITS)
		qr_error("no posts match: no bag written");
	qr_io_remove_tree(dir.buf, &err);
	if (archive.len)
		unlink(archive.buf);
	if (!st) {
		qr_buf line = QR_BUF_INIT;
		qr_buf_adds(&line, "exported ");
		qr_add_grouped(&line, x.posts);
		qr_buf_addf(&line, " post%s to %s (content %s", x.posts == 1 ? "" : "s", o.x.out,
			    qr_content_names[o.x.content]);
		if (o.x.content == QR_CONTENT_ORIGINALS) {
			qr_buf_adds(&line, ": ");
			qr_add_grouped(&line, x.originals);
			qr_buf_addf(&line, " original records, %.1f MB in %.1f s (%.1f s of CPU); %zu media files",
				    (double)x.original_bytes / 1e6, x.originals_seconds, x.originals_cpu, x.nmedia);
		}
		qr_buf_adds(&line, ")");
		puts(line.buf);
		qr_buf_release(&line);
	}
done:
	export_free(&x);
	qr_corpus_close(c);
	qr_strv_clear(&o.x.authors);
	qr_buf_release(&text);
	qr_buf_release(&dir);
	qr_buf_release(&archive);
	qr_buf_release(&err);
	return st;
}
