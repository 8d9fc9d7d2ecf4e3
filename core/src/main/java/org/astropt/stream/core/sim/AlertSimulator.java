package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.Deviates.flux;
import static org.astropt.stream.core.sim.Deviates.gaussian;
import static org.astropt.stream.core.sim.Deviates.uniform;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A seeded synthetic alert stream: science, template and difference stamps of ZTF or Rubin alerts
 * ({@link AlertSurvey}), each of a labelled {@link AlertKind} (the nine kinds equally likely), drawn on the
 * galaxies of the synthetic survey ({@link GalaxyPopulation} at the alert survey's pixel scale, rendered by
 * {@link SceneRenderer} with its Moffat PSF and its sky and shot noise).
 *
 * <p>How a triplet is made: the static scene (a galaxy and its neighbours) is rendered through the
 * template's sharper PSF with the template's lower noise, and through the science exposure's PSF with one
 * exposure's noise; what changed (a supernova, a flare, a variable star's new flux, a ghost) is added to
 * the science exposure before its noise, defects of the detector (cosmic ray, hot pixel, bad column) after
 * it. The difference is science minus the matched template: the static scene through the science PSF
 * plus the template's own noise blurred by the Gaussian that takes the template PSF to the science PSF, as
 * image subtraction (Alard and Lupton) leaves it. A DIPOLE's science exposure is the scene shifted by a
 * fraction of a pixel; a BRIGHT_STAR_RESIDUAL's is clipped at saturation and matched with a PSF 5 to 15 %
 * too wide or narrow. The packet's photometry is then measured on the difference ({@link AlertPhotometry}).
 *
 * <p>Alert k depends only on (survey, seed, k): {@code new AlertSimulator(AlertSurvey.ZTF, 7).alert(3)} is
 * bit-identical on every run and JVM, whatever else is drawn.
 *
 * <pre>{@code
 * AlertSimulator sim = new AlertSimulator(AlertSurvey.ZTF, 42);
 * new AlertFolderWriter(ZtfPacketWriter.fromSample(ztfPacket)).write(sim.stream(1000), Path.of("out"));
 * }</pre>
 */
public final class AlertSimulator {

    /** Template seeing over science seeing: references are built from the sharper exposures. */
    static final double TEMPLATE_SEEING = 0.85;
    /** Saturation of a science pixel, in units of its sky noise (ZTF: about 30,000 DN over a 6 DN sky noise). */
    static final double SATURATION_SIGMA = 5000;
    /** First alert time: ZTF jd and Rubin MJD, late 2025; alerts follow one a second. */
    private static final double ZTF_JD0 = 2461000.70, RUBIN_MJD0 = 61000.20, SECONDS_PER_DAY = 86400;

    private final AlertSurvey survey;
    private final long seed;
    private final long streamSeed;
    private final GalaxyPopulation population;
    private final SceneRenderer renderer;

    public AlertSimulator(AlertSurvey survey, long seed) {
        this.survey = survey;
        this.seed = seed;
        this.streamSeed = Deviates.mix(seed + 0x632BE59BD9B4E019L * (survey.ordinal() + 1));
        this.population = new GalaxyPopulation(survey.pixelScale());
        this.renderer = new SceneRenderer(survey.size());
    }

    public AlertSurvey survey() { return survey; }

    public long seed() { return seed; }

    /** Alerts 0 .. count - 1, in order, made lazily. */
    public Stream<SimulatedAlert> stream(long count) {
        if (count < 0) throw new IllegalArgumentException("alert count " + count + " is negative");
        return LongStream.range(0, count).mapToObj(this::alert);
    }

    /** The kind of alert {@code index}, without rendering it: equal to {@code alert(index).truth().kind()}. */
    public AlertKind kind(long index) {
        if (index < 0) throw new IllegalArgumentException("alert index " + index + " is negative");
        return AlertKind.values()[Deviates.stream(streamSeed, index, Deviates.Purpose.ALERT).nextInt(AlertKind.values().length)];
    }

