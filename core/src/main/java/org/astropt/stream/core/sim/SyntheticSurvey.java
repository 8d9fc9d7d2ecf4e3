package org.astropt.stream.core.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.astropt.stream.core.image.CutoutImage;

/**
 * A seeded, reproducible synthetic grz survey in the style of DESI Legacy Imaging Surveys DR9 coadd
 * cutouts: 0.262 arcsec pixels, flux in nanomaggies (AB zero point 22.5), sky subtracted, display
 * orientation. Each galaxy is a Sersic bulge plus an exponential disc (with logarithmic arms on most
 * spirals), bulges redder than discs, seen through a Moffat PSF with sky and read noise, with neighbouring
 * stars and faint field galaxies, and on a fraction of cutouts labelled instrumental artefacts.
 *
 * <p>Only when asked ({@link #withNovelFraction}), a share of cutouts hold a novel object instead of an
 * ordinary galaxy ({@link NovelKind}: mergers, ring galaxies, lenses with arcs), for judging a novelty score
 * on a population no model trained on: {@code astropt evaluate} and the demo feed ask, training data never.
 *
 * <p>Galaxy k depends only on (seed, k): {@code new SyntheticSurvey(7, 10).galaxy(3)} and
 * {@code new SyntheticSurvey(7, 1000).galaxy(3)} are bit-identical, and so are two runs on any JVM.
 * The galaxy, its noise, its artefacts and the novel draw come from four separate streams, so turning
 * artefacts on or off leaves every other pixel as it was, and with novel fraction 0 (the default) every
 * galaxy is bit-identical to what it was before novel objects existed; galaxy k is novel at fraction f
 * when it is at any fraction above f, and every other galaxy stays as it is.
 *
 * <pre>{@code
 * SyntheticSurvey survey = new SyntheticSurvey(42, 1000);            // 64 x 64, 30 % with artefacts
 * new SurveyWriter(Path.of("out")).write(survey.stream());           // out/fits, out/png, out/truth.csv
 * }</pre>
 */
public final class SyntheticSurvey {

    /** Cutout side in pixels: a 4 x 4 grid of AstroPT's 16-pixel patches. */
    public static final int DEFAULT_SIZE = 64;
    /** Share of cutouts with at least one artefact: enough to train and score a flagger on. */
    public static final double DEFAULT_ARTEFACT_FRACTION = 0.3;
    /** Legacy Survey coadd pixel scale, arcsec per pixel. */
    public static final double PIXEL_SCALE = 0.262;
    /** Smallest cutout: one AstroPT patch. */
    public static final int MIN_SIZE = 16;
    /** Share of artefacted cutouts that get two kinds instead of one. */
    private static final double TWO_KINDS = 0.25;

    private final long seed;
    private final int size;
    private final long count;
    private final double artefactFraction;
    private final List<ArtefactKind> artefactKinds;
    private final double novelFraction;
    private final GalaxyPopulation population = new GalaxyPopulation(PIXEL_SCALE);
    private final NovelPopulation novelPopulation = new NovelPopulation(PIXEL_SCALE);
    private final SceneRenderer renderer;
    private final ArtefactInjector injector;

    /** {@code count} 64 x 64 cutouts, 30 % of them with artefacts of every kind. */
    public SyntheticSurvey(long seed, long count) {
        this(seed, DEFAULT_SIZE, count);
    }

    public SyntheticSurvey(long seed, int size, long count) {
        this(seed, size, count, DEFAULT_ARTEFACT_FRACTION, EnumSet.allOf(ArtefactKind.class));
    }

    /**
     * @param artefactFraction share of cutouts with artefacts, 0 to 1
     * @param artefactKinds    kinds to draw from (BLEED_TRAIL alone means SATURATED_STAR, which brings it)
     */
    public SyntheticSurvey(long seed, int size, long count, double artefactFraction, Set<ArtefactKind> artefactKinds) {
        this(seed, size, count, artefactFraction, artefactKinds, 0);
    }

