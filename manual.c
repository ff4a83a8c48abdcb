#include "manual.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format.h"
#include "printer.h"
#include "query.h"
#include "text.h"

/* ---- reading each command's help table ---- */

static void catch_help(const qr_command_help *help, void *ctx)
{
	*(const qr_command_help **)ctx = help;
}

/* The command's help table, or NULL for a command without one (help,
 * version).  The command is run with --help, which hands its table over
 * instead of printing it; the tables are static, so they outlive the run. */
static const qr_command_help *help_of(const qr_command *c)
{
	const qr_command_help *got = NULL;
	char help_flag[] = "--help";
	char *name = (char *)c->name;
	char *args[] = { name, help_flag, NULL };
	/* The dispatcher's own commands have no table (version would print). */
	if (strcmp(c->name, "help") == 0 || strcmp(c->name, "version") == 0)
		return NULL;
	qr_cli_help_hook = catch_help;
	qr_cli_help_ctx = &got;
	c->run(2, args);
	qr_cli_help_hook = NULL;
	qr_cli_help_ctx = NULL;
	return got;
}

/* ---- roff ---- */

/* Text for roff: backslashes and minus signs (options must copy as
 * hyphen-minus) escaped, a request character at a line start neutralised. */
static void roff(qr_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool line_start = out->len == 0 || out->buf[out->len - 1] == '\n';
		if (line_start && (s[i] == '.' || s[i] == '\''))
			qr_buf_adds(out, "\\&");
		if (s[i] == '\\')
			qr_buf_adds(out, "\\e");
		else if (s[i] == '-')
			qr_buf_adds(out, "\\-");
		else
			qr_buf_addch(out, s[i]);
	}
}

static void roff_line(qr_buf *out, const char *s, size_t n)
{
	roff(out, s, n);
	qr_buf_addch(out, '\n');
}

static void roff_str(qr_buf *out, const char *s)
{
	roff(out, s, strlen(s));
}

/* Lines of text, split at '\n'. */
typedef struct lines {
	const char **p;
	size_t *len;
	size_t n, alloc, alloc_len;
} lines;

static void split_lines(lines *l, const char *text)
{
	const char *p = text;
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		l->p = qr_grow_array(l->p, sizeof(*l->p), l->n + 1, &l->alloc);
		l->len = qr_grow_array(l->len, sizeof(*l->len), l->n + 1, &l->alloc_len);
		l->p[l->n] = p;
		l->len[l->n++] = n;
		p = e ? e + 1 : NULL;
	}
}

static void lines_free(lines *l)
{
	free(l->p);
	free(l->len);
}

/* Where a "  tag   text" line's text starts (after a gap of two spaces or
 * more), or 0 when it has no gap. */
static size_t gap_at(const char *s, size_t n)
{
	for (size_t i = 3; i + 2 < n; i++)
		if (s[i] == ' ' && s[i + 1] == ' ' && s[i - 1] != ' ') {
			size_t j = i;
			while (j < n && s[j] == ' ')
				j++;
			return j < n ? j : 0;
		}
	return 0;
}

/* Indented lines [a, b): a list of "  tag  text" items (continuation lines
 * indented further) becomes .TP items; anything else stays as it is. */
static void indented_block(qr_buf *out, const lines *l, size_t a, size_t b)
{
	bool list = false;
	for (size_t i = a; i < b; i++)
		if (l->len[i] > 2 && l->p[i][2] != ' ' && gap_at(l->p[i], l->len[i]))
			list = true;
	if (!list) {
		qr_buf_adds(out, ".PP\n.RS 4\n.nf\n");
		for (size_t i = a; i < b; i++)
			roff_line(out, l->p[i] + 2, l->len[i] - 2);
		qr_buf_adds(out, ".fi\n.RE\n");
		return;
	}
	for (size_t i = a; i < b; i++) {
		const char *s = l->p[i];
		size_t n = l->len[i];
		if (n > 2 && s[2] != ' ') {
			size_t g = gap_at(s, n);
			size_t tag_end = g ? g : n;
			while (tag_end > 2 && s[tag_end - 1] == ' ')
				tag_end--;
			qr_buf_adds(out, ".TP\n\\fB");
			roff(out, s + 2, tag_end - 2);
			qr_buf_adds(out, "\\fR\n");
			if (g)
				roff_line(out, s + g, n - g);
		} else {
			size_t k = 0;
			while (k < n && s[k] == ' ')
				k++;
			roff_line(out, s + k, n - k);
		}
	}
	qr_buf_adds(out, ".PP\n");
}

