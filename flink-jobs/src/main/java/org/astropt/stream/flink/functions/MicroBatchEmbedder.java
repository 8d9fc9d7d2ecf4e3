package org.astropt.stream.flink.functions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.flink.records.DeadLetters;
import org.astropt.stream.flink.records.EmbeddingBytes;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenSequenceFields;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.Flag;
import org.astropt.stream.schemas.FlagKind;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.PipelineStage;

/**
 * The embed stage's work on one micro-batch, in three steps: {@link #prepare} reads and checks the token
 * sequences (task thread), {@link #forward} runs them through the serving model (the inference thread),
 * {@link #records} scores the results with the version's {@link ScoreHeads} and turns them into Embedding records
 * (each naming the model and version that made it, with its scores and hardest tokens) and one Flag per flag the
 * heads raise (task thread). Sequences the model cannot read become dead letters;
 * {@link #rejected} makes the REJECTED copy of a refused model version. Holds the Avro codecs; not
 * Serializable, built in open().
 */
final class MicroBatchEmbedder {

    private final TokenSequenceFields.Reader sequences = new TokenSequenceFields.Reader();
    private final EmbeddingBytes embeddings = new EmbeddingBytes();
    private final AvroCodec<Flag> flags = AvroCodec.of(Flag.class);
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private final AvroCodec<ModelVersion> models = AvroCodec.of(ModelVersion.class);

    /**
     * A micro-batch read and checked on the task thread, ready for the model: the sequences the serving
     * model can read with their fields (provenance metadata among them) and tokens, the dead letters of those it cannot, and the
     * model (with its heads) of the moment it was formed (a swap while it is in the model does not change it).
     */
    record Prepared(ServingModel model, List<TokenizedCutout> kept,
            List<TokenSequenceFields> fields, List<float[][]> tokens, List<KafkaBytes> rejected) {

        boolean isEmpty() { return kept.isEmpty(); }
    }

    /** A batch's forward pass: one result per kept sequence, and the time it took per sequence. */
    record Forwarded(List<Embedder.Result> results, long perItemMicros) {}

    /** Reads and checks a batch (task thread): the fields it needs of each sequence, read in place (TokenSequenceFields). */
    Prepared prepare(ServingModel model, List<TokenizedCutout> batch) {
        ModelConfig config = model.config();
        List<TokenizedCutout> kept = new ArrayList<>(batch.size());
        List<TokenSequenceFields> fields = new ArrayList<>(batch.size());
        List<float[][]> tokens = new ArrayList<>(batch.size());
        List<KafkaBytes> rejected = new ArrayList<>(0);
        for (TokenizedCutout t : batch) {
            try {
                TokenSequenceFields s = sequences.read(t.sequence, t.id);
                if (!config.inputLayout().id().equals(s.layout())) {
                    throw new IllegalArgumentException(t.id + ": a " + s.layout() + " sequence does not fit "
                            + model.pointer().label() + ", which reads " + config.inputLayout().id()
                            + " (input_layout in its config.json)");
                }
                if (s.tokenDim() != config.tokenDim() || s.tokenCount() > config.blockSize() || s.tokenCount() < 1) {
                    throw new IllegalArgumentException(t.id + ": " + s.tokenCount() + " tokens of " + s.tokenDim()
                            + " values do not fit " + model.pointer().label() + ", which reads up to " + config.blockSize()
                            + " tokens of " + config.tokenDim() + " (" + config.patchSize() + " px patches, " + config.nChan() + " bands)");
                }
                tokens.add(s.tokens());
                kept.add(t);
                fields.add(s);
            } catch (RuntimeException e) {
                rejected.add(deadLetter(t, e).to(Topics.DEAD_LETTER));
            }
        }
        return new Prepared(model, kept, fields, tokens, rejected);
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
            Set<String> kinds = new LinkedHashSet<>();
            scored.flags().forEach(flag -> kinds.add(flag.flagKind()));
            byte[] embedding = embeddings.encode(t.id, model.name, model.version, r.embedding(), r.surprise(), kinds,
                    new EmbeddingBytes.Timings(t.decodeMicros, t.tokenizeMicros, f.perItemMicros(), t.sourceTime, now),
                    p.fields().get(i), scored.scores(), scored.hardestTokens()); // metadata as the sequence carried it
            out.add(KafkaBytes.keyed(t.id, embedding, t.sourcePartition)); // the sink's own topic
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
