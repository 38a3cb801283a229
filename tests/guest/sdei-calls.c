// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI calls outside any handler: the DT node, VERSION, every function's
 * happy path and its error codes (DEN0054C; lkvm's choices in docs/sdei.md).
 * No --test-device: SDEI does not depend on it.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "sdei.h"

u64 sdei_handler(struct sdei_frame *f)
{
	bail("SDEI event %lu delivered in a test that raises none", (unsigned long)f->x[0]);
}

static bool prop_is(const char *path, const char *prop, const char *want)
{
	u32 len = 0;
	const char *p = fdt_getprop(path, prop, &len);

	return p && len == strlen(want) + 1 && !memcmp(p, want, len);
}

#define EP ((u64)(uintptr_t)sdei_entry)

void test_main(void)
{
	u64 me = mpidr_aff(read_mpidr());
	s64 v, r, r2;

	plan(69);

	/* ---- discovery ---- */
	ok(prop_is("/firmware/sdei", "compatible", "arm,sdei-1.0"),
	   "DT /firmware/sdei compatible = \"arm,sdei-1.0\"");
	ok(prop_is("/firmware/sdei", "method", "hvc"), "DT /firmware/sdei method = \"hvc\"");
	v = sdei_version();
	ok(v == (s64)((1ULL << 48) | (1ULL << 32) | LKVM_SDEI_VENDOR),
	   "VERSION = 1.1, vendor 0x6c6b766d (%#lx)", (unsigned long)v);
	r = sdei_call(0xc4000033u, 0, 0, 0, 0, 0);
	r2 = sdei_call(0xc400003fu, 0, 0, 0, 0, 0);
	ok(r == SDEI_NOT_SUPPORTED && r2 == SDEI_NOT_SUPPORTED,
	   "unknown ids in the forwarded range 0xc4000033/0xc400003f = NOT_SUPPORTED (%ld, %ld)",
	   (long)r, (long)r2);
	r = sdei_call(0x84000020u, 0, 0, 0, 0, 0);
	ok(r == SDEI_NOT_SUPPORTED, "SMC32 form of VERSION = NOT_SUPPORTED (%ld)", (long)r);
	ok(sdei_features(0) == 0, "FEATURES(BIND_SLOTS) = 0 (%ld)", (long)sdei_features(0));
	ok(sdei_features(1) == 0, "FEATURES(RELATIVE_MODE) = 0 (%ld)", (long)sdei_features(1));
	ok(sdei_features(2) == SDEI_INVALID_PARAMETERS, "FEATURES(2) = INVALID_PARAMETERS (%ld)",
	   (long)sdei_features(2));

	/* ---- REGISTER ---- */
	r = sdei_register(5, EP, 0, SDEI_RM_ANY, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "REGISTER(unknown event 5) = INVALID_PARAMETERS (%ld)",
	   (long)r);
	r = sdei_register(EV_SW, 0, 0, SDEI_RM_ANY, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "REGISTER(entry 0) = INVALID_PARAMETERS (%ld)", (long)r);
	r = sdei_register(EV_SW, EP + 2, 0, SDEI_RM_ANY, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "REGISTER(entry not 4-byte aligned) = INVALID_PARAMETERS (%ld)",
	   (long)r);
	r = sdei_register(EV_SW, EP, 0, 2, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "REGISTER(relative mode flag) = INVALID_PARAMETERS (%ld)",
	   (long)r);
	r = sdei_register(EV_SW, EP, 0, 4, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "REGISTER(reserved flag bit 2) = INVALID_PARAMETERS (%ld)",
	   (long)r);
	r = sdei_register(EV_SHARED_NORMAL, EP, 0, SDEI_RM_PE, 0x0f0f);
	ok(r == SDEI_INVALID_PARAMETERS,
	   "REGISTER(shared, RM_PE, affinity of no PE) = INVALID_PARAMETERS (%ld)", (long)r);
	ok(sdei_status(EV_SW) == 0 && sdei_status(EV_SHARED_NORMAL) == 0,
	   "failed REGISTERs leave STATUS = 0 (%ld, %ld)", (long)sdei_status(EV_SW),
	   (long)sdei_status(EV_SHARED_NORMAL));
	r = sdei_register(EV_SW, EP, 0x1234, SDEI_RM_ANY, 0);
	ok(r == SDEI_SUCCESS, "REGISTER(event 0) = SUCCESS (%ld)", (long)r);
	ok(sdei_status(EV_SW) == SDEI_ST_REGISTERED, "STATUS(0) = registered (%ld)",
	   (long)sdei_status(EV_SW));
	r = sdei_register(EV_SW, EP, 0, SDEI_RM_ANY, 0);
	ok(r == SDEI_DENIED, "REGISTER of a registered event = DENIED (%ld)", (long)r);
	ok(sdei_status(EV_SW | (7ULL << 32)) == SDEI_ST_REGISTERED,
	   "the upper half of a uint32 event argument is ignored (%ld)",
	   (long)sdei_status(EV_SW | (7ULL << 32)));

	/* ---- ENABLE / DISABLE ---- */
	ok(sdei_enable(5) == SDEI_INVALID_PARAMETERS, "ENABLE(unknown) = INVALID_PARAMETERS (%ld)",
	   (long)sdei_enable(5));
	ok(sdei_enable(EV_PRIV_NORMAL) == SDEI_DENIED, "ENABLE(unregistered) = DENIED (%ld)",
	   (long)sdei_enable(EV_PRIV_NORMAL));
	ok(sdei_disable(5) == SDEI_INVALID_PARAMETERS,
	   "DISABLE(unknown) = INVALID_PARAMETERS (%ld)", (long)sdei_disable(5));
	ok(sdei_disable(EV_PRIV_NORMAL) == SDEI_DENIED, "DISABLE(unregistered) = DENIED (%ld)",
	   (long)sdei_disable(EV_PRIV_NORMAL));
	r = sdei_enable(EV_SW);
	ok(r == SDEI_SUCCESS && sdei_status(EV_SW) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED),
	   "ENABLE(0) = SUCCESS, STATUS = registered|enabled (%ld, %ld)", (long)r,
	   (long)sdei_status(EV_SW));
	ok(sdei_enable(EV_SW) == SDEI_SUCCESS, "ENABLE again = SUCCESS (%ld)", (long)sdei_enable(EV_SW));
	r = sdei_disable(EV_SW);
	ok(r == SDEI_SUCCESS && sdei_status(EV_SW) == SDEI_ST_REGISTERED,
	   "DISABLE(0) = SUCCESS, STATUS = registered (%ld, %ld)", (long)r, (long)sdei_status(EV_SW));
	ok(sdei_disable(EV_SW) == SDEI_SUCCESS, "DISABLE again = SUCCESS (%ld)",
	   (long)sdei_disable(EV_SW));

	/* ---- STATUS / UNREGISTER ---- */
	ok(sdei_status(5) == SDEI_INVALID_PARAMETERS, "STATUS(unknown) = INVALID_PARAMETERS (%ld)",
	   (long)sdei_status(5));
	ok(sdei_unregister(5) == SDEI_INVALID_PARAMETERS,
	   "UNREGISTER(unknown) = INVALID_PARAMETERS (%ld)", (long)sdei_unregister(5));
	ok(sdei_unregister(EV_PRIV_CRITICAL) == SDEI_DENIED, "UNREGISTER(unregistered) = DENIED (%ld)",
	   (long)sdei_unregister(EV_PRIV_CRITICAL));
	sdei_enable(EV_SW);
	r = sdei_unregister(EV_SW);
	ok(r == SDEI_SUCCESS && sdei_status(EV_SW) == 0,
	   "UNREGISTER(enabled event 0) = SUCCESS, STATUS = 0 (%ld, %ld)", (long)r,
	   (long)sdei_status(EV_SW));
	ok(sdei_register(EV_SW, EP, 0, SDEI_RM_ANY, 0) == SDEI_SUCCESS,
	   "REGISTER again after UNREGISTER = SUCCESS");

	/* ---- GET_INFO ---- */
	ok(sdei_get_info(EV_SW, SDEI_INFO_TYPE) == 0 && sdei_get_info(EV_SW, SDEI_INFO_SIGNALED) == 1 &&
	   sdei_get_info(EV_SW, SDEI_INFO_PRIORITY) == 0,
	   "GET_INFO(0): private, signalable, normal");
	ok(sdei_get_info(EV_PRIV_NORMAL, SDEI_INFO_TYPE) == 0 &&
	   sdei_get_info(EV_PRIV_NORMAL, SDEI_INFO_SIGNALED) == 0 &&
	   sdei_get_info(EV_PRIV_NORMAL, SDEI_INFO_PRIORITY) == 0,
	   "GET_INFO(1000): private, not signalable, normal");
	ok(sdei_get_info(EV_PRIV_CRITICAL, SDEI_INFO_TYPE) == 0 &&
	   sdei_get_info(EV_PRIV_CRITICAL, SDEI_INFO_PRIORITY) == 1,
	   "GET_INFO(1001): private, critical");
	ok(sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_TYPE) == 1 &&
	   sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_SIGNALED) == 0 &&
	   sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_PRIORITY) == 0,
	   "GET_INFO(2000): shared, not signalable, normal");
	ok(sdei_get_info(EV_SHARED_CRITICAL, SDEI_INFO_TYPE) == 1 &&
	   sdei_get_info(EV_SHARED_CRITICAL, SDEI_INFO_PRIORITY) == 1,
	   "GET_INFO(2001): shared, critical");
	ok(sdei_get_info(5, SDEI_INFO_TYPE) == SDEI_INVALID_PARAMETERS,
	   "GET_INFO(unknown event) = INVALID_PARAMETERS (%ld)",
	   (long)sdei_get_info(5, SDEI_INFO_TYPE));
	ok(sdei_get_info(EV_SW, 5) == SDEI_INVALID_PARAMETERS,
	   "GET_INFO(info 5) = INVALID_PARAMETERS (%ld)", (long)sdei_get_info(EV_SW, 5));
	ok(sdei_get_info(EV_SW, SDEI_INFO_ROUTING_MODE) == SDEI_INVALID_PARAMETERS,
	   "GET_INFO(private, ROUTING_MODE) = INVALID_PARAMETERS (%ld)",
	   (long)sdei_get_info(EV_SW, SDEI_INFO_ROUTING_MODE));
	ok(sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_MODE) == SDEI_DENIED,
	   "GET_INFO(unregistered shared, ROUTING_MODE) = DENIED (%ld)",
	   (long)sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_MODE));
	r = sdei_register(EV_SHARED_NORMAL, EP, 0, SDEI_RM_ANY, 0);
	ok(r == SDEI_SUCCESS && sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_MODE) == SDEI_RM_ANY,
	   "REGISTER(2000, RM_ANY): GET_INFO(ROUTING_MODE) = RM_ANY (%ld, %ld)", (long)r,
	   (long)sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_MODE));
	ok(sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_AFF) == SDEI_INVALID_PARAMETERS,
	   "GET_INFO(RM_ANY event, ROUTING_AFF) = INVALID_PARAMETERS (%ld)",
	   (long)sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_AFF));
	r = sdei_register(EV_SHARED_CRITICAL, EP, 0, SDEI_RM_PE, read_mpidr());
	ok(r == SDEI_SUCCESS && sdei_get_info(EV_SHARED_CRITICAL, SDEI_INFO_ROUTING_MODE) == SDEI_RM_PE &&
	   (u64)sdei_get_info(EV_SHARED_CRITICAL, SDEI_INFO_ROUTING_AFF) == me,
	   "REGISTER(2001, RM_PE, own MPIDR): ROUTING_MODE = RM_PE, ROUTING_AFF = %#lx (%ld, %#lx)",
	   (unsigned long)me, (long)r,
	   (unsigned long)sdei_get_info(EV_SHARED_CRITICAL, SDEI_INFO_ROUTING_AFF));

	/* ---- ROUTING_SET ---- */
	r = sdei_routing_set(EV_SW, SDEI_RM_ANY, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "ROUTING_SET(private event) = INVALID_PARAMETERS (%ld)",
	   (long)r);
	r = sdei_routing_set(EV_SHARED_NORMAL, 2, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "ROUTING_SET(mode 2) = INVALID_PARAMETERS (%ld)", (long)r);
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_PE, 0x0f0f);
	ok(r == SDEI_INVALID_PARAMETERS, "ROUTING_SET(RM_PE, no such PE) = INVALID_PARAMETERS (%ld)",
	   (long)r);
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_PE, me);
	ok(r == SDEI_SUCCESS && sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_MODE) == SDEI_RM_PE,
	   "ROUTING_SET(registered, disabled, RM_PE) = SUCCESS, mode now RM_PE (%ld)", (long)r);
	sdei_enable(EV_SHARED_NORMAL);
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_ANY, 0);
	ok(r == SDEI_DENIED, "ROUTING_SET(enabled event) = DENIED (%ld)", (long)r);
	sdei_unregister(EV_SHARED_NORMAL);
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_ANY, 0);
	ok(r == SDEI_DENIED, "ROUTING_SET(unregistered event) = DENIED (%ld)", (long)r);

	/* ---- PE_MASK / PE_UNMASK ---- */
	r = sdei_pe_mask();
	ok(r == 0, "PE_MASK on a PE that starts masked = 0 (%ld)", (long)r);
	r = sdei_pe_unmask();
	ok(r == SDEI_SUCCESS, "PE_UNMASK = SUCCESS (%ld)", (long)r);
	r = sdei_pe_mask();
	ok(r == 1, "PE_MASK of an unmasked PE = 1 (%ld)", (long)r);
	r = sdei_pe_mask();
	ok(r == 0, "PE_MASK again = 0 (%ld)", (long)r);

	/* ---- INTERRUPT_BIND / RELEASE ---- */
	r = sdei_call(SDEI_INTERRUPT_BIND, 5, 0, 0, 0, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "INTERRUPT_BIND(SGI 5) = INVALID_PARAMETERS (%ld)", (long)r);
	r = sdei_call(SDEI_INTERRUPT_BIND, GIC_SPI(3), 0, 0, 0, 0);
	ok(r == SDEI_OUT_OF_RESOURCE, "INTERRUPT_BIND(SPI 3) = OUT_OF_RESOURCE: no bind slots (%ld)",
	   (long)r);
	r = sdei_call(SDEI_INTERRUPT_RELEASE, EV_PRIV_NORMAL, 0, 0, 0, 0);
	ok(r == SDEI_INVALID_PARAMETERS, "INTERRUPT_RELEASE(1000) = INVALID_PARAMETERS (%ld)",
	   (long)r);

	/* ---- EVENT_SIGNAL ---- */
	r = sdei_signal(EV_PRIV_NORMAL, read_mpidr());
	ok(r == SDEI_INVALID_PARAMETERS, "SIGNAL(event 1000) = INVALID_PARAMETERS (%ld)", (long)r);
	r = sdei_signal(EV_SW, 0x0f0f);
	ok(r == SDEI_INVALID_PARAMETERS, "SIGNAL(MPIDR of no PE) = INVALID_PARAMETERS (%ld)", (long)r);
	/* Event 0 registered but disabled and the PE masked: accepted, nothing runs. */
	r = sdei_signal(EV_SW, read_mpidr());
	ok(r == SDEI_SUCCESS, "SIGNAL(0, self) while masked = SUCCESS (%ld)", (long)r);

	/* ---- CONTEXT / COMPLETE outside a handler ---- */
	r = sdei_context(0);
	ok(r == SDEI_DENIED, "CONTEXT(0) outside a handler = DENIED (%ld)", (long)r);
	r = sdei_context(18);
	ok(r == SDEI_INVALID_PARAMETERS, "CONTEXT(18) = INVALID_PARAMETERS (%ld)", (long)r);
	r = sdei_call(SDEI_EVENT_COMPLETE, 0, 0, 0, 0, 0);
	ok(r == SDEI_DENIED, "COMPLETE with nothing running = DENIED (%ld)", (long)r);
	r = sdei_call(SDEI_EVENT_COMPLETE_AND_RESUME, EP, 0, 0, 0, 0);
	ok(r == SDEI_DENIED, "COMPLETE_AND_RESUME with nothing running = DENIED (%ld)", (long)r);

	/* ---- PRIVATE_RESET / SHARED_RESET ---- */
	sdei_register(EV_PRIV_NORMAL, EP, 0, SDEI_RM_ANY, 0);
	sdei_enable(EV_PRIV_NORMAL);
	sdei_register(EV_SHARED_NORMAL, EP, 0, SDEI_RM_ANY, 0);
	ok(sdei_status(EV_SW) == SDEI_ST_REGISTERED &&
	   sdei_status(EV_PRIV_NORMAL) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED) &&
	   sdei_status(EV_SHARED_NORMAL) == SDEI_ST_REGISTERED &&
	   sdei_status(EV_SHARED_CRITICAL) == SDEI_ST_REGISTERED,
	   "before the resets: 0, 1000, 2000, 2001 registered");
	r = sdei_private_reset();
	ok(r == SDEI_SUCCESS && sdei_status(EV_SW) == 0 && sdei_status(EV_PRIV_NORMAL) == 0,
	   "PRIVATE_RESET = SUCCESS, private events unregistered (%ld)", (long)r);
	ok(sdei_status(EV_SHARED_NORMAL) == SDEI_ST_REGISTERED &&
	   sdei_status(EV_SHARED_CRITICAL) == SDEI_ST_REGISTERED,
	   "PRIVATE_RESET leaves shared events registered");
	r = sdei_shared_reset();
	ok(r == SDEI_SUCCESS && sdei_status(EV_SHARED_NORMAL) == 0 &&
	   sdei_status(EV_SHARED_CRITICAL) == 0,
	   "SHARED_RESET = SUCCESS, shared events unregistered (%ld)", (long)r);
	r = sdei_private_reset();
	r2 = sdei_shared_reset();
	ok(r == SDEI_SUCCESS && r2 == SDEI_SUCCESS, "resets with nothing registered = SUCCESS (%ld, %ld)",
	   (long)r, (long)r2);
}