static bool starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* Help text: paragraphs at blank lines, indented runs as lists or as they
 * are.  Lines that say the exit status go to *exit instead. */
static void text_block(qr_buf *out, const char *text, qr_buf *exit)
{
	lines l = { 0 };
	split_lines(&l, text);
	bool in_exit = false, para = true;
	for (size_t i = 0; i < l.n;) {
		const char *s = l.p[i];
		size_t n = l.len[i];
		if (n == 0) {
			in_exit = false;
			para = true;
			i++;
			continue;
		}
		if (starts_ci(s, n, "exit status:") || in_exit) {
			in_exit = true;
			size_t skip = starts_ci(s, n, "exit status:") ? strlen("exit status:") : 0;
			while (skip < n && s[skip] == ' ')
				skip++;
			roff_line(exit, s + skip, n - skip);
			i++;
			continue;
		}
		if (s[0] == ' ') {
			size_t j = i;
			while (j < l.n && l.len[j] && l.p[j][0] == ' ')
				j++;
			indented_block(out, &l, i, j);
			para = false;
			i = j;
			continue;
		}
		if (para)
			qr_buf_adds(out, ".PP\n");
		para = false;
		roff_line(out, s, n);
		i++;
	}
	lines_free(&l);
}

static void upper(qr_buf *out, const char *s)
{
	for (; *s; s++)
		qr_buf_addch(out, *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
}

static void title(qr_buf *out, const char *page)
{
	qr_buf name = QR_BUF_INIT;
	upper(&name, page);
	/* preconv reads the coding tag, so that man renders the UTF-8 of the
	 * examples (#블랙라이브스매터) whatever the locale. */
	qr_buf_adds(out, "'\\\" -*- coding: utf-8 -*-\n");
	qr_buf_adds(out, ".\\\" Made by 'quire help --man-pages' from the tables of quire's help.\n");
	qr_buf_adds(out, ".TH \"");
	roff_str(out, name.buf);
	qr_buf_adds(out, "\" 1 \"\" \"quire " QUIRE_VERSION "\" \"quire manual\"\n");
	/* Values and options must not break at a hyphen or stretch. */
	qr_buf_adds(out, ".nh\n.ad l\n");
	qr_buf_release(&name);
}

static void option_tag(qr_buf *out, int short_name, const char *name, const char *arg)
{
	qr_buf_adds(out, ".TP\n");
	if (short_name)
		qr_buf_addf(out, "\\fB\\-%c\\fR, ", short_name);
	qr_buf_adds(out, "\\fB\\-\\-");
	roff_str(out, name);
	qr_buf_adds(out, "\\fR");
	if (arg) {
		qr_buf_adds(out, " \\fI");
		roff_str(out, arg);
		qr_buf_adds(out, "\\fR");
	}
	qr_buf_addch(out, '\n');
}

static void command_page(qr_buf *out, const qr_command *c, const qr_command_help *h)
{
	qr_buf page = QR_BUF_INIT, exit = QR_BUF_INIT;
	qr_buf_setf(&page, "quire-%s", c->name);
	title(out, page.buf);
	qr_buf_adds(out, ".SH NAME\n");
	roff_str(out, page.buf);
	qr_buf_adds(out, " \\- ");
	roff_line(out, c->summary, strlen(c->summary));
	qr_buf_adds(out, ".SH SYNOPSIS\n.B quire ");
	roff_line(out, h->name, strlen(h->name));
	roff_line(out, h->usage, strlen(h->usage));
	qr_buf_adds(out, ".SH DESCRIPTION\n");
	roff_line(out, h->summary, strlen(h->summary));
	if (h->details)
		text_block(out, h->details, &exit);
	qr_buf_adds(out, ".SH OPTIONS\n");
	for (const qr_option *o = h->options; o && o->name; o++) {
		option_tag(out, o->short_name, o->name, o->arg);
		roff_line(out, o->help, strlen(o->help));
	}
	option_tag(out, 'h', "help", NULL);
	qr_buf_adds(out, "show the help (the text of this page)\n");
	qr_buf examples = QR_BUF_INIT;
	if (h->examples) {
		lines l = { 0 };
		split_lines(&l, h->examples);
		for (size_t i = 0; i < l.n; i++) {
			const char *s = l.p[i];
			size_t n = l.len[i];
			if (starts_ci(s, n, "exit status:")) {
				roff_line(&exit, s + 12 + (n > 12 && s[12] == ' '), n - 12 - (n > 12 && s[12] == ' '));
			} else if (n) {
				size_t k = n >= 2 && s[0] == ' ' && s[1] == ' ' ? 2 : 0;
				roff_line(&examples, s + k, n - k);
			}
		}
		lines_free(&l);
	}
	if (exit.len) {
		qr_buf_adds(out, ".SH \"EXIT STATUS\"\n");
		qr_buf_add(out, exit.buf, exit.len);
	}
	if (examples.len) {
		qr_buf_adds(out, ".SH EXAMPLES\n.nf\n");
		qr_buf_add(out, examples.buf, examples.len);
		qr_buf_adds(out, ".fi\n");
	}
	qr_buf_adds(out, ".SH \"SEE ALSO\"\n.BR quire (1)\n");
	qr_buf_release(&page);
	qr_buf_release(&exit);
	qr_buf_release(&examples);
}

static void main_page(qr_buf *out, const qr_command *cmds, size_t n, const bool *has_page, const char *datadir)
{
	title(out, "quire");
	qr_buf_adds(out, ".SH NAME\nquire \\- ");
	qr_buf tagline = QR_BUF_INIT;
	qr_buf_adds(&tagline, QUIRE_TAGLINE);
	tagline.buf[0] = (char)(tagline.buf[0] - 'A' + 'a');
	qr_buf_setlen(&tagline, tagline.len - 1);
	roff_line(out, tagline.buf, tagline.len);
	qr_buf_release(&tagline);
	qr_buf_adds(out, ".SH SYNOPSIS\n.B quire\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n.br\n"
			 ".B quire help\n[\\fICOMMAND\\fR]\n");
	qr_buf_adds(out, ".SH DESCRIPTION\n");
	roff_str(out, QUIRE_TAGLINE);
	qr_buf_adds(out, "\n.PP\n");
	roff_str(out,
		 "quire keeps historical social-media post archives the way an archivist would: every original "
		 "record is kept byte-exact in standard zstd files, every record is indexed with Xapian, and every "
		 "result comes back as a citation that can be checked against the original.\n");
	qr_buf_adds(out, ".PP\n");
	roff_str(out, "A corpus is a directory: --corpus DIR, else $QUIRE_CORPUS, else ./quire-corpus.  "
		      "'quire help COMMAND' or 'quire COMMAND -h' prints a command's help, which its page "
		      "holds too.\n");
	qr_buf_adds(out, ".SH COMMANDS\n");
	for (size_t i = 0; i < n; i++) {
		qr_buf_adds(out, ".TP\n\\fB");
		roff_str(out, cmds[i].name);
		qr_buf_adds(out, "\\fR\n");
		roff_str(out, cmds[i].summary);
		if (has_page[i]) {
			qr_buf_adds(out, "; see\n.BR quire\\-");
			roff_str(out, cmds[i].name);
			qr_buf_adds(out, " (1)");
		}
		qr_buf_addch(out, '\n');
	}
	qr_buf_adds(out, ".SH OPTIONS\n");
	option_tag(out, 'h', "help", NULL);
	qr_buf_adds(out, "list the commands\n");
	option_tag(out, 0, "version", NULL);
	qr_buf_adds(out, "print the versions of quire and Xapian\n");
	qr_buf_adds(out, ".SH \"EXIT STATUS\"\n");
	roff_line(out, QUIRE_EXIT_STATUS, strlen(QUIRE_EXIT_STATUS));
	qr_buf_adds(out, ".SH ENVIRONMENT\n.TP\n.B QUIRE_CORPUS\n");
	roff_str(out, "the corpus when --corpus is not given\n");
	qr_buf_adds(out, ".TP\n.B NO_COLOR\n");
	roff_str(out, "when set and not empty, no colour on a terminal (--color always still colours)\n");
	qr_buf_adds(out, ".TP\n.B QUIRE_PROGRESS\n");
	roff_str(out, "1 shows the progress line of long work even when standard error is not a terminal, "
		      "0 hides it on one\n");
	qr_buf_adds(out, ".SH FILES\n.TP\n");
	qr_buf b = QR_BUF_INIT;
	qr_buf_setf(&b, "%s/schemas/", datadir);
	qr_buf_adds(out, "\\fI");
	roff_str(out, b.buf);
	qr_buf_adds(out, "\\fR\n");
	roff_str(out, "the JSON Schemas of a post, of quire's JSON output, of event files and of mappings, and "
		      "the index schema (index.md); mappings/ holds the mappings built into quire\n");
	qr_buf_setf(&b, "%s/events/", datadir);
	qr_buf_adds(out, ".TP\n\\fI");
	roff_str(out, b.buf);
	qr_buf_adds(out, "\\fR\n");
	qr_buf_setf(&b, "the event catalogue of June 2020, to copy and edit, or to give as it is: "
			"quire ingest --events %s/events", datadir);
	roff_line(out, b.buf, b.len);
	qr_buf_release(&b);
	qr_buf_adds(out, ".SH \"SEE ALSO\"\n");
	for (size_t i = 0; i < n; i++) {
		if (!has_page[i])
			continue;
		qr_buf_adds(out, ".BR quire\\-");
		roff_str(out, cmds[i].name);
		qr_buf_adds(out, " (1),\n");
	}
	qr_buf_adds(out, ".BR xapian\\-delve (1),\n.BR zstd (1)\n");
}

static int write_file(const char *dir, const char *name, const qr_buf *text)
{
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", dir, name);
	FILE *f = fopen(path.buf, "w");
	int st = 0;
	if (!f || fwrite(text->buf, 1, text->len, f) != text->len) {
		qr_error("cannot write '%s': %s", path.buf, strerror(errno));
		st = 1;
	}
	if (f && fclose(f) != 0 && !st) {
		qr_error("cannot write '%s': %s", path.buf, strerror(errno));
		st = 1;
	}
	qr_buf_release(&path);
	return st;
}

int qr_manual_pages(const qr_command *cmds, size_t n, const char *dir, const char *datadir)
{
	bool *has_page = qr_calloc(n ? n : 1, sizeof(*has_page));
	qr_buf page = QR_BUF_INIT, name = QR_BUF_INIT;
	int st = 0;
	for (size_t i = 0; i < n && !st; i++) {
		const qr_command_help *h = help_of(&cmds[i]);
		if (!h)
			continue;
		has_page[i] = true;
		qr_buf_reset(&page);
		command_page(&page, &cmds[i], h);
		qr_buf_setf(&name, "quire-%s.1", cmds[i].name);
		st = write_file(dir, name.buf, &page);
	}
	if (!st) {
		qr_buf_reset(&page);
		main_page(&page, cmds, n, has_page, datadir);
		st = write_file(dir, "quire.1", &page);
	}
	free(has_page);
	qr_buf_release(&page);
	qr_buf_release(&name);
	return st;
}

/* ---- bash completion ---- */

static void add_word(qr_strv *out, const char *s, size_t n)
{
	qr_buf w = QR_BUF_INIT;
	qr_buf_add(&w, s, n);
	qr_strv_push_unique(out, w.buf, false);
	qr_buf_release(&w);
}

/* The values an option's help lists ("relevance (default), newest or
 * oldest"): its words, when the help is nothing but such a list once
 * parentheses and a leading "for what:" are left out.  --format's names
 * come from the printers' and readers' tables when the help points there. */
static bool listed_values(const char *help, qr_strv *out)
{
	if (strstr(help, "'quire formats'")) {
		for (size_t i = 0; qr_formats[i]; i++)
			add_word(out, qr_formats[i]->name, strlen(qr_formats[i]->name));
		return true;
	}
	qr_buf t = QR_BUF_INIT;
	int depth = 0;
	for (const char *p = help; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth)
			depth--;
		else if (!depth)
			qr_buf_addch(&t, *p);
	}
	const char *colon = strrchr(t.buf, ':');
	const char *p = colon ? colon + 1 : t.buf;
	qr_strv words = { 0 };
	bool ok = true;
	while (ok && *p) {
		size_t n = strcspn(p, ",");
		const char *e = p + n;
		/* "a, b or c": "b or c" is two words. */
		while (p < e) {
			while (p < e && *p == ' ')
				p++;
			if (p + 3 <= e && strncmp(p, "or ", 3) == 0)
				p += 3;
			const char *or = p;
			while (or < e && !(or + 4 <= e && strncmp(or, " or ", 4) == 0))
				or++;
			const char *we = or;
			while (we > p && we[-1] == ' ')
				we--;
			if (we - p == 17 && strncmp(p, "any search format", 17) == 0) {
				for (size_t i = 0; qr_printer_backends[i]; i++)
					add_word(&words, qr_printer_backends[i]->name, strlen(qr_printer_backends[i]->name));
			} else if (we > p) {
				for (const char *c = p; c < we; c++)
					if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
						ok = false;
				if (*p < 'a' || *p > 'z')
					ok = false;
				if (ok)
					add_word(&words, p, (size_t)(we - p));
			}
			p = or < e ? or + 4 : e;
		}
		p = *e ? e + 1 : e;
	}
	if (ok && words.n >= 2)
		for (size_t i = 0; i < words.n; i++)
			qr_strv_push_unique(out, words.v[i], false);
	else
		ok = false;
	qr_strv_clear(&words);
	qr_buf_release(&t);
	return ok;
}

