package org.squeeze4j.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker threads every {@link IntRunner} shares for the slices it does not run on the caller's
 * thread: a cached pool of daemon threads (created on first use, reused while busy, gone after a
 * minute idle), so runners need no closing and an idle engine holds no threads.
 */
final class EngineThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "squeeze4j-engine-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private EngineThreads() {
    }

    static Future<?> submit(Runnable task) {
        return POOL.submit(task);
    }
}
