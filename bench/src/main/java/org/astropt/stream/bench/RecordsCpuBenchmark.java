package org.astropt.stream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.flink.records.EmbeddingBytes;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.flink.records.TokenSequenceBytes;
import org.astropt.stream.flink.records.TokenSequenceFields;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.StageTimings;
import org.astropt.stream.schemas.TokenSequence;

/**
 * The pipeline's CPU per cutout on its records, between and around the stages (issue 15), before and after, by the
 * CPU time of the thread doing the work (ThreadMXBean), alternating in one JVM: on a shared machine wall time says
 * nothing. Per cutout of 64 x 64 synthetic grz stamps (16 tokens of 768 values, their 49 FITS cards as metadata),
 * four steps: "sequence" (the tokenize stage builds and encodes the TokenSequence), "network" (Flink's serializer of
 * the TokenizedCutout, out to bytes and back, as between the two tasks), "embed-read" (the embed stage gets the
 * tokens and metadata of a sequence), "embed-write" (its Embedding record's bytes, the heads' figures given); beside
 * them, the floor of "network": the sequence's bytes copied into a serialization buffer and out into an array of
 * their own, which any serializer of the TokenizedCutout pays.
 * "main" runs the code before this change (copied here where it changed); "now" the code in the tree.
 *
 * <pre>
 *   ./mvnw -B -o -q -pl bench -am package -DskipTests
 *   java -cp 'bench/target/benchmarks.jar:bench/target/lib/*' org.astropt.stream.bench.RecordsCpuBenchmark [turns] [cutouts per turn] [px]
 * </pre>
 */
public final class RecordsCpuBenchmark {

    static final AvroCodec<TokenSequence> SEQUENCES = AvroCodec.of(TokenSequence.class);
    static final AvroCodec<Embedding> EMBEDDINGS = AvroCodec.of(Embedding.class);
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    record Sample(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source) {}

    /** One way of doing the four steps. */
    interface Way {
        byte[] sequence(Sample s);

        Object read(TokenizedCutout t);

        byte[] write(TokenizedCutout t, Object read);
    }

    static final float[] VECTOR = new float[128];
    static final int[] HARDEST = {3, 9, 1};
    static final Map<String, Double> SCORES = new LinkedHashMap<>(Map.of("surprise", 0.31, "novelty", 0.5));

    /**
     * The code before this change (main at 281970f): the TokenSequence built with Avro's builders and encoded by Avro,
     * a decoded record and its metadata map, a built and encoded Embedding.
     */
    static final class Main implements Way {
        @Override public byte[] sequence(Sample s) {
            return SEQUENCES.encode(mainSequence(s.cutout, s.metadata, s.tokens, s.source, InputLayout.GRZ_CUTOUT,
                    TokenPacking.Precision.FLOAT32));
        }

        /** TokenRecords.sequence as main had it, verbatim. */
        static TokenSequence mainSequence(Cutout cutout, Map<String, String> metadata, Tokens tokens, SourceRecord source,
                InputLayout layout, TokenPacking.Precision precision) {
            metadata = new java.util.HashMap<>(metadata);
            org.astropt.stream.schemas.TokenizerSettings settings = org.astropt.stream.schemas.TokenizerSettings.newBuilder()
                    .setPatchSize(tokens.patchSize())
                    .setCropSize(tokens.cropSize())
                    .setBandOrder(List.copyOf(tokens.bands()))
                    .setFlipped(true)
                    .setStretch("none")
                    .setPadding(Math.max(Math.max(tokens.padding().top(), tokens.padding().bottom()),
                            Math.max(tokens.padding().left(), tokens.padding().right())))
                    .setTokenizerVersion(tokens.settings().version())
                    .build();
            org.astropt.stream.schemas.Provenance provenance = org.astropt.stream.schemas.Provenance.newBuilder()
                    .setSurvey(cutout.getSurvey())
                    .setRa(cutout.getRa())
                    .setDec(cutout.getDec())
                    .setObservedTime(cutout.getObservedTime())
                    .setSourceTopic(source.topic)
                    .setSourcePartition(source.partition < 0 ? null : source.partition)
                    .setSourceOffset(source.offset < 0 ? null : source.offset)
                    .setMetadata(metadata)
                    .build();
            return TokenSequence.newBuilder()
                    .setId(cutout.getId())
                    .setTokenizer(settings)
                    .setGridSize(tokens.gridSize())
                    .setTokenCount(tokens.tokenCount())
                    .setTokenDim(tokens.tokenDim())
                    .setDtype(precision == TokenPacking.Precision.FLOAT16 ? org.astropt.stream.schemas.TokenDtype.FLOAT16
                            : org.astropt.stream.schemas.TokenDtype.FLOAT32)
                    .setTokens(ByteBuffer.wrap(TokenPacking.pack(tokens.data(), precision)))
                    .setNanFraction((float) tokens.nanFraction())
                    .setProvenance(provenance)
                    .setLayout(layout.id())
                    .build();
        }