static void join(FILE *out, const qr_strv *v, const char *before, const char *after)
{
	for (size_t i = 0; i < v->n; i++)
		fprintf(out, "%s%s%s%s", i ? " " : "", before, v->v[i], after);
}

/* What an option's value completes to, as shell words after "case $prev
 * in ...)". */
static void option_value(FILE *out, const qr_option *o)
{
	fprintf(out, "\t\t");
	if (o->short_name)
		fprintf(out, "-%c|", o->short_name);
	fprintf(out, "--%s) ", o->name);
	qr_strv values = { 0 };
	if (strcmp(o->arg, "DIR") == 0)
		fprintf(out, "_quire_files -d");
	else if (strcmp(o->arg, "FILE") == 0)
		fprintf(out, "_quire_files -f");
	else if (strcmp(o->arg, "ZONE") == 0)
		fprintf(out, "_quire_reply \"$(_quire_zones)\"");
	else if (strcmp(o->arg, "QUERY") == 0)
		fprintf(out, "_quire_query");
	else if (listed_values(o->help, &values)) {
		fprintf(out, "_quire_reply \"");
		join(out, &values, "", "");
		fprintf(out, "\"");
	} else
		fprintf(out, "COMPREPLY=()");
	fprintf(out, "; return ;;\n");
	qr_strv_clear(&values);
}

