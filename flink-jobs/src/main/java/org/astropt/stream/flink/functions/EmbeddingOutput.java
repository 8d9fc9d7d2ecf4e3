package org.astropt.stream.flink.functions;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.OutputTag;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.flink.records.DeadLetters;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.FlagKind;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.PipelineStage;
import org.astropt.stream.schemas.StageTimings;
import org.astropt.stream.schemas.TokenSequence;

/**
 * The records the embed operator writes: one batch of sequences through a serving model to Embedding
 * records (each naming the model and version that made it), Flags for scores above the threshold,
 * dead letters for sequences the model cannot read, and REJECTED copies of refused model versions.
 * Holds the Avro codecs; not Serializable, built in open().
 */
final class EmbeddingOutput {

    /** A record and where it goes: null tag = the main output (embeddings). */
    record Emitted(OutputTag<KafkaBytes> tag, KafkaBytes record) {}

    private final AvroCodec<TokenSequence> sequences = AvroCodec.of(TokenSequence.class);
    private final AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
    private final AvroCodec<Flag> flags = AvroCodec.of(Flag.class);
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private final AvroCodec<ModelVersion> models = AvroCodec.of(ModelVersion.class);

    List<Emitted> embed(ServingModel model, List<TokenizedCutout> batch, SurpriseThreshold threshold) {
        List<Emitted> out = new ArrayList<>(batch.size() + 4);
        ModelConfig config = model.config();
        List<TokenizedCutout> kept = new ArrayList<>(batch.size());
        List<TokenSequence> keptRecords = new ArrayList<>(batch.size());
        List<float[][]> tokens = new ArrayList<>(batch.size());
        for (TokenizedCutout t : batch) {
            try {
                TokenSequence s = sequences.decode(t.sequence);
                if (s.getTokenDim() != config.tokenDim() || s.getTokenCount() > config.blockSize() || s.getTokenCount() < 1) {
                    throw new IllegalArgumentException(t.id + ": " + s.getTokenCount() + " tokens of " + s.getTokenDim()
                            + " values do not fit " + model.pointer().label() + ", which reads up to " + config.blockSize()
                            + " tokens of " + config.tokenDim() + " (" + config.patchSize() + " px patches, " + config.nChan() + " bands)");
                }
                tokens.add(TokenRecords.tokens(s));
                kept.add(t);
                keptRecords.add(s);
            } catch (RuntimeException e) {
                out.add(new Emitted(EmbedOperator.DEAD_LETTERS, deadLetter(t, e)));
            }
        }
        if (kept.isEmpty()) return out;
        long start = System.nanoTime();
        List<Embedder.Result> results = model.embedder().embed(tokens);
        long perItemMicros = (System.nanoTime() - start) / 1000 / kept.size();
        long now = System.currentTimeMillis();
        ModelPointer p = model.pointer();
        for (int i = 0; i < kept.size(); i++) {
            TokenizedCutout t = kept.get(i);
            Embedder.Result r = results.get(i);
            double limit = threshold.observe(r.surprise());
            boolean anomalous = !Double.isNaN(limit) && r.surprise() > limit;
            Map<String, String> metadata = new HashMap<>();
            metadata.putAll(keptRecords.get(i).getProvenance().getMetadata());
            List<Float> vector = new ArrayList<>(r.embedding().length);
            for (float v : r.embedding()) vector.add(v);
            Embedding e = Embedding.newBuilder()
                    .setId(t.id)
                    .setModelName(p.name)
                    .setModelVersion(p.version)
                    .setVector(vector)
                    .setSurprise(r.surprise())
                    .setFlags(anomalous ? List.of(FlagKind.ANOMALY.name()) : List.of())
                    .setTimings(StageTimings.newBuilder()
                            .setDecodeMicros(t.decodeMicros)
                            .setTokenizeMicros(t.tokenizeMicros)
                            .setEmbedMicros(perItemMicros)
                            .setSourceTime(t.sourceTime > 0 ? Instant.ofEpochMilli(t.sourceTime) : null)
                            .setProducedTime(Instant.ofEpochMilli(now))
                            .build())
                    .setMetadata(metadata)
                    .build();
            out.add(new Emitted(null, KafkaBytes.keyed(t.id, embeddings.encode(e), t.sourcePartition)));
            if (anomalous) {
                Flag f = Flag.newBuilder()
                        .setId(t.id)
                        .setKind(FlagKind.ANOMALY)
                        .setScore(r.surprise())
                        .setThreshold(limit)
                        .setModelName(p.name)
                        .setModelVersion(p.version)
                        .setReason(String.format("surprise %.4g is above %.4g, the recent quantile of %s", r.surprise(), limit, p.label()))
                        .setTime(Instant.ofEpochMilli(now))
                        .build();
                out.add(new Emitted(EmbedOperator.FLAGS, KafkaBytes.keyed(t.id, flags.encode(f), -1)));
            }
        }
        return out;
    }

    private KafkaBytes deadLetter(TokenizedCutout t, RuntimeException e) {
        SourceRecord r = new SourceRecord(t.id == null ? null : t.id.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                t.sequence, t.sourceTopic, t.sourcePartition, t.sourceOffset, t.sourceTime);
        return new KafkaBytes(r.key, deadLetters.encode(DeadLetters.of(r, PipelineStage.EMBED, e, System.currentTimeMillis())), -1);
    }

    /** The refused version's record with status REJECTED and the reason as its note, keyed {@code <name>:<version>}. */
    KafkaBytes rejected(ModelPointer p, String reason) {
        ModelVersion v = models.decode(p.record);
        v.setStatus(ModelStatus.REJECTED);
        v.setNote(reason);
        v.setCreatedTime(Instant.now());
        return KafkaBytes.keyed(ModelPointer.topicKey(p.name, p.version), models.encode(v), -1);
    }

    static ByteBuffer wrap(byte[] b) { return ByteBuffer.wrap(b); }
}
