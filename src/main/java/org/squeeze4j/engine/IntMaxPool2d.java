package org.squeeze4j.engine;

/**
 * Max pooling directly on uint8 codes, {@code [c][h][w]} to {@code [c][outH][outW]} without padding.
 * Requantization {@code q = clamp(Z + round(M acc))} is monotone non-decreasing and the layer's
 * scale and zero point stay the same, so {@code max(q(a), q(b)) = q(max(a, b))}: pooling after
 * requantization equals requantizing after pooling, and the codes pass through unchanged
 * (Jacob et al. 2018, section 2.4 treats such layers the same way).
 * <pre>
 *   outH = (h - kH) / strideH + 1,   out[c][y][x] = max_{ky, kx} in[c][y sH + ky][x sW + kx]
 * </pre>
 */
public final class IntMaxPool2d implements IntLayer {
    final int channels;
    final int inH;
    final int inW;
    final int kH;
    final int kW;
    final int strideH;
    final int strideW;
    final int outH;
    final int outW;

    public IntMaxPool2d(int channels, int inH, int inW, int kH, int kW, int strideH, int strideW) {
        if (channels <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0 || inH < kH || inW < kW) {
            throw new IllegalArgumentException("max pooling needs positive sizes and a kernel no larger than the input, got "
                    + channels + "x" + inH + "x" + inW + " with kernel " + kH + "x" + kW + " stride " + strideH + "x" + strideW);
        }
        this.channels = channels;
        this.inH = inH;
        this.inW = inW;
        this.kH = kH;
        this.kW = kW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.outH = (inH - kH) / strideH + 1;
        this.outW = (inW - kW) / strideW + 1;
    }

    @Override
    public int inputLength() {
        return channels * inH * inW;
    }

    @Override
    public int outputLength() {
        return channels * outH * outW;
    }

    @Override
    public int accumulatorLength() {
        return 0;
    }

    @Override
    public int patchLength() {
        return 0;
    }

    @Override
    public void forward(byte[][] inputs, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        byte[] in = inputs[0];
        int p = 0;
        for (int s = 0; s < m; s++) {
            for (int c = 0; c < channels; c++) {
                int plane = (s * channels + c) * inH * inW;
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        int best = 0;
                        for (int ky = 0; ky < kH; ky++) {
                            int row = plane + (oy * strideH + ky) * inW + ox * strideW;
                            for (int kx = 0; kx < kW; kx++) {
                                best = Math.max(best, in[row + kx] & 0xFF);
                            }
                        }
                        out[p++] = (byte) best;
                    }
                }
            }
        }
    }

    @Override
    public long macsPerSample() {
        return 0;
    }

    public int channels() {
        return channels;
    }

    public int inHeight() {
        return inH;
    }

    public int inWidth() {
        return inW;
    }

    public int kernelHeight() {
        return kH;
    }

    public int kernelWidth() {
        return kW;
    }

    public int strideHeight() {
        return strideH;
    }

    public int strideWidth() {
        return strideW;
    }

    public int outHeight() {
        return outH;
    }

    public int outWidth() {
        return outW;
    }

    @Override
    public String describe() {
        return "maxpool " + channels + "x" + inH + "x" + inW + " -> " + channels + "x" + outH + "x" + outW
                + " (" + kH + "x" + kW + ", stride " + strideH + ")";
    }
}