/* The operands of a usage line: QUERY, PATH, or "a | b ARG | c" choices. */
static void operands(FILE *out, const qr_command_help *h)
{
	const char *u = h->usage;
	if (strstr(u, " | ")) {
		/* A first word picks what follows: offer the words, then what
		 * the chosen one takes. */
		qr_strv first = { 0 }, paths = { 0 };
		const char *p = strstr(u, "] ") ? strstr(u, "] ") + 2 : u;
		while (*p) {
			size_t n = strcspn(p, "|");
			size_t w = strcspn(p, " |");
			add_word(&first, p, w);
			qr_buf alt = QR_BUF_INIT;
			qr_buf_add(&alt, p, n);
			if (strstr(alt.buf, "PATH"))
				add_word(&paths, p, w);
			qr_buf_release(&alt);
			p += n;
			while (*p == '|' || *p == ' ')
				p++;
		}
		fprintf(out, "\t\tif [ \"$(_quire_operands \"$argopts\")\" = 0 ]; then _quire_reply \"");
		join(out, &first, "", "");
		fprintf(out, "\"; return; fi\n");
		if (paths.n) {
			fprintf(out, "\t\tcase \" $words \" in");
			for (size_t i = 0; i < paths.n; i++)
				fprintf(out, "%s *\" %s \"*", i ? " |" : "", paths.v[i]);
			fprintf(out, ") _quire_files -f; return ;; esac\n");
		}
		fprintf(out, "\t\tCOMPREPLY=()\n");
		qr_strv_clear(&first);
		qr_strv_clear(&paths);
	} else if (strstr(u, "QUERY")) {
		fprintf(out, "\t\t_quire_query\n");
	} else if (strstr(u, "PATH")) {
		fprintf(out, "\t\t_quire_files -f\n");
	} else {
		fprintf(out, "\t\tCOMPREPLY=()\n");
	}
}

