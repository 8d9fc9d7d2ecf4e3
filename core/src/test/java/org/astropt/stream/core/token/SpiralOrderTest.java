package org.astropt.stream.core.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SpiralOrderTest {

    @Test
    void fourByFourIsDesignTable() {
        // DESIGN.md, Tokenization, step 5.
        int[][] expected = {
                {15, 14, 13, 12},
                {4, 3, 2, 11},
                {5, 0, 1, 10},
                {6, 7, 8, 9}};
        assertGrid(expected, SpiralOrder.of(4));
    }

    @Test
    void oddSizesMatchReferenceSpiral() {
        // What the reference GalaxyImageDataset._spiral(n) returns for n = 1, 2, 3 and 5.
        assertGrid(new int[][] {{0}}, SpiralOrder.of(1));
        assertGrid(new int[][] {{3, 2}, {0, 1}}, SpiralOrder.of(2));
        assertGrid(new int[][] {{8, 7, 6}, {1, 0, 5}, {2, 3, 4}}, SpiralOrder.of(3));
        assertGrid(new int[][] {
                {24, 23, 22, 21, 20},
                {9, 8, 7, 6, 19},
                {10, 1, 0, 5, 18},
                {11, 2, 3, 4, 17},
                {12, 13, 14, 15, 16}}, SpiralOrder.of(5));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
            25, 26, 27, 28, 29, 30, 31, 32})
    void spiralIsACentreOutPermutationThatNeverJumps(int n) {
        SpiralOrder spiral = SpiralOrder.of(n);
        assertEquals(n, spiral.gridSize());
        assertEquals(n * n, spiral.cellCount());

        boolean[] seen = new boolean[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int p = spiral.position(i, j);
                assertTrue(p >= 0 && p < n * n, "position " + p + " out of range");
                assertTrue(!seen[p], "position " + p + " given twice");
                seen[p] = true;
                assertEquals(i, spiral.row(p));
                assertEquals(j, spiral.column(p));
            }
        }

        // The walk starts at (0, 0) and goes right along row 0: those are the last positions.
        for (int j = 0; j < n; j++) assertEquals(n * n - 1 - j, spiral.position(0, j));
        // Then down column n-1.
        for (int i = 1; i < n; i++) assertEquals(n * n - n - i, spiral.position(i, n - 1));

        // The walk's last cell, the first token: (n/2, n/2 - 1) for even n, the centre for odd n.
        int centreRow = n / 2, centreColumn = n % 2 == 0 ? n / 2 - 1 : n / 2;
        assertEquals(centreRow, spiral.row(0));
        assertEquals(centreColumn, spiral.column(0));

        for (int p = 1; p < n * n; p++) {
            int step = Math.abs(spiral.row(p) - spiral.row(p - 1)) + Math.abs(spiral.column(p) - spiral.column(p - 1));
            assertEquals(1, step, "positions " + (p - 1) + " and " + p + " are not grid neighbours");
        }
    }

    @Test
    void cachedPerSize() {
        assertSame(SpiralOrder.of(32), SpiralOrder.of(32));
    }

    @Test
    void positionsByCellIsACopyOfTheGrid() {
        SpiralOrder spiral = SpiralOrder.of(4);
        int[] flat = spiral.positionsByCell();
        assertArrayEquals(new int[] {15, 14, 13, 12, 4, 3, 2, 11, 5, 0, 1, 10, 6, 7, 8, 9}, flat);
        flat[0] = -1;
        assertEquals(15, spiral.position(0, 0));
    }

    @Test
    void rejectsBadSizesAndIndices() {
        assertThrows(IllegalArgumentException.class, () -> SpiralOrder.of(0));
        assertThrows(IndexOutOfBoundsException.class, () -> SpiralOrder.of(4).position(4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> SpiralOrder.of(4).row(16));
    }

    private static void assertGrid(int[][] expected, SpiralOrder spiral) {
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[i][j], spiral.position(i, j), "cell (" + i + ", " + j + ") of\n" + spiral);
            }
        }
    }
}
