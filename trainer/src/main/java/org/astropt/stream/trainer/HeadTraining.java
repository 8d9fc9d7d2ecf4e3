package org.astropt.stream.trainer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.astropt.stream.core.heads.ObjectLabel;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.token.TokenSequences;
import org.astropt.stream.kafka.CommittedRecords;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.TokenSequence;
import org.astropt.stream.trainer.evaluation.CrossValidation;
import org.astropt.stream.trainer.evaluation.GalaxyLabels;
import org.astropt.stream.trainer.evaluation.HeadFitter;
import org.astropt.stream.trainer.evaluation.RankingMetrics;

/**
 * The score heads a version ships, fitted from people's labels: reads the labels topic ({@link HumanLabels}), joins
 * it with the token topic (the latest tokens of every labelled object, and a sample of up to trainer.heads-sample
 * sequences nobody labelled, for the novelty reference; with trainer.truth-labels those carry the synthetic survey's
 * truth as labels), and fits {@link HeadFitter} on them with a model. It also measures how well heads agree with
 * people's labels ({@link #agreement}): what decides a heads-only candidate (docs/TRAINER.md, "Labels").
 */
final class HeadTraining {

    /** One fit: the heads, the figures for metrics.json (HeadFitter's heads.*, and labels.*), and what it was fitted on. */
    record Fit(ScoreHeads heads, Map<String, Double> figures, Examples examples) {}

    /**
     * The sequences of one fit, and their embeddings by the model the heads are for.
     *
     * @param all     every example: people's labels, truth labels, unlabelled
     * @param human   indices into all of the examples people labelled
     * @param results the model's result for each of all, in order
     */
    record Examples(List<HeadFitter.Example> all, int[] human, List<Embedder.Result> results) {}

    /** Figure names in metrics.json. */
    static final String AGREEMENT = "labels.artefact_auc", SERVING_AGREEMENT = "labels.serving_artefact_auc",
            TRUTH_COUNT = "labels.truth", HEADS_ONLY = "heads_only";

    private static final AvroCodec<TokenSequence> TOKENS = AvroCodec.of(TokenSequence.class);

    private final TrainerSettings settings;
    private final Topics topics;

    HeadTraining(TrainerSettings settings, Topics topics) {
        this.settings = settings;
        this.topics = topics;
    }

    /** The labels people have given so far. */
    HumanLabels labels() {
        return HumanLabels.read(settings.kafka(), topics.name(Topics.LABELS));
    }

    /** Embeds the labelled and sampled sequences with the model and fits heads on them; provenance and labels.* figures included. */
    Fit fit(AstroPTModel model, HumanLabels labels) {
        return fit(model, labels, Set.of());
    }

    /** As {@link #fit(AstroPTModel, HumanLabels)}, leaving the objects of heldOut out of the unlabelled sample (they judge the heads). */
    Fit fit(AstroPTModel model, HumanLabels labels, Set<String> heldOut) {
        List<HeadFitter.Example> all = examples(labels, model.config(), heldOut);
        List<Embedder.Result> results = Evaluation.embed(model, all.stream().map(HeadFitter.Example::tokens).toList());
        int[] human = java.util.stream.IntStream.range(0, all.size()).filter(i -> labels.byId().containsKey(all.get(i).id())).toArray();
        Examples examples = new Examples(all, human, results);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", settings.truthLabels() ? "people's labels and the synthetic survey's truth" : "people's labels");
        provenance.put("labels", String.valueOf(human.length));
        provenance.put("labels_offset", String.valueOf(labels.offset()));
        provenance.put("objects", String.valueOf(all.size()));
        HeadFitter.Fitted fitted = HeadFitter.fit(all, results, fitSettings(), provenance);
        Map<String, Double> figures = new LinkedHashMap<>(fitted.figures());
        figures.put(HumanLabels.COUNT_METRIC, (double) human.length);
        figures.put(HumanLabels.OFFSET_METRIC, (double) labels.offset());
        figures.put(TRUTH_COUNT, (double) all.stream().filter(e -> !e.labels().isEmpty()).count() - human.length);
        double agreement = agreementOutOfFold(examples);
        if (!Double.isNaN(agreement)) figures.put(AGREEMENT, agreement);
        return new Fit(fitted.heads(), figures, examples);
    }

    private HeadFitter.Settings fitSettings() {
        HeadFitter.Settings d = HeadFitter.Settings.DEFAULT;
        return new HeadFitter.Settings(d.folds(), d.minPositives(), d.referenceSize(), d.neighbours(), d.anomalyQuantile(), settings.seed());
    }

    /**
     * How well heads agree with people's labels: the ROC AUC of their {@code artefact} probability for the objects
     * people labelled artefact:&lt;kind&gt; against those they labelled normal or interesting. 0.5 (chance) for
     * heads without an artefact head; NaN when people gave no artefact label, or only artefact labels.
     */
    static double agreement(ScoreHeads heads, Examples examples) {
        double[] p = new double[examples.human().length];
        Optional<org.astropt.stream.core.heads.LogisticHead> head = heads.head(ScoreHeads.ARTEFACT);
        for (int r = 0; r < p.length; r++) {
            int i = examples.human()[r];
            p[r] = head.isEmpty() ? 0.5 : heads.score(examples.all().get(i).tokens(), examples.results().get(i)).scores().get(ScoreHeads.ARTEFACT);
        }
        return auc(p, examples);
    }