static void command_case(FILE *out, const qr_command_help *h)
{
	qr_strv opts = { 0 }, args = { 0 };
	qr_buf w = QR_BUF_INIT;
	for (const qr_option *o = h->options; o && o->name; o++) {
		qr_buf_setf(&w, "--%s", o->name);
		qr_strv_push(&opts, w.buf);
		if (o->arg)
			qr_strv_push(&args, w.buf);
		if (o->short_name) {
			qr_buf_setf(&w, "-%c", o->short_name);
			qr_strv_push(&opts, w.buf);
			if (o->arg)
				qr_strv_push(&args, w.buf);
		}
	}
	qr_strv_push(&opts, "--help");
	qr_strv_push(&opts, "-h");
	fprintf(out, "\t%s)\n\t\targopts=\"", h->name);
	join(out, &args, "", "");
	fprintf(out, "\"\n\t\tcase $prev in\n");
	for (const qr_option *o = h->options; o && o->name; o++)
		if (o->arg)
			option_value(out, o);
	fprintf(out, "\t\tesac\n\t\tcase $cur in -*) _quire_reply \"");
	join(out, &opts, "", "");
	fprintf(out, "\"; return ;; esac\n");
	operands(out, h);
	fprintf(out, "\t\t;;\n");
	qr_strv_clear(&opts);
	qr_strv_clear(&args);
	qr_buf_release(&w);
}

