package org.astropt.stream.core.sim;

/**
 * Convolution of n x n real images with small real kernels through a radix-2 FFT, n a power of two.
 *
 * <p>Two real arrays go into the real and imaginary parts of one complex array, so one forward transform
 * yields both spectra (split by Hermitian symmetry) and one inverse returns two real results. Only the
 * columns a kernel occupies are transformed in its first pass. A 2-D
 * transform is a pass along columns, a transpose and another pass along columns: each butterfly then
 * combines two whole rows, so the inner loops run over contiguous memory. Spectra stay transposed
 * ([kx][ky]) between the forward and inverse transforms, which undo it. The convolution is circular;
 * callers pad by the kernel radius. Twiddles come from StrictMath, so results are bit-identical on every
 * JVM. Immutable and thread-safe.
 */
final class FftConvolver {

    private final int n;
    private final int[] reversed;
    private final double[] cos;
    private final double[] sin;

    FftConvolver(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT size " + n + " is not a power of two");
        this.n = n;
        int bits = Integer.numberOfTrailingZeros(n);
        reversed = new int[n];
        for (int i = 0; i < n; i++) reversed[i] = Integer.reverse(i) >>> (32 - bits);
        cos = new double[n / 2];
        sin = new double[n / 2];
        for (int i = 0; i < n / 2; i++) {
            cos[i] = StrictMath.cos(2 * Math.PI * i / n);
            sin[i] = StrictMath.sin(2 * Math.PI * i / n);
        }
    }

    int size() {
        return n;
    }

    /**
     * Convolves each image with its own kernel. Bands go in pairs: the two images share one forward
     * transform, the two kernels another, and one inverse returns both results (real and imaginary parts).
     * An odd last band shares its forward transform with its own kernel. Three bands cost three forward
     * transforms and two inverses.
     *
     * @param images  per band, [y * n + x], unchanged
     * @param kernels per band, [dy][dx] with odd side 2R + 1 <= n, centred at (R, R)
     * @param colFrom first output column wanted
     * @param colTo   one past the last output column wanted (the others are left unfinished: saves work)
     * @return per band, [y * n + x], circular convolution, valid in columns colFrom .. colTo - 1
     */
    double[][] convolveBands(double[][] images, double[][][] kernels, int colFrom, int colTo) {
        double[][] out = new double[images.length][];
        int b = 0;
        for (; b + 1 < images.length; b += 2) {
            double[] ar = images[b].clone(), ai = images[b + 1].clone();
            double[] kr = new double[n * n], ki = new double[n * n];
            int r = Math.max(place(kernels[b], kr), place(kernels[b + 1], ki));
            forward(ar, ai, 0, 0);                         // images: no empty columns assumed
            forward(kr, ki, r + 1, n - r);                 // kernel columns r+1 .. n-r-1 are empty
            double[] pr = new double[n * n], pi = new double[n * n];
            for (int u = 0; u < n; u++) {
                int mu = (n - u) % n;
                for (int v = 0; v < n; v++) {
                    int k = u * n + v, m = mu * n + (n - v) % n;
                    // Spectra of the first (x) and second (y) real inputs from one complex spectrum.
                    double xr = 0.5 * (ar[k] + ar[m]), xi = 0.5 * (ai[k] - ai[m]);
                    double yr = 0.5 * (ai[k] + ai[m]), yi = 0.5 * (ar[m] - ar[k]);
                    double kxr = 0.5 * (kr[k] + kr[m]), kxi = 0.5 * (ki[k] - ki[m]);
                    double kyr = 0.5 * (ki[k] + ki[m]), kyi = 0.5 * (kr[m] - kr[k]);
                    double cr = xr * kxr - xi * kxi, ci = xr * kxi + xi * kxr;   // first band's product
                    double dr = yr * kyr - yi * kyi, di = yr * kyi + yi * kyr;   // second band's product
                    pr[k] = cr - di;                                              // c + i d
                    pi[k] = ci + dr;
                }
            }
            inverse(pr, pi, colFrom, colTo);
            out[b] = pr;
            out[b + 1] = pi;
        }
        if (b < images.length) {
            double[] re = images[b].clone(), im = new double[n * n];
            place(kernels[b], im);
            forward(re, im, 0, 0);
            double[] pr = new double[n * n], pi = new double[n * n];
            for (int u = 0; u < n; u++) {
                int mu = (n - u) % n;
                for (int v = 0; v < n; v++) {
                    int k = u * n + v, m = mu * n + (n - v) % n;
                    double xr = 0.5 * (re[k] + re[m]), xi = 0.5 * (im[k] - im[m]);   // image spectrum
                    double kr = 0.5 * (im[k] + im[m]), ki = 0.5 * (re[m] - re[k]);   // kernel spectrum
                    pr[k] = xr * kr - xi * ki;
                    pi[k] = xr * ki + xi * kr;
                }
            }
            inverse(pr, pi, colFrom, colTo);
            out[b] = pr;
        }
        return out;
    }