    /**
     * The agreement of heads fitted as {@link #fit} fits them, measured out of fold: the people-labelled objects in
     * 5 folds, each scored by heads fitted without it (the truth-labelled and unlabelled examples always in).
     */
    double agreementOutOfFold(Examples examples) {
        int n = examples.human().length;
        if (n < 2 * CrossValidation.DEFAULT_FOLDS) return Double.NaN;
        int[] fold = CrossValidation.folds(n, CrossValidation.DEFAULT_FOLDS, settings.seed());
        double[] p = new double[n];
        for (int f = 0; f < CrossValidation.DEFAULT_FOLDS; f++) {
            List<HeadFitter.Example> train = new ArrayList<>(examples.all());
            for (int r = 0; r < n; r++) {
                if (fold[r] != f) continue;
                HeadFitter.Example e = train.get(examples.human()[r]);
                train.set(examples.human()[r], new HeadFitter.Example(e.id(), e.tokens(), Set.of())); // left out: unlabelled
            }
            ScoreHeads heads = HeadFitter.fit(train, examples.results(), fitSettings(), Map.of()).heads();
            Optional<org.astropt.stream.core.heads.LogisticHead> head = heads.head(ScoreHeads.ARTEFACT);
            for (int r = 0; r < n; r++) {
                if (fold[r] != f) continue;
                int i = examples.human()[r];
                p[r] = head.isEmpty() ? 0.5 : heads.score(examples.all().get(i).tokens(), examples.results().get(i)).scores().get(ScoreHeads.ARTEFACT);
            }
        }
        return auc(p, examples);
    }

    private static double auc(double[] p, Examples examples) {
        boolean[] artefact = new boolean[p.length];
        int positives = 0;
        for (int r = 0; r < p.length; r++) {
            artefact[r] = examples.all().get(examples.human()[r]).labels().stream().anyMatch(ObjectLabel::isArtefact);
            if (artefact[r]) positives++;
        }
        return positives == 0 || positives == p.length ? Double.NaN : RankingMetrics.rocAuc(p, artefact);
    }

    /**
     * The examples of a fit, read from the token topic (read_committed, from its start to its end now): the latest
     * tokens of every object people labelled, with their label, and a seeded reservoir sample of up to
     * trainer.heads-sample others, labelled from their truth when trainer.truth-labels is on, else unlabelled.
     * Only sequences the model reads (its token width, 2 to block-size tokens) count; only kept records are decoded.
     */
    List<HeadFitter.Example> examples(HumanLabels labels, ModelConfig config) {
        return examples(labels, config, Set.of());
    }

    /** As {@link #examples(HumanLabels, ModelConfig)}, with the ids of heldOut kept out of the sample of others. */
    List<HeadFitter.Example> examples(HumanLabels labels, ModelConfig config, Set<String> heldOut) {
        Map<String, TokenSequence> labelled = new LinkedHashMap<>();
        List<TokenSequence> sample = new ArrayList<>();
        Map<String, Integer> sampled = new HashMap<>();
        SplittableRandom random = new SplittableRandom(settings.seed());
        long others = 0;
        String topic = topics.name(Topics.TOKENS);
        try (KafkaConsumer<byte[], byte[]> consumer = CommittedRecords.fromStart(settings.kafka(), topic)) {
            List<TopicPartition> parts = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException(topic + ": not read to its end " + end + " in 10 minutes");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || r.value() == null || r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) continue;
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    if (labels.byId().containsKey(id)) {
                        decode(r, config).ifPresent(s -> labelled.put(id, s));
                    } else if (sampled.containsKey(id)) {
                        int at = sampled.get(id);
                        decode(r, config).ifPresent(s -> sample.set(at, s)); // a newer record of a sampled object
                    } else if (settings.headsSample() > 0 && !heldOut.contains(id)) {
                        long seen = ++others;
                        int at = sample.size() < settings.headsSample() ? sample.size() : (int) random.nextLong(seen);
                        if (at >= settings.headsSample()) continue;
                        Optional<TokenSequence> s = decode(r, config);
                        if (s.isEmpty()) continue;
                        if (at == sample.size()) {
                            sample.add(s.get());
                        } else {
                            sampled.remove(sample.get(at).getId());
                            sample.set(at, s.get());
                        }
                        sampled.put(id, at);
                    }
                }
            }
        }
        List<HeadFitter.Example> out = new ArrayList<>();
        labelled.forEach((id, s) -> out.add(new HeadFitter.Example(id, TokenSequences.tokens(s), Set.of(labels.byId().get(id)))));
        for (TokenSequence s : sample) {
            Set<String> truth = settings.truthLabels()
                    ? GalaxyLabels.fromMetadata(s.getProvenance().getMetadata()).map(HeadFitter::labelsOf).orElse(Set.of()) : Set.of();
            out.add(new HeadFitter.Example(s.getId(), TokenSequences.tokens(s), truth));
        }
        return out;
    }

    /** The record as a TokenSequence the model reads; empty when it does not decode or does not fit the model. */
    private static Optional<TokenSequence> decode(ConsumerRecord<byte[], byte[]> r, ModelConfig config) {
        try {
            TokenSequence s = TOKENS.decode(r.value());
            boolean fits = config.inputLayout().id().equals(s.getLayout())
                    && s.getTokenDim() == config.tokenDim() && s.getTokenCount() >= 2 && s.getTokenCount() <= config.blockSize();
            return fits ? Optional.of(s) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
