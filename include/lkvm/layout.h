/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_LAYOUT_H
#define LKVM_LAYOUT_H

/* Guest physical memory map: kvmtool's arm64 map (docs/design.md). */
#define LKVM_IOPORT_BASE	0x00000000ULL	/* PCI I/O window (unused, kept free) */
#define LKVM_UART_BASE		0x01000000ULL	/* 8250, 0x1000 apart as kvmtool */
#define LKVM_UART_STRIDE	0x00001000ULL
#define LKVM_UART_SIZE		0x00000008ULL
#define LKVM_RTC_BASE		0x01010000ULL	/* PL031 (kvmtool puts its RTC here) */
#define LKVM_RTC_SIZE		0x00001000ULL
#define LKVM_PVTIME_BASE	0x01020000ULL	/* PV stolen time: 64 bytes a vCPU */
#define LKVM_PVTIME_SIZE	0x00010000ULL
#define LKVM_PVTIME_STRIDE	64ULL
#define LKVM_TESTDEV_BASE	0x01030000ULL	/* --test-device only */
#define LKVM_FLASH_BASE		0x02000000ULL
#define LKVM_VIRTIO_MMIO_BASE	0x03000000ULL
#define LKVM_VIRTIO_MMIO_SIZE	0x00000200ULL
#define LKVM_GIC_DIST_BASE	0x3fff0000ULL
#define LKVM_GIC_DIST_SIZE	0x00010000ULL
#define LKVM_GIC_REDIST_SIZE	0x00020000ULL	/* per vCPU, directly below the distributor */
#define LKVM_PCI_CFG_BASE	0x40000000ULL
#define LKVM_PCI_MMIO_BASE	0x50000000ULL
#define LKVM_RAM_BASE		0x80000000ULL

/* Where a flat binary (no arm64 Image header) is loaded, relative to RAM. */
#define LKVM_FLAT_OFFSET	0x80000ULL
/* Where a 32-bit kernel (--aarch32) is loaded, relative to RAM, as kvmtool. */
#define LKVM_AARCH32_OFFSET	0x8000ULL

/* KVM memory slots: RAM, then the PV time area. */
#define LKVM_SLOT_RAM		0
#define LKVM_SLOT_PVTIME	1

/* The ITS's 128 KiB frame sits directly below the redistributors. */
#define LKVM_GIC_ITS_SIZE	0x00020000ULL

/* Fixed SPIs (INTID - 32); virtio-mmio devices take the ones after these. */
#define LKVM_SPI_UART0		0
#define LKVM_SPI_RTC		4
#define LKVM_SPI_VIRTIO_FIRST	16

/* Private peripheral interrupts (INTID - 16) of the architected timer and PMU. */
#define LKVM_PPI_TIMER_SEC	13
#define LKVM_PPI_TIMER_PHYS	14
#define LKVM_PPI_TIMER_VIRT	11
#define LKVM_PPI_TIMER_HYP	10
#define LKVM_PPI_PMU		7

/* Device-tree phandles lkvm hands out; devices refer to them by these names. */
#define LKVM_PHANDLE_GIC	1
#define LKVM_PHANDLE_APB_PCLK	2
#define LKVM_PHANDLE_ITS	3

#endif
