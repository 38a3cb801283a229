// SPDX-License-Identifier: GPL-2.0
/* `lkvm run` option parsing: kvmtool spellings, defaults, and every refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/layout.h"
#include "lkvm/options.h"
#include "tap.h"

static int parse(struct run_opts *o, const char *line);
static bool refused_saying(const char *line, const char *what);

static bool mac_is(const u8 *m, const char *want)
{
	char got[18];

	snprintf(got, sizeof(got), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return !strcmp(got, want);
}

static void network_cases(struct run_opts *o)
{
	u8 a[6], b[6];

	tap_ok(parse(o, "run -k K -n mode=tap,tapif=tap7,guest_mac=02:00:00:00:00:07,vhost=1") ==
		       0 && o->nr_nets == 1 && o->nets[0].mode == NET_TAP &&
		       !strcmp(o->nets[0].tapif, "tap7") && o->nets[0].vhost &&
		       mac_is(o->nets[0].guest_mac, "02:00:00:00:00:07"),
	       "-n mode=tap with tapif, guest_mac and vhost");
	tap_ok(parse(o, "run -k K -n mode=user -n mode=tap,host_mac=02:aa:bb:cc:dd:ee "
			"--network user,socket=/run/p.sock") == -1,
	       "kvmtool's short form takes no parameters after it");
	tap_ok(parse(o, "run -k K -n mode=user -n mode=tap,host_mac=02:aa:bb:cc:dd:ee "
			"--network mode=user,socket=/run/p.sock") == 0 && o->nr_nets == 3 &&
		       o->nets[0].mode == NET_USER && !o->nets[0].socket[0] &&
		       o->nets[1].has_host_mac && !strcmp(o->nets[2].socket, "/run/p.sock"),
	       "several NICs, in order; socket= kept");
	tap_ok(parse(o, "run -k K -n none -n mode=none") == 0 && o->nr_nets == 0,
	       "mode=none adds no NIC");
	tap_ok(parse(o, "run -k K -n tap") == 0 && o->nr_nets == 1 && o->nets[0].mode == NET_TAP,
	       "kvmtool's short form -n tap");
	tap_ok(parse(o, "run -k K -n mode=tap,script=none,downscript=none,trans=mmio,mq=1") == 0,
	       "kvmtool parameters that change nothing are accepted");
	parse(o, "run -k K --name vm1 -n tap -n tap");
	memcpy(a, o->nets[0].guest_mac, 6);
	memcpy(b, o->nets[1].guest_mac, 6);
	tap_ok(a[0] == 0x02 && b[0] == 0x02 && memcmp(a, b, 6),
	       "derived MACs: locally administered unicast, one per NIC");
	parse(o, "run -n tap -k K -n tap --name vm1");
	tap_ok(!memcmp(a, o->nets[0].guest_mac, 6) && !memcmp(b, o->nets[1].guest_mac, 6),
	       "the same name gives the same MACs, wherever --name comes");
	parse(o, "run -k K --name vm2 -n tap");
	tap_ok(memcmp(a, o->nets[0].guest_mac, 6), "another name, another MAC");
	tap_ok(refused_saying("run -k K -n mode=bridge", "mode=bridge: unknown mode") &&
		       refused_saying("run -k K -n mode=tap,guest_mac=02:00:00:00:00", "not a MAC") &&
		       refused_saying("run -k K -n mode=tap,guest_mac=01:00:5e:00:00:01",
				      "multicast") &&
		       refused_saying("run -k K -n mode=tap,tapif=0123456789abcdef", "tapif=") &&
		       refused_saying("run -k K -n mode=tap,tapif=a/b", "tapif=") &&
		       refused_saying("run -k K -n mode=tap,vhost=2", "vhost=2") &&
		       refused_saying("run -k K -n mode=user,vhost=1", "need mode=tap") &&
		       refused_saying("run -k K -n mode=tap,socket=/x", "socket needs mode=user") &&
		       refused_saying("run -k K -n mode=tap,script=/etc/kvm-ifup", "runs no scripts") &&
		       refused_saying("run -k K -n mode=tap,trans=pci", "virtio-mmio") &&
		       refused_saying("run -k K -n mode=tap,mq=4", "one queue pair") &&
		       refused_saying("run -k K -n mode=user,guest_ip=10.0.0.2", "DHCP") &&
		       refused_saying("run -k K -n mode=tap,colour=blue", "unknown parameter 'colour'") &&
		       refused_saying("run -k K -n mode=tap,tapif", "is not key=value"),
	       "bad --network values are refused, each saying what is wrong");
	tap_ok(refused_saying("run -k K -n tap -n tap -n tap -n tap -n tap -n tap -n tap -n tap "
			      "-n tap", "too many NICs"),
	       "at most 8 NICs");
}

static void fs_cases(struct run_opts *o)
{
	tap_ok(parse(o, "run -k K --fs /srv/a --fs /srv/b,tag=src,ro") == 0 && o->nr_fss == 2 &&
		       !strcmp(o->fss[0].dir, "/srv/a") && !strcmp(o->fss[0].tag, "fs0") &&
		       !o->fss[0].readonly && !strcmp(o->fss[1].dir, "/srv/b") &&
		       !strcmp(o->fss[1].tag, "src") && o->fss[1].readonly,
	       "--fs DIR[,tag=TAG][,ro], default tag fsN");
	tap_ok(parse(o, "run -k K --fs /a,tag=123456789012345678901234567890123456") == 0,
	       "a 36-byte tag is taken");
	tap_ok(refused_saying("run -k K --fs /a,tag=1234567890123456789012345678901234567",
			      "1 to 36 bytes") &&
		       refused_saying("run -k K --fs /a,tag=", "1 to 36 bytes") &&
		       refused_saying("run -k K --fs ,ro", "no directory") &&
		       refused_saying("run -k K --fs /a,rw", "unknown option 'rw'") &&
		       refused_saying("run -k K --fs /a,tag=x --fs /b,tag=x", "given twice") &&
		       refused_saying("run -k K --fs /a --fs /b,tag=fs0", "given twice"),
	       "bad --fs values are refused, each saying what is wrong");
}

static int parse(struct run_opts *o, const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return options_parse(argc, argv, o);
}

/* Parse @line, which must fail, and look for @text in what it said on stderr. */
static bool refused_saying(const char *line, const char *text)
{
	char said[512] = "";
	FILE *f = tmpfile();
	int saved = dup(2), r;
	size_t n;

	fflush(stderr);
	dup2(fileno(f), 2);
	r = parse(&(struct run_opts){ 0 }, line);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(said, 1, sizeof(said) - 1, f);
	said[n] = '\0';
	fclose(f);
	if (r != -1 || !strstr(said, text)) {
		tap_diag("'%s' said: %s", line, said);
		return false;
	}
	return true;
}

