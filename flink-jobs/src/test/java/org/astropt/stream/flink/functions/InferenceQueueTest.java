package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The inference thread with plain functions for a model: order, backpressure, waiting for every batch, and a
 * task queued behind the batches in flight. The test thread plays the task thread; waits are on latches.
 */
class InferenceQueueTest {

    /** What the task thread emitted: batch and result. */
    final List<String> emitted = new ArrayList<>();
    final CountDownLatch firstBatchMayRun = new CountDownLatch(1);
    final List<String> forwardThreads = Collections.synchronizedList(new ArrayList<>());

    /** Batch n gives 10 n; batch 1 waits for {@link #firstBatchMayRun}. */
    Integer forward(Integer batch) {
        forwardThreads.add(Thread.currentThread().getName());
        if (batch == 1) await(firstBatchMayRun);
        return batch * 10;
    }

    @Test
    void batchesLeaveInTheOrderSubmittedAndAllAreOutAfterAwaitAll() throws Exception {
        InferenceQueue<Integer, Integer> queue = queue(2, () -> {});
        queue.submit(1);
        queue.submit(2);
        queue.emitFinished();
        assertEquals(List.of(), emitted, "batch 1 is still in the model, so nothing leaves, batch 2 neither");
        firstBatchMayRun.countDown();
        queue.submit(3);
        assertEquals("1->10", emitted.get(0), "two in flight: the third waits for the oldest, which leaves first");
        queue.awaitAll();
        assertEquals(List.of("1->10", "2->20", "3->30"), emitted);
        assertTrue(queue.isEmpty());
        assertEquals(List.of("inference-test", "inference-test", "inference-test"), forwardThreads);
        assertTrue(queue.shutDown(10, TimeUnit.SECONDS));
    }

    @Test
    void aDoneBatchWakesTheTaskThreadWhichEmitsItWithoutWaiting() throws Exception {
        CountDownLatch woken = new CountDownLatch(1);
        InferenceQueue<Integer, Integer> queue = queue(2, woken::countDown);
        queue.submit(2);
        assertTrue(woken.await(10, TimeUnit.SECONDS), "the wake-up came");
        queue.emitFinished();
        assertEquals(List.of("2->20"), emitted);
        assertTrue(queue.isEmpty());
        assertTrue(queue.shutDown(10, TimeUnit.SECONDS));
    }

    @Test
    void noneInFlightRunsTheForwardPassOnTheCallingThread() throws Exception {
        firstBatchMayRun.countDown();
        InferenceQueue<Integer, Integer> queue = queue(0, () -> {});
        queue.submit(1);
        assertEquals(List.of("1->10"), emitted, "out before submit returns");
        assertEquals(List.of(Thread.currentThread().getName()), forwardThreads);
        assertTrue(queue.isEmpty());
        assertTrue(queue.shutDown(10, TimeUnit.SECONDS));
    }

    @Test
    void aTaskQueuedAfterTheBatchesInFlightRunsWhenTheyAreDone() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        InferenceQueue<Integer, Integer> queue = new InferenceQueue<>(2, "inference-test",
                b -> { events.add("forward " + b); return b; }, (b, r) -> {}, () -> {});
        queue.submit(1);
        queue.submit(2);
        queue.afterInFlight(() -> events.add("close the old model"));
        queue.submit(3);
        queue.awaitAll();
        assertTrue(queue.shutDown(10, TimeUnit.SECONDS));
        assertEquals(List.of("forward 1", "forward 2", "close the old model", "forward 3"), events);
    }

    @Test
    void aFailedForwardPassThrowsItsCauseOnTheTaskThread() throws Exception {
        InferenceQueue<Integer, Integer> queue = new InferenceQueue<>(2, "inference-test",
                b -> { throw new IllegalStateException("batch " + b + " broke the model"); }, (b, r) -> {}, () -> {});
        queue.submit(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, queue::awaitAll);
        assertEquals("batch 1 broke the model", e.getMessage());
        assertTrue(queue.shutDown(10, TimeUnit.SECONDS));
    }

    private InferenceQueue<Integer, Integer> queue(int capacity, Runnable wakeUp) {
        return new InferenceQueue<>(capacity, "inference-test", this::forward, (b, r) -> emitted.add(b + "->" + r), wakeUp);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("the test never let the batch run");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
