/*
 * Files built into the binary, so that quire needs no data files at run
 * time: the assembler's .incbin reads them at build time (the Makefile
 * rebuilds the object that embeds them when they change).  EMBED(sym,
 * "path") defines sym_start and sym_end around the file's bytes, followed
 * by a NUL byte.
 */
#ifndef QR_EMBED_H
#define QR_EMBED_H

#define EMBED(sym, file)                                                                                    \
	__asm__(".section .rodata\n"                                                                       \
		".balign 8\n"                                                                              \
		".global " #sym "_start\n"                                                                 \
		".global " #sym "_end\n" #sym "_start:\n"                                                  \
		".incbin \"" file "\"\n" #sym "_end:\n"                                                    \
		".byte 0\n"                                                                                \
		".previous\n")

#endif