    /** Alert {@code index}: any non-negative index is defined. Thread-safe. */
    public SimulatedAlert alert(long index) {
        if (index < 0) throw new IllegalArgumentException("alert index " + index + " is negative");
        SplittableRandom rng = Deviates.stream(streamSeed, index, Deviates.Purpose.ALERT);
        AlertKind kind = AlertKind.values()[rng.nextInt(AlertKind.values().length)];
        int bandIndex = rng.nextInt(survey.bands().size());
        String band = survey.bands().get(bandIndex);
        int size = survey.size();
        double scale = survey.pixelScale();
        double seeing = uniform(rng, survey.seeingMin, survey.seeingMax);
        double fwhm = seeing / scale, fwhmT = TEMPLATE_SEEING * fwhm;
        MoffatPsf psf = new MoffatPsf(fwhm), psfT = new MoffatPsf(fwhmT);
        double depth = survey.depth[bandIndex] + 0.2 * gaussian(rng);
        double sigma = flux(depth) / 5 / Math.sqrt(psf.noiseEquivalentArea());
        double sigmaT = flux(depth + survey.templateDepthGain) / 5 / Math.sqrt(psfT.noiseEquivalentArea());
        double sky = flux(survey.skyBrightness[bandIndex]) * scale * scale;
        double c = (size - 1) / 2.0;
        double x = c + uniform(rng, -0.3, 0.3), y = c + uniform(rng, -0.3, 0.3);

        Scene drawn = population.sample(Deviates.stream(streamSeed, index, Deviates.Purpose.SCENE), size);
        AlertLayers t = new AlertLayers(size);
        double hostRe = (drawn.morphology() == Morphology.ELLIPTICAL ? drawn.bulge() : drawn.disc()).halfLightPx();
        double transientMag = Double.NaN, hostOffsetPx;
        String details;
        Scene scene;
        switch (kind) {
            case SUPERNOVA -> {
                double off = Math.max(0.5 / scale, uniform(rng, 0.3, 1.5) * hostRe), angle = uniform(rng, 0, 2 * Math.PI);
                scene = hostAt(drawn, x + off * StrictMath.cos(angle), y + off * StrictMath.sin(angle));
                hostOffsetPx = off;
                transientMag = uniform(rng, depth - 3, depth - 0.5);
                psf.addPoint(t.scienceExtra, x, y, flux(transientMag), SceneRenderer.PSF_RADIUS);
                details = String.format(Locale.ROOT, "offset_re=%.2f", off / hostRe);
            }
            case NUCLEAR -> {
                scene = hostAt(drawn, x, y);
                hostOffsetPx = 0;
                transientMag = uniform(rng, depth - 3, depth - 0.5);
                psf.addPoint(t.scienceExtra, x, y, flux(transientMag), SceneRenderer.PSF_RADIUS);
                details = String.format(Locale.ROOT, "host_r=%.2f", Deviates.magnitude(drawn.mainGalaxyFlux(1)));
            }
            case VARIABLE_STAR -> {
                scene = drawn.withoutMainGalaxy();
                hostOffsetPx = Double.NaN;
                double m0 = uniform(rng, depth - 4.5, depth - 1.5);
                double m1 = m0 + (rng.nextBoolean() ? 1 : -1) * uniform(rng, 0.3, 1.2);
                t.staticStar(x, y, flux(m0));
                psf.addPoint(t.scienceExtra, x, y, flux(m1) - flux(m0), SceneRenderer.PSF_RADIUS);
                transientMag = Deviates.magnitude(Math.abs(flux(m1) - flux(m0)));
                details = String.format(Locale.ROOT, "mag_template=%.3f mag_science=%.3f", m0, m1);
            }
            default -> {
                hostOffsetPx = uniform(rng, 0, size / 3.0);
                double angle = uniform(rng, 0, 2 * Math.PI);
                scene = hostAt(drawn, x + hostOffsetPx * StrictMath.cos(angle), y + hostOffsetPx * StrictMath.sin(angle));
                details = BogusDetections.draw(kind, t, rng, x, y, depth, sigma, psf, psfT, size);
            }
        }

        // The static scene through each PSF; the science exposure shifted for a dipole.
        double[] fw = {fwhm, fwhm, fwhm}, fwT = {fwhmT, fwhmT, fwhmT};
        int plane = survey.renderPlane(band);
        double[][] matched = renderer.model(scene.seenThrough(fw))[plane];
        double[][] scienceModel = t.shiftX == 0 && t.shiftY == 0 ? copy(matched)
                : renderer.model(scene.moved(t.shiftX, t.shiftY).seenThrough(fw))[plane];
        double[][] templateModel = renderer.model(scene.seenThrough(fwT))[plane];
        for (double[] s : t.staticStars) {
            psf.addPoint(matched, s[0], s[1], s[2], 2 * size);
            psf.addPoint(scienceModel, s[0] + t.shiftX, s[1] + t.shiftY, s[2], 2 * size);
            psfT.addPoint(templateModel, s[0], s[1], s[2], 2 * size);
        }
        add(scienceModel, t.scienceExtra);
        add(templateModel, t.templateExtra);
        add(matched, t.matchedExtra);

        float[][] science = SceneRenderer.observe(scienceModel, sigma, sky, Deviates.stream(streamSeed, index, Deviates.Purpose.NOISE));
        float[][] template = SceneRenderer.observe(templateModel, sigmaT, sky * sigmaT * sigmaT / (sigma * sigma),
                Deviates.stream(streamSeed, index, Deviates.Purpose.TEMPLATE_NOISE));
        double saturation = SATURATION_SIGMA * sigma;
        for (int j = 0; j < size; j++) {
            for (int i = 0; i < size; i++) science[j][i] = (float) Math.min(science[j][i] + t.defects[j][i], saturation);
        }
        double[][] templateNoise = new double[size][size];
        for (int j = 0; j < size; j++) for (int i = 0; i < size; i++) templateNoise[j][i] = template[j][i] - templateModel[j][i];
        double[][] matchedNoise = GaussianBlur.blur(templateNoise, Math.sqrt(fwhm * fwhm - fwhmT * fwhmT) / 2.3548);

        double units = survey.unitsPerNanomaggy();
        double pedestal = survey.skyInStamps ? sky * units : 0;
        float[][] difference = new float[size][size];
        for (int j = 0; j < size; j++) {
            for (int i = 0; i < size; i++) {
                difference[j][i] = (float) ((science[j][i] - matched[j][i] - matchedNoise[j][i]) * units);
                science[j][i] = (float) (science[j][i] * units + pedestal);
                template[j][i] = (float) (template[j][i] * units + pedestal);
            }
        }
        AlertPhotometry photometry = measure(difference, x, y, psf, fwhm, survey.zeropoint());
        AlertTruth truth = new AlertTruth(survey, seed, index, sourceId(index), objectId(index), kind, band,
                uniform(rng, 0, 360), declination(rng), time(index), x, y, transientMag,
                hostOffsetPx * scale, seeing, details);
        return new SimulatedAlert(truth, photometry, science, template, difference);
    }

