// SPDX-License-Identifier: GPL-2.0
/*
 * Prints "READY <boot>" and reboots (SYSTEM_RESET) when a byte arrives on
 * the UART: a host script decides when the guest reboots, and changes files
 * in between.  Boots are counted through the PL031, which keeps its time.
 * tests/linux/boot-files-changed.sh and snapshot-reboot.sh run it.
 *
 * run-by: tests/linux/boot-files-changed.sh
 */
#include "psci-suspend.h"

#define UART_RBR	0
#define UART_IER	1
#define UART_LSR	5
#define UART_LSR_DR	0x01

void test_main(void)
{
	unsigned int boot = boot_number();

	boot_mark(boot);
	/* Listening (receive interrupt on, not routed anywhere): lkvm hands input over. */
	writeb(1, UART_BASE + UART_IER);
	printf("READY %u\n", boot);
	while (!(readb(UART_BASE + UART_LSR) & UART_LSR_DR))
		udelay(1000);
	readb(UART_BASE + UART_RBR);
	psci_system_reset();
	bail("SYSTEM_RESET returned");
}
