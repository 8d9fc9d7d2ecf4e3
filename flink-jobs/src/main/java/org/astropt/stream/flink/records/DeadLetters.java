package org.astropt.stream.flink.records;

import java.nio.ByteBuffer;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.PipelineStage;

/** The DeadLetter record of a failed input: its bytes untouched, where it came from, the stage and one line why. */
public final class DeadLetters {

    private DeadLetters() {}

    public static DeadLetter of(SourceRecord r, PipelineStage stage, Throwable error, long now) {
        return DeadLetter.newBuilder()
                .setKey(r.key == null ? null : ByteBuffer.wrap(r.key))
                .setValue(r.value == null ? null : ByteBuffer.wrap(r.value))
                .setSourceTopic(r.topic == null ? "unknown" : r.topic)
                .setSourcePartition(r.partition < 0 ? null : r.partition)
                .setSourceOffset(r.offset < 0 ? null : r.offset)
                .setStage(stage)
                .setErrorClass(error.getClass().getName())
                .setReason(reason(error))
                .setTime(java.time.Instant.ofEpochMilli(now))
                .build();
    }

    /** One line: the message (or the class name when there is none), line breaks folded. */
    static String reason(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\r', ' ').replace('\n', ' ').trim();
    }
}
