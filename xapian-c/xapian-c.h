/*
 * libxapian-c: a C binding of the Xapian C++ search engine library.
 *
 * The binding knows nothing of any application: it exposes Xapian's objects
 * as opaque handles.  Every function returns an xc_status; no C++ exception
 * ever crosses it.  When a call on a handle fails, the handle keeps the
 * message, readable with the matching *_error() function until the next
 * failing call on that handle.  Constructors that can fail for a reason other
 * than memory take a `char **errmsg` which, when not NULL, receives a
 * malloc'd message the caller frees.
 *
 * Ownership: every object handed back through an out-pointer belongs to the
 * caller, who releases it with its *_destroy function.  Every destroy accepts
 * NULL.  Objects are independent: destroying a database does not invalidate
 * documents or result sets already taken from it (Xapian counts references).
 * A handle must not be used from two threads at once.
 */
#ifndef XAPIAN_C_H
#define XAPIAN_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define XC_API __attribute__((visibility("default")))
#else
#define XC_API
#endif

typedef enum xc_status {
	XC_OK = 0,
	XC_END,                     /* an iterator is exhausted (not an error) */
	XC_NOT_FOUND,               /* no such document, term or value */
	XC_ERR_NOMEM,
	XC_ERR_INVALID_ARGUMENT,    /* InvalidArgumentError, InvalidOperationError, bad C argument */
	XC_ERR_DATABASE_MODIFIED,   /* DatabaseModifiedError: reopen and retry */
	XC_ERR_DATABASE_LOCKED,     /* DatabaseLockError: another writer holds the lock */
	XC_ERR_DATABASE_OPENING,    /* DatabaseOpeningError (missing, version, ...) */
	XC_ERR_DATABASE_CORRUPT,    /* DatabaseCorruptError */
	XC_ERR_DATABASE,            /* any other DatabaseError (I/O failures included) */
	XC_ERR_QUERY_PARSER,        /* QueryParserError */
	XC_ERR_WILDCARD,            /* WildcardError: an expansion went past its limit */
	XC_ERR_NETWORK,             /* NetworkError (remote backend) */
	XC_ERR_CALLBACK,            /* a C callback reported a failure */
	XC_ERR_XAPIAN,              /* any other Xapian::Error */
	XC_ERR_UNKNOWN              /* an exception that is not a Xapian::Error */
} xc_status;

/* A stable, lowercase name for a status ("database locked", ...). */
XC_API const char *xc_status_string(xc_status status);
/* Version of the Xapian library linked at run time, e.g. "1.4.22". */
XC_API const char *xc_version_string(void);

typedef uint32_t xc_docid;
typedef uint32_t xc_valueno;

typedef struct xc_db xc_db;
typedef struct xc_doc xc_doc;
typedef struct xc_stem xc_stem;
typedef struct xc_termgen xc_termgen;
typedef struct xc_query xc_query;
typedef struct xc_qp xc_qp;
typedef struct xc_enquire xc_enquire;
typedef struct xc_mset xc_mset;
typedef struct xc_spy xc_spy;
typedef struct xc_keymaker xc_keymaker;
typedef struct xc_termiter xc_termiter;
typedef struct xc_postiter xc_postiter;

/* ---- iterators over (term or value, frequency) pairs ------------------ */

/* Next item: *term (not NUL-terminated in general: use *len) stays valid
 * until the next call on the iterator.  freq is the term frequency, the
 * within-document frequency or the match-spy count, as the source says.
 * Returns XC_END when done. */
XC_API xc_status xc_termiter_next(xc_termiter *it, const char **term, size_t *len, uint32_t *freq);
/* Position the iterator so that the next item is the first >= term. */
XC_API xc_status xc_termiter_skip_to(xc_termiter *it, const char *term, size_t len);
XC_API const char *xc_termiter_error(const xc_termiter *it);
XC_API void xc_termiter_destroy(xc_termiter *it);

