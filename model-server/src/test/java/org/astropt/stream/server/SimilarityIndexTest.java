package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.astropt.stream.core.model.EmbeddingStats;
import org.junit.jupiter.api.Test;

/** The exact index against a brute-force ranking of the same random vectors; raw and standardised similarity. */
class SimilarityIndexTest {

    private static float[] random(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** Cosine similarity in double precision, straight from the definition. */
    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void nearestNeighboursEqualBruteForceOnRandomVectors() {
        Random r = new Random(20240611);
        int n = 3000, dim = 64, k = 10;
        SimilarityIndex index = new SimilarityIndex(n);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = random(r, dim);
            vectors.add(v);
            index.put("obj-" + i, "m:1", v);
        }
        for (int q = 0; q < 50; q++) {
            int query = r.nextInt(n);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) if (i != query) expected.add(i);
            float[] qv = vectors.get(query);
            expected.sort(Comparator.comparingDouble((Integer i) -> -cosine(qv, vectors.get(i))));
            List<SimilarityIndex.Neighbour> found = index.nearest("obj-" + query, k);
            assertEquals(k, found.size());
            for (int j = 0; j < k; j++) {
                int want = expected.get(j);
                assertEquals("obj-" + want, found.get(j).id(), "query " + query + ", rank " + j);
                assertEquals(cosine(qv, vectors.get(want)), found.get(j).similarity(), 1e-5);
            }
        }
        // a free query vector ranks the same way, the stored object itself first
        float[] q = vectors.get(7).clone();
        assertEquals("obj-7", index.nearest(q, "m:1", 1).get(0).id());
    }

    @Test
    void latestVectorWinsAndOnlyTheQueryModelIsSearched() {
        SimilarityIndex index = new SimilarityIndex(10);
        index.put("a", "m:1", new float[] {1, 0});
        index.put("b", "m:1", new float[] {0, 1});
        index.put("c", "m:2", new float[] {1, 0.01f});
        index.put("d", "m:1", new float[] {0.9f, 0.1f});
        assertEquals(List.of("d", "b"), index.nearest("a", 5).stream().map(SimilarityIndex.Neighbour::id).toList());
        index.put("d", "m:1", new float[] {-1, 0}); // d moved: now the least similar to a
        assertEquals(List.of("b", "d"), index.nearest("a", 5).stream().map(SimilarityIndex.Neighbour::id).toList());
        assertEquals(4, index.size());
        float[] back = index.vector("d");
        assertEquals(-1, back[0], 1e-6);
        assertEquals(0, back[1], 1e-6);
    }

    @Test
    void fullIndexEvictsTheLeastRecentlyUpdated() {
        SimilarityIndex index = new SimilarityIndex(3);
        index.put("a", "m:1", new float[] {1, 0});
        index.put("b", "m:1", new float[] {0, 1});
        index.put("c", "m:1", new float[] {1, 1});
        index.put("a", "m:1", new float[] {1, 0.5f}); // a is now the newest
        index.put("d", "m:1", new float[] {0.5f, 1}); // b leaves
        assertEquals(3, index.size());
        assertNull(index.nearest("b", 2));
        assertTrue(index.nearest("a", 5).stream().map(SimilarityIndex.Neighbour::id).toList().containsAll(List.of("c", "d")));
    }

    /**
     * Two populations as AstroPT embeddings look: every vector far out along one common direction (offset 40 on
     * every dimension), four nuisance dimensions of large spread (std 6, brightness-like, the same in both), and
     * the difference between the populations small (+-0.3 on the other 28 dimensions, noise 0.15).
     */
    static float[] population(Random r, boolean first, float[] pattern) {
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = 40 + (float) (i < 4 ? 6 * r.nextGaussian() : (first ? 0.3 : -0.3) * pattern[i] + 0.15 * r.nextGaussian());
        }
        return v;
    }

    /** Share of each object's k nearest that come from its own population, averaged over objects. */
    static double purity(SimilarityIndex index, int n, int k) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int same = 0;
            for (SimilarityIndex.Neighbour nb : index.nearest("obj-" + i, k)) if (Integer.parseInt(nb.id().substring(4)) % 2 == i % 2) same++;
            sum += (double) same / k;
        }
        return sum / n;
    }

    @Test
    void standardisedCosineSeparatesPopulationsThatRawCosineCannot() {
        Random r = new Random(42);
        float[] pattern = new float[32];
        for (int i = 0; i < pattern.length; i++) pattern[i] = r.nextBoolean() ? 1 : -1;
        List<float[]> reference = new ArrayList<>(); // what the trainer measures: other objects of the same populations
        for (int i = 0; i < 600; i++) reference.add(population(r, i % 2 == 0, pattern));
        EmbeddingStats stats = EmbeddingStats.of(reference);
        int n = 400, k = 10;
        SimilarityIndex raw = new SimilarityIndex(n);
        SimilarityIndex standardised = new SimilarityIndex(n);
        standardised.useStatistics("m:1", stats);
        List<Double> rawSimilarities = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = population(r, i % 2 == 0, pattern); // even ids: the first population
            raw.put("obj-" + i, "m:1", v);
            standardised.put("obj-" + i, "m:1", v);
        }
        for (int i = 0; i < n; i += 7) rawSimilarities.add((double) raw.nearest("obj-" + i, n).get(n - 2).similarity());
        assertTrue(rawSimilarities.stream().allMatch(s -> s > 0.98), "raw cosine calls even the least similar pair alike: " + rawSimilarities);
        double rawPurity = purity(raw, n, k);
        double stdPurity = purity(standardised, n, k);
        assertTrue(rawPurity < 0.65, "raw cosine ranks by the nuisance dimensions: purity@10 near the base rate 0.5, got " + rawPurity);
        assertTrue(stdPurity > 0.95, "standardised cosine finds the object's own population, got " + stdPurity);
        assertTrue(standardised.nearest("obj-0", n).get(n - 2).similarity() < 0, "and says the other population is unlike it");
    }

    @Test
    void statisticsThatArriveLateRestandardiseAndAModelWithoutThemStaysRaw() {
        Random r = new Random(3);
        float[] pattern = new float[32];
        for (int i = 0; i < pattern.length; i++) pattern[i] = r.nextBoolean() ? 1 : -1;
        List<float[]> reference = new ArrayList<>();
        for (int i = 0; i < 200; i++) reference.add(population(r, i % 2 == 0, pattern));
        EmbeddingStats stats = EmbeddingStats.of(reference);
        SimilarityIndex early = new SimilarityIndex(100);
        SimilarityIndex late = new SimilarityIndex(200);
        early.useStatistics("m:2", stats);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            float[] v = population(r, i % 2 == 0, pattern);
            vectors.add(v);
            early.put("obj-" + i, "m:2", v);
            late.put("obj-" + i, "m:2", v);
            late.put("old-" + i, "m:1", v); // an older version that published no statistics: raw cosine
        }
        late.useStatistics("m:2", stats); // its version record was read after its embeddings
        assertEquals(stats, late.statistics("m:2"));
        assertNull(late.statistics("m:1"));
        for (int q = 0; q < 60; q += 11) {
            List<SimilarityIndex.Neighbour> a = early.nearest("obj-" + q, 5);
            List<SimilarityIndex.Neighbour> b = late.nearest("obj-" + q, 5);
            assertEquals(a.stream().map(SimilarityIndex.Neighbour::id).toList(), b.stream().map(SimilarityIndex.Neighbour::id).toList());
            for (int j = 0; j < 5; j++) assertEquals(a.get(j).similarity(), b.get(j).similarity(), 1e-5);
            float[] qv = vectors.get(q);
            SimilarityIndex.Neighbour rawBest = late.nearest("old-" + q, 1).get(0);
            assertEquals(cosine(qv, vectors.get(Integer.parseInt(rawBest.id().substring(4)))), rawBest.similarity(), 1e-5, "m:1 compares raw vectors");
            assertArrayEquals(qv, late.vector("obj-" + q), 1e-4f, "the vector as it was put, not as it is compared");
            assertEquals("obj-" + q, late.nearest(qv, "m:2", 1).get(0).id(), "a free query is standardised with its model's statistics");
        }
    }
}