        @Override public Object read(TokenizedCutout t) {
            TokenSequence s = SEQUENCES.decode(t.sequence);
            return new Object[] {TokenSequences.tokens(s), s.getProvenance().getMetadata()};
        }

        @SuppressWarnings("unchecked")
        @Override public byte[] write(TokenizedCutout t, Object read) {
            List<Float> vector = new ArrayList<>(VECTOR.length);
            for (float v : VECTOR) vector.add(v);
            List<Integer> hardest = new ArrayList<>(HARDEST.length);
            for (int position : HARDEST) hardest.add(position);
            Embedding e = Embedding.newBuilder().setId(t.id).setModelName("astropt").setModelVersion(3).setVector(vector)
                    .setSurprise(0.31f).setFlags(List.of())
                    .setTimings(StageTimings.newBuilder().setDecodeMicros(t.decodeMicros).setTokenizeMicros(t.tokenizeMicros)
                            .setEmbedMicros(900).setSourceTime(t.sourceTime > 0 ? Instant.ofEpochMilli(t.sourceTime) : null)
                            .setProducedTime(Instant.ofEpochMilli(System.currentTimeMillis())).build())
                    .setMetadata((Map<String, String>) ((Object[]) read)[1])
                    .setScores(SCORES).setHardestTokens(hardest).build();
            return EMBEDDINGS.encode(e);
        }
    }

    /** The code in the tree. */
    static final class Now implements Way {
        final TokenSequenceFields.Reader reader = new TokenSequenceFields.Reader();
        final EmbeddingBytes embeddings = new EmbeddingBytes();
        final TokenSequenceBytes sequences = new TokenSequenceBytes();

        @Override public byte[] sequence(Sample s) {
            return TokenRecords.sequenceBytes(s.cutout, s.metadata, s.tokens, s.source, InputLayout.GRZ_CUTOUT,
                    TokenPacking.Precision.FLOAT32, sequences);
        }

        @Override public Object read(TokenizedCutout t) {
            TokenSequenceFields f = reader.read(t.sequence, t.id);
            f.tokens();
            return f;
        }

        @Override public byte[] write(TokenizedCutout t, Object read) {
            return embeddings.encode(t.id, "astropt", 3, VECTOR, 0.31f, List.of(),
                    new EmbeddingBytes.Timings(t.decodeMicros, t.tokenizeMicros, 900, t.sourceTime, System.currentTimeMillis()),
                    (TokenSequenceFields) read, SCORES, HARDEST);
        }
    }

    public static void main(String[] args) throws Exception {
        int turns = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int perTurn = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int px = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        List<Sample> samples = samples(px, 50);
        TypeSerializer<TokenizedCutout> network = TypeInformation.of(TokenizedCutout.class).createSerializer(new SerializerConfigImpl());
        System.out.println("TokenizedCutout serializer: " + network.getClass().getSimpleName());
        Map<String, Way> ways = new LinkedHashMap<>();
        ways.put("main", new Main());
        ways.put("now", new Now());
        String[] steps = {"sequence", "network", "embed-read", "embed-write", "(network floor: copies only)"};
        Map<String, List<double[]>> figures = new LinkedHashMap<>();
        for (int turn = 0; turn < turns; turn++) {
            for (var w : ways.entrySet()) {
                double[] us = run(w.getValue(), network, samples, perTurn);
                figures.computeIfAbsent(w.getKey(), k -> new ArrayList<>()).add(us);
                System.out.printf(Locale.ROOT, "turn %d %-5s us/cutout: sequence %.2f, network %.2f, embed-read %.2f, embed-write %.2f, total %.2f (network floor %.2f)%n",
                        turn, w.getKey(), us[0], us[1], us[2], us[3], us[0] + us[1] + us[2] + us[3], us[4]);
            }
        }
        System.out.println("medians of turns 2.. (thread CPU us per cutout), " + px + " px:");
        for (var e : figures.entrySet()) {
            List<double[]> kept = e.getValue().subList(Math.min(2, e.getValue().size() - 1), e.getValue().size());
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-5s", e.getKey()));
            double total = 0;
            for (int k = 0; k < steps.length; k++) {
                final int step = k;
                double m = median(kept.stream().mapToDouble(u -> u[step]).toArray());
                if (k < 4) total += m;
                line.append(String.format(Locale.ROOT, " %s %.2f", steps[k], m));
            }
            System.out.println(line.append(String.format(Locale.ROOT, " | sum of medians %.2f", total)));
        }
    }

