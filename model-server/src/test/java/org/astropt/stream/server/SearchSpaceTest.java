package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.Embedding;
import org.astropt.stream.schemas.StageTimings;
import org.junit.jupiter.api.Test;

/**
 * One embedding space at a time: /similar and the map answer from the previous version until a backfill has
 * given the new one the switch coverage, then from the new one; each answer's version and coverage are right.
 */
class SearchSpaceTest {

    static final int OBJECTS = 200;

    static Embedding embedding(String id, long version, float[] vector, boolean backfill) {
        return embedding("astropt", id, version, vector, backfill);
    }

    static Embedding embedding(String model, String id, long version, float[] vector, boolean backfill) {
        List<Float> v = new ArrayList<>();
        for (float x : vector) v.add(x);
        return Embedding.newBuilder().setId(id).setModelName(model).setModelVersion(version).setVector(v)
                .setSurprise(0.1f).setFlags(List.of())
                .setTimings(StageTimings.newBuilder().setDecodeMicros(0).setTokenizeMicros(0).setEmbedMicros(0)
                        .setProducedTime(Instant.now()).build())
                .setMetadata(backfill ? Map.of(Topics.BACKFILL_METADATA_KEY, "astropt:" + version) : Map.of())
                .build();
    }

    static float[] random(Random r) {
        float[] v = new float[8];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void answersStayOnThePreviousVersionUntilTheNewOneCoversTheSwitchShare() {
        Random r = new Random(5);
        ObjectCatalogue catalogue = new ObjectCatalogue(10_000, 10, 10, 0.9);
        EmbeddingMap map = new EmbeddingMap(catalogue, 1000, 0);
        assertNull(catalogue.searchSpace(), "nothing to search before any embedding");
        for (int i = 0; i < OBJECTS; i++) catalogue.onEmbedding(embedding("obj-" + i, 1, random(r), false), 0);
        assertEquals(new SimilarityIndex.Space("astropt:1", OBJECTS, 1.0), catalogue.searchSpace());

        // v2 is promoted: the stream embeds new objects with it, and a backfill re-embeds the old ones
        int objects = OBJECTS;
        int v2 = 0;
        for (int step = 0; step < 30; step++) {
            catalogue.onEmbedding(embedding("new-" + step, 2, random(r), false), 0);
            objects++;
            v2++;
            for (int j = 0; j < 10 && v2 - step - 1 < OBJECTS; j++) {
                catalogue.onEmbedding(embedding("obj-" + (v2 - step - 1), 2, random(r), true), 0);
                v2++;
            }
            double coverage = v2 / (double) objects;
            SimilarityIndex.Space space = catalogue.searchSpace();
            Map<String, Object> shown = map.current(step + 1);
            if (coverage < 0.9) {
                assertEquals("astropt:1", space.version(), "v2 covers " + coverage);
                assertEquals(OBJECTS / (double) objects, space.coverage(), 1e-12, "v1's share of the objects known");
                assertEquals(OBJECTS, space.vectors());
                // an object v1 never saw is searched in v2, and says so
                assertEquals("astropt:2", catalogue.searchSpaceOf("new-" + step).version());
                assertEquals(coverage, catalogue.searchSpaceOf("new-" + step).coverage(), 1e-12);
            } else {
                assertEquals("astropt:2", space.version(), "v2 covers " + coverage);
                assertEquals(coverage, space.coverage(), 1e-12);
                assertEquals("astropt:2", catalogue.searchSpaceOf("obj-0").version());
            }
            assertEquals(space.version(), shown.get("version"), "the map answers from the same version");
            assertEquals(space.coverage(), (Double) shown.get("coverage"), 1e-12);
            assertEquals(space.version(), catalogue.searchSpaceOf("obj-0").version(), "obj-0 has vectors of both");
        }
        assertEquals("astropt:2", catalogue.searchSpace().version(), "the backfill finished");
        assertEquals(1.0, catalogue.searchSpace().coverage(), 1e-12);
        assertEquals(2, catalogue.get("obj-5").modelVersion(), "the object shows its newest embedding");
        assertTrue(catalogue.feed(10).stream().allMatch(o -> o.id().startsWith("new-")), "backfilled records stay out of the live feed");
    }

    @Test
    void aThirdVersionDropsTheSmallerSpaceAndLateRecordsOfDroppedVersionsAreIgnored() {
        Random r = new Random(6);
        ObjectCatalogue catalogue = new ObjectCatalogue(10_000, 10, 10, 0.9);
        for (int i = 0; i < 100; i++) catalogue.onEmbedding(embedding("obj-" + i, 1, random(r), false), 0);
        for (int i = 0; i < 30; i++) catalogue.onEmbedding(embedding("obj-" + i, 2, random(r), true), 0); // a backfill of v2, cut short
        catalogue.onEmbedding(embedding("obj-0", 3, random(r), false), 0); // v3 promoted
        assertEquals(List.of("astropt:3", "astropt:1"), catalogue.index().spaces(), "v2 covered less than v1: dropped");
        assertEquals(new SimilarityIndex.Space("astropt:1", 100, 1.0), catalogue.searchSpace());
        catalogue.onEmbedding(embedding("obj-40", 2, random(r), false), 0);
        assertEquals(List.of("astropt:3", "astropt:1"), catalogue.index().spaces(), "a late v2 record opens no space");
        assertEquals(101, catalogue.index().size(), "vectors held: at most two spaces");
        assertEquals(3, catalogue.get("obj-0").modelVersion());
    }

    @Test
    void anAlertModelsVectorsSurviveTheGalaxyModelsNewVersionsAndDoNotDiluteItsCoverage() {
        Random r = new Random(7);
        ObjectCatalogue catalogue = new ObjectCatalogue(10_000, 10, 10, 0.9);
        for (int i = 0; i < 100; i++) catalogue.onEmbedding(embedding("obj-" + i, 1, random(r), false), 0);
        for (int i = 0; i < 40; i++) catalogue.onEmbedding(embedding("astropt-ztf", "alert-" + i, 1, random(r), false), 0);
        assertEquals(new SimilarityIndex.Space("astropt:1", 100, 1.0), catalogue.searchSpace(),
                "answers come from the galaxy model, which holds most vectors, covering all of its objects");
        for (int i = 0; i < 100; i++) catalogue.onEmbedding(embedding("obj-" + i, 2, random(r), true), 0); // v2's backfill
        catalogue.onEmbedding(embedding("obj-0", 3, random(r), false), 0);                                   // v3 promoted
        catalogue.onEmbedding(embedding("astropt-ztf", "alert-40", 1, random(r), false), 0);                 // alerts go on
        assertEquals(List.of("astropt:3", "astropt:2", "astropt-ztf:1"), catalogue.index().spaces(),
                "two spaces per model name: the galaxy model's versions never drop the alert model's");
        assertEquals(new SimilarityIndex.Space("astropt:2", 100, 1.0), catalogue.searchSpace(), "coverage counts the galaxy objects only");
        for (int i = 0; i <= 40; i++) assertTrue(catalogue.index().vector("alert-" + i) != null, "alert-" + i + " keeps its vector");
        assertEquals(new SimilarityIndex.Space("astropt-ztf:1", 41, 1.0), catalogue.searchSpaceOf("alert-3"), "an alert is searched among alerts");
        assertEquals("astropt-ztf", catalogue.get("alert-3").modelName());
    }
}
