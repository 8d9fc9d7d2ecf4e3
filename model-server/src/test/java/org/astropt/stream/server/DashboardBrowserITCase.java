package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.astropt.stream.core.heads.TiedRegionHeads;
import org.astropt.stream.kafka.LocalKafkaBroker;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromedriver; .ci/run installs them):
 * thumbnails load, the map has points, and a cutout produced after the page loaded appears in the
 * feed, each on a freshly loaded page. Skips, saying why, where either binary is missing. Leaves a
 * screenshot of the whole page in target/dashboard.png. The README's picture is made with a trained
 * model and more galaxies:
 *
 * <pre>
 * bin/astropt train --simulate 1200 --preset 1M --steps 250 --eval-every 25 --seed 3 --out /tmp/sim-1m
 * ./mvnw -B -o test -pl model-server -am -Dtest=DashboardBrowserITCase -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dastropt.dashboard.model=/tmp/sim-1m -Dastropt.dashboard.galaxies=400 -Dastropt.dashboard.colour=morphology \
 *     -Dastropt.screenshot=$PWD/docs/img/dashboard.png
 * </pre>
 */
class DashboardBrowserITCase {

    static final Path CHROMIUM = Path.of(System.getProperty("astropt.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("astropt.chromedriver", "/usr/bin/chromedriver"));

    @TempDir
    static Path tmp;
    static LocalKafkaBroker kafka;
    static StreamFixture stream;
    static ModelServer server;
    static ModelVersion model;
    static List<StreamFixture.Galaxy> galaxies;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no headless browser: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed (apt-get install chromium chromium-driver;"
                        + " .ci/run does it), so the dashboard browser test is skipped");
        kafka = LocalKafkaBroker.start(tmp.resolve("kafka"), 0, Topics.defaults().withPrefix("unused."));
        stream = new StreamFixture(kafka, "browser", tmp.resolve("models"));
        ModelVersion v1 = stream.saveVersion(1, ModelStatus.PROMOTED, 0.42);
        String trained = System.getProperty("astropt.dashboard.model");
        model = trained == null || trained.isBlank() ? stream.saveVersion(2, ModelStatus.PROMOTED, 0.35, true)
                : stream.importVersion(2, Path.of(trained), ModelStatus.PROMOTED);
        ModelVersion v3 = stream.saveVersion(3, ModelStatus.CANDIDATE, 0.33);
        for (ModelVersion v : List.of(v1, model, v3)) stream.sendModel(v);
        galaxies = stream.galaxies(5, 0, Integer.getInteger("astropt.dashboard.galaxies", 60), model);
        double threshold = galaxies.stream().mapToDouble(g -> g.embedding().getSurprise()).sorted()
                .skip((long) (galaxies.size() * 0.9)).findFirst().orElse(1);
        for (StreamFixture.Galaxy g : galaxies) {
            stream.sendCutout(g);
            stream.sendEmbedding(g);
            if (g.embedding().getSurprise() >= threshold) stream.sendFlag(g, threshold);
        }
        stream.flush();
        server = ModelServer.start(ServerSettings.defaults().withBootstrap(kafka.bootstrapServers()).withTopics(stream.topics)
                .withBind("127.0.0.1", 0).withModelName(StreamFixture.MODEL));
        assertTrue(server.awaitCaughtUp(60, TimeUnit.SECONDS), "the server read the topics");
        driver = browser();
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) driver.quit();
        if (server != null) server.close();
        if (stream != null) stream.close();
        if (kafka != null) kafka.close();
    }

    /** Chromium as the closed network needs it: nothing that phones home, a fresh profile. */
    static ChromeDriver browser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1600,1150", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /** Waits until the condition holds on the page (60 s at most), naming what never showed. */
    static void await(String what, ExpectedCondition<Boolean> condition) {
        new WebDriverWait(driver, Duration.ofSeconds(60)).withMessage("the dashboard never showed: " + what).until(condition);
    }

