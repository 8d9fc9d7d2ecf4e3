package org.astropt.stream.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.TokenBatch;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Provenance;
import org.astropt.stream.schemas.TokenDtype;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.schemas.TokenizerSettings;

/**
 * Training tokens/s reading sequences from Kafka (TokenReader: poll, Avro decode, unpack) against the same
 * sequences already in memory, in one run, alternating, on an in-process broker (docs/BENCHMARKS.md):
 *
 * <pre>
 *   java -cp ... org.astropt.stream.trainer.TrainerBenchmark [PRESET] [SEQUENCES] [TOKENS] [BATCH] [ROUNDS]
 *   (defaults 1M 2048 64 16 3)
 * </pre>
 */
public final class TrainerBenchmark {

    private TrainerBenchmark() {}

    public static void main(String[] args) throws Exception {
        String preset = args.length > 0 ? args[0] : "1M";
        int sequences = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Path dir = Files.createTempDirectory("astropt-trainer-bench");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(dir, 0, Topics.defaults())) {
            ModelConfig config = TrainerSettings.presetOf(preset).config();
            produce(kafka.bootstrapServers(), sequences, tokens, config.tokenDim());
            Properties p = new Properties();
            p.setProperty("trainer.bootstrap-servers", kafka.bootstrapServers());
            p.setProperty("trainer.group-id", "bench");
            TrainerSettings settings = TrainerSettings.of(p);
            List<float[][]> memory = new ArrayList<>();
            try (TokenReader reader = new TokenReader(settings, "astropt.tokens")) {
                reader.seek(reader.beginning(), reader.end());
                for (TokenRecord r; (r = reader.next()) != null; ) memory.add(r.tokens());
            }
            int steps = sequences / batch;
            System.out.printf(Locale.ROOT, "preset %s, %d sequences of %d tokens x %d values, batch %d, %d steps per pass, %d cores%n",
                    preset, sequences, tokens, config.tokenDim(), batch, steps, Runtime.getRuntime().availableProcessors());
            try (AstroPTModel model = AstroPTModel.create(config, AstroPTModel.defaultDevice(), 1);
                 Trainer trainer = new Trainer(model, new Trainer.Settings(batch, 1, Integer.MAX_VALUE, LrSchedule.of(1e-4, 0, 1),
                         1.0, AdamW.Settings.ASTROPT, 0, 1))) {
                pass(trainer, model, memory.iterator()::next, steps, batch, tokens); // warm-up
                double[] fromMemory = new double[rounds];
                double[] fromKafka = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    fromMemory[r] = pass(trainer, model, memory.iterator()::next, steps, batch, tokens);
                    try (TokenReader reader = new TokenReader(settings, "astropt.tokens")) {
                        reader.seek(reader.beginning(), reader.end());
                        fromKafka[r] = pass(trainer, model, () -> reader.next().tokens(), steps, batch, tokens);
                    }
                    System.out.printf(Locale.ROOT, "pass %d: memory %.0f tokens/s, kafka %.0f tokens/s (%+.1f%%)%n", r + 1,
                            fromMemory[r], fromKafka[r], 100 * (fromKafka[r] / fromMemory[r] - 1));
                }
                double m = java.util.Arrays.stream(fromMemory).average().orElse(0);
                double k = java.util.Arrays.stream(fromKafka).average().orElse(0);
                System.out.printf(Locale.ROOT, "mean: memory %.0f tokens/s, kafka %.0f tokens/s, the Kafka path costs %.1f%%%n",
                        m, k, 100 * (1 - k / m));
            }
        } finally {
            FileModelStore.deleteTree(dir);
        }
    }

    /** Training tokens/s of steps optimizer steps over batches drawn from next. */
    private static double pass(Trainer trainer, AstroPTModel model, java.util.function.Supplier<float[][]> next, int steps, int batch, int tokens) {
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            List<float[][]> b = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) b.add(next.get());
            try (NDManager m = model.newBatchManager()) {
                NDArray x = TokenBatch.stack(m, b);
                trainer.step(List.of(x), 1e-4);
            }
        }
        return (double) steps * batch * (tokens - 1) / ((System.nanoTime() - t0) / 1e9);
    }

    /** Random normalised tokens as TokenSequence records, as the pipeline writes them. */
    private static void produce(String bootstrap, int sequences, int tokens, int tokenDim) {
        AvroCodec<TokenSequence> codec = AvroCodec.of(TokenSequence.class);
        Random random = new Random(1);
        int grid = (int) Math.round(Math.sqrt(tokens));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, "20"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < sequences; i++) {
                float[] v = new float[tokens * tokenDim];
                for (int j = 0; j < v.length; j++) v[j] = (float) random.nextGaussian();
                String id = String.format(Locale.ROOT, "bench-%06d", i);
                TokenSequence s = TokenSequence.newBuilder().setId(id)
                        .setTokenizer(TokenizerSettings.newBuilder().setPatchSize(16).setCropSize(grid * 16).setBandOrder(List.of("g", "r", "z"))
                                .setFlipped(true).setStretch("none").setTokenizerVersion("bench").build())
                        .setGridSize(grid).setTokenCount(tokens).setTokenDim(tokenDim).setDtype(TokenDtype.FLOAT32)
                        .setTokens(ByteBuffer.wrap(TokenPacking.pack(v, TokenPacking.Precision.FLOAT32))).setNanFraction(0)
                        .setProvenance(Provenance.newBuilder().setSurvey("bench").build()).build();
                producer.send(new ProducerRecord<>("astropt.tokens", id.getBytes(StandardCharsets.UTF_8), codec.encode(s)));
            }
        }
    }
}
