package io.latentwatch.streaming.internals;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that prepare full micro-batches (decode, score, encode) for every scoring task of this JVM, one per
 * core. Shared rather than one per task: Kafka Streams hands a stream thread's tasks their records in runs, so a
 * thread of its own per task idles while its task waits for its turn, and the busy task's batches queue up behind
 * one thread; from a shared pool any free thread takes the next batch of any task. Preparing touches no state, so
 * two batches of one task may be prepared at once; each task emits its batches in order.
 */
final class ScoringThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), r -> {
                Thread t = new Thread(r, "latentwatch-scoring-" + COUNT.incrementAndGet());
                t.setDaemon(true); // the pool lives as long as the JVM; no task waits for it to stop
                return t;
            });

    private ScoringThreads() {}

    static ExecutorService pool() {
        return POOL;
    }
}
