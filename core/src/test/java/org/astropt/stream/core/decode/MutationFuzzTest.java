package org.astropt.stream.core.decode;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import nom.tam.fits.NullDataHDU;
import nom.tam.image.compression.hdu.CompressedImageHDU;
import org.apache.avro.file.CodecFactory;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.schemas.ImageFormat;
import org.junit.jupiter.api.Test;

/**
 * Seeded random damage to valid inputs of every format: flipped bytes, cut tails, overwritten runs.
 * Every damaged input must decode or fail with InvalidCutoutException, within a second, never with
 * another exception, an OutOfMemoryError or a hang.
 */
class MutationFuzzTest {

    private static final int MUTANTS_PER_INPUT = 150;
    private final CutoutDecoder decoder = new CutoutDecoder(DecodeLimits.defaults(),
            new InMemoryAlertSchemas().put(3, AlertPackets.ZTF_LIKE));

    @Test
    void damagedInputsOfEveryFormatFailCleanly() throws Exception {
        float[][][] cube = new float[3][24][20];
        for (int b = 0; b < 3; b++) for (int y = 0; y < 24; y++) for (int x = 0; x < 20; x++) cube[b][y][x] = b * 7 + y - x;
        CompressedImageHDU rice = CompressedImageHDU.fromImageHDU(FitsFiles.image(new int[24][20]), 20, 4)
                .setCompressAlgorithm("RICE_1");
        rice.compress();
        byte[] stamp = FitsFiles.gzip(FitsFiles.write(FitsFiles.image(cube[0])));
        List<byte[]> seeds = List.of(
                FitsFiles.write(FitsFiles.image(cube)),
                FitsFiles.gzip(FitsFiles.write(FitsFiles.image(cube))),
                FitsFiles.write(new NullDataHDU(), rice),
                ImageDecoderTest.encode(ImageDecoderTest.rgbGradient(20, 24), "png"),
                ImageDecoderTest.encode(ImageDecoderTest.rgbGradient(20, 24), "jpeg"),
                AlertPackets.container(AlertPackets.ztfLike(stamp, stamp), CodecFactory.nullCodec()),
                AlertPackets.container(AlertPackets.ztfLike(stamp, null), CodecFactory.deflateCodec(5)),
                AlertPackets.confluent(3, AlertPackets.ztfLike(stamp, null)));
        Random random = new Random(20240611);
        for (int s = 0; s < seeds.size(); s++) {
            for (int m = 0; m < MUTANTS_PER_INPUT; m++) {
                byte[] mutant = mutate(seeds.get(s), random);
                String name = "seed " + s + " mutant " + m;
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    try {
                        decoder.decode(mutant, name, ImageFormat.AUTO, null, null);
                    } catch (InvalidCutoutException expected) {
                        // the one acceptable failure
                    }
                }, name);
            }
        }
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // flip a few bytes anywhere
                for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length)); // cut the tail
            case 2 -> { // overwrite a run with 0xFF or 0x00, the bytes most likely to make lengths absurd
                int at = random.nextInt(b.length), len = Math.min(b.length - at, 1 + random.nextInt(16));
                Arrays.fill(b, at, at + len, random.nextBoolean() ? (byte) 0xFF : 0);
            }
            default -> { // damage the first 100 bytes, where headers and lengths live
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) b[random.nextInt(Math.min(100, b.length))] = (byte) random.nextInt(256);
            }
        }
        return b;
    }
}