    /** The drawn scene moved so its main galaxy's centre is at (hx, hy). */
    private static Scene hostAt(Scene drawn, double hx, double hy) {
        return drawn.moved(hx - drawn.centreX(), hy - drawn.centreY());
    }

    /**
     * PSF photometry at (x, y): flux = sum(D P) / sum(P^2) within 2 FWHM + 2 px, its error the stamp's
     * robust noise (1.4826 MAD) over sqrt(sum(P^2)); the limiting magnitude is 5 such errors.
     */
    static AlertPhotometry measure(float[][] d, double x, double y, MoffatPsf psf, double fwhm, double zeropoint) {
        int size = d.length, r = (int) Math.ceil(2 * fwhm) + 2;
        double dp = 0, pp = 0;
        for (int j = Math.max(0, (int) (y - r)); j <= Math.min(size - 1, (int) (y + r)); j++) {
            for (int i = Math.max(0, (int) (x - r)); i <= Math.min(size - 1, (int) (x + r)); i++) {
                double p = psf.pixel(i - x, j - y);
                dp += d[j][i] * p;
                pp += p * p;
            }
        }
        double noise = robustSigma(d);
        double err = noise / Math.sqrt(pp);
        return new AlertPhotometry(dp / pp, err, zeropoint, zeropoint - 2.5 * StrictMath.log10(5 * err), fwhm);
    }

    /** 1.4826 times the median absolute deviation: the noise of a stamp, blind to the few pixels of a source. */
    static double robustSigma(float[][] d) {
        double median = robustMedian(d);
        double[] v = values(d);
        for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i] - median);
        Arrays.sort(v);
        return 1.4826 * v[v.length / 2];
    }

    /** The median pixel of a stamp. */
    static double robustMedian(float[][] d) {
        double[] v = values(d);
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double[] values(float[][] d) {
        double[] v = new double[d.length * d[0].length];
        int n = 0;
        for (float[] row : d) for (float a : row) v[n++] = a;
        return v;
    }

    private long sourceId(long index) {
        return survey == AlertSurvey.ZTF
                ? 1_000_000_000_000_000_000L + Math.floorMod(seed, 1_000_000L) * 1_000_000_000_000L + index
                : 300_000_000_000_000_000L + Math.floorMod(seed, 100_000L) * 1_000_000_000_000L + index;
    }

    /** ZTF: "ZTF26" and seven letters (unique for a seed below 1,600 and an index below 5 million); Rubin: a diaObjectId. */
    private String objectId(long index) {
        if (survey == AlertSurvey.RUBIN) {
            return Long.toString(400_000_000_000_000_000L + Math.floorMod(seed, 100_000L) * 1_000_000_000_000L + index);
        }
        long v = Math.floorMod(Math.floorMod(seed, 1600L) * 5_000_000L + index, 8_031_810_176L);  // 26^7
        char[] letters = new char[7];
        for (int i = 6; i >= 0; i--, v /= 26) letters[i] = (char) ('a' + v % 26);
        return "ZTF26" + new String(letters);
    }

    private double time(long index) {
        double days = index / SECONDS_PER_DAY;
        return survey == AlertSurvey.ZTF ? ZTF_JD0 + days : RUBIN_MJD0 + days;
    }

    /** Uniform on the sky over the survey's declinations: ZTF -30 to +88, Rubin -88 to +10. */
    private double declination(SplittableRandom rng) {
        double lo = survey == AlertSurvey.ZTF ? -30 : -88, hi = survey == AlertSurvey.ZTF ? 88 : 10;
        double s = uniform(rng, StrictMath.sin(StrictMath.toRadians(lo)), StrictMath.sin(StrictMath.toRadians(hi)));
        return StrictMath.toDegrees(StrictMath.asin(s));
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int j = 0; j < a.length; j++) out[j] = a[j].clone();
        return out;
    }

    private static void add(double[][] to, double[][] extra) {
        for (int j = 0; j < to.length; j++) for (int i = 0; i < to.length; i++) to[j][i] += extra[j][i];
    }
}