XC_API xc_status xc_postiter_next(xc_postiter *it, xc_docid *docid);
XC_API const char *xc_postiter_error(const xc_postiter *it);
XC_API void xc_postiter_destroy(xc_postiter *it);

/* ---- databases -------------------------------------------------------- */

enum {
	XC_DB_READONLY = 0,          /* read only; path may be a stub file */
	XC_DB_CREATE_OR_OPEN = 1,    /* writable, created when missing */
	XC_DB_OPEN = 2,              /* writable, must exist */
	XC_DB_CREATE = 3             /* writable, must not exist */
};
/* Flags OR'ed into the mode of a writable database.  Both give up what a
 * database normally promises after a crash: for scratch databases that are
 * rebuilt rather than recovered. */
enum {
	XC_DB_NO_SYNC = 0x100,       /* commits do not fsync (Xapian's DB_NO_SYNC) */
	XC_DB_DANGEROUS = 0x200      /* blocks are updated in place, no readers
				      * while it is written (DB_DANGEROUS) */
};

XC_API xc_status xc_db_open(const char *path, int mode, xc_db **out, char **errmsg);
/* A read-only database served by Xapian's remote backend: xapian-tcpsrv
 * on host:port, or a program that speaks the protocol on its standard
 * input and output (xapian-progsrv, through ssh: program "ssh", args
 * "host xapian-progsrv /path/index"; args are split at spaces).  A call
 * that waits longer than timeout_ms for the server fails with
 * XC_ERR_NETWORK; connect_timeout_ms bounds the connection (0: no
 * bound). */
XC_API xc_status xc_db_open_remote_tcp(const char *host, unsigned port, unsigned timeout_ms,
				       unsigned connect_timeout_ms, xc_db **out, char **errmsg);
XC_API xc_status xc_db_open_remote_prog(const char *program, const char *args, unsigned timeout_ms, xc_db **out,
					char **errmsg);
/* An empty read-only database to which shards are added with add_shard. */
XC_API xc_status xc_db_create_empty(xc_db **out);
/* A read-only database that holds nothing (no documents, no terms, no
 * metadata) but can be searched: a corpus whose index does not exist yet. */
XC_API xc_status xc_db_open_empty(xc_db **out);
/* Search `shard` as part of `db` (read-only databases only). */
XC_API xc_status xc_db_add_shard(xc_db *db, xc_db *shard);
XC_API const char *xc_db_error(const xc_db *db);
/* Release locks and files now; the handle then only accepts destroy. */
XC_API xc_status xc_db_close(xc_db *db);
XC_API void xc_db_destroy(xc_db *db);
/* Bring a reader to the latest revision; *changed (may be NULL) tells
 * whether there was a newer one. */
XC_API xc_status xc_db_reopen(xc_db *db, int *changed);
XC_API xc_status xc_db_doccount(xc_db *db, uint32_t *count);
XC_API xc_status xc_db_lastdocid(xc_db *db, xc_docid *docid);
XC_API xc_status xc_db_termfreq(xc_db *db, const char *term, size_t len, uint32_t *freq);
/* Metadata: *val is malloc'd (NUL-terminated; *len may be NULL); an absent
 * key gives XC_NOT_FOUND and *val NULL. */
XC_API xc_status xc_db_get_metadata(xc_db *db, const char *key, char **val, size_t *len);
XC_API xc_status xc_db_set_metadata(xc_db *db, const char *key, const char *val, size_t len);
XC_API xc_status xc_db_get_document(xc_db *db, xc_docid docid, xc_doc **out);
/* Every metadata key starting with prefix (may be ""), in byte order. */
XC_API xc_status xc_db_metadata_keys(xc_db *db, const char *prefix, xc_termiter **out);
/* The first document indexed by `term` (typically a unique id term). */
XC_API xc_status xc_db_find_term(xc_db *db, const char *term, size_t len, xc_docid *docid);
XC_API xc_status xc_db_postlist(xc_db *db, const char *term, size_t len, xc_postiter **out);
/* The positions of a term in a document, ascending: *pos is malloc'd
 * (NULL when there are none). */
