/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON output shared by the crash commands and the batch tool. */
#ifndef PTWALK_JSON_H
#define PTWALK_JSON_H

#include <stdio.h>

/* s as a JSON string, quotes included (NULL as ""). */
void pw_json_str(FILE *fp, const char *s);

#endif
