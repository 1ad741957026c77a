/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash-style help text of ptwalk's commands (help.c). */
#ifndef PTWALK_HELP_H
#define PTWALK_HELP_H

extern char *help_ptwalk[];
extern char *help_ptdump[];
extern char *help_pgmap[];
extern char *help_pfninfo[];
extern char *help_pttriage[];
extern char *help_pgste[];

#endif
