/*
 * libarchive, loaded the first time an input needs it instead of when quire
 * starts.  With the libraries it brings (libxml2, ICU, nettle, liblzma,
 * ...) it costs about 0.7 ms of every process's start-up: a seventh of a
 * whole search, which never reads an archive (bench/RESULTS.md).
 *
 * Include after <archive.h> and <archive_entry.h>: the archive_* calls of
 * the including file then go through a table of pointers filled by
 * qr_libarchive(), which must have returned 0 before the first of them.
 * Reading serves ingest and bags; writing serves quire export's .zip and
 * .tar.gz bags.
 */
#ifndef QR_LIBARCHIVE_H
#define QR_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "buf.h"

#define QR_LIBARCHIVE_FUNCS(X)                                                                        \
	X(archive_entry_filetype) X(archive_entry_hardlink) X(archive_entry_is_encrypted)             \
	X(archive_entry_pathname) X(archive_error_string) X(archive_filter_code)                      \
	X(archive_filter_count) X(archive_filter_name) X(archive_format) X(archive_format_name)       \
	X(archive_read_data) X(archive_read_free) X(archive_read_new) X(archive_read_next_header)     \
	X(archive_read_open1) X(archive_read_open_memory) X(archive_read_set_callback_data)           \
	X(archive_read_set_read_callback) X(archive_read_set_seek_callback)                           \
	X(archive_read_set_skip_callback) X(archive_read_support_filter_all)                          \
	X(archive_read_support_filter_gzip) X(archive_read_support_format_7zip)                       \
	X(archive_read_support_format_cpio) X(archive_read_support_format_gnutar)                     \
	X(archive_read_support_format_raw) X(archive_read_support_format_tar)                         \
	X(archive_read_support_format_zip) X(archive_set_error)                                        \
	X(archive_read_open_filename) X(archive_entry_size) X(archive_entry_new) X(archive_entry_free) \
	X(archive_entry_set_pathname) X(archive_entry_set_size) X(archive_entry_set_filetype)         \
	X(archive_entry_set_perm) X(archive_entry_set_mtime) X(archive_write_new) X(archive_write_free) \
	X(archive_write_set_format_zip) X(archive_write_set_format_pax_restricted)                    \
	X(archive_write_add_filter_gzip) X(archive_write_set_options) X(archive_write_open_filename)   \
	X(archive_write_header) X(archive_write_data) X(archive_write_close)

struct qr_libarchive_fns {
#define QR_LIBARCHIVE_PTR(f) __typeof__(f) *f;
	QR_LIBARCHIVE_FUNCS(QR_LIBARCHIVE_PTR)
#undef QR_LIBARCHIVE_PTR
};
extern struct qr_libarchive_fns qr_la;

/* Load libarchive once (thread-safe): 0, or QR_INTERNAL with the reason in
 * err (a quire installed without the library it was built with). */
int qr_libarchive(qr_buf *err);

#ifndef QR_LIBARCHIVE_IMPL
#define archive_entry_filetype (qr_la.archive_entry_filetype)
#define archive_entry_hardlink (qr_la.archive_entry_hardlink)
#define archive_entry_is_encrypted (qr_la.archive_entry_is_encrypted)
#define archive_entry_pathname (qr_la.archive_entry_pathname)
#define archive_error_string (qr_la.archive_error_string)
#define archive_filter_code (qr_la.archive_filter_code)
#define archive_filter_count (qr_la.archive_filter_count)
#define archive_filter_name (qr_la.archive_filter_name)
#define archive_format (qr_la.archive_format)
#define archive_format_name (qr_la.archive_format_name)
#define archive_read_data (qr_la.archive_read_data)
#define archive_read_free (qr_la.archive_read_free)
#define archive_read_new (qr_la.archive_read_new)
#define archive_read_next_header (qr_la.archive_read_next_header)
#define archive_read_open1 (qr_la.archive_read_open1)
#define archive_read_open_memory (qr_la.archive_read_open_memory)
#define archive_read_set_callback_data (qr_la.archive_read_set_callback_data)
#define archive_read_set_read_callback (qr_la.archive_read_set_read_callback)
#define archive_read_set_seek_callback (qr_la.archive_read_set_seek_callback)
#define archive_read_set_skip_callback (qr_la.archive_read_set_skip_callback)
#define archive_read_support_filter_all (qr_la.archive_read_support_filter_all)
#define archive_read_support_filter_gzip (qr_la.archive_read_support_filter_gzip)
#define archive_read_support_format_7zip (qr_la.archive_read_support_format_7zip)
#define archive_read_support_format_cpio (qr_la.archive_read_support_format_cpio)
#define archive_read_support_format_gnutar (qr_la.archive_read_support_format_gnutar)
#define archive_read_support_format_raw (qr_la.archive_read_support_format_raw)
#define archive_read_support_format_tar (qr_la.archive_read_support_format_tar)
#define archive_read_support_format_zip (qr_la.archive_read_support_format_zip)
#define archive_set_error (qr_la.archive_set_error)
#define archive_read_open_filename (qr_la.archive_read_open_filename)
#define archive_entry_size (qr_la.archive_entry_size)
#define archive_entry_new (qr_la.archive_entry_new)
#define archive_entry_free (qr_la.archive_entry_free)
#define archive_entry_set_pathname (qr_la.archive_entry_set_pathname)
#define archive_entry_set_size (qr_la.archive_entry_set_size)
#define archive_entry_set_filetype (qr_la.archive_entry_set_filetype)
#define archive_entry_set_perm (qr_la.archive_entry_set_perm)
#define archive_entry_set_mtime (qr_la.archive_entry_set_mtime)
#define archive_write_new (qr_la.archive_write_new)
#define archive_write_free (qr_la.archive_write_free)
#define archive_write_set_format_zip (qr_la.archive_write_set_format_zip)
#define archive_write_set_format_pax_restricted (qr_la.archive_write_set_format_pax_restricted)
#define archive_write_add_filter_gzip (qr_la.archive_write_add_filter_gzip)
#define archive_write_set_options (qr_la.archive_write_set_options)
#define archive_write_open_filename (qr_la.archive_write_open_filename)
#define archive_write_header (qr_la.archive_write_header)
#define archive_write_data (qr_la.archive_write_data)
#define archive_write_close (qr_la.archive_write_close)
#endif

#endif
