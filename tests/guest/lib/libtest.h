/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runtime for bare lkvm test payloads: freestanding aarch64 code entered at
 * EL1h with the MMU off, x0 = DTB.  A test is one .c file that defines
 * test_main(); tests/guest/build.mk lists the header keys the runner reads.
 */
#ifndef LIBTEST_H
#define LIBTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1ULL << (n))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))

/* Guest physical map (kvmtool's, which lkvm follows). */
#define RAM_BASE	0x80000000UL
#define UART_BASE	0x01000000UL
#define GICD_BASE	0x3fff0000UL
#define GICR_FRAME_SIZE	0x20000UL
#define MAX_CPUS	8

/* ---- the test itself ------------------------------------------------- */
void test_main(void);
extern u64 boot_dtb;		/* x0 at entry */

/* ---- TAP ---------------------------------------------------------------- */
void plan(int n);
bool ok(bool cond, const char *fmt, ...) __printf(2, 3);
void diag(const char *fmt, ...) __printf(1, 2);
__noreturn void skip_all(const char *fmt, ...) __printf(1, 2);
__noreturn void bail(const char *fmt, ...) __printf(1, 2);
__noreturn void done(void);	/* summary, then PSCI SYSTEM_OFF */

/* ---- output ------------------------------------------------------------ */
void uart_putc(char c);
void puts_raw(const char *s);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* ---- freestanding libc bits (gcc may call these) ------------------------ */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- system registers -------------------------------------------------- */
#define read_sysreg(r) ({					\
	u64 __v;						\
	__asm__ volatile("mrs %0, " #r : "=r"(__v));		\
	__v;							\
})
#define write_sysreg(v, r) do {					\
	u64 __v = (u64)(v);					\
	__asm__ volatile("msr " #r ", %0" : : "r"(__v));	\
} while (0)
#define isb()		__asm__ volatile("isb" : : : "memory")
#define dsb(opt)	__asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt)	__asm__ volatile("dmb " #opt : : : "memory")
#define wfi()		__asm__ volatile("wfi" : : : "memory")
#define cpu_relax()	__asm__ volatile("yield" : : : "memory")

static inline u64 read_mpidr(void) { return read_sysreg(mpidr_el1); }
static inline u64 mpidr_aff(u64 mpidr) { return mpidr & 0xff00ffffffULL; }
static inline unsigned int current_el(void) { return (read_sysreg(CurrentEL) >> 2) & 3; }
static inline u64 read_daif(void) { return read_sysreg(daif); }
static inline u64 read_cntvct(void) { isb(); return read_sysreg(cntvct_el0); }
static inline u64 read_cntfrq(void) { return read_sysreg(cntfrq_el0); }
static inline u64 read_cntv_ctl(void) { return read_sysreg(cntv_ctl_el0); }
static inline void write_cntv_ctl(u64 v) { write_sysreg(v, cntv_ctl_el0); isb(); }
static inline u64 read_cntv_cval(void) { return read_sysreg(cntv_cval_el0); }
static inline void write_cntv_cval(u64 v) { write_sysreg(v, cntv_cval_el0); isb(); }
static inline u64 read_elr_el1(void) { return read_sysreg(elr_el1); }
static inline void write_elr_el1(u64 v) { write_sysreg(v, elr_el1); }
static inline u64 read_spsr_el1(void) { return read_sysreg(spsr_el1); }
static inline void write_spsr_el1(u64 v) { write_sysreg(v, spsr_el1); }
static inline void local_irq_enable(void) { __asm__ volatile("msr daifclr, #2" : : : "memory"); }
static inline void local_irq_disable(void) { __asm__ volatile("msr daifset, #2" : : : "memory"); }

/* Busy-wait; and a deadline helper for bounded polling loops. */
void udelay(u64 us);
u64 deadline_us(u64 us);			/* CNTVCT value @us from now */
static inline bool past(u64 deadline) { return read_cntvct() >= deadline; }

