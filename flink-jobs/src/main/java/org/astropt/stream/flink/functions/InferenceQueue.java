package org.astropt.stream.flink.functions;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The inference thread: micro-batches go through the model on a thread of their own, so that while one is in
 * the model the task thread goes on reading, decoding and writing. At most {@code capacity} batches are out;
 * submitting one more first waits for the oldest (backpressure); capacity 0 runs the forward pass on the
 * calling thread. Results are emitted on the task thread, in the order the batches were submitted: whatever
 * is done at the head of the queue on {@link #emitFinished} (the {@code wakeUp} callback, run on the
 * inference thread when a batch is done, asks the task thread to call it), everything on {@link #awaitAll}
 * (before a checkpoint barrier and at the end of input, so no batch is in flight across either).
 *
 * <p>Every method but the callbacks runs on the task thread.
 *
 * @param <B> a batch ready for the model
 * @param <R> the model's output for it
 */
final class InferenceQueue<B, R> {

    private record InFlight<B, R>(B batch, CompletableFuture<R> result) {}

    private final int capacity;
    private final Function<B, R> forward;
    private final BiConsumer<B, R> emit;
    private final Runnable wakeUp;
    private final ExecutorService thread;
    private final ArrayDeque<InFlight<B, R>> inFlight = new ArrayDeque<>();

    /**
     * @param forward the forward pass (on the inference thread, or the caller's at capacity 0)
     * @param emit    writes a batch's output (task thread)
     * @param wakeUp  called on the inference thread when a batch is done
     */
    InferenceQueue(int capacity, String threadName, Function<B, R> forward, BiConsumer<B, R> emit, Runnable wakeUp) {
        this.capacity = capacity;
        this.forward = forward;
        this.emit = emit;
        this.wakeUp = wakeUp;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Hands a batch to the model; with {@code capacity} batches out, waits for the oldest and emits it first. */
    void submit(B batch) throws Exception {
        if (capacity == 0) {
            emit.accept(batch, forward.apply(batch));
            return;
        }
        while (inFlight.size() >= capacity) emitOldest();
        CompletableFuture<R> result = CompletableFuture.supplyAsync(() -> forward.apply(batch), thread);
        inFlight.add(new InFlight<>(batch, result));
        result.whenComplete((r, e) -> wakeUp.run());
    }

    /** Emits the finished batches at the head of the queue, in order, without waiting. */
    void emitFinished() throws Exception {
        while (!inFlight.isEmpty() && inFlight.peek().result().isDone()) emitOldest();
    }

    /** Waits until every batch is out: before a barrier and at the end of input. */
    void awaitAll() throws Exception {
        while (!inFlight.isEmpty()) emitOldest();
    }

    /** Whether no batch is in flight. */
    boolean isEmpty() {
        return inFlight.isEmpty();
    }

    /** Runs a task on the inference thread after the batches submitted so far: closes a swapped-out model once nothing uses it. */
    void afterInFlight(Runnable task) {
        thread.execute(task);
    }

    /** Waits for the oldest batch and emits its output; a failed forward pass throws its cause. */
    private void emitOldest() throws Exception {
        InFlight<B, R> b = inFlight.poll();
        R result;
        try {
            result = b.result().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        emit.accept(b.batch(), result);
    }

    /** Lets the batches in flight and the tasks queued finish; false when the thread did not stop within the time given. */
    boolean shutDown(long timeout, TimeUnit unit) throws InterruptedException {
        thread.shutdown();
        return thread.awaitTermination(timeout, unit);
    }
}