static void query_words(FILE *out)
{
	qr_strv prefixes = { 0 }, values = { 0 };
	qr_buf w = QR_BUF_INIT;
	fprintf(out, "_quire_query() {\n\tcase $cur in\n");
	for (size_t i = 0; qr_query_field(i); i++) {
		const char *f = qr_query_field(i);
		qr_buf_setf(&w, "%s:", f);
		qr_strv_push(&prefixes, w.buf);
		qr_strv_clear(&values);
		qr_query_field_values(f, &values);
		if (!values.n)
			continue;
		fprintf(out, "\t%s:*) _quire_reply \"", f);
		join(out, &values, w.buf, "");
		fprintf(out, "\" ;;\n");
	}
	fprintf(out, "\t*) _quire_reply \"");
	join(out, &prefixes, "", "");
	fprintf(out, "\"\n\t\t[ ${#COMPREPLY[@]} -gt 0 ] && compopt -o nospace 2>/dev/null ;;\n\tesac\n}\n\n");
	qr_strv_clear(&prefixes);
	qr_strv_clear(&values);
	qr_buf_release(&w);
}

void qr_manual_completion(const qr_command *cmds, size_t n, FILE *out)
{
	fprintf(out,
		"# bash completion for quire: commands, options, formats and the query's prefixes.\n"
		"# Made by 'quire help --completion bash' from the tables of quire's help.\n\n"
		"# _quire_reply WORDS: the words that complete $cur.  bash splits words at ':', so\n"
		"# what comes before the last one is already on the line and is left out.\n"
		"_quire_reply() {\n"
		"\tlocal IFS=$' \\t\\n' i pre\n"
		"\tCOMPREPLY=($(compgen -W \"$1\" -- \"$cur\"))\n"
		"\tif [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then\n"
		"\t\tpre=${cur%%\"${cur##*:}\"}\n"
		"\t\tfor i in \"${!COMPREPLY[@]}\"; do COMPREPLY[i]=${COMPREPLY[i]#\"$pre\"}; done\n"
		"\tfi\n"
		"}\n\n"
		"# _quire_files -d|-f: directories, or files and directories.\n"
		"_quire_files() {\n"
		"\tlocal IFS=$'\\n'\n"
		"\tcompopt -o filenames 2>/dev/null\n"
		"\tCOMPREPLY=($(compgen \"$1\" -- \"$cur\"))\n"
		"}\n\n"
		"_quire_zones() {\n"
		"\t(cd /usr/share/zoneinfo 2>/dev/null && find . -type f -name '[A-Z]*' | sed 's|^\\./||' |\n"
		"\t\tgrep -v '^\\(posix\\|right\\|SystemV\\)/')\n"
		"}\n\n"
		"# _quire_operands OPTS: how many operands come before $cur, OPTS being the\n"
		"# options that take a value.\n"
		"_quire_operands() {\n"
		"\tlocal n=0 i skip=0\n"
		"\tfor ((i = 2; i < ${#w[@]}; i++)); do\n"
		"\t\tif ((skip)); then skip=0; continue; fi\n"
		"\t\tcase \" $1 \" in *\" ${w[i]} \"*) skip=1; continue ;; esac\n"
		"\t\tcase ${w[i]} in -*) continue ;; esac\n"
		"\t\tn=$((n + 1))\n"
		"\tdone\n"
		"\techo $n\n"
		"}\n\n");
	query_words(out);
	fprintf(out, "_quire() {\n"
		     "\tlocal line=${COMP_LINE:0:$COMP_POINT}\n"
		     "\tlocal cur=${line##*[[:space:]]} prev words argopts\n"
		     "\tlocal -a w\n"
		     "\tread -r -a w <<<\"${line%%\"$cur\"}\"\n"
		     "\twords=${w[*]}\n"
		     "\tprev=${w[${#w[@]}-1]}\n"
		     "\tif [ ${#w[@]} -le 1 ]; then\n"
		     "\t\t_quire_reply \"");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s ", cmds[i].name);
	fprintf(out, "--help --version\"\n\t\treturn\n\tfi\n\tcase ${w[1]} in\n\thelp)\n"
		     "\t\t[ ${#w[@]} -eq 2 ] && _quire_reply \"");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", cmds[i].name);
	fprintf(out, "\"\n\t\t;;\n");
	for (size_t i = 0; i < n; i++) {
		const qr_command_help *h = help_of(&cmds[i]);
		if (h)
			command_case(out, h);
	}
	fprintf(out, "\t*) COMPREPLY=() ;;\n\tesac\n}\n\ncomplete -F _quire quire\n");
}
