package org.astropt.stream.core.token;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The order in which AstroPT v1 feeds the cells of an n x n patch grid to the model: from the centre
 * outwards in a spiral (DESIGN.md, Tokenization, step 5).
 *
 * <p>Defined by a walk outside-in, clockwise in (i, j) matrix view, starting at (0, 0): row 0 left to
 * right, column n-1 downwards, row n-1 right to left, column 0 upwards, then the same one ring further
 * in. The cell visited k-th gets sequence position {@code n*n - 1 - k}, so the sequence starts at the
 * last cell of the walk (the centre: (n/2, n/2 - 1) for even n, (n/2, n/2) for odd n) and ends at
 * (0, 0). For n = 4:
 * <pre>
 *   15 14 13 12
 *    4  3  2 11
 *    5  0  1 10
 *    6  7  8  9
 * </pre>
 * Instances are immutable and cached per n; {@link #of(int)} is cheap after the first call.
 */
public final class SpiralOrder {

    private static final ConcurrentHashMap<Integer, SpiralOrder> CACHE = new ConcurrentHashMap<>();

    private final int n;
    /** [i * n + j] -> sequence position of cell (i, j). */
    final int[] positionOfCell;
    /** [position] -> i * n + j of the cell at that position. */
    final int[] cellAtPosition;

    private SpiralOrder(int n) {
        this.n = n;
        int count = n * n;
        positionOfCell = new int[count];
        cellAtPosition = new int[count];
        int k = 0;
        int top = 0, bottom = n - 1, left = 0, right = n - 1;
        while (top <= bottom && left <= right) {
            for (int j = left; j <= right; j++) k = visit(top, j, k);
            for (int i = top + 1; i <= bottom; i++) k = visit(i, right, k);
            if (top < bottom) {
                for (int j = right - 1; j >= left; j--) k = visit(bottom, j, k);
            }
            if (left < right) {
                for (int i = bottom - 1; i > top; i--) k = visit(i, left, k);
            }
            top++;
            bottom--;
            left++;
            right--;
        }
        if (k != count) throw new IllegalStateException("spiral walk visited " + k + " of " + count + " cells");
    }

    private int visit(int i, int j, int k) {
        int cell = i * n + j;
        int position = n * n - 1 - k;
        positionOfCell[cell] = position;
        cellAtPosition[position] = cell;
        return k + 1;
    }

    /** The spiral for an n x n grid (n >= 1), built once and shared. */
    public static SpiralOrder of(int n) {
        if (n < 1 || n > 46_340) { // 46340^2 is the last square below Integer.MAX_VALUE
            throw new IllegalArgumentException("spiral grid size must be 1 to 46340, not " + n);
        }
        return CACHE.computeIfAbsent(n, SpiralOrder::new);
    }

    /** n: cells per side. */
    public int gridSize() { return n; }

    /** Number of cells, n * n: the token count of a cutout tokenized on this grid. */
    public int cellCount() { return n * n; }

    /** The sequence position (0 = first token fed to the model) of cell (i, j). */
    public int position(int i, int j) {
        checkCell(i, j);
        return positionOfCell[i * n + j];
    }

    /** Row i of the cell at a sequence position. */
    public int row(int position) {
        return cellAtPosition[checkPosition(position)] / n;
    }

    /** Column j of the cell at a sequence position. */
    public int column(int position) {
        return cellAtPosition[checkPosition(position)] % n;
    }

    /** A copy of [i * n + j] -> position, the grid above flattened row by row. */
    public int[] positionsByCell() { return positionOfCell.clone(); }

    private void checkCell(int i, int j) {
        if (i < 0 || i >= n || j < 0 || j >= n) {
            throw new IndexOutOfBoundsException("cell (" + i + ", " + j + ") is outside a " + n + "x" + n + " grid");
        }
    }

    private int checkPosition(int position) {
        if (position < 0 || position >= n * n) {
            throw new IndexOutOfBoundsException("position " + position + " is outside 0.." + (n * n - 1));
        }
        return position;
    }

    /** The grid of positions, one row per line, as in the class comment. */
    @Override
    public String toString() {
        int width = String.valueOf(n * n - 1).length();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                String s = String.valueOf(positionOfCell[i * n + j]);
                sb.append(" ".repeat(width - s.length() + (j == 0 ? 0 : 1))).append(s);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
