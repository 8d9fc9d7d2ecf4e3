package org.astropt.stream.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One filled-in record of every topic's value type, with optional fields both set and unset. */
final class SampleRecords {

  static final Instant OBSERVED = Instant.ofEpochMilli(1_700_000_000_123L); // millisecond precision, as stored
  static final Instant PRODUCED = Instant.ofEpochMilli(1_700_000_005_456L);

  private SampleRecords() {}

  static Cutout cutout() {
    return Cutout.newBuilder()
        .setId("DESI-0001").setSurvey("DECaLS-DR9").setRa(150.1).setDec(2.2).setObservedTime(OBSERVED)
        .setBands(List.of("g", "r", "z")).setFormat(ImageFormat.RAW_FLOAT32)
        .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .setWidth(1).setHeight(2).setMetadata(Map.of("file", "a.fits"))
        .build();
  }

  /** 4 tokens of 2x2 pixels x 3 bands (12 values), FLOAT32, token t value v = t + v / 100. */
  static TokenSequence tokenSequence() {
    ByteBuffer tokens = ByteBuffer.allocate(4 * 12 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int t = 0; t < 4; t++) {
      for (int v = 0; v < 12; v++) {
        tokens.putFloat(t + v / 100f);
      }
    }
    tokens.flip();
    return TokenSequence.newBuilder()
        .setId("DESI-0001")
        .setTokenizer(TokenizerSettings.newBuilder().setPatchSize(2).setCropSize(4)
            .setBandOrder(List.of("g", "r", "z")).setFlipped(true).setStretch("none").setPadding(0)
            .setTokenizerVersion("1.0").build())
        .setGridSize(2).setTokenCount(4).setTokenDim(12).setDtype(TokenDtype.FLOAT32)
        .setTokens(tokens).setNanFraction(0.25f)
        .setProvenance(Provenance.newBuilder().setSurvey("DECaLS-DR9").setRa(150.1).setDec(null)
            .setObservedTime(OBSERVED).setSourceTopic("astropt.cutouts").setSourcePartition(3)
            .setSourceOffset(12345L).setMetadata(Map.of("producer", "test")).build())
        .build();
  }

  static Embedding embedding() {
    return Embedding.newBuilder()
        .setId("DESI-0001").setModelName("astropt-1M").setModelVersion(7L)
        .setVector(List.of(0.5f, -1.25f, 3.0f, Float.MIN_VALUE)).setSurprise(0.875f)
        .setFlags(List.of("ANOMALY"))
        .setTimings(StageTimings.newBuilder().setDecodeMicros(120).setTokenizeMicros(80).setEmbedMicros(950)
            .setSourceTime(OBSERVED).setProducedTime(PRODUCED).build())
        .setMetadata(Map.of("survey", "DECaLS-DR9"))
        .setScores(Map.of("surprise", 0.875, "novelty", 0.42, "artefact", 0.97, "artefact_cosmic_ray", 0.95))
        .setHardestTokens(List.of(12, 3, 7))
        .build();
  }

  /** An ARTEFACT flag a probe head raised, naming its kind. */
  static Flag artefactFlag() {
    return Flag.newBuilder()
        .setId("DESI-0001").setKind(FlagKind.ARTEFACT).setScore(0.95).setThreshold(0.81)
        .setModelName("astropt-1M").setModelVersion(7L).setArtefactKind("cosmic_ray")
        .setReason("cosmic ray probability 0.950 is at or above 0.810, the threshold chosen for precision 0.90").setTime(PRODUCED)
        .build();
  }

  static Flag flag() {
    return Flag.newBuilder()
        .setId("DESI-0001").setKind(FlagKind.NAN_FRACTION).setScore(0.6).setThreshold(0.5)
        .setModelName(null).setModelVersion(null)
        .setReason("60% of the pixels are NaN, above the 50% threshold.").setTime(PRODUCED)
        .build();
  }

  static ModelVersion modelVersion() {
    return ModelVersion.newBuilder()
        .setName("astropt-1M").setVersion(8L)
        .setArchitecture(ModelArchitecture.newBuilder().setNLayer(4).setNHead(8).setNEmbd(128).setNChan(3)
            .setBlockSize(1024).setPatchSize(16).setBias(false).setDropout(0.0).build())
        .setWeightsUri("file:///models/astropt-1M/8/model.safetensors")
        .setSha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        .setSizeBytes(4_321_000L).setMetrics(Map.of("val_loss", 0.41, "steps", 3000.0))
        .setParentVersion(7L).setStatus(ModelStatus.PROMOTED).setCreatedTime(PRODUCED).setNote(null)
        .build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setKey(ByteBuffer.wrap("DESI-0001".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0x00}))
        .setSourceTopic("astropt.cutouts").setSourcePartition(0).setSourceOffset(99L)
        .setStage(PipelineStage.DESERIALIZE)
        .setErrorClass(AvroDecodeException.class.getName())
        .setReason("Avro message is truncated: 3 byte(s), but a single-object header needs 10")
        .setTime(PRODUCED)
        .build();
  }
}
