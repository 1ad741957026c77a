/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ptwalk sample-dump modules (sample-dumps/modules/<name>/).
 *
 * Keys: PTW_KEY("name=fmt", ...) prints "PTWALK_KEY name=value" at KERN_ERR, so it
 * reaches the serial console even with "quiet" (console loglevel 4) and lands in the
 * dump's kernel log too.  The host strips the printk timestamp.
 *
 * Unexported symbols: kallsyms_lookup_name() is not exported in 6.1; a kprobe on it
 * resolves its address (the kprobe is registered and unregistered at once).
 */
#ifndef PTWALK_KMOD_H
#define PTWALK_KMOD_H

#include <linux/kprobes.h>
#include <linux/printk.h>

#define PTW_KEY(fmt, ...) printk(KERN_ERR "PTWALK_KEY " fmt "\n", ##__VA_ARGS__)
#define PTW_NOTE(fmt, ...) printk(KERN_ERR "ptwalk: " fmt "\n", ##__VA_ARGS__)

typedef unsigned long (*ptw_kallsyms_fn)(const char *name);

static __maybe_unused ptw_kallsyms_fn ptw_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	void *addr;

	if (register_kprobe(&kp) < 0)
		return NULL;
	addr = kp.addr;
	unregister_kprobe(&kp);
	return (ptw_kallsyms_fn)addr;
}

/* The address of an unexported symbol, or 0 (and a note on the console). */
static __maybe_unused unsigned long ptw_symbol(const char *name)
{
	static ptw_kallsyms_fn fn;
	unsigned long addr;

	if (!fn)
		fn = ptw_kallsyms_lookup_name();
	if (!fn) {
		PTW_NOTE("cannot resolve kallsyms_lookup_name with a kprobe");
		return 0;
	}
	addr = fn(name);
	if (!addr)
		PTW_NOTE("symbol %s not found", name);
	return addr;
}

#endif
