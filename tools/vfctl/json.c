// SPDX-License-Identifier: GPL-2.0
/*
 * vfctl: a small streaming JSON writer.
 */

#include "json.h"

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
 */
static unsigned int utf8_len(const unsigned char *s)
{
	unsigned int n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}

	/* Only the second byte has the narrowed range. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void jw_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int n;

	fputc('"', out);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(out, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				/* Not UTF-8: U+FFFD REPLACEMENT CHARACTER. */
				fputs("\\ufffd", out);
				break;
			}
			fwrite(s, 1, n, out);
			s += n - 1;
			break;
		}
		s++;
	}
	fputc('"', out);
}

void jw_init(struct jw *jw, FILE *out, bool pretty)
{
	jw->out = out;
	jw->pretty = pretty;
	jw->depth = 0;
	jw->first[0] = true;
}

static void jw_indent(struct jw *jw)
{
	unsigned int i;

	fputc('\n', jw->out);
	for (i = 0; i < jw->depth; i++)
		fputs("  ", jw->out);
}

/* Separator, indentation and key before a value. */
static void jw_begin(struct jw *jw, const char *key)
{
	if (jw->depth) {
		if (!jw->first[jw->depth])
			fputc(',', jw->out);
		jw->first[jw->depth] = false;
		if (jw->pretty)
			jw_indent(jw);
	}
	if (key) {
		jw_escape(jw->out, key);
		fputs(jw->pretty ? ": " : ":", jw->out);
	}
}

static void jw_open(struct jw *jw, const char *key, char c)
{
	jw_begin(jw, key);
	fputc(c, jw->out);
	if (jw->depth + 1 < JW_MAX_DEPTH)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void jw_close(struct jw *jw, char c)
{
	bool empty = jw->first[jw->depth];

	if (jw->depth)
		jw->depth--;
	if (jw->pretty && !empty)
		jw_indent(jw);
	fputc(c, jw->out);
}

void jw_obj_open(struct jw *jw, const char *key)
{
	jw_open(jw, key, '{');
}

void jw_obj_close(struct jw *jw)
{
	jw_close(jw, '}');
}

void jw_arr_open(struct jw *jw, const char *key)
{
	jw_open(jw, key, '[');
}

void jw_arr_close(struct jw *jw)
{
	jw_close(jw, ']');
}

void jw_str(struct jw *jw, const char *key, const char *val)
{
	jw_begin(jw, key);
	jw_escape(jw->out, val);
}

void jw_u64(struct jw *jw, const char *key, __u64 val)
{
	jw_begin(jw, key);
	fprintf(jw->out, "%llu", val);
}

void jw_bool(struct jw *jw, const char *key, bool val)
{
	jw_begin(jw, key);
	fputs(val ? "true" : "false", jw->out);
}

void jw_null(struct jw *jw, const char *key)
{
	jw_begin(jw, key);
	fputs("null", jw->out);
}
