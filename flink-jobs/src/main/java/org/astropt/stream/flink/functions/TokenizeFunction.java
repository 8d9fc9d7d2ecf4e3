package org.astropt.stream.flink.functions;

import java.util.Properties;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.astropt.stream.core.config.AstroptConfig;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenPacking;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.flink.PipelineSettings;
import org.astropt.stream.flink.PipelineInputs.Format;
import org.astropt.stream.flink.records.DeadLetters;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.flink.records.TokenSequenceBytes;
import org.astropt.stream.flink.records.TokenizedCutout;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.DeadLetter;
import org.astropt.stream.schemas.PipelineStage;

/**
 * Stage one: the bytes of an input record -> image (core's CutoutDecoder) -> tokens -> TokenSequence bytes.
 * The record's input format (pipeline.inputs) says how: a cutout envelope (Cutout Avro) or raw FITS bytes
 * become grz-cutout tokens (PatchTokenizer); a ZTF or Rubin alert packet becomes an alert-triplet
 * (AlertTripletTokenizer), keyed by its candid. Any failure sends the record, bytes untouched, to the
 * {@link #DEAD_LETTERS} side output with the stage it failed in and one line why; the job goes on.
 *
 * <p>The decoder, tokenizer and Avro codecs are built in open(): they are not Serializable.
 */
public final class TokenizeFunction extends ProcessFunction<SourceRecord, TokenizedCutout> {

    public static final OutputTag<KafkaBytes> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** The core settings (decode limits, tokenizer), as properties: Serializable, unlike the settings objects. */
    private final Properties coreSettings;

    private transient AvroCodec<Cutout> cutouts;
    private transient TokenSequenceBytes sequences;
    private transient AvroCodec<DeadLetter> deadLetters;
    private transient CutoutDecoder decoder;
    private transient PatchTokenizer tokenizer;
    private transient AlertTripletTokenizer triplets;
    private transient InputDecoder inputs;
    private transient TokenPacking.Precision precision;

    public TokenizeFunction(Properties coreSettings) {
        this.coreSettings = coreSettings;
    }

    @Override
    public void open(OpenContext context) {
        AstroptConfig config = AstroptConfig.of(coreSettings);
        cutouts = AvroCodec.of(Cutout.class);
        sequences = new TokenSequenceBytes();
        deadLetters = AvroCodec.of(DeadLetter.class);
        decoder = new CutoutDecoder(config.decodeLimits(), config.alertSchemas());
        tokenizer = new PatchTokenizer(config.tokenizerSettings());
        triplets = new AlertTripletTokenizer(config.alertTripletTokenizerSettings());
        inputs = new InputDecoder(decoder);
        precision = PipelineSettings.tokenPrecision(coreSettings);
    }

    @Override
    public void processElement(SourceRecord r, Context ctx, Collector<TokenizedCutout> out) {
        PipelineStage stage = PipelineStage.DESERIALIZE;
        try {
            if (r.value == null) throw new IllegalArgumentException(where(r) + ": the record has no value");
            Format format = r.format == null ? Format.CUTOUT : Format.of(r.format);
            Cutout cutout;
            CutoutImage image;
            InputLayout layout;
            long t0 = System.nanoTime();
            if (format == Format.CUTOUT) {
                cutout = cutouts.decode(r.value);
                stage = PipelineStage.VALIDATE;
                if (cutout.getId() == null || cutout.getId().isBlank()) {
                    throw new IllegalArgumentException(where(r) + ": the cutout has an empty id");
                }
                stage = PipelineStage.DECODE;
                t0 = System.nanoTime();
                image = decoder.decode(cutout);
                layout = InputLayout.GRZ_CUTOUT;
            } else {
                stage = PipelineStage.VALIDATE;
                InputDecoder.checkFraming(r, format);
                stage = PipelineStage.DECODE;
                InputDecoder.Decoded decoded = inputs.decode(r, format);
                cutout = decoded.cutout();
                image = decoded.image();
                layout = decoded.layout();
            }
            stage = PipelineStage.TOKENIZE;
            long t1 = System.nanoTime();
            Tokens tokens = layout == InputLayout.ALERT_TRIPLET ? triplets.tokenize(cutout.getId(), image)
                    : tokenizer.tokenize(cutout.getId(), image);
            long t2 = System.nanoTime();
            TokenizedCutout t = new TokenizedCutout();
            t.id = cutout.getId();
            t.sequence = TokenRecords.sequenceBytes(cutout, image.metadata(), tokens, r, layout, precision, sequences);
            t.layout = layout.id();
            t.tokenDim = tokens.tokenDim();
            t.tokenCount = tokens.tokenCount();
            t.sourceTopic = r.topic;
            t.sourcePartition = r.partition;
            t.sourceOffset = r.offset;
            t.sourceTime = r.timestamp;
            t.decodeMicros = (t1 - t0) / 1000;
            t.tokenizeMicros = (t2 - t1) / 1000;
            out.collect(t);
        } catch (RuntimeException e) {
            ctx.output(DEAD_LETTERS, new KafkaBytes(r.key, deadLetters.encode(DeadLetters.of(r, stage, e, System.currentTimeMillis())), -1));
        }
    }

    private static String where(SourceRecord r) {
        return r.topic + "-" + r.partition + "@" + r.offset;
    }
}