    private SyntheticSurvey(long seed, int size, long count, double artefactFraction, Set<ArtefactKind> artefactKinds,
                            double novelFraction) {
        if (size < MIN_SIZE) throw new IllegalArgumentException("cutout size " + size + " is below one " + MIN_SIZE + "-pixel patch");
        if (count < 0) throw new IllegalArgumentException("galaxy count " + count + " is negative");
        if (!(artefactFraction >= 0 && artefactFraction <= 1)) {
            throw new IllegalArgumentException("artefact fraction " + artefactFraction + " is not between 0 and 1");
        }
        if (!(novelFraction >= 0 && novelFraction <= 1)) {
            throw new IllegalArgumentException("novel fraction " + novelFraction + " is not between 0 and 1");
        }
        this.novelFraction = novelFraction;
        this.seed = seed;
        this.size = size;
        this.count = count;
        this.artefactFraction = artefactFraction;
        EnumSet<ArtefactKind> kinds = artefactKinds.isEmpty() ? EnumSet.noneOf(ArtefactKind.class) : EnumSet.copyOf(artefactKinds);
        if (kinds.remove(ArtefactKind.BLEED_TRAIL)) kinds.add(ArtefactKind.SATURATED_STAR);
        this.artefactKinds = List.copyOf(kinds);
        this.renderer = new SceneRenderer(size);
        this.injector = new ArtefactInjector(size);
    }

    /** The same survey with another artefact fraction and set of kinds; galaxies and noise unchanged. */
    public SyntheticSurvey withArtefacts(double fraction, Set<ArtefactKind> kinds) {
        return new SyntheticSurvey(seed, size, count, fraction, kinds, novelFraction);
    }

    /**
     * The same survey with a share of novel objects ({@link NovelKind}, the kinds equally likely) in place of
     * ordinary galaxies; every other galaxy, and all noise and artefacts, unchanged. 0 (the default) gives
     * none: keep it 0 for anything a model trains on.
     */
    public SyntheticSurvey withNovelFraction(double fraction) {
        return new SyntheticSurvey(seed, size, count, artefactFraction, artefactKindSet(), fraction);
    }

    public double novelFraction() { return novelFraction; }

    private Set<ArtefactKind> artefactKindSet() {
        return artefactKinds.isEmpty() ? EnumSet.noneOf(ArtefactKind.class) : EnumSet.copyOf(artefactKinds);
    }

    public long seed() { return seed; }

    public int size() { return size; }

    public long count() { return count; }

    /** Galaxy {@code index}; any index, also beyond count, is defined. Thread-safe. */
    public SyntheticGalaxy galaxy(long index) {
        return build(index, true);
    }

    /**
     * The truth of galaxy {@code index} without rendering it (artefacts are drawn on a blank cutout):
     * equal to {@code galaxy(index).truth()} at a fraction of the cost, for catalogues and for picking
     * galaxies before rendering them.
     */
    public GalaxyTruth truth(long index) {
        return build(index, false).truth();
    }

    private SyntheticGalaxy build(long index, boolean render) {
        if (index < 0) throw new IllegalArgumentException("galaxy index " + index + " is negative");
        Scene scene = population.sample(Deviates.stream(seed, index, Deviates.Purpose.SCENE), size);
        if (novelFraction > 0) {
            SplittableRandom novelRng = Deviates.stream(seed, index, Deviates.Purpose.NOVEL);
            if (novelRng.nextDouble() < novelFraction) {
                NovelKind kind = NovelKind.values()[novelRng.nextInt(NovelKind.values().length)];
                scene = novelPopulation.sample(kind, scene, novelRng, size);
            }
        }
        float[][][] pixels = render
                ? renderer.observe(renderer.model(scene), scene, Deviates.stream(seed, index, Deviates.Purpose.NOISE))
                : new float[3][size][size];
        SplittableRandom artRng = Deviates.stream(seed, index, Deviates.Purpose.ARTEFACTS);
        List<Artefact> artefacts = List.of();
        if (!artefactKinds.isEmpty() && artRng.nextDouble() < artefactFraction) {
            List<ArtefactKind> pool = new ArrayList<>(artefactKinds);
            int k = pool.size() > 1 && artRng.nextDouble() < TWO_KINDS ? 2 : 1;
            EnumSet<ArtefactKind> chosen = EnumSet.noneOf(ArtefactKind.class);
            for (int i = 0; i < k; i++) chosen.add(pool.remove(artRng.nextInt(pool.size())));
            artefacts = injector.inject(pixels, scene, chosen, artRng);
        }
        GalaxyTruth truth = truth(index, scene, artefacts);
        return new SyntheticGalaxy(new CutoutImage(pixels, BandValues.BANDS, metadata(truth)), truth);
    }

