package bench

// CollectEnv, set to 1 in the environment of a process of this binary,
// makes it collect garbage and hand freed memory back to the kernel when
// it receives SIGUSR1, then say so on stderr (collectedLine). The split
// shape sets it on its children so that it reads their resident sets
// after a full collection, as the one-process shape reads its own
// (measureMemory); without it a worker keeps what earlier rounds freed,
// and n more workflows fit in it without the resident set moving at all.
const CollectEnv = "PERFLOOP_BENCH_COLLECT_ON_SIGUSR1"

// collectedLine is what a child writes on stderr once it has collected.
const collectedLine = "perfloop-bench: collected"