    /** True once the script returns true on the page. */
    static ExpectedCondition<Boolean> script(String js, Object... args) {
        return d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(js, args));
    }

    @BeforeEach
    void openTheDashboard() {
        driver.get(server.uri().toString());
    }

    @Test
    void feedAndFlaggedGalleryShowLoadedThumbnails() {
        await("a loaded thumbnail in the feed",
                script("return [...document.querySelectorAll('#feed img.thumb')].some(i => i.complete && i.naturalWidth > 0)"));
        await("a flagged cutout in the gallery, with its thumbnail",
                script("return [...document.querySelectorAll('#flagged .card img.thumb')].some(i => i.complete && i.naturalWidth > 0)"));
    }

    @Test
    void mapHasAPointPerEmbedding() throws Exception {
        await("points on the map", d -> Integer.parseInt(d.findElement(By.id("map")).getDomAttribute("data-points")) > 0);
        String colour = System.getProperty("astropt.dashboard.colour");
        if (colour != null && !colour.isBlank()) {
            // drawMap runs in the change handler, so the map is redrawn when the script returns
            ((JavascriptExecutor) driver).executeScript("const s = document.getElementById('map-colour'); s.value = arguments[0];"
                    + " s.dispatchEvent(new Event('change'))", colour);
        }
        screenshot();
    }

    @Test
    void aCutoutProducedAfterThePageLoadedAppearsInTheFeed() throws Exception {
        await("the feed", script("return document.querySelectorAll('#feed .card').length > 0"));
        StreamFixture.Galaxy fresh = stream.galaxies(77, 0, 1, model).get(0);
        stream.sendCutout(fresh);
        stream.sendEmbedding(fresh);
        stream.flush();
        await(fresh.id() + " in the live feed, with its thumbnail", script(
                "const c = document.querySelector('#feed .card[data-id=\"' + arguments[0] + '\"]');"
                        + " const i = c && c.querySelector('img.thumb'); return !!i && i.complete && i.naturalWidth > 0", fresh.id()));
    }

    /**
     * An object's detail shows its version's scores and outlines its three hardest tokens on the thumbnail, each
     * box one cell of the 4 x 4 grid of a 64 px cutout (a quarter of the image on each side, on the quarter lines).
     */
    @Test
    void anObjectsDetailShowsItsScoresAndOutlinesItsHardestTokens() throws Exception {
        assumeTrue(System.getProperty("astropt.dashboard.model") == null, "a trained model from outside ships no test heads");
        StreamFixture.Galaxy blank = galaxies.stream()
                .filter(g -> g.embedding().getScores().get("artefact_" + TiedRegionHeads.KIND) > 0.5).findFirst().orElseThrow();
        await("the page's script", script("return typeof openDetail === 'function'"));
        ((JavascriptExecutor) driver).executeScript("openDetail(arguments[0])", blank.id());
        await("the scores of " + blank.id(), script("return [...document.querySelectorAll('#detail-scores td')]"
                + ".some(td => td.textContent === 'artefact: nan block')"));
        await("three outlined tokens", script("return document.querySelectorAll('#detail-thumb .cell-box').length === 3"));
        @SuppressWarnings("unchecked")
        List<String> boxes = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return [...document.querySelectorAll('#detail-thumb .cell-box')].map(b => [b.style.left, b.style.top, b.style.width].join(' '))");
        for (String box : boxes) {
            String[] parts = box.split(" ");
            for (String part : parts) {
                double percent = Double.parseDouble(part.replace("%", ""));
                assertEquals(0, percent % 25, 1e-9, "on the quarter lines: " + box);
            }
            assertEquals("25%", parts[2], box);
        }
        String probability = (String) ((JavascriptExecutor) driver).executeScript("return [...document.querySelectorAll('#detail-scores tr')]"
                + ".find(tr => tr.firstChild.textContent === 'artefact: nan block').children[1].textContent");
        assertEquals(0.993, Double.parseDouble(probability), 0.001);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "dashboard-detail.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void anObjectsViewLabelsItAndTheLabelReachesTheLabelsTopic() {
        await("the feed", script("return document.querySelectorAll('#feed .card').length > 0"));
        JavascriptExecutor js = driver;
        String id = (String) js.executeScript("return document.querySelector('#feed .card').dataset.id");
        js.executeScript("openDetail(arguments[0])", id);
        await("the artefact kinds to choose from", script("return document.querySelectorAll('#label-kind option').length >= 7"));
        await(id + " shown unlabelled", script("return document.getElementById('label-current').textContent === 'none'"));
        js.executeScript("document.getElementById('label-kind').value = 'cosmic_ray'; document.getElementById('label-artefact').click()");
        await(id + " labelled", script("return document.getElementById('label-current').textContent === 'artefact:cosmic_ray'"));
        assertEquals("artefact:cosmic_ray", server.labels().of(id).getLabel(), "written to the labels topic through the server");
    }

    /** The whole page as target/dashboard.png (and at -Dastropt.screenshot, for the README's picture). */
    static void screenshot() throws Exception {
        JavascriptExecutor js = driver;
        if (System.getProperty("astropt.dashboard.model") != null) {
            await("the training curve of the trained model", script("return document.getElementById('curve-legend').children.length > 0"));
        }
        long height = (Long) js.executeScript("return document.documentElement.scrollHeight");
        int target = (int) Math.min(4000, height + 140);
        driver.manage().window().setSize(new Dimension(1600, target));
        await("the page laid out in the taller window", script(
                "return document.documentElement.clientHeight >= Math.min(document.documentElement.scrollHeight, arguments[0] - 200)", target));
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "dashboard.png"), png);
        String keep = System.getProperty("astropt.screenshot");
        if (keep != null && !keep.isBlank()) Files.write(Path.of(keep), png);
    }
}