    /** Galaxies 0 .. count - 1, in order, generated lazily (sequential; call parallel() if you like). */
    public Stream<SyntheticGalaxy> stream() {
        return LongStream.range(0, count).mapToObj(this::galaxy);
    }

    /** All count galaxies in memory: for small surveys (a 64 x 64 cutout is 48 KiB). */
    public List<SyntheticGalaxy> galaxies() {
        return stream().toList();
    }

    /** Object id of galaxy {@code index}: "syn-" seed (m for minus) "-" six-digit index; safe as a file name. */
    public static String id(long seed, long index) {
        String s = seed < 0 ? "m" + Long.toUnsignedString(-seed) : Long.toString(seed);
        return String.format(Locale.ROOT, "syn-%s-%06d", s, index);
    }

    private GalaxyTruth truth(long index, Scene scene, List<Artefact> artefacts) {
        double[] mag = new double[3];
        for (int b = 0; b < 3; b++) mag[b] = Deviates.magnitude(scene.galaxyFlux(b));
        Scene.Component bulge = scene.bulge(), disc = scene.disc();
        boolean discDominated = scene.morphology() != Morphology.ELLIPTICAL;
        Scene.Spiral arms = scene.arms();
        double discR = disc.flux()[1] + (arms == null ? 0 : arms.totalFlux(1));
        Scene.Novel novel = scene.novel();
        double[] fwhm = new double[3];
        for (int b = 0; b < 3; b++) fwhm[b] = scene.psfFwhmPx()[b] * PIXEL_SCALE;
        return new GalaxyTruth(
                id(seed, index), seed, index, scene.morphology(),
                bulge.sersicIndex(), bulge.halfLightPx() * PIXEL_SCALE,
                disc.halfLightPx() * PIXEL_SCALE / RadialProfile.sersicB(1),
                bulge.flux()[1] / scene.mainGalaxyFlux(1),
                BandValues.of(mag), scene.redshift(),
                discDominated ? disc.axisRatio() : bulge.axisRatio(), scene.inclinationDeg(), scene.positionAngleDeg(),
                bulge.axisRatio(),
                arms != null, arms == null ? 0 : arms.count(), arms == null ? 0 : arms.pitchDeg(),
                arms == null ? 0 : arms.totalFlux(1) / discR,
                scene.centreX(), scene.centreY(),
                BandValues.of(fwhm), BandValues.of(scene.noiseSigma()),
                scene.stars().size(), scene.backgroundGalaxies().size(), artefacts,
                novel == null ? null : novel.kind(), novel == null ? "" : novel.details());
    }

    private Map<String, String> metadata(GalaxyTruth t) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("survey", "synthetic-grz");
        m.put("seed", Long.toString(seed));
        m.put("index", Long.toString(t.index()));
        m.put("unit", "nanomaggy");
        m.put("zeropoint", "22.5");
        m.put("pixscale", Double.toString(PIXEL_SCALE));
        m.put("artefacts", String.join(",", t.artefactLabels()));
        if (t.isNovel()) m.put("novel", t.novelLabel());
        return Collections.unmodifiableMap(m);
    }
}