XC_API xc_status xc_db_positions(xc_db *db, xc_docid docid, const char *term, size_t len, uint32_t **pos,
				 size_t *n);
/* All terms starting with prefix (may be ""), in byte order, with their
 * term frequencies. */
XC_API xc_status xc_db_allterms(xc_db *db, const char *prefix, xc_termiter **out);
/* The lowest and highest values stored in a slot (malloc'd); an empty slot
 * gives XC_NOT_FOUND. */
XC_API xc_status xc_db_value_bounds(xc_db *db, xc_valueno slot, char **lo, size_t *lolen, char **hi, size_t *hilen);

/* Writing (writable databases only). */
XC_API xc_status xc_db_add_document(xc_db *db, xc_doc *doc, xc_docid *docid);
XC_API xc_status xc_db_replace_document(xc_db *db, xc_docid docid, xc_doc *doc);
/* Replace the documents indexed by `term` (or add one if none); *docid
 * (may be NULL) receives the document's id. */
XC_API xc_status xc_db_replace_document_by_term(xc_db *db, const char *term, xc_doc *doc, xc_docid *docid);
XC_API xc_status xc_db_delete_document(xc_db *db, xc_docid docid);
XC_API xc_status xc_db_delete_document_by_term(xc_db *db, const char *term);
XC_API xc_status xc_db_commit(xc_db *db);
/* flushed != 0: the transaction is committed to disk on commit_transaction. */
XC_API xc_status xc_db_begin_transaction(xc_db *db, int flushed);
XC_API xc_status xc_db_commit_transaction(xc_db *db);
XC_API xc_status xc_db_cancel_transaction(xc_db *db);
/* Write a compacted copy of the database to `dest` (a new directory); a
 * database of several shards is merged into one.  flags: XC_COMPACT_*. */
enum {
	XC_COMPACT_MULTIPASS = 1     /* merge posting lists of more than 3
				      * shards in passes (Xapian's
				      * DBCOMPACT_MULTIPASS) */
};
XC_API xc_status xc_db_compact(xc_db *db, const char *dest, unsigned flags);

/* ---- documents -------------------------------------------------------- */

XC_API xc_status xc_doc_create(xc_doc **out);
XC_API const char *xc_doc_error(const xc_doc *doc);
XC_API void xc_doc_destroy(xc_doc *doc);
/* *data is malloc'd and NUL-terminated. */
XC_API xc_status xc_doc_get_data(xc_doc *doc, char **data, size_t *len);
XC_API xc_status xc_doc_set_data(xc_doc *doc, const char *data, size_t len);
XC_API xc_status xc_doc_add_term(xc_doc *doc, const char *term, size_t len, uint32_t wdf_inc);
XC_API xc_status xc_doc_add_boolean_term(xc_doc *doc, const char *term, size_t len);
XC_API xc_status xc_doc_add_posting(xc_doc *doc, const char *term, size_t len, uint32_t pos, uint32_t wdf_inc);
/* XC_NOT_FOUND when the document does not have the term. */
XC_API xc_status xc_doc_remove_term(xc_doc *doc, const char *term, size_t len);
XC_API xc_status xc_doc_clear_terms(xc_doc *doc);
XC_API xc_status xc_doc_termlist(xc_doc *doc, xc_termiter **out);
XC_API xc_status xc_doc_set_value(xc_doc *doc, xc_valueno slot, const char *val, size_t len);
/* *val is malloc'd; an empty slot gives XC_NOT_FOUND. */
XC_API xc_status xc_doc_get_value(xc_doc *doc, xc_valueno slot, char **val, size_t *len);
XC_API xc_status xc_doc_docid(xc_doc *doc, xc_docid *docid);

/* ---- stemming and text indexing -------------------------------------- */

