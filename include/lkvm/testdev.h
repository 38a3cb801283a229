/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_TESTDEV_H
#define LKVM_TESTDEV_H

struct vm;

/* The --test-device hook (testdev.c): guest-triggered VMM actions for tests. */
struct device *testdev_create(struct vm *vm);

#endif
