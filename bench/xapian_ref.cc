// bench/xapian_ref: the bare Xapian reference indexer.
//
//   xapian_ref FIELDS.tsv DBDIR [BATCH]
//
// Indexes the fields that bench/gen wrote (fields.tsv: the text as quire
// normalizes it, hashtags, author, media...) with the same TermGenerator
// settings, prefixes and value slots as quire's lib/schema.c: English
// stemmer, STEM_SOME, CJK n-grams, positions, a gap of 100 between fields,
// the boolean terms and the five value slots, one document per post
// replaced by its unique id term, a commit every BATCH posts (10,000).  No
// JSON is parsed, nothing is stored besides the index: what is timed is the
// engine's own single-thread rate on this data.  The document data is the
// post's TSV line, about the size of quire's normalized JSON.
//
// With XAPIAN_REF_DATA=none in the environment the documents carry no
// data (to measure what the document data costs).
//
// Prints one line: posts, seconds, posts/s.
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

enum Field {
	F_ID, F_CREATED, F_HANDLE, F_AUTHOR_ID, F_LANG, F_KIND, F_TAGS, F_MENTIONS, F_URLS, F_MTYPES, F_MURLS,
	F_MKEYS, F_COLLAPSE, F_SHA, F_OFFSET, F_LENGTH, F_TEXT, F_ALTS, F_COUNT
};

std::string unescape(const std::string &s)
{
	std::string out;
	out.reserve(s.size());
	for (size_t i = 0; i < s.size(); i++) {
		if (s[i] == '\\' && i + 1 < s.size()) {
			char c = s[++i];
			out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
		} else {
			out += s[i];
		}
	}
	return out;
}

std::vector<std::string> split(const std::string &s, char sep)
{
	std::vector<std::string> v;
	size_t start = 0;
	while (start <= s.size()) {
		size_t end = s.find(sep, start);
		if (end == std::string::npos)
			end = s.size();
		if (end > start)
			v.push_back(s.substr(start, end - start));
		start = end + 1;
	}
	return v;
}

void boolean(Xapian::Document &doc, const char *prefix, const std::string &value, bool casefold)
{
	if (value.empty())
		return;
	doc.add_boolean_term(prefix + (casefold ? Xapian::Unicode::tolower(value) : value));
}

// The host and each parent domain of two labels or more, as quire does.
void domains(Xapian::Document &doc, const std::string &url)
{
	size_t p = url.find("://");
	if (p == std::string::npos)
		return;
	p += 3;
	size_t end = url.find_first_of("/?#:", p);
	std::string host = url.substr(p, end == std::string::npos ? std::string::npos : end - p);
	for (size_t at = 0; at != std::string::npos;) {
		std::string d = host.substr(at);
		if (at == 0 || d.find('.') != std::string::npos)
			boolean(doc, "H", d, true);
		at = host.find('.', at);
		if (at != std::string::npos)
			at++;
	}
}

void index_text(Xapian::TermGenerator &tg, const std::string &text)
{
	if (text.empty())
		return;
	tg.index_text(text, 1, "");
	tg.increase_termpos(100);
}

}  // namespace

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::cerr << "usage: xapian_ref FIELDS.tsv DBDIR [BATCH]\n";
		return 2;
	}
	unsigned long batch = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 10000;
	std::ifstream in(argv[1]);
	if (!in) {
		std::cerr << "xapian_ref: cannot read " << argv[1] << "\n";
		return 3;
	}
	try {
		Xapian::WritableDatabase db(argv[2], Xapian::DB_CREATE_OR_OVERWRITE);
		Xapian::TermGenerator tg;
		tg.set_stemmer(Xapian::Stem("english"));
		tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
		tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
		const std::string source_sha(64, 'a');
		const char *data_mode = std::getenv("XAPIAN_REF_DATA");
		const bool with_data = !data_mode || std::strcmp(data_mode, "none") != 0;
		auto t0 = std::chrono::steady_clock::now();
		std::string line;
		unsigned long n = 0;
		while (std::getline(in, line)) {
			std::vector<std::string> f;
			size_t start = 0;
			for (;;) {
				size_t end = line.find('\t', start);
				f.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
				if (end == std::string::npos)
					break;
				start = end + 1;
			}
			if (f.size() != F_COUNT) {
				std::cerr << "xapian_ref: line " << n + 1 << " has " << f.size() << " fields\n";
				return 3;
			}
			Xapian::Document doc;
			tg.set_document(doc);
			index_text(tg, unescape(f[F_TEXT]));
			for (const std::string &alt : split(unescape(f[F_ALTS]), '\x1f'))
				index_text(tg, alt);

			std::string idterm = "Qtwitter:" + f[F_ID];
			doc.add_boolean_term(idterm);
			boolean(doc, "XP", "twitter", true);
			boolean(doc, "A", f[F_HANDLE], true);
			boolean(doc, "XI", f[F_AUTHOR_ID], false);
			boolean(doc, "L", f[F_LANG], true);
			boolean(doc, "XK", f[F_KIND], true);
			for (const std::string &t : split(f[F_TAGS], ' '))
				boolean(doc, "K", t, true);
			for (const std::string &t : split(f[F_MENTIONS], ' '))
				boolean(doc, "XM", t, true);
			for (const std::string &u : split(f[F_URLS], ' ')) {
				boolean(doc, "U", u, false);
				domains(doc, u);
			}
			std::vector<std::string> mtypes = split(f[F_MTYPES], ' ');
			boolean(doc, "XO", mtypes.empty() ? "none" : "any", false);
			for (const std::string &t : mtypes)
				boolean(doc, "XO", t, true);
			for (const std::string &u : split(f[F_MURLS], ' '))
				boolean(doc, "XU", u, false);
			for (const std::string &k : split(f[F_MKEYS], ' '))
				boolean(doc, "XU", k, false);
			boolean(doc, "XS", "1", false);
			boolean(doc, "XS", source_sha, true);
			boolean(doc, "XR", f[F_SHA], true);

			time_t created = (time_t)std::strtoll(f[F_CREATED].c_str(), nullptr, 10);
			doc.add_value(0, Xapian::sortable_serialise((double)created));
			struct tm tm;
			gmtime_r(&created, &tm);
			char minute[32];
			std::snprintf(minute, sizeof(minute), "%04d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
				      tm.tm_mday, tm.tm_hour, tm.tm_min);
			doc.add_value(1, minute);
			doc.add_value(2, f[F_AUTHOR_ID]);
			doc.add_value(3, f[F_COLLAPSE]);
			std::string sha(32, '\0');
			for (size_t i = 0; i < 32 && 2 * i + 1 < f[F_SHA].size(); i++)
				sha[i] = (char)std::strtoul(f[F_SHA].substr(2 * i, 2).c_str(), nullptr, 16);
			doc.add_value(4, sha);
			if (with_data)
				doc.set_data(line);

			db.replace_document(idterm, doc);
			if (++n % batch == 0)
				db.commit();
		}
		db.commit();
		double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
		std::printf("posts %lu seconds %.3f rate %.1f\n", n, s, n / s);
	} catch (const Xapian::Error &e) {
		std::cerr << "xapian_ref: " << e.get_description() << "\n";
		return 5;
	}
	return 0;
}