int main(void)
{
	struct run_opts o;
	char *s;

	tap_plan(73);

	tap_ok(parse(&o, "run -k Image -c 2 -m 256 -p quiet") == 0 && !strcmp(o.kernel, "Image") &&
		       o.nr_cpus == 2 && o.mem_size == 256 * SZ_1M && !strcmp(o.params, "quiet"),
	       "short options -k -c -m -p");
	tap_ok(parse(&o, "run --kernel K --initrd I --params P --mem 1G --cpus 4") == 0 &&
		       !strcmp(o.initrd, "I") && o.mem_size == SZ_1G && o.nr_cpus == 4,
	       "long options and a G suffix");
	tap_ok(parse(&o, "run -k K -c 3") == 0 && o.mem_size == 64 * SZ_1M * 6,
	       "default memory grows with vCPUs as kvmtool's (64 MiB * (cpus + 3))");
	tap_ok(parse(&o, "run -k K -m 512@0x100000000") == 0 && o.mem_base == 0x100000000ULL,
	       "-m size@addr moves RAM");
	tap_ok(o.mem_size == 512 * SZ_1M, "size of size@addr is in MiB");
	tap_ok(parse(&o, "run K") == 0 && !strcmp(o.kernel, "K"), "bare kernel argument");
	tap_ok(parse(&o, "run -k K -d a.img -d b.img,ro") == 0 && o.nr_disks == 2 &&
		       !strcmp(o.disks[1].path, "b.img") && o.disks[1].readonly &&
		       !o.disks[0].readonly,
	       "repeatable -d with ,ro");
	tap_ok(parse(&o, "run -k K --console virtio --rng --pmu --nodefaults") == 0 &&
		       o.console == CONSOLE_VIRTIO && o.rng && o.pmu && o.nodefaults,
	       "device and flag options");
	tap_ok(!o.no_wake_device && parse(&o, "run -k K --no-wake-device") == 0 && o.no_wake_device,
	       "the wake-up button is there unless --no-wake-device");
	tap_ok(parse(&o, "run --nodefaults --network mode=none --loglevel=warning --kernel T.flat "
			 "-c 1 -m 128 --params ARGS --irqchip=gicv3") == 0,
	       "kvm-unit-tests' command line is accepted");
	tap_ok(parse(&o, "run -k K --name ci-1.a_b") == 0 && !strcmp(o.name, "ci-1.a_b"),
	       "--name ci-1.a_b");
	tap_ok(parse(&o, "run -k K --name ../x") < 0 && parse(&o, "run -k K --name a/b") < 0 &&
		       parse(&o, "run -k K --name .hid") < 0,
	       "--name refuses a name that could leave the socket directory");
	tap_ok(parse(&o, "run -k K --psci-version 1.1") == 0 && o.psci_version == 0x10001,
	       "--psci-version 1.1 encodes as 0x10001");
	tap_ok(parse(&o, "run -k K --psci-version 0.2") == 0 && o.psci_version == 0x2,
	       "--psci-version 0.2 encodes as 0x2");
	tap_ok(parse(&o, "run -k K --sve-max-vl 256") == 0 && o.sve_max_vl == 256,
	       "--sve-max-vl 256");
	tap_ok(parse(&o, "run -k K --debug") == 0 && o.debug && o.log_level == LOG_DEBUG,
	       "--debug implies debug logging");

	tap_ok(parse(&o, "run -k K -m 0") == -1, "-m 0 is refused");
	tap_ok(parse(&o, "run -k K -m 8") == -1, "-m below 16 MiB is refused");
	tap_ok(parse(&o, "run -k K -m lots") == -1, "-m junk is refused");
	tap_ok(parse(&o, "run -k K -m 99999999999999999999") == -1, "-m overflow is refused");
	tap_ok(parse(&o, "run -k K -m -5") == -1, "negative -m is refused");
	tap_ok(parse(&o, "run -k K -m 64@0x1000") == -1, "RAM below the device area is refused");
	tap_ok(parse(&o, "run -k K -c 0") == -1, "-c 0 is refused (kvmtool takes the default)");
	tap_ok(parse(&o, "run -k K -c two") == -1, "-c junk is refused");
	tap_ok(parse(&o, "run -k K --sve-max-vl 200") == -1, "--sve-max-vl not a multiple of 128");
	tap_ok(parse(&o, "run -k K --sve-max-vl 4096") == -1, "--sve-max-vl above 2048");
	tap_ok(parse(&o, "run -k K --psci-version 2.0") == -1, "unknown PSCI version refused");
	tap_ok(parse(&o, "run -k K --irqchip gicv2") == -1, "--irqchip gicv2 refused");
	tap_ok(parse(&o, "run -k K --irqchip=gicv3-its") == 0 && o.its, "--irqchip=gicv3-its");
	tap_ok(parse(&o, "run -k K --irqchip gicv3") == 0 && !o.its, "--irqchip gicv3: no ITS");
	tap_ok(parse(&o, "run -k K") == 0 && !o.mte_off && !o.pvtime_off && !o.aarch32 &&
		       !o.has_kaslr_seed && !o.has_vcpu_affinity,
	       "defaults: MTE and PV time on, AArch64, random KASLR seed, no affinity");
	tap_ok(parse(&o, "run -k K --disable-mte --no-pvtime --aarch32") == 0 && o.mte_off &&
		       o.pvtime_off && o.aarch32,
	       "--disable-mte --no-pvtime --aarch32");
	tap_ok(parse(&o, "run -k K --kaslr-seed 0xfedcba9876543210") == 0 && o.has_kaslr_seed &&
		       o.kaslr_seed == 0xfedcba9876543210ULL,
	       "--kaslr-seed takes a 64-bit number");
	tap_ok(parse(&o, "run -k K --kaslr-seed 0") == 0 && o.has_kaslr_seed && !o.kaslr_seed,
	       "--kaslr-seed 0 is a seed of 0 (the kernel then finds none)");
	tap_ok(parse(&o, "run -k K --kaslr-seed x") == -1, "--kaslr-seed junk refused");
	tap_ok(parse(&o, "run -k K --vcpu-affinity 0-2,5,7-8") == 0 && o.has_vcpu_affinity &&
		       CPU_COUNT(&o.vcpu_affinity) == 6 && CPU_ISSET(0, &o.vcpu_affinity) &&
		       CPU_ISSET(2, &o.vcpu_affinity) && !CPU_ISSET(3, &o.vcpu_affinity) &&
		       CPU_ISSET(5, &o.vcpu_affinity) && CPU_ISSET(8, &o.vcpu_affinity),
	       "--vcpu-affinity 0-2,5,7-8 is 6 CPUs");
	tap_ok(parse(&o, "run -k K --vcpu-affinity 3") == 0 && CPU_COUNT(&o.vcpu_affinity) == 1 &&
		       CPU_ISSET(3, &o.vcpu_affinity),
	       "--vcpu-affinity 3");
	tap_ok(parse(&o, "run -k K --vcpu-affinity 2-1") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity 1,") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity ,1") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity 1-") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity 1--2") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity 1x") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity 0-1024") == -1 &&
		       parse(&o, "run -k K --vcpu-affinity 99999999999999999999") == -1,
	       "bad CPU lists refused (backwards, empty items, junk, beyond 1023)");
	tap_ok(parse(&o, "run -k K --aarch32 --sve-max-vl 256") == -1,
	       "--aarch32 with --sve-max-vl refused");
	tap_ok(parse(&o, "run -k K --psci --override-bad-firmware-cntfrq") == 0,
	       "kvmtool options that change nothing are accepted");
	tap_ok(parse(&o, "run -k K --debug-mmio") == 0 && o.debug && !o.single_step,
	       "--debug-mmio is --debug");
	tap_ok(parse(&o, "run -k K --debug-single-step") == 0 && o.debug && o.single_step,
	       "--debug-single-step traces steps, with --debug");
	tap_ok(refused_saying("run -k K --9p /tmp,tag", "--9p: not supported: ") &&
		       refused_saying("run -k K --9p=/tmp,tag", "with virtio-fs: --fs DIR") &&
		       refused_saying("run -k K --balloon", "--balloon: not supported: ") &&
		       refused_saying("run -k K -f fw.bin", "--firmware: not supported: ") &&
		       refused_saying("run -k K -F flash.img", "--flash: not supported: ") &&
		       refused_saying("run -k K --firmware-address 0x0", "--firmware-address: not") &&
		       refused_saying("run -k K --nested", "--nested: not supported: "),
	       "kvmtool options lkvm has no use for are refused by name, with a reason");
	tap_ok(refused_saying("run -k K --bogus", "unknown option '--bogus'"),
	       "an option nobody has is an unknown option");
	network_cases(&o);
	fs_cases(&o);
	tap_ok(parse(&o, "run -k K --bogus") == -1, "unknown long option refused");
	tap_ok(parse(&o, "run -k") == -1, "missing option value refused");
	tap_ok(parse(&o, "run -c 1") == -1, "no kernel refused");
	tap_ok(parse(&o, "run -k K -d a.img,rw") == -1, "unknown disk flag refused");

	parse(&o, "run -k K -p quiet");
	s = options_bootargs(&o);
	tap_ok(!strcmp(s, "console=ttyS0 earlycon=uart8250,mmio,0x1000000 quiet"),
	       "default command line leads with the serial console: '%s'", s);
	free(s);
	parse(&o, "run -k K --nodefaults -p exactly");
	s = options_bootargs(&o);
	tap_ok(!strcmp(s, "exactly"), "--nodefaults passes -p alone");
	free(s);
	parse(&o, "run -k K -d disk.img");
	s = options_bootargs(&o);
	tap_ok(strstr(s, "root=/dev/vda rw") != NULL, "a disk without initrd becomes root");
	free(s);
	/* One number parser: the same bases for every numeric option. */
	tap_ok(parse(&o, "run -k K -c 0x2") == 0 && o.nr_cpus == 2, "-c 0x2 is 2 vCPUs (hex, as -m)");
	tap_ok(parse(&o, "run -k K -m 0x100") == 0 && o.mem_size == 256 * SZ_1M,
	       "-m 0x100 is 256 MiB");
	tap_ok(parse(&o, "run -k K -m 020") == 0 && o.mem_size == 20 * SZ_1M,
	       "-m 020 is decimal 20 MiB, not octal");
	tap_ok(parse(&o, "run -k K --sve-max-vl 0x100") == 0 && o.sve_max_vl == 256,
	       "--sve-max-vl 0x100 is 256 bits");
	tap_ok(parse(&o, "run -k K -c 2K") == -1, "-c takes no size suffix");
	tap_ok(parse(&o, "run -k K -c -1") == -1 && parse(&o, "run -k K -m +5") == -1,
	       "signs are refused");
	tap_ok(parse(&o, "run -k K -m 0x") == -1, "0x with no digits is refused");
	tap_ok(parse(&o, "run -k K -m 99999999999999999999999") == -1, "an overflowing number is refused");
	return tap_done();
}
