// The node flags and the environment the agent daemon runs with as a service: the systemd unit of
// `vact agent install` gives both, the benches measure with both, the lab's daemons get the
// environment.

/**
 * glibc gives each thread that allocates its own malloc arena (up to 8 per core); V8's worker
 * threads and libuv's pool each touch one while the agent loads, and an idle daemon keeps those
 * pages: two arenas keep about 1.7 MB less private memory (bench/agent-footprint.js) and cost
 * nothing measurable at the agent's load. A KMS host after a renewal storm keeps 72-75 MB instead
 * of 81-93 MB (bench/kms-host.js): the storm's small allocations no longer stay spread over many
 * arenas. Other C libraries ignore the variable.
 */
export const DAEMON_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({ MALLOC_ARENA_MAX: '2' });

/**
 * Node flags the service starts the daemon with. `--max-semi-space-size=2` caps V8's young
 * generation at 2 MB a half: by default it grows to 16 MB a half under a stream of short-lived
 * objects (a KMS host's connections in a renewal storm) and keeps them, so a host ended a storm
 * of 256 concurrent clients at ~100-120 MB instead of ~72 MB. Measured with bench/kms-host.js
 * (which runs its host with these flags): no more CPU per request than without, where
 * `--optimize-for-size` (~65 MB) cost 10-20% more. `--v8-pool-size=1`: one V8 worker thread
 * instead of four for background GC and compile tasks; an idle agent keeps ~0.8 MB less private
 * memory (their stacks and arenas), and a host's CPU per request in a storm was the same within
 * the bench's noise (2 cores: more threads have no core to run on). `--max-old-space-size=1024`:
 * V8 lets the old generation grow between major GCs by a factor it derives from this limit — up to
 * 4x the live heap when the limit is its default on a machine of 16 GB or more (4 GB), 1.6x at
 * 1 GB — so a storm's promoted garbage took a host to 86-104 MB; with the limit, 72-73 MB at the
 * peak, at the same CPU per request (bench/kms-host.js). The daemon never nears it: its largest
 * state, a KMS count of 200,000 CMIDs (the largest threshold the count allows), is ~100 MB of heap,
 * ~185 MB while it is written out.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--v8-pool-size=1', '--max-old-space-size=1024'];