/* lang: a Snowball language name or code ("english", "en"), or "none". */
XC_API xc_status xc_stem_create(const char *lang, xc_stem **out, char **errmsg);
XC_API void xc_stem_destroy(xc_stem *stem);

enum {
	XC_TG_FLAG_SPELLING = 128,
	XC_TG_FLAG_CJK_NGRAM = 2048
};
enum {
	XC_STEM_NONE = 0,   /* index only unstemmed terms */
	XC_STEM_SOME = 1,   /* stemmed terms get the Z prefix (the default) */
	XC_STEM_ALL = 2,
	XC_STEM_ALL_Z = 3,
	XC_STEM_SOME_FULL_POS = 4
};

XC_API xc_status xc_termgen_create(xc_termgen **out);
XC_API const char *xc_termgen_error(const xc_termgen *tg);
XC_API void xc_termgen_destroy(xc_termgen *tg);
XC_API xc_status xc_termgen_set_stemmer(xc_termgen *tg, const xc_stem *stem);
XC_API xc_status xc_termgen_set_stemming_strategy(xc_termgen *tg, int strategy);
XC_API xc_status xc_termgen_set_flags(xc_termgen *tg, int flags);
/* The document that index_text adds to.  Xapian documents are shared
 * references: terms the generator adds show through `doc`, which may be
 * destroyed independently. */
XC_API xc_status xc_termgen_set_document(xc_termgen *tg, xc_doc *doc);
XC_API xc_status xc_termgen_index_text(xc_termgen *tg, const char *text, size_t len, uint32_t wdf_inc, const char *prefix);
XC_API xc_status xc_termgen_index_text_without_positions(xc_termgen *tg, const char *text, size_t len, uint32_t wdf_inc, const char *prefix);
XC_API xc_status xc_termgen_increase_termpos(xc_termgen *tg, uint32_t delta);

/* ---- queries ---------------------------------------------------------- */

typedef enum xc_query_op {
	XC_OP_AND = 0,
	XC_OP_OR = 1,
	XC_OP_AND_NOT = 2,
	XC_OP_XOR = 3,
	XC_OP_AND_MAYBE = 4,
	XC_OP_FILTER = 5,
	XC_OP_NEAR = 6,
	XC_OP_PHRASE = 7,
	XC_OP_SYNONYM = 13,
	XC_OP_MAX = 14
} xc_query_op;

XC_API xc_status xc_query_term(const char *term, size_t len, xc_query **out);
/* Combine: the subqueries are copied, the caller still owns them.  window
 * is for NEAR and PHRASE (0: the number of subqueries). */
XC_API xc_status xc_query_combine(xc_query_op op, xc_query *const *subs, size_t n, uint32_t window, xc_query **out);
/* lo or hi may be NULL for an open end. */
XC_API xc_status xc_query_value_range(xc_valueno slot, const char *lo, size_t lolen, const char *hi, size_t hilen, xc_query **out);
XC_API xc_status xc_query_match_all(xc_query **out);
XC_API xc_status xc_query_match_nothing(xc_query **out);
/* Terms starting with `prefix`, at most max_expansion of them (0: no limit);
 * past the limit the search fails with XC_ERR_WILDCARD. */
XC_API xc_status xc_query_wildcard(const char *prefix, uint32_t max_expansion, xc_query **out);
XC_API xc_status xc_query_scale_weight(const xc_query *q, double factor, xc_query **out);
XC_API int xc_query_empty(const xc_query *q);
/* A malloc'd description (Xapian's get_description). */
XC_API char *xc_query_describe(const xc_query *q);
XC_API void xc_query_destroy(xc_query *q);

/* ---- the query parser ------------------------------------------------- */

