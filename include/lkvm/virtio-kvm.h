/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_KVM_H
#define LKVM_VIRTIO_KVM_H

#include "lkvm/device.h"
#include "lkvm/virtio.h"
#include "lkvm/vm.h"

/*
 * Give virtio device @dev (from a virtio_*_create()) its worker: its queue
 * notifications become an ioeventfd.  Before the vCPUs are created is fine.
 */
int virtio_kvm_add(struct vm *vm, struct device *dev);
/*
 * The eventfds of queue @q of a device whose queues a back end outside lkvm
 * may serve (ops->start): @kick is signalled by KVM on the guest's
 * QueueNotify, @call is the back end's to signal a used buffer.  -1 for any
 * other device.
 */
int virtio_kvm_queue_fds(struct virtio_dev *vd, unsigned int q, int *kick, int *call);
/* After the vGIC is initialised: the irqfds, then the worker threads. */
int virtio_kvm_start_all(struct vm *vm);
/*
 * Hold every worker between two rounds (no chain in hand, no host I/O in
 * flight), for a snapshot, and let them go again.  Main thread only.
 */
void virtio_kvm_park_all(struct vm *vm);
void virtio_kvm_unpark_all(struct vm *vm);
/* Stop every worker (I/O in flight is abandoned at its next piece) and join it. */
void virtio_kvm_stop_all(struct vm *vm);

#endif
