/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SDEI_H
#define LKVM_SDEI_H

#include "lkvm/util.h"

/*
 * SDEI 1.1 dispatcher (ARM DEN0054C) as pure logic: no ioctl, no thread, no
 * global.  The KVM glue reads the argument registers a call needs, calls in,
 * and writes back only what the result says.  Not thread-safe: the glue
 * serialises every call on one struct sdei with a single lock.
 * docs/sdei.md describes the event table, the states and the choices made.
 */

/* Function ids (SMC64 only: the SMC32 forms do not exist). */
#define SDEI_FN(n)			(0xc4000020u + (n))
#define SDEI_FN_VERSION			SDEI_FN(0x00)
#define SDEI_FN_EVENT_REGISTER		SDEI_FN(0x01)
#define SDEI_FN_EVENT_ENABLE		SDEI_FN(0x02)
#define SDEI_FN_EVENT_DISABLE		SDEI_FN(0x03)
#define SDEI_FN_EVENT_CONTEXT		SDEI_FN(0x04)
#define SDEI_FN_EVENT_COMPLETE		SDEI_FN(0x05)
#define SDEI_FN_EVENT_COMPLETE_AND_RESUME SDEI_FN(0x06)
#define SDEI_FN_EVENT_UNREGISTER	SDEI_FN(0x07)
#define SDEI_FN_EVENT_STATUS		SDEI_FN(0x08)
#define SDEI_FN_EVENT_GET_INFO		SDEI_FN(0x09)
#define SDEI_FN_EVENT_ROUTING_SET	SDEI_FN(0x0a)
#define SDEI_FN_PE_MASK			SDEI_FN(0x0b)
#define SDEI_FN_PE_UNMASK		SDEI_FN(0x0c)
#define SDEI_FN_INTERRUPT_BIND		SDEI_FN(0x0d)
#define SDEI_FN_INTERRUPT_RELEASE	SDEI_FN(0x0e)
#define SDEI_FN_EVENT_SIGNAL		SDEI_FN(0x0f)
#define SDEI_FN_FEATURES		SDEI_FN(0x10)
#define SDEI_FN_PRIVATE_RESET		SDEI_FN(0x11)
#define SDEI_FN_SHARED_RESET		SDEI_FN(0x12)
/* The SMCCC filter range the glue forwards to userspace. */
#define SDEI_FN_RANGE_BASE		0xc4000020u
#define SDEI_FN_RANGE_NR		0x20u

/* Return codes (x0, sign-extended to 64 bits). */
#define SDEI_RET_SUCCESS		0
#define SDEI_RET_NOT_SUPPORTED		(-1)
#define SDEI_RET_INVALID_PARAMETERS	(-2)
#define SDEI_RET_DENIED			(-3)
#define SDEI_RET_PENDING		(-5)
#define SDEI_RET_OUT_OF_RESOURCE	(-10)

/* VERSION: 1.1, vendor "lkvm" in ASCII. */
#define SDEI_VERSION_MAJOR		1ULL
#define SDEI_VERSION_MINOR		1ULL
#define SDEI_VENDOR_LKVM		0x6c6b766dULL
#define SDEI_VERSION_VALUE \
	((SDEI_VERSION_MAJOR << 48) | (SDEI_VERSION_MINOR << 32) | SDEI_VENDOR_LKVM)

/* EVENT_REGISTER flags (x4) and ROUTING_SET mode (x2). */
#define SDEI_REGF_RM_ANY		0ULL
#define SDEI_REGF_RM_PE			1ULL
#define SDEI_REGF_RELATIVE		2ULL	/* 1.1 relative mode: not supported */

/* EVENT_COMPLETE status (x1). */
#define SDEI_EV_HANDLED			0
#define SDEI_EV_FAILED			1

/* EVENT_STATUS bits. */
#define SDEI_STATUS_REGISTERED		BIT(0)
#define SDEI_STATUS_ENABLED		BIT(1)
#define SDEI_STATUS_RUNNING		BIT(2)

