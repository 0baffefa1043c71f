package org.squeeze4j.engine;

/**
 * {@link Int8Kernel} in plain Java: one int32 dot product per (row, output), four outputs at a time
 * so every activation byte is loaded once per four weights. Also the slow reference the vector
 * path is tested against.
 */
public final class ScalarKernel implements Int8Kernel {
    /** The single instance (stateless). */
    public static final ScalarKernel INSTANCE = new ScalarKernel();

    private ScalarKernel() {
    }

    @Override
    public void matmul(byte[] a, int m, int k, byte[] w, int nOut, int[] acc) {
        for (int i = 0; i < m; i++) {
            int aOff = i * k;
            int o = 0;
            for (; o + 4 <= nOut; o += 4) {
                int w0 = o * k;
                int w1 = w0 + k;
                int w2 = w1 + k;
                int w3 = w2 + k;
                int s0 = 0;
                int s1 = 0;
                int s2 = 0;
                int s3 = 0;
                for (int j = 0; j < k; j++) {
                    int x = a[aOff + j] & 0xFF;
                    s0 += x * w[w0 + j];
                    s1 += x * w[w1 + j];
                    s2 += x * w[w2 + j];
                    s3 += x * w[w3 + j];
                }
                int base = i * nOut + o;
                acc[base] = s0;
                acc[base + 1] = s1;
                acc[base + 2] = s2;
                acc[base + 3] = s3;
            }
            for (; o < nOut; o++) {
                int wOff = o * k;
                int s = 0;
                for (int j = 0; j < k; j++) {
                    s += (a[aOff + j] & 0xFF) * w[wOff + j];
                }
                acc[i * nOut + o] = s;
            }
        }
    }

    /** One output channel at a time: {@code acc[o][p] += w[o][j] cols[j][p]}, a loop over positions per weight. */
    @Override
    public void weightsTimesColumns(short[] cols, int stride, int m, int k, byte[] w, int nOut, int[] acc) {
        for (int o = 0; o < nOut; o++) {
            int ao = o * stride;
            java.util.Arrays.fill(acc, ao, ao + m, 0);
            for (int j = 0; j < k; j++) {
                int wv = w[o * k + j];
                int co = j * stride;
                for (int p = 0; p < m; p++) {
                    acc[ao + p] += cols[co + p] * wv;
                }
            }
        }
    }

    @Override
    public int columnStride(int m) {
        return m;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