    /** One turn: each step over perTurn cutouts, its thread CPU per cutout. */
    static double[] run(Way way, TypeSerializer<TokenizedCutout> network, List<Sample> samples, int perTurn) throws Exception {
        TokenizedCutout[] made = new TokenizedCutout[samples.size()];
        long t0 = cpu();
        for (int i = 0; i < perTurn; i++) {
            Sample s = samples.get(i % samples.size());
            TokenizedCutout t = new TokenizedCutout();
            t.id = s.cutout.getId();
            t.sequence = way.sequence(s);
            t.layout = "grz-cutout";
            t.tokenDim = s.tokens.tokenDim();
            t.tokenCount = s.tokens.tokenCount();
            t.sourceTopic = s.source.topic;
            t.sourcePartition = s.source.partition;
            t.sourceOffset = s.source.offset;
            t.sourceTime = s.source.timestamp;
            made[i % made.length] = t;
        }
        long t1 = cpu();
        DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
        DataInputDeserializer in = new DataInputDeserializer();
        TokenizedCutout[] received = new TokenizedCutout[made.length];
        for (int i = 0; i < perTurn; i++) {
            out.clear();
            network.serialize(made[i % made.length], out);
            in.setBuffer(out.getSharedBuffer(), 0, out.length());
            received[i % made.length] = network.deserialize(in);
        }
        long t2 = cpu();
        for (int i = 0; i < perTurn; i++) { // the floor of the network step: the sequence's bytes copied out and back, nothing else
            byte[] sequence = made[i % made.length].sequence;
            out.clear();
            out.writeInt(sequence.length);
            out.write(sequence);
            in.setBuffer(out.getSharedBuffer(), 0, out.length());
            byte[] back = new byte[in.readInt()];
            in.readFully(back);
            received[i % made.length].sequence = back;
        }
        long t2b = cpu();
        Object[] read = new Object[made.length];
        long t2c = cpu();
        for (int i = 0; i < perTurn; i++) read[i % made.length] = way.read(received[i % made.length]);
        long t3 = cpu();
        long bytes = 0;
        for (int i = 0; i < perTurn; i++) bytes += way.write(received[i % made.length], read[i % made.length]).length;
        long t4 = cpu();
        if (bytes == 0) throw new IllegalStateException("no bytes");
        double n = perTurn * 1000.0;
        return new double[] {(t1 - t0) / n, (t2 - t1) / n, (t3 - t2c) / n, (t4 - t3) / n, (t2b - t2) / n};
    }

    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Synthetic grz stamps, decoded and tokenized as the tokenize stage does, with their FITS cards as metadata. */
    static List<Sample> samples(int px, int count) throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(11, px, count);
        CutoutDecoder decoder = new CutoutDecoder();
        PatchTokenizer tokenizer = new PatchTokenizer();
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Cutout cutout = Cutout.newBuilder().setId(SyntheticSurvey.id(11, i)).setSurvey("synthetic").setFormat(ImageFormat.FITS)
                    .setRa(150.0 + i * 1e-3).setDec(2.0).setImage(ByteBuffer.wrap(SurveyWriter.fitsBytes(survey.galaxy(i)))).build();
            CutoutImage image = decoder.decode(cutout);
            out.add(new Sample(cutout, image.metadata(), tokenizer.tokenize(cutout.getId(), image),
                    new SourceRecord(null, null, "astropt.cutouts", 0, i, 1_765_000_000_000L + i)));
        }
        System.out.println(count + " stamps of " + px + " px, " + out.get(0).metadata.size() + " metadata entries, "
                + new Main().sequence(out.get(0)).length + " bytes per TokenSequence");
        byte[] main = new Main().sequence(out.get(0)), now = new Now().sequence(out.get(0));
        if (!Arrays.equals(main, now)) throw new IllegalStateException("the two ways write different TokenSequence bytes");
        return out;
    }
}