    /**
     * Forward 2-D transform of [y][x] data, leaving the spectrum transposed: [kx][ky]. Columns emptyFrom ..
     * emptyTo - 1 must hold only zeros; the first pass skips them.
     */
    private void forward(double[] re, double[] im, int emptyFrom, int emptyTo) {
        if (emptyFrom < emptyTo) {
            columns(re, im, false, 0, emptyFrom);
            columns(re, im, false, emptyTo, n);
        } else {
            columns(re, im, false, 0, n);
        }
        transpose(re);
        transpose(im);
        columns(re, im, false, 0, n);
    }

    /** Inverse of a transposed spectrum back to [y][x], scaled by 1 / n^2, in columns from .. to - 1. */
    private void inverse(double[] re, double[] im, int from, int to) {
        columns(re, im, true, 0, n);
        transpose(re);
        transpose(im);
        columns(re, im, true, from, to);
        double s = 1.0 / ((double) n * n);
        for (int y = 0; y < n; y++) {
            for (int x = y * n + from; x < y * n + to; x++) {
                re[x] *= s;
                im[x] *= s;
            }
        }
    }

    /** Writes a centred kernel into an n x n array with its centre wrapped to (0, 0); returns its radius. */
    private int place(double[][] kernel, double[] target) {
        int r = kernel.length / 2;
        for (int dy = -r; dy <= r; dy++) {
            int row = Math.floorMod(dy, n) * n;
            for (int dx = -r; dx <= r; dx++) target[row + Math.floorMod(dx, n)] = kernel[dy + r][dx + r];
        }
        return r;
    }

    /**
     * 1-D transforms along the row index of columns from .. to - 1, in place (iterative Cooley-Tukey,
     * decimation in time): each butterfly combines two rows.
     */
    private void columns(double[] re, double[] im, boolean inverse, int from, int to) {
        if (from >= to) return;
        double[] tmp = new double[to - from];
        for (int i = 0; i < n; i++) {
            int j = reversed[i];
            if (j > i) {
                swapRows(re, i, j, from, to, tmp);
                swapRows(im, i, j, from, to, tmp);
            }
        }
        double sign = inverse ? 1 : -1;
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1, stride = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * stride], wi = sign * sin[k * stride];
                    int a = (start + k) * n, b = a + half * n;
                    for (int x = from; x < to; x++) {
                        double tr = re[b + x] * wr - im[b + x] * wi;
                        double ti = re[b + x] * wi + im[b + x] * wr;
                        re[b + x] = re[a + x] - tr;
                        im[b + x] = im[a + x] - ti;
                        re[a + x] += tr;
                        im[a + x] += ti;
                    }
                }
            }
        }
    }

    /** Swaps columns from .. to - 1 of rows i and j. */
    private void swapRows(double[] a, int i, int j, int from, int to, double[] tmp) {
        int len = to - from;
        System.arraycopy(a, i * n + from, tmp, 0, len);
        System.arraycopy(a, j * n + from, a, i * n + from, len);
        System.arraycopy(tmp, 0, a, j * n + from, len);
    }

    /** In-place transpose of an n x n array. */
    private void transpose(double[] a) {
        for (int y = 0; y < n; y++) {
            for (int x = y + 1; x < n; x++) {
                double t = a[y * n + x];
                a[y * n + x] = a[x * n + y];
                a[x * n + y] = t;
            }
        }
    }
}
