# SPDX-License-Identifier: GPL-2.0
#
# netvsc: build, install, check and demo.
#
#   make                build the kernel modules and the tools
#   make install        modules_install + depmod, and the tools
#   make check          static checks, then the kselftests in a VM
#   make check-debug    the kselftests on our KASAN + lockdep + kmemleak kernel
#   make demo           boot the VM and show the synthetic NIC at work
#   make bench          netvsc against the bare VF, bonding and team
#
# KDIR defaults to the running kernel's build tree when it exists, and
# otherwise to the newest installed Debian *-amd64 headers.

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
DEBIAN_KDIR := $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(DEBIAN_KDIR))

KRELEASE = $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

SRCDIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILDDIR ?= $(SRCDIR)/.build
PREFIX ?= /usr/local
DESTDIR ?=

export KDIR SRCDIR BUILDDIR

.PHONY: all modules tools install modules_install tools_install clean \
	check check-debug demo deps bench

all: modules tools

modules:
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || \
		{ echo "netvsc: no kernel build tree; install linux-headers-amd64 or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(SRCDIR) modules

tools:
	$(MAKE) -C tools/vfctl

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(SRCDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KRELEASE)

tools_install: tools
	$(MAKE) -C tools/vfctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	$(if $(wildcard tools/udev/Makefile),$(MAKE) -C tools/udev install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX))

install: modules_install tools_install

clean:
	$(MAKE) -C $(KDIR) M=$(SRCDIR) clean
	$(MAKE) -C tools/vfctl clean
	rm -rf $(BUILDDIR)

deps:
	@scripts/deps.sh

check:
	@scripts/check.sh

check-debug:
	@scripts/check-debug.sh

demo:
	@scripts/demo.sh

# QUICK=1: one short repetition of everything, to prove the scripts run.
bench: modules tools
	QUICK=$(QUICK) bench/bench.sh

print-%:
	@echo '$*=$($*)'