/* EVENT_GET_INFO types (x2). */
#define SDEI_INFO_EV_TYPE		0	/* 0 private, 1 shared */
#define SDEI_INFO_EV_SIGNALED		1	/* 1 if EVENT_SIGNAL can raise it */
#define SDEI_INFO_EV_PRIORITY		2	/* 0 normal, 1 critical */
#define SDEI_INFO_EV_ROUTING_MODE	3	/* shared only */
#define SDEI_INFO_EV_ROUTING_AFF	4	/* shared, RM_PE only */

/* FEATURES (x1). */
#define SDEI_FEATURE_BIND_SLOTS		0	/* [15:0] private, [31:16] shared */
#define SDEI_FEATURE_RELATIVE_MODE	1

/*
 * The events lkvm offers.  Event 0 is the standard software-signalled event;
 * the others are lkvm platform events raised by the VMM (sdei_raise()).
 */
#define SDEI_EVENT_SW_SIGNALED		0u
#define SDEI_EVENT_PRIV_NORMAL		1000u
#define SDEI_EVENT_PRIV_CRITICAL	1001u
#define SDEI_EVENT_SHARED_NORMAL	2000u
#define SDEI_EVENT_SHARED_CRITICAL	2001u

/* x0..x17 are the registers a handler may clobber; the dispatcher keeps them. */
#define SDEI_SAVED_GPRS			18

/* An interrupted context: what dispatch saves and COMPLETE restores. */
struct sdei_ctx {
	u64 x[SDEI_SAVED_GPRS];
	u64 pc;
	u64 pstate;
	u64 sctlr;	/* SCTLR_EL1 then: it shapes the handler's PSTATE; never restored */
};

/*
 * PSTATE on entry to a handler (or the resume address) after interrupting
 * @interrupted, as the architecture's exception entry to EL1h builds it and
 * TF-A does for SDEI: D, A, I, F masked; NZCV and DIT kept; PAN set unless
 * SCTLR_EL1.SPAN says leave it; SSBS = SCTLR_EL1.DSSBS; SS, IL, BTYPE, UAO
 * and TCO clear (lkvm gives no guest MTE).
 */
u64 sdei_entry_pstate(u64 interrupted, u64 sctlr);

enum sdei_action {
	/* Write x0 = regs[0] (nr_regs registers from x0); PC stays past the HVC. */
	SDEI_ACT_RETURN,
	/* Handler done: write x0..x17, PC and PSTATE from ctx. */
	SDEI_ACT_COMPLETE,
	/* As COMPLETE, but PC = resume_pc, PSTATE = resume_pstate, plus ELR_EL1/SPSR_EL1. */
	SDEI_ACT_RESUME,
};

struct sdei_result {
	enum sdei_action action;
	int nr_regs;			/* how many of x0.. to write: 1 for RETURN, else 0 */
	u64 regs[4];
	struct sdei_ctx ctx;		/* COMPLETE, RESUME: registers to restore */
	u64 resume_pc, resume_pstate;	/* RESUME only */
	u64 elr_el1, spsr_el1;		/* RESUME only */
	u32 event;			/* COMPLETE, RESUME: the event that finished */
	bool failed;			/* COMPLETE with status FAILED (for logs) */
	/*
	 * Some PE may now have a deliverable event (this one included): call
	 * sdei_pes_to_kick(), and sdei_next_dispatch() for the caller before it
	 * runs again.
	 */
	bool kick;
};

/* What the glue must do to enter a handler on a PE. */
struct sdei_dispatch {
	u32 event;
	bool critical;
	/* Registers to write once committed: x0..x3 (x2/x3 filled by commit). */
	u64 x[4];
	u64 pc, pstate;
	int slot;			/* internal */
};

enum sdei_pe_power {
	SDEI_PE_ON,
	SDEI_PE_SUSPENDED,	/* keeps its state, takes no event; masked on wake-up */
	SDEI_PE_OFF,		/* loses its private events and any running handler */
};

enum sdei_raise_result {
	SDEI_RAISE_INVALID = -1,	/* unknown event, or bad target PE */
	SDEI_RAISE_PENDING = 0,		/* pending; call sdei_pes_to_kick() */
	SDEI_RAISE_DROPPED = 1,		/* not registered there: dropped */
};

struct sdei;
struct snap_w;
struct snap_r;

