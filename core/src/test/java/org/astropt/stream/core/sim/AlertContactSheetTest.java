package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.astropt.stream.core.image.ContactSheet;
import org.junit.jupiter.api.Test;

/**
 * Contact sheets of the synthetic alerts for a person to look at: {@code target/alert-sheet-ztf.png} and
 * {@code -rubin.png}, one row per {@link AlertKind} in enum order, three alerts per row, each as science,
 * template and difference. Science and template on an asinh stretch from the sky; the difference linear
 * from -8 (black) to +8 (white) sigma, zero mid-grey. docs/img/alert-sheet-*.png are copies of these.
 */
class AlertContactSheetTest {

    private static final int PER_KIND = 3;

    @Test
    void writesASheetOfEveryKindForEachSurvey() throws Exception {
        for (AlertSurvey survey : AlertSurvey.values()) {
            Map<AlertKind, List<SimulatedAlert>> kinds = AlertSimulatorTest.byKind(new AlertSimulator(survey, 2), PER_KIND);
            List<BufferedImage> tiles = new ArrayList<>();
            kinds.values().forEach(alerts -> alerts.forEach(a -> {
                tiles.add(asinh(a.science()));
                tiles.add(asinh(a.template()));
                tiles.add(linear(a.difference()));
            }));
            BufferedImage sheet = ContactSheet.of(tiles, 3 * PER_KIND, survey == AlertSurvey.ZTF ? 2 : 4, 3);
            Path out = Files.createDirectories(Path.of("target")).resolve("alert-sheet-" + survey.name().toLowerCase() + ".png");
            ImageIO.write(sheet, "png", out.toFile());
            assertEquals(AlertKind.values().length * PER_KIND * 3, tiles.size());
            assertEquals(sheet.getWidth(), ImageIO.read(out.toFile()).getWidth());
        }
    }

    private static BufferedImage asinh(float[][] s) {
        double median = AlertSimulator.robustMedian(s), sigma = AlertSimulator.robustSigma(s);
        double lo = asinh(-1), hi = asinh(300);
        return grey(s, v -> (asinh((v - median) / (2 * sigma)) - lo) / (hi - lo));
    }

    private static double asinh(double x) {
        return Math.log(x + Math.sqrt(x * x + 1));
    }

    private static BufferedImage linear(float[][] s) {
        double sigma = AlertSimulator.robustSigma(s);
        return grey(s, v -> 0.5 + v / (16 * sigma));
    }

    private static BufferedImage grey(float[][] s, java.util.function.DoubleUnaryOperator level) {
        BufferedImage img = new BufferedImage(s[0].length, s.length, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < s.length; y++) {
            for (int x = 0; x < s[0].length; x++) {
                int g = (int) Math.round(255 * Math.max(0, Math.min(1, level.applyAsDouble(s[y][x]))));
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        return img;
    }
}