enum {
	XC_QP_BOOLEAN = 1,
	XC_QP_PHRASE = 2,
	XC_QP_LOVEHATE = 4,
	XC_QP_BOOLEAN_ANY_CASE = 8,
	XC_QP_WILDCARD = 16,
	XC_QP_PURE_NOT = 32,
	XC_QP_PARTIAL = 64,
	XC_QP_CJK_NGRAM = 2048,
	XC_QP_DEFAULT = 7
};

/* A field processor: turn the text after `field:` into a query.  Return
 * XC_OK with *out set, or an error with *errmsg (malloc'd, may be left NULL)
 * which becomes the parser's error. */
typedef xc_status (*xc_field_fn)(void *ctx, const char *text, size_t len, xc_query **out, char **errmsg);
/* A range processor: begin or end may be empty (open end).  Return
 * XC_NOT_FOUND to leave the range to the next processor. */
typedef xc_status (*xc_range_fn)(void *ctx, const char *begin, size_t blen, const char *end, size_t elen, xc_query **out, char **errmsg);

XC_API xc_status xc_qp_create(xc_qp **out);
XC_API const char *xc_qp_error(const xc_qp *qp);
XC_API void xc_qp_destroy(xc_qp *qp);
/* Needed for wildcards and for stemming decisions; the parser keeps its own
 * reference. */
XC_API xc_status xc_qp_set_database(xc_qp *qp, xc_db *db);
XC_API xc_status xc_qp_set_stemmer(xc_qp *qp, const xc_stem *stem);
XC_API xc_status xc_qp_set_stemming_strategy(xc_qp *qp, int strategy);
XC_API xc_status xc_qp_set_default_op(xc_qp *qp, xc_query_op op);
/* Limit for wildcard and partial expansion (0: none); a query that expands
 * past it fails with XC_ERR_WILDCARD when run. */
XC_API xc_status xc_qp_set_max_expansion(xc_qp *qp, uint32_t max_expansion);
XC_API xc_status xc_qp_add_prefix(xc_qp *qp, const char *field, const char *prefix);
/* grouping: boolean terms with the same grouping are ORed (NULL: by field). */
XC_API xc_status xc_qp_add_boolean_prefix(xc_qp *qp, const char *field, const char *prefix, const char *grouping);
/* How a field callback's text is taken: as free text (split into words),
 * or whole up to the next blank as a boolean filter, several filters of the
 * field ORed (one value per document) or ANDed (many values). */
enum { XC_FIELD_TEXT = 0, XC_FIELD_BOOLEAN = 1, XC_FIELD_BOOLEAN_AND = 2 };
/* Callbacks live as long as the parser; ctx is passed back untouched.
 * boolean is one of XC_FIELD_*. */
XC_API xc_status xc_qp_add_field_callback(xc_qp *qp, const char *field, int boolean, xc_field_fn fn, void *ctx);
/* prefix: "date:" style marker that must start the range ("" for none). */
XC_API xc_status xc_qp_add_range_callback(xc_qp *qp, const char *prefix, xc_range_fn fn, void *ctx);
XC_API xc_status xc_qp_parse(xc_qp *qp, const char *text, int flags, const char *default_prefix, xc_query **out);

/* ---- searching -------------------------------------------------------- */

XC_API xc_status xc_enquire_create(xc_db *db, xc_enquire **out);
XC_API const char *xc_enquire_error(const xc_enquire *enq);
XC_API void xc_enquire_destroy(xc_enquire *enq);
XC_API xc_status xc_enquire_set_query(xc_enquire *enq, const xc_query *q);
/* Sort by a value slot (descending when reverse != 0); relevance breaks ties
 * when then_relevance != 0. */
XC_API xc_status xc_enquire_set_sort_by_value(xc_enquire *enq, xc_valueno slot, int reverse, int then_relevance);
XC_API xc_status xc_enquire_set_sort_by_relevance(xc_enquire *enq);
/* Sort by relevance, equal weights by a value slot (descending when
 * reverse != 0): an order that does not depend on document ids, which
 * differ between one database and the same documents in several. */
