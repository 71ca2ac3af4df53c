# SPDX-License-Identifier: GPL-2.0
#
# netvsc: build, install, check and demo.
#
#   make                build the kernel modules and the tools
#   make install        the production modules (netvsc, hv_netvsc) into
#                       /lib/modules/<release>/updates, depmod, and the
#                       tools (vfctl, the udev rules of the
#                       non-transparent mode)
#   make install-test   netvsc_sim.ko, the simulated host, beside them
#   make check          static checks, then the kselftests in a VM
#   make check-debug    the kselftests on our KASAN + lockdep + kmemleak kernel
#   make check-fresh    the README's two commands and the Debian packages
#                       on a fresh Debian 12 root (debootstrap, chroot)
#   make demo           boot the VM and show the synthetic NIC at work
#   make bench          netvsc against the bare VF, bonding and team
#   make deb            the Debian packages netvsc-dkms and netvsc-tools,
#                       under .build/deb/, checked with lintian
#   make deps           install the packages all of the above need
#
# KDIR defaults to the running kernel's build tree when it exists, and
# otherwise to the newest installed Debian *-amd64 headers.  It is looked
# up when a recipe needs it, and passed on to the scripts only when given:
# make check and make demo install the headers first and look it up
# after that.

SRCDIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILDDIR ?= $(SRCDIR)/.build
PREFIX ?= /usr/local
DESTDIR ?=

RUNNING_KDIR = /lib/modules/$(shell uname -r)/build
DEBIAN_KDIR = $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
ifeq ($(strip $(KDIR)),)
override KDIR = $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(DEBIAN_KDIR))
unexport KDIR
else
export KDIR
endif

KRELEASE = $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR = $(DESTDIR)/lib/modules/$(KRELEASE)/updates/drivers/net/hyperv
MODSRC = $(SRCDIR)/drivers/net/hyperv
PROD_MODULES := netvsc hv_netvsc
TEST_MODULES := netvsc_sim
DEPMOD = depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KRELEASE)

export SRCDIR BUILDDIR

.PHONY: all modules tools install install-test modules_install \
	tools_install kdir clean check check-debug check-fresh demo deps \
	bench deb

all: modules tools

kdir:
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || \
		{ echo "netvsc: no kernel build tree; install linux-headers-amd64 (scripts/deps.sh build) or set KDIR=" >&2; exit 1; }

modules: kdir
	$(MAKE) -C $(KDIR) M=$(SRCDIR) modules

tools:
	$(MAKE) -C tools/vfctl

# The production modules only; netvsc_sim is a test module (install-test).
# A netvsc_sim.ko an older make install left there goes.
modules_install: modules
	install -d $(MODDIR)
	install -m 0644 $(PROD_MODULES:%=$(MODSRC)/%.ko) $(MODDIR)/
	rm -f $(TEST_MODULES:%=$(MODDIR)/%.ko)
	$(DEPMOD)

install-test: modules_install
	install -m 0644 $(TEST_MODULES:%=$(MODSRC)/%.ko) $(MODDIR)/
	$(DEPMOD)

tools_install: tools
	$(MAKE) -C tools/vfctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	$(MAKE) -C tools/udev install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	$(MAKE) -C tools/modprobe install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

install: modules_install tools_install

# Works without kernel headers too: Kbuild's clean when there is a tree,
# and the build products by name in any case.  Never removes $(BUILDDIR)
# while something is mounted in it (make check-fresh's chroot).
clean:
	@! awk '{ print $$5 "/" }' /proc/self/mountinfo | grep -qF '$(BUILDDIR)/' || \
		{ echo "netvsc: something is mounted under $(BUILDDIR) (make check-fresh running?); not cleaning" >&2; exit 1; }
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(SRCDIR) clean)
	find $(SRCDIR)/drivers $(SRCDIR)/include \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name '*.o.d' \) -delete
	rm -f $(SRCDIR)/Module.symvers $(SRCDIR)/modules.order
	$(MAKE) -C tools/vfctl clean
	$(MAKE) -C tools/udev clean
	rm -rf --one-file-system $(BUILDDIR)

deps:
	@scripts/deps.sh

check:
	@scripts/check.sh

check-debug:
	@scripts/check-debug.sh

check-fresh:
	@scripts/check-fresh.sh

demo:
	@scripts/demo.sh

deb:
	@scripts/deb.sh

# QUICK=1: one short repetition of everything, to prove the scripts run.
bench: modules tools
	QUICK=$(QUICK) bench/bench.sh

print-%:
	@echo '$*=$($*)'
