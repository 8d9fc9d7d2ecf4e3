package org.astropt.stream.flink;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.astropt.stream.core.heads.TiedRegionHeads;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.flink.functions.ServingModel;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;

/** Test model store: random-weight checkpoints in a folder and the ModelVersion pointers to them. */
public final class ModelStore {

    /** Small enough for CI (2 blocks, 64 wide), shaped like AstroPT v1: 16 px patches, 3 bands, 1024 positions. */
    public static final ModelConfig SMALL = ModelConfig.of(2, 4, 64);

    private final Path root;

    public ModelStore(Path root) {
        this.root = root;
    }

    /** Saves random weights (seeded by version) as version v; returns its folder. */
    public Path save(String name, long version) throws IOException {
        Path dir = root.resolve(name).resolve("v" + version);
        try (AstroPTModel model = AstroPTModel.create(SMALL, AstroPTModel.defaultDevice(), version)) {
            Checkpoint.save(model, dir, Safetensors.Dtype.F32);
        }
        return dir;
    }

    /** Saves random weights as version v with {@link TiedRegionHeads} in its weights file (before its sha256 is taken). */
    public Path saveWithHeads(String name, long version) throws IOException {
        Path dir = save(name, version);
        TiedRegionHeads.of(SMALL.nEmbd()).writeInto(dir.resolve(Checkpoint.WEIGHTS_FILE));
        return dir;
    }

    /** The artefact kind {@link TiedRegionHeads} flag. */
    public static final String TIED_KIND = TiedRegionHeads.KIND;

    /** Saves a version whose first patch-encoder weight is NaN: it loads, but its outputs are NaN. */
    public Path saveNaN(String name, long version) throws IOException {
        Path dir = root.resolve(name).resolve("v" + version);
        try (AstroPTModel model = AstroPTModel.create(SMALL, AstroPTModel.defaultDevice(), version)) {
            var p = model.network().namedParameters().get("transformer.wte.0.weight").getArray();
            float[] v = p.toFloatArray();
            v[0] = Float.NaN;
            p.set(v);
            Checkpoint.save(model, dir, Safetensors.Dtype.F32);
        }
        return dir;
    }

    public static ModelVersion pointer(String name, long version, Path dir, ModelStatus status) {
        Path weights = dir.resolve(Checkpoint.WEIGHTS_FILE);
        return pointer(name, version, weights.toUri().toString(), ServingModel.sha256(weights), status);
    }

    public static ModelVersion pointer(String name, long version, String uri, String sha256, ModelStatus status) {
        return ModelVersion.newBuilder()
                .setName(name)
                .setVersion(version)
                .setArchitecture(ModelArchitecture.newBuilder()
                        .setNLayer(SMALL.nLayer()).setNHead(SMALL.nHead()).setNEmbd(SMALL.nEmbd()).setNChan(SMALL.nChan())
                        .setBlockSize(SMALL.blockSize()).setPatchSize(SMALL.patchSize()).setBias(SMALL.bias())
                        .setDropout(SMALL.dropout()).build())
                .setWeightsUri(uri)
                .setSha256(sha256)
                .setSizeBytes(0)
                .setStatus(status)
                .setCreatedTime(Instant.now())
                .build();
    }

}