XC_API xc_status xc_enquire_set_sort_by_relevance_then_value(xc_enquire *enq, xc_valueno slot, int reverse);
/* Sort by the keys km makes (descending when reverse != 0; relevance
 * breaks ties when then_relevance != 0).  The enquire keeps a reference. */
XC_API xc_status xc_enquire_set_sort_by_key(xc_enquire *enq, xc_keymaker *km, int reverse, int then_relevance);
/* Keep at most max documents per distinct value of slot. */
XC_API xc_status xc_enquire_set_collapse_key(xc_enquire *enq, xc_valueno slot, uint32_t max);
/* Ascending (0) or descending (1) document id order among equal weights. */
XC_API xc_status xc_enquire_set_docid_order(xc_enquire *enq, int descending);
/* Boolean weighting: every match weighs 0 (for counts and filters). */
XC_API xc_status xc_enquire_set_weighting_bool(xc_enquire *enq);
/* The enquire keeps a reference; the spy sees every matching document the
 * match looks at (pass checkatleast = doccount for exact totals). */
XC_API xc_status xc_enquire_add_spy(xc_enquire *enq, xc_spy *spy);
XC_API xc_status xc_enquire_clear_spies(xc_enquire *enq);
XC_API xc_status xc_enquire_get_mset(xc_enquire *enq, uint32_t first, uint32_t maxitems, uint32_t checkatleast, xc_mset **out);

XC_API const char *xc_mset_error(const xc_mset *ms);
XC_API void xc_mset_destroy(xc_mset *ms);
XC_API uint32_t xc_mset_size(const xc_mset *ms);
XC_API uint32_t xc_mset_matches_estimated(const xc_mset *ms);
XC_API uint32_t xc_mset_matches_lower_bound(const xc_mset *ms);
XC_API uint32_t xc_mset_matches_upper_bound(const xc_mset *ms);
XC_API xc_status xc_mset_fetch(xc_mset *ms);
XC_API xc_status xc_mset_docid(xc_mset *ms, uint32_t i, xc_docid *docid);
XC_API xc_status xc_mset_weight(xc_mset *ms, uint32_t i, double *weight);
XC_API xc_status xc_mset_percent(xc_mset *ms, uint32_t i, int *percent);
/* How many documents collapsing folded into item i (a lower bound). */
XC_API xc_status xc_mset_collapse_count(xc_mset *ms, uint32_t i, uint32_t *count);
/* The value the enquire sorted item i by (a value slot's, or a key
 * maker's), malloc'd; empty when it sorted by relevance alone.  Remote
 * databases send it with the matches: no document is read. */
XC_API xc_status xc_mset_sort_key(xc_mset *ms, uint32_t i, char **key, size_t *len);
XC_API xc_status xc_mset_document(xc_mset *ms, uint32_t i, xc_doc **out);

enum {
	XC_SNIPPET_BACKGROUND_MODEL = 1,
	XC_SNIPPET_EXHAUSTIVE = 2,
	XC_SNIPPET_EMPTY_WITHOUT_MATCH = 4,
	XC_SNIPPET_CJK_NGRAM = 2048
};
/* A malloc'd snippet of text around what the query matched, the matched
 * terms wrapped in hi_start/hi_end.  Xapian escapes <, > and & as HTML
 * entities in the result. */
XC_API xc_status xc_mset_snippet(xc_mset *ms, const char *text, size_t len, size_t length, const xc_stem *stem,
				 int flags, const char *hi_start, const char *hi_end, const char *omit, char **out);

/* ---- match spies ------------------------------------------------------ */

/* Counts the values in a slot over the documents the match sees. */
XC_API xc_status xc_spy_value_count(xc_valueno slot, xc_spy **out);
/* Counts, for each term starting with prefix, the matching documents that
 * carry it (the prefix is kept in the reported terms). */
