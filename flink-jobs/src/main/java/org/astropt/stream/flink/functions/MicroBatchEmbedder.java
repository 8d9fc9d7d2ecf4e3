package org.astropt.stream.flink.functions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.flink.records.DeadLetters;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.kafka.Topics;
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
 * The embed stage's work on one micro-batch, in three steps: {@link #prepare} decodes and checks the token
 * sequences (task thread), {@link #forward} runs them through the serving model (the inference thread),
 * {@link #records} scores the results with the version's {@link ScoreHeads} and turns them into Embedding records
 * (each naming the model and version that made it, with its scores and hardest tokens) and one Flag per flag the
 * heads raise (task thread). Sequences the model cannot read become dead letters;
 * {@link #rejected} makes the REJECTED copy of a refused model version. Holds the Avro codecs; not
 * Serializable, built in open().
 */
final class MicroBatchEmbedder {

    private final AvroCodec<TokenSequence> sequences = AvroCodec.of(TokenSequence.class);
    private final AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class);
    private final AvroCodec<Flag> flags = AvroCodec.of(Flag.class);
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private final AvroCodec<ModelVersion> models = AvroCodec.of(ModelVersion.class);

    /**
     * A micro-batch decoded and checked on the task thread, ready for the model: the sequences the serving
     * model can read with their tokens and provenance metadata, the dead letters of those it cannot, and the
     * model (with its heads) of the moment it was formed (a swap while it is in the model does not change it).
     */
    record Prepared(ServingModel model, List<TokenizedCutout> kept,
            List<Map<String, String>> metadata, List<float[][]> tokens, List<KafkaBytes> rejected) {

        boolean isEmpty() { return kept.isEmpty(); }
    }

    /** A batch's forward pass: one result per kept sequence, and the time it took per sequence. */
    record Forwarded(List<Embedder.Result> results, long perItemMicros) {}

    /** Decodes and checks a batch (task thread). */
    Prepared prepare(ServingModel model, List<TokenizedCutout> batch) {
        ModelConfig config = model.config();
        List<TokenizedCutout> kept = new ArrayList<>(batch.size());
        List<Map<String, String>> metadata = new ArrayList<>(batch.size());
        List<float[][]> tokens = new ArrayList<>(batch.size());
        List<KafkaBytes> rejected = new ArrayList<>(0);
        for (TokenizedCutout t : batch) {
            try {
                TokenSequence s = sequences.decode(t.sequence);
                if (!config.inputLayout().id().equals(s.getLayout())) {
                    throw new IllegalArgumentException(t.id + ": a " + s.getLayout() + " sequence does not fit "
                            + model.pointer().label() + ", which reads " + config.inputLayout().id()
                            + " (input_layout in its config.json)");
                }
                if (s.getTokenDim() != config.tokenDim() || s.getTokenCount() > config.blockSize() || s.getTokenCount() < 1) {
                    throw new IllegalArgumentException(t.id + ": " + s.getTokenCount() + " tokens of " + s.getTokenDim()
                            + " values do not fit " + model.pointer().label() + ", which reads up to " + config.blockSize()
                            + " tokens of " + config.tokenDim() + " (" + config.patchSize() + " px patches, " + config.nChan() + " bands)");
                }
                tokens.add(TokenRecords.tokens(s));
                kept.add(t);
                metadata.add(s.getProvenance().getMetadata());
            } catch (RuntimeException e) {
                rejected.add(deadLetter(t, e).to(Topics.DEAD_LETTER));
            }
        }
        return new Prepared(model, kept, metadata, tokens, rejected);
    }

    /** The forward pass (the inference thread: touches nothing but the batch and its model). */
    static Forwarded forward(Prepared p) {
        long start = System.nanoTime();
        List<Embedder.Result> results = p.model().embedder().embed(p.tokens());
        return new Forwarded(results, (System.nanoTime() - start) / 1000 / p.kept().size());
    }

    /**
     * Embedding records with the version's scores, and one Flag per flag its heads raise, of a batch through its
     * model (task thread: the heads read the tokens and the forward pass's per-token errors, a few hundred
     * microseconds per cutout at most, which the inference thread need not wait for).
     */
    List<KafkaBytes> records(Prepared p, Forwarded f) {
        List<KafkaBytes> out = new ArrayList<>(p.kept().size() + 4);
        long now = System.currentTimeMillis();
        ModelPointer model = p.model().pointer();
        ScoreHeads heads = p.model().heads();
        for (int i = 0; i < p.kept().size(); i++) {
            TokenizedCutout t = p.kept().get(i);
            Embedder.Result r = f.results().get(i);
            ScoreHeads.Scored scored = heads.score(p.tokens().get(i), r);
            List<Float> vector = new ArrayList<>(r.embedding().length);
            for (float v : r.embedding()) vector.add(v);
            List<Integer> hardest = new ArrayList<>(scored.hardestTokens().length);
            for (int position : scored.hardestTokens()) hardest.add(position);
            Set<String> kinds = new LinkedHashSet<>();
            scored.flags().forEach(flag -> kinds.add(flag.flagKind()));
            Embedding e = Embedding.newBuilder()
                    .setId(t.id)
                    .setModelName(model.name)
                    .setModelVersion(model.version)
                    .setVector(vector)
                    .setSurprise(r.surprise())
                    .setFlags(List.copyOf(kinds))
                    .setTimings(StageTimings.newBuilder()
                            .setDecodeMicros(t.decodeMicros)
                            .setTokenizeMicros(t.tokenizeMicros)
                            .setEmbedMicros(f.perItemMicros())
                            .setSourceTime(t.sourceTime > 0 ? Instant.ofEpochMilli(t.sourceTime) : null)
                            .setProducedTime(Instant.ofEpochMilli(now))
                            .build())
                    .setMetadata(p.metadata().get(i)) // decoded for this record alone
                    .setScores(scored.scores())
                    .setHardestTokens(hardest)
                    .build();
            out.add(KafkaBytes.keyed(t.id, embeddings.encode(e), t.sourcePartition)); // the sink's own topic
            for (ScoreHeads.Flagged raised : scored.flags()) {
                Flag flag = Flag.newBuilder()
                        .setId(t.id)
                        .setKind(FlagKind.valueOf(raised.flagKind()))
                        .setArtefactKind(raised.artefactKind())
                        .setScore(raised.value())
                        .setThreshold(raised.threshold())
                        .setModelName(model.name)
                        .setModelVersion(model.version)
                        .setReason(raised.reason() + " (" + model.label() + ")")
                        .setTime(Instant.ofEpochMilli(now))
                        .build();
                out.add(KafkaBytes.keyed(t.id, flags.encode(flag), -1).to(Topics.FLAGS));
            }
        }
        return out;
    }

    /** The dead letter of a sequence no serving model reads, with the one-line reason. */
    KafkaBytes unread(TokenizedCutout t, String reason) {
        return deadLetter(t, new IllegalArgumentException(reason)).to(Topics.DEAD_LETTER);
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
        return KafkaBytes.keyed(ModelPointer.topicKey(p.name, p.version), models.encode(v), -1).to(Topics.MODELS);
    }

}
