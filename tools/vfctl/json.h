/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfctl: a small streaming JSON writer.
 *
 * Members of an object are written with a key, elements of an array and
 * the top-level value with a NULL key.  Separators and, in pretty mode,
 * indentation are handled here; strings are escaped so that the output
 * is valid JSON (and valid UTF-8) whatever bytes they hold.
 */
#ifndef _VFCTL_JSON_H
#define _VFCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JW_MAX_DEPTH	16

struct jw {
	FILE *out;
	bool pretty;
	unsigned int depth;
	bool first[JW_MAX_DEPTH];
};

void jw_init(struct jw *jw, FILE *out, bool pretty);
void jw_obj_open(struct jw *jw, const char *key);
void jw_obj_close(struct jw *jw);
void jw_arr_open(struct jw *jw, const char *key);
void jw_arr_close(struct jw *jw);
void jw_str(struct jw *jw, const char *key, const char *val);
void jw_u64(struct jw *jw, const char *key, __u64 val);
void jw_bool(struct jw *jw, const char *key, bool val);
void jw_null(struct jw *jw, const char *key);
void jw_escape(FILE *out, const char *s);

#endif /* _VFCTL_JSON_H */