XC_API xc_status xc_spy_term_count(const char *prefix, xc_spy **out);
/* No value slot. */
#define XC_NO_SLOT ((xc_valueno)0xffffffff)
/* Counts, for each item of a slot's value (the whole value when separator
 * is -1, else each non-empty part between separator bytes, once a
 * document), the matching documents that carry it; and for each item the
 * number of distinct non-empty values of distinct_slot among them (unless
 * XC_NO_SLOT) and the document whose key by first_by is lowest, the lowest
 * docid among equal keys (unless first_by is NULL; the spy keeps a
 * reference).  Reads values, not term lists: fast over many documents.
 * xc_spy_top and xc_spy_all list the items. */
XC_API xc_status xc_spy_value_stats(xc_valueno slot, int separator, xc_valueno distinct_slot, xc_keymaker *first_by,
				   xc_spy **out);
/* Distinct values counted for an item by xc_spy_value_stats; XC_NOT_FOUND
 * when no document carried it. */
XC_API xc_status xc_spy_distinct(xc_spy *spy, const char *item, size_t len, uint32_t *distinct);
/* The first document for an item, by xc_spy_value_stats's first_by.  Over
 * several databases at once Xapian hands a spy each document with its
 * number in its own database: use xc_spy_first_key there. */
XC_API xc_status xc_spy_first(xc_spy *spy, const char *item, size_t len, xc_docid *docid);
/* The key first_by gave the first document for an item (a key maker of one
 * value, not reversed, gives the value itself); *key stays valid until the
 * spy runs again or is destroyed. */
XC_API xc_status xc_spy_first_key(xc_spy *spy, const char *item, size_t len, const char **key, size_t *klen);
/* Documents a stats spy saw that carry at least one item (0 for other
 * spies). */
XC_API uint32_t xc_spy_total_with(const xc_spy *spy);
XC_API const char *xc_spy_error(const xc_spy *spy);
XC_API void xc_spy_destroy(xc_spy *spy);
/* Documents the spy saw. */
XC_API uint32_t xc_spy_total(const xc_spy *spy);
/* The counted items, most frequent first (ties in byte order), at most max
 * of them (0: all). */
XC_API xc_status xc_spy_top(xc_spy *spy, uint32_t max, xc_termiter **out);
/* Every counted item in byte order of the term or value. */
XC_API xc_status xc_spy_all(xc_spy *spy, xc_termiter **out);

/* ---- sort keys -------------------------------------------------------- */

/*
 * A key maker sorts by several parts in turn, each ascending or descending
 * (reverse != 0): a value slot, or the frequency in `db` (every shard of
 * it) of the term made of a prefix and a slot's value (0 when the slot is
 * empty): "how many documents name this one".  Add the parts before the
 * key maker is given to an enquire.
 */
XC_API xc_status xc_keymaker_create(xc_db *db, xc_keymaker **out);
XC_API const char *xc_keymaker_error(const xc_keymaker *km);
XC_API void xc_keymaker_destroy(xc_keymaker *km);
XC_API xc_status xc_keymaker_add_value(xc_keymaker *km, xc_valueno slot, int reverse);
XC_API xc_status xc_keymaker_add_termfreq(xc_keymaker *km, const char *prefix, xc_valueno slot, int reverse);
/* The key of a document (*key malloc'd, binary: use *len), for tests and
 * for showing why a document sorts where it does. */
XC_API xc_status xc_keymaker_key(xc_keymaker *km, xc_doc *doc, char **key, size_t *len);

/* ---- helpers ---------------------------------------------------------- */

/* Xapian's sortable_serialise: an order-preserving encoding of a double.
 * buf must hold 18 bytes; returns the length used. */
XC_API size_t xc_sortable_serialise(double value, char *buf);
XC_API double xc_sortable_unserialise(const char *buf, size_t len);
/* Unicode lower-casing of UTF-8 text (Xapian::Unicode::tolower); *out is
 * malloc'd. */
XC_API xc_status xc_unicode_tolower(const char *text, size_t len, char **out, size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif
