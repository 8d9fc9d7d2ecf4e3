package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exact index against a brute-force ranking of the same random vectors. */
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
}