/* One PE per vCPU, @mpidrs[i] being vCPU i's MPIDR_EL1.  NULL on bad input. */
struct sdei *sdei_create(int nr_pes, const u64 *mpidrs);
void sdei_destroy(struct sdei *s);
/* Reboot in place: every event unregistered, nothing pending, all PEs on and masked. */
void sdei_reset(struct sdei *s);

/* Is @fid one of the SDEI functions this dispatcher implements? */
bool sdei_is_call(u32 fid);
/* "EVENT_REGISTER" etc. for logs and --stats; NULL for an unknown id. */
const char *sdei_fn_name(u32 fid);
/* How many argument registers, from x1, a call reads (0..5). */
int sdei_call_nr_args(u32 fid);
/* Handle one call from PE @pe; @args[0..sdei_call_nr_args(fid)-1] hold x1... */
void sdei_call(struct sdei *s, int pe, u32 fid, const u64 *args, struct sdei_result *res);

/* Host-side raising of an event: @target_pe for private events, ignored for shared. */
enum sdei_raise_result sdei_raise(struct sdei *s, u32 event, int target_pe);

/*
 * Delivery, two steps so that registers are read only when there is work:
 * sdei_next_dispatch() says whether PE @pe should enter a handler now and
 * fills @d (no state change).  The glue then reads the interrupted x0..x17,
 * PC, PSTATE and calls sdei_dispatch_commit(), which saves them, marks the
 * event running and completes @d (x2, x3); false means the state changed in
 * between and nothing was done.  Finally the glue writes x0..x3, PC, PSTATE.
 */
bool sdei_next_dispatch(const struct sdei *s, int pe, struct sdei_dispatch *d);
bool sdei_dispatch_commit(struct sdei *s, int pe, struct sdei_dispatch *d,
			  const struct sdei_ctx *interrupted);

/*
 * Fill @pes with the PEs that should be kicked out of KVM_RUN to dispatch
 * (each RM_ANY shared event picks one PE, round robin).  Returns how many.
 */
int sdei_pes_to_kick(struct sdei *s, int *pes, int max);

/* The glue tracks PSCI power: see enum sdei_pe_power. */
void sdei_pe_set_power(struct sdei *s, int pe, enum sdei_pe_power power);
/* Anything pending that targets @pe (ignoring its mask): a reason to wake it. */
bool sdei_pe_has_pending(const struct sdei *s, int pe);
/*
 * @pe is on (as far as the dispatcher knows) and holds state a power-off
 * would wipe: a private registration or a running handler.  The glue must
 * then notice a CPU_OFF, which KVM handles without telling it.
 */
bool sdei_pe_has_private_state(const struct sdei *s, int pe);

/*
 * Snapshot (docs/snapshot.md): everything the dispatcher keeps, appended to
 * @w (the layout is described in sdei.c).  sdei_load() reads it back from
 * @r into @s, which must have as many PEs with the same MPIDRs; the data is
 * input from outside, so every field is checked.  0, or -1 with *@why and
 * @s unchanged.  It reads only its own part: the caller checks what follows.
 */
void sdei_save(const struct sdei *s, struct snap_w *w);
int sdei_load(struct sdei *s, struct snap_r *r, const char **why);

/* Introspection for tests, fuzzers and logs. */
int sdei_nr_pes(const struct sdei *s);
int sdei_pe_depth(const struct sdei *s, int pe);	/* handlers running: 0..2 */
u32 sdei_pe_running_event(const struct sdei *s, int pe, int level);	/* 0 = outermost */
bool sdei_pe_masked(const struct sdei *s, int pe);
/* EVENT_STATUS bits of @event as PE @pe sees it, or -1 if unknown. */
int sdei_event_status(const struct sdei *s, int pe, u32 event);
/*
 * Why @event, raised and pending for @pe (any PE for a shared event), has
 * not been dispatched: a reason for people ("the PE is masked"), or NULL
 * when nothing of it is pending there (delivered, or dropped).
 */
const char *sdei_pending_reason(const struct sdei *s, int pe, u32 event);
enum sdei_pe_power sdei_pe_power_state(const struct sdei *s, int pe);
bool sdei_event_is_critical(u32 event);
bool sdei_event_is_shared(u32 event);

#endif
