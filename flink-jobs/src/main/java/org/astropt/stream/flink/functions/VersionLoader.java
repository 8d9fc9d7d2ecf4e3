package org.astropt.stream.flink.functions;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.flink.records.ModelPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads model versions on a background thread, one at a time, so the task thread goes on embedding with the
 * serving model meanwhile. {@link ServingModel#load} verifies each version on the device the subtask was
 * given; the task thread takes the outcome once it is done ({@link #finished}) and decides what follows.
 */
final class VersionLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VersionLoader.class);

    /** A finished load: the verified model, or null and the one-line reason it was refused. */
    record Outcome(ModelPointer pointer, ServingModel model, String refusal) {}

    private final int forwardBatchSize;
    private final ai.djl.Device device;
    private final ExecutorService thread;
    private ModelPointer pointer;
    private Future<ServingModel> loading;

    VersionLoader(int forwardBatchSize, ai.djl.Device device, String threadName) {
        this.forwardBatchSize = forwardBatchSize;
        this.device = device;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads a version on the calling thread (after a restore, the initial model); a refusal throws. */
    ServingModel loadNow(ModelPointer p) {
        return ServingModel.load(p, forwardBatchSize, device);
    }

    /** After a restore: the first of the versions (newest first) that still loads, on the calling thread; null if none does. */
    ServingModel loadFirst(List<ModelPointer> newestFirst) {
        for (ModelPointer p : newestFirst) {
            try {
                ServingModel m = loadNow(p);
                LOG.info("{} serves again after a restore", p.label());
                return m;
            } catch (ModelRejectedException e) {
                LOG.warn("{} no longer loads after a restore: {}", p.label(), e.getMessage());
            }
        }
        return null;
    }

    /** The initial model: a checkpoint folder served as version 0 of the given name (no checksum) until a PROMOTED version arrives. */
    static ModelPointer initial(String name, String dir) {
        ModelPointer p = new ModelPointer();
        p.name = name;
        p.status = "PROMOTED";
        p.weightsUri = Path.of(dir).toAbsolutePath().resolve(Checkpoint.WEIGHTS_FILE).toUri().toString();
        return p;
    }

    /** Starts loading a version in the background; one load at a time. */
    void start(ModelPointer p) {
        if (loading != null) throw new IllegalStateException(pointer.label() + " is still loading");
        pointer = p;
        loading = thread.submit(() -> loadNow(p));
    }

    /** The load in flight, or null (tests wait on it). */
    Future<ServingModel> inFlight() {
        return loading;
    }

    /** The outcome of the load in flight once it is done, else null. */
    Outcome finished() throws InterruptedException {
        if (loading == null || !loading.isDone()) return null;
        ModelPointer p = pointer;
        Future<ServingModel> done = loading;
        loading = null;
        pointer = null;
        try {
            return new Outcome(p, done.get(), null);
        } catch (ExecutionException e) {
            String reason = e.getCause() instanceof ModelRejectedException ? e.getCause().getMessage() : p.label() + ": " + e.getCause();
            return new Outcome(p, null, reason);
        }
    }

    /** Waits for the load in flight, if any, to end. */
    void await() throws InterruptedException {
        if (loading == null) return;
        try {
            loading.get();
        } catch (ExecutionException ignored) {
            // finished() reports it
        }
    }

    /** Stops the thread; a model that finished loading and was never taken is closed. */
    @Override
    public void close() {
        thread.shutdownNow();
        if (loading != null && loading.isDone() && !loading.isCancelled()) {
            try {
                loading.get().close();
            } catch (ExecutionException | InterruptedException ignored) {
                // refused: nothing was left open
            }
        }
    }
}
