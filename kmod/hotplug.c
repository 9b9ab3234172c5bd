// SPDX-License-Identifier: GPL-2.0-only
/*
 * hotplug.c - a running session's events follow CPUs as they come and go.
 *
 * One multi-instance hotplug state for the module; a session is an
 * instance while it runs. Adding the instance runs the online callback on
 * every online CPU (in that CPU's hotplug thread, where creating a perf
 * event may sleep); a CPU coming online later gets the same call, one
 * going offline the teardown. Rings exist for every possible CPU, so
 * nothing is allocated here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/printk.h>

#include "compat.h"
#include "ksampler.h"

static enum cpuhp_state ks_hp_state;

/*
 * Never vetoes a CPU: a failure is kept in the CPU's online_err, which
 * START turns into its own error and, later, the stats count (cpus_failed)
 * for profctl to report.
 */
static int ks_hp_online(unsigned int cpu, struct hlist_node *node)
{
	struct ks_session *sess = hlist_entry(node, struct ks_session,
					      cpuhp_node);

	ks_sampler_cpu_start(sess, cpu);
	return 0;
}

static int ks_hp_offline(unsigned int cpu, struct hlist_node *node)
{
	struct ks_session *sess = hlist_entry(node, struct ks_session,
					      cpuhp_node);

	ks_sampler_cpu_stop(sess, cpu);
	return 0;
}

int ks_hp_register(void)
{
	int ret;

	ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN, "ksampler:online",
				      ks_hp_online, ks_hp_offline);
	if (ret < 0)
		return ret;
	ks_hp_state = ret;
	return 0;
}

void ks_hp_unregister(void)
{
	cpuhp_remove_multi_state(ks_hp_state);
}

/*
 * Starts sampling on every online CPU; if any CPU could not start, all are
 * stopped again and its error is START's. Caller holds sess->lock.
 */
int ks_hp_add(struct ks_session *sess)
{
	int cpu, err;

	err = cpuhp_state_add_instance(ks_hp_state, &sess->cpuhp_node);
	if (err)
		return err;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		err = READ_ONCE(sess->cpus[cpu].online_err);
		if (err)
			break;
	}
	cpus_read_unlock();
	if (err)
		ks_hp_remove(sess);
	return err;
}

void ks_hp_remove(struct ks_session *sess)
{
	cpuhp_state_remove_instance(ks_hp_state, &sess->cpuhp_node);
}
