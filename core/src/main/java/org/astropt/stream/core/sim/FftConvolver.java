package org.astropt.stream.core.sim;

/**
 * Convolution of n x n real images with small real kernels through a radix-2 FFT, n a power of two.
 *
 * <p>Two real arrays go into the real and imaginary parts of one complex array, so one forward transform
 * yields both spectra (split by Hermitian symmetry) and one inverse returns two real results. A 2-D
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
     * Convolves each image with its own kernel, two bands per complex transform: three bands cost three
     * forward transforms and two inverses.
     *
     * @param images  per band, [y * n + x], unchanged
     * @param kernels per band, [dy][dx] with odd side 2R + 1 <= n, centred at (R, R)
     * @param colFrom first output column wanted
     * @param colTo   one past the last output column wanted (the others are left unfinished: saves work)
     * @return per band, [y * n + x], circular convolution, valid in columns colFrom .. colTo - 1
     */
    double[][] convolveBands(double[][] images, double[][][] kernels, int colFrom, int colTo) {
        double[][] out = new double[images.length][];
        for (int b = 0; b < images.length; b += 2) {
            boolean pair = b + 1 < images.length;
            double[] ar = images[b].clone(), ai = pair ? images[b + 1].clone() : new double[n * n];
            double[] kr = new double[n * n], ki = new double[n * n];
            place(kernels[b], kr);
            if (pair) place(kernels[b + 1], ki);
            forward(ar, ai);
            forward(kr, ki);
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
            if (pair) out[b + 1] = pi;
        }
        return out;
    }

    /** Forward 2-D transform of [y][x] data, leaving the spectrum transposed: [kx][ky]. */
    private void forward(double[] re, double[] im) {
        columns(re, im, false, 0, n);
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

    /** Writes a centred kernel into an n x n array with its centre wrapped to (0, 0). */
    private void place(double[][] kernel, double[] target) {
        int r = kernel.length / 2;
        for (int dy = -r; dy <= r; dy++) {
            int row = Math.floorMod(dy, n) * n;
            for (int dx = -r; dx <= r; dx++) target[row + Math.floorMod(dx, n)] = kernel[dy + r][dx + r];
        }
    }

    /**
     * 1-D transforms along the row index of columns from .. to - 1, in place (iterative Cooley-Tukey,
     * decimation in time): each butterfly combines two rows.
     */
    private void columns(double[] re, double[] im, boolean inverse, int from, int to) {
        double[] tmp = new double[n];
        for (int i = 0; i < n; i++) {
            int j = reversed[i];
            if (j > i) {
                swapRows(re, i, j, tmp);
                swapRows(im, i, j, tmp);
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

    private void swapRows(double[] a, int i, int j, double[] tmp) {
        System.arraycopy(a, i * n, tmp, 0, n);
        System.arraycopy(a, j * n, a, i * n, n);
        System.arraycopy(tmp, 0, a, j * n, n);
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