/* ---- MMIO ---------------------------------------------------------------- */
static inline u8 readb(u64 a) { u8 v; __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline u32 readl(u64 a) { u32 v; __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline u64 readq(u64 a) { u64 v; __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline void writeb(u8 v, u64 a) { __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static inline void writel(u32 v, u64 a) { __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static inline void writeq(u64 v, u64 a) { __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory"); }

/* ---- SMCCC / PSCI ---------------------------------------------------- */
struct smccc_res {
	u64 a0, a1, a2, a3;
};
struct smccc_res hvc(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7);
struct smccc_res smc(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7);
#define hvc0(fn)		hvc((fn), 0, 0, 0, 0, 0, 0, 0)
#define hvc1(fn, a)		hvc((fn), (a), 0, 0, 0, 0, 0, 0)
#define hvc2(fn, a, b)		hvc((fn), (a), (b), 0, 0, 0, 0, 0)
#define hvc3(fn, a, b, c)	hvc((fn), (a), (b), (c), 0, 0, 0, 0)

#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_SUSPEND	0x84000001u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON		0x84000003u
#define PSCI_AFFINITY_INFO	0x84000004u
#define PSCI_MIGRATE_INFO_TYPE	0x84000006u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u
#define PSCI_FEATURES		0x8400000au
#define PSCI_SYSTEM_SUSPEND	0x8400000eu
#define PSCI_SYSTEM_RESET2	0x84000012u
#define PSCI_SYSTEM_OFF2	0x84000015u
#define PSCI_64(fn)		((fn) | 0x40000000u)

#define PSCI_RET_SUCCESS		0
#define PSCI_RET_NOT_SUPPORTED		(-1)
#define PSCI_RET_INVALID_PARAMS		(-2)
#define PSCI_RET_DENIED			(-3)
#define PSCI_RET_ALREADY_ON		(-4)
#define PSCI_RET_ON_PENDING		(-5)
#define PSCI_RET_INTERNAL_FAILURE	(-6)
#define PSCI_RET_NOT_PRESENT		(-7)
#define PSCI_RET_DISABLED		(-8)
#define PSCI_RET_INVALID_ADDRESS	(-9)

#define PSCI_VER_MAJOR(v)	(((v) >> 16) & 0x7fff)
#define PSCI_VER_MINOR(v)	((v) & 0xffff)

u32 psci_version(void);
s32 psci_features(u32 fn);
s32 psci_affinity_info(u64 mpidr, u32 level);
s32 psci_cpu_off(void);
__noreturn void psci_system_off(void);	/* bails if the call returns */
s64 psci_system_reset(void);		/* returns only on failure */
s64 psci_system_off2(u32 type, u64 cookie);
s64 psci_system_suspend(u64 entry, u64 context);	/* SMC64 id */
s64 psci_raw_cpu_on(u64 mpidr, u64 entry, u64 context);

/*
 * Start @mpidr running fn(arg) on its own stack (@stack_top, 16-byte aligned;
 * NULL = the runtime's stack for that CPU index).  When fn returns, the CPU
 * calls CPU_OFF.  Returns the PSCI result of CPU_ON.
 */
s64 cpu_on(u64 mpidr, void (*fn)(void *), void *arg, void *stack_top);
/* KVM's default MPIDR for vCPU @idx (Aff0 = idx % 16, Aff1 = idx / 16). */
static inline u64 cpu_mpidr(unsigned int idx) { return ((u64)(idx >> 4) << 8) | (idx & 0xf); }
/* Number of /cpus/cpu@* nodes in the DTB (fdt.c). */
int nr_cpus(void);

/* ---- exceptions ------------------------------------------------------- */
struct pt_regs {
	u64 x[31];
	u64 sp;
	u64 elr;
	u64 spsr;
};
#define VEC_SYNC	0
#define VEC_IRQ		1
#define VEC_FIQ		2
#define VEC_SERROR	3
/*
 * Handlers return true if they dealt with the exception (the runtime then
 * returns to regs->elr, which they may change); false = unexpected, fail.
 */
typedef bool (*exc_handler_t)(struct pt_regs *regs, u64 esr);
void install_sync_handler(exc_handler_t h);
void install_irq_handler(exc_handler_t h);

/* ---- GICv3 -------------------------------------------------------------- */
#define GIC_PPI(n)	(16 + (n))
#define GIC_SPI(n)	(32 + (n))
#define TIMER_VIRT_INTID 27
void gic_init(void);			/* distributor + this CPU's redistributor + ICC */
void gic_enable_irq(u32 intid);		/* PPI/SGI on this CPU, or SPI routed here */
void gic_disable_irq(u32 intid);
void gic_set_edge(u32 intid);		/* an SPI, as the DT says edge-rising (virtio) */
u32 gic_ack(void);			/* ICC_IAR1_EL1 */
void gic_eoi(u32 intid);
u64 gic_redist_base(void);		/* this CPU's frame; 0 if not found */
u64 gic_redist_base_of(u64 mpidr);	/* any CPU's frame; 0 if not found */

/* ---- FDT ---------------------------------------------------------------- */
bool fdt_valid(u64 fdt);
/* Property of the node at @path ("/chosen", "/cpus/cpu@1"; a component without
 * '@' matches any unit address).  NULL if absent; *len = its size. */
const void *fdt_getprop(const char *path, const char *prop, u32 *len);
u32 fdt32(const void *p);
u64 fdt64(const void *p);
/* Children of the node at @path whose names start with @prefix. */
int fdt_count_children(const char *path, const char *prefix);

/* ---- later additions ------------------------------------------------------ */
/* GICv3, continued: a secondary's redistributor + CPU interface only (the
 * distributor is the boot CPU's gic_init()); SGIs through ICC_SGI1R_EL1. */
void gic_init_percpu(void);
void gic_send_sgi(u32 intid, u64 mpidr);	/* one target (Aff0 < 16) */
void gic_send_sgi_others(u32 intid);		/* IRM = 1: every CPU but this one */

#endif
