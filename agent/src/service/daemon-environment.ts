// The environment the agent daemon runs with wherever vact starts it as a long-lived process: the
// systemd unit of `vact agent install`, the lab's machines, and the footprint bench.

/**
 * glibc gives each thread that allocates its own malloc arena (up to 8 per core); V8's worker
 * threads and libuv's pool each touch one while the agent loads, and an idle daemon keeps those
 * pages: two arenas keep about 1.7 MB less private memory (bench/agent-footprint.js) and cost
 * nothing measurable at the agent's load. Other C libraries ignore the variable.
 */
export const DAEMON_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({ MALLOC_ARENA_MAX: '2' });
