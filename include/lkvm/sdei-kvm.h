/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SDEI_KVM_H
#define LKVM_SDEI_KVM_H

struct vcpu;
struct vm;

/* SDEI glue (kvm-sdei.c) between KVM's SMCCC filter and the dispatcher (sdei.c). */
int sdei_kvm_setup(struct vm *vm);
void sdei_kvm_hypercall(struct vcpu *v);
void sdei_kvm_deliver(struct vcpu *v);
void sdei_kvm_reset(struct vm *vm);

#endif
