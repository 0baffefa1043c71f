package org.squeeze4j.engine;

/**
 * A 2D convolution (cross-correlation, as DL4J) in integers, {@code [inC][inH][inW]} uint8 codes in,
 * {@code [outC][outH][outW]} out, weights {@code [outC][inC][kH][kW]} (DL4J's order). The input is
 * laid out as transposed im2col columns {@code [inC kH kW][outH outW]} and multiplied by the
 * weights with {@link Int8Kernel#weightsTimesColumns}, vectorised along the output positions, so
 * each output channel's accumulators come out as its output plane; the arithmetic is
 * {@link WeightedLayer}'s.
 *
 * <p>Padding uses the input zero point {@code Z_in} (the code of real 0), so padded taps add
 * {@code q_w Z_in} exactly like interior ones and the per-channel correction
 * {@code Z_in sum_k q_w} stays valid at the borders (TFLite does the same).
 * <pre>
 *   outH = (inH + padTop + padBottom - kH) / strideH + 1      (likewise for the width)
 * </pre>
 * DL4J's truncate mode has zero padding here; same mode pads {@code ((outH-1) s + kH - inH)} in
 * total with {@code padTop = total / 2}.
 */
public final class IntConv2d extends WeightedLayer {
    final int inC;
    final int inH;
    final int inW;
    final int kH;
    final int kW;
    final int strideH;
    final int strideW;
    final int padTop;
    final int padLeft;
    final int outH;
    final int outW;

    /** A convolution with uint8 output codes (upper clamp {@code hi = 255}). */
    public IntConv2d(int inC, int inH, int inW, int outC, int kH, int kW, int strideH, int strideW,
                     int padTop, int padLeft, int outH, int outW, byte[] weights, int[] bias,
                     double inScale, int inZeroPoint, double[] weightScales, double outScale, int outZeroPoint,
                     boolean relu) {
        this(inC, inH, inW, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW, weights, bias, inScale, inZeroPoint,
                weightScales, outScale, outZeroPoint, relu, 255);
    }

    /** A convolution whose output codes are clamped to {@code [relu ? Z_out : 0, hi]}, {@code Z_out <= hi <= 255}. */
    public IntConv2d(int inC, int inH, int inW, int outC, int kH, int kW, int strideH, int strideW,
                     int padTop, int padLeft, int outH, int outW, byte[] weights, int[] bias,
                     double inScale, int inZeroPoint, double[] weightScales, double outScale, int outZeroPoint,
                     boolean relu, int hi) {
        super(outC, inC * kH * kW, weights, bias, inScale, inZeroPoint, weightScales, outScale, outZeroPoint, relu, hi);
        if (inC <= 0 || inH <= 0 || inW <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0
                || padTop < 0 || padLeft < 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("convolution sizes must be positive (padding >= 0), got in " + inC + "x" + inH
                    + "x" + inW + ", kernel " + kH + "x" + kW + ", stride " + strideH + "x" + strideW + ", pad " + padTop
                    + "/" + padLeft + ", out " + outH + "x" + outW);
        }
        this.inC = inC;
        this.inH = inH;
        this.inW = inW;
        this.kH = kH;
        this.kW = kW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public int inputLength() {
        return inC * inH * inW;
    }

    @Override
    public int outputLength() {
        return outChannels * outH * outW;
    }

    /** None from the shared buffer: the accumulators ({@code outChannels x stride}) come from {@link Workspace#columnAccumulators}. */
    @Override
    public int accumulatorLength() {
        return 0;
    }

    /** None from the shared buffer: the columns ({@code depth x stride} shorts) come from {@link Workspace#columns}. */
    @Override
    public int patchLength() {
        return 0;
    }

    @Override
    public void forward(byte[][] inputs, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        byte[] in = inputs[0];
        int positions = outH * outW;
        int stride = kernel.columnStride(positions);
        short[] cols = ws.columns(depth * stride);
        int[] acc = ws.columnAccumulators(outChannels * stride);
        int inLen = inputLength();
        int outLen = outputLength();
        for (int s = 0; s < m; s++) {
            columns(in, s * inLen, cols, stride);
            kernel.weightsTimesColumns(cols, stride, positions, depth, weights, outChannels, acc);
            for (int o = 0; o < outChannels; o++) {
                requantizeChannel(acc, o * stride, o, out, s * outLen + o * positions, positions);
            }
        }
    }

    /**
     * Transposed im2col of one sample: row {@code j = (c kH + ky) kW + kx} (the weights' order) holds
     * tap {@code (ky, kx)} of channel {@code c} at every output position, {@code oy outW + ox}; taps
     * outside the input read the zero point. A row's valid {@code ox} form one interval, copied by a
     * plain loop.
     */
    private void columns(byte[] in, int off, short[] cols, int stride) {
        short zIn = (short) inZeroPoint;
        int j = 0;
        for (int c = 0; c < inC; c++) {
            int plane = off + c * inH * inW;
            for (int ky = 0; ky < kH; ky++) {
                for (int kx = 0; kx < kW; kx++, j++) {
                    // ox with 0 <= ox sW + kx - padLeft < inW
                    int first = Math.max(0, ceilDiv(padLeft - kx, strideW));
                    int last = Math.min(outW, ceilDiv(inW + padLeft - kx, strideW));   // exclusive
                    for (int oy = 0; oy < outH; oy++) {
                        int y = oy * strideH + ky - padTop;
                        int dst = j * stride + oy * outW;
                        if (y < 0 || y >= inH || first >= last) {
                            java.util.Arrays.fill(cols, dst, dst + outW, zIn);
                            continue;
                        }
                        java.util.Arrays.fill(cols, dst, dst + first, zIn);
                        int src = plane + y * inW + kx - padLeft;
                        for (int ox = first; ox < last; ox++) {
                            cols[dst + ox] = (short) (in[src + ox * strideW] & 0xFF);
                        }
                        java.util.Arrays.fill(cols, dst + last, dst + outW, zIn);
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    public int inChannels() {
        return inC;
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

    public int padTop() {
        return padTop;
    }

    public int padLeft() {
        return padLeft;
    }

    public int outHeight() {
        return outH;
    }

    public int outWidth() {
        return outW;
    }

    /** Padding at the bottom implied by the sizes: {@code (outH-1) strideH + kH - inH - padTop} (may be negative: unused rows). */
    public int padBottom() {
        return (outH - 1) * strideH + kH - inH - padTop;
    }

    /** Padding at the right, like {@link #padBottom()}. */
    public int padRight() {
        return (outW - 1) * strideW + kW - inW - padLeft;
    }

    @Override
    public long macsPerSample() {
        return (long) depth * outChannels * outH * outW;
    }

    @Override
    public String describe() {
        return "conv " + inC + "x" + inH + "x" + inW + " -> " + outChannels + "x" + outH + "x" + outW + " (" + kH + "x" + kW
                + ", stride " + strideH + ", pad " + padTop + "/" + padLeft + ")" + clampDescription();
    }
}
