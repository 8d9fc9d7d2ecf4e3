package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /embed's embedder with an alert model serving: a ZTF packet is embedded as its alert triplet. */
class UploadEmbedderTest {

    @Test
    void anAlertPacketIsEmbeddedAsItsTripletByAnAlertModel(@TempDir Path dir) throws Exception {
        ModelConfig config = new ModelConfig(1, 2, 16, 3, 256, 8, false, 0.0).withInputLayout(InputLayout.ALERT_TRIPLET);
        try (AstroPTModel m = AstroPTModel.create(config, AstroPTModel.defaultDevice(), 3)) {
            Checkpoint.save(m, dir, Safetensors.Dtype.F32);
        }
        ModelFolder folder = ModelFolder.at(dir.toUri().toString()).orElseThrow();
        ModelVersion v = ModelVersion.newBuilder().setName("astropt-ztf").setVersion(1)
                .setArchitecture(ModelFolder.architecture(config)).setWeightsUri(folder.weights().toUri().toString())
                .setSha256(folder.sha256()).setSizeBytes(0).setStatus(ModelStatus.PROMOTED).setCreatedTime(Instant.now()).build();
        byte[] packet = Files.readAllBytes(SharedFixtures.realData("ztf_739260766315010006.avro"));
        try (UploadEmbedder embedder = new UploadEmbedder(() -> Optional.of(v), new CutoutDecoder(), new PatchTokenizer())) {
            UploadEmbedder.Result r = embedder.embed("ztf", packet);
            assertEquals(64, r.tokens()); // 63 px stamps padded to 64: 8 x 8 patches of 8 px, 3 channels
            assertEquals(8, r.gridSize());
            assertEquals(16, r.embedding().length);
            for (float x : r.embedding()) assertTrue(Float.isFinite(x));
        }
    }
}
