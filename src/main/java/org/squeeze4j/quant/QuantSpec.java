package org.squeeze4j.quant;

/**
 * What integer grid a linear quantizer maps to: bit width, signedness, symmetric or affine,
 * per-tensor or per-channel, and narrow range.
 *
 * <p>The integer codes are {@code q in [qmin, qmax]}:
 * <pre>
 *   signed:    qmin = -2^(b-1) (+1 if narrow),   qmax = 2^(b-1) - 1
 *   unsigned:  qmin = 0        (+1 if narrow),   qmax = 2^b - 1
 * </pre>
 * so int8 is [-128, 127], narrow int8 is [-127, 127] (the symmetric grid used for weights in
 * Krishnamoorthi 2018 and TFLite), uint8 is [0, 255].
 *
 * <p><b>Symmetric</b> means the zero point is fixed at {@code z = 0}, so {@code r = s q}
 * (Nagel et al. 2021, "A White Paper on Neural Network Quantization", section 2.2). A signed
 * symmetric grid covers {@code [-|r|max, |r|max]}; an unsigned symmetric grid covers
 * {@code [0, max]} and suits one-tailed data such as ReLU outputs (negative values clip to 0).
 * <b>Affine</b> (asymmetric) lets the zero point move so that {@code [min, max]} is covered
 * (Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", eq. 1).
 *
 * <p><b>Per-channel</b> ({@code axis >= 0}) gives every slice along {@code axis} its own scale and
 * zero point: axis 1 of a DL4J dense weight {@code [nIn, nOut]} is per output neuron, axis 0 of a
 * convolution weight {@code [out, in, kh, kw]} is per output channel (Krishnamoorthi 2018,
 * "Quantizing deep convolutional networks for efficient inference: A whitepaper", section 2.3).
 *
 * <p><b>Narrow range</b> drops the lowest code: for signed grids this makes them symmetric
 * ([-127, 127]); for unsigned affine grids it gives [1, 2^b - 1] as in TensorFlow's
 * {@code narrow_range}.
 *
 * <p><b>1-bit grids.</b> A signed 1-bit grid is {-1, 0}; with {@code z = 0} that is the value set
 * {-s, 0}, <em>not</em> the binary {-s, +s} of BinaryConnect / XNOR-Net, which is not a linear
 * quantizer of the form {@code q = clip(round(r/s) + z)}. Rather than silently produce a grid that
 * looks binary and is not, signed symmetric 1-bit specs are rejected. Allowed 1-bit specs are
 * unsigned symmetric (values {0, s}) and affine (two levels {@code s(0 - z), s(1 - z)} with 0 among
 * them). Narrow range is rejected at 1 bit because it would leave a single level.
 *
 * @param bits bit width: 1 to 8, or 16
 * @param signed two's complement codes if true, non-negative codes if false
 * @param symmetric zero point fixed at 0 if true, affine (free zero point) if false
 * @param narrowRange drop the lowest code
 * @param axis the channel axis for per-channel quantization, or {@link #PER_TENSOR} (-1)
 */
public record QuantSpec(int bits, boolean signed, boolean symmetric, boolean narrowRange, int axis) {
    /** Axis value meaning one scale and zero point for the whole tensor. */
    public static final int PER_TENSOR = -1;

    public QuantSpec {
        if (!(bits >= 1 && bits <= 8) && bits != 16) {
            throw new IllegalArgumentException("bits must be 1-8 or 16, got " + bits);
        }
        if (axis < PER_TENSOR) {
            throw new IllegalArgumentException("axis must be -1 (per-tensor) or a dimension index >= 0, got " + axis);
        }
        if (bits == 1 && narrowRange) {
            throw new IllegalArgumentException("narrow range drops the lowest code, which leaves a single level at 1 bit;"
                    + " use narrowRange=false or at least 2 bits");
        }
        if (bits == 1 && signed && symmetric) {
            throw new IllegalArgumentException("1-bit signed symmetric quantization has codes {-1, 0}, i.e. values {-s, 0},"
                    + " not the binary {-s, +s}; use QuantSpec.symmetric(1, false) for {0, s}, QuantSpec.affine(1, ...)"
                    + " or a dedicated binarizer (sign(r) * s), which is not a linear quantizer");
        }
        if (narrowRange && symmetric && !signed) {
            throw new IllegalArgumentException("narrow range on an unsigned symmetric grid would be [1, 2^b - 1], which excludes"
                    + " its zero point 0; use an affine unsigned spec or a signed symmetric one");
        }
    }

    /** Signed symmetric per-tensor grid, e.g. {@code symmetric(8)} = int8 [-128, 127] with z = 0. */
    public static QuantSpec symmetric(int bits) {
        return new QuantSpec(bits, true, true, false, PER_TENSOR);
    }

    /** Symmetric per-tensor grid, signed ({-s 2^(b-1) .. s (2^(b-1)-1)}) or unsigned ({0 .. s (2^b - 1)}). */
    public static QuantSpec symmetric(int bits, boolean signed) {
        return new QuantSpec(bits, signed, true, false, PER_TENSOR);
    }

    /** Affine (asymmetric) per-tensor grid; {@code affine(8, false)} is uint8 with a zero point. */
    public static QuantSpec affine(int bits, boolean signed) {
        return new QuantSpec(bits, signed, false, false, PER_TENSOR);
    }

    /** int8, symmetric, narrow range [-127, 127], per-tensor: the usual weight grid. */
    public static QuantSpec int8Weights() {
        return new QuantSpec(8, true, true, true, PER_TENSOR);
    }

    /** uint8 affine per-tensor [0, 255]: the usual activation grid of Jacob et al. 2018. */
    public static QuantSpec uint8Activations() {
        return affine(8, false);
    }

    /** The same grid with one scale and zero point per slice along {@code axis}. */
    public QuantSpec perChannel(int channelAxis) {
        if (channelAxis < 0) {
            throw new IllegalArgumentException("per-channel axis must be >= 0, got " + channelAxis + "; use perTensor() for one scale");
        }
        return new QuantSpec(bits, signed, symmetric, narrowRange, channelAxis);
    }

    /** The same grid with one scale and zero point for the whole tensor. */
    public QuantSpec perTensor() {
        return new QuantSpec(bits, signed, symmetric, narrowRange, PER_TENSOR);
    }

    /** The same grid with narrow range switched on or off. */
    public QuantSpec withNarrowRange(boolean narrow) {
        return new QuantSpec(bits, signed, symmetric, narrow, axis);
    }

    /** Smallest integer code. */
    public int qmin() {
        int base = signed ? -(1 << (bits - 1)) : 0;
        return narrowRange ? base + 1 : base;
    }

    /** Largest integer code. */
    public int qmax() {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Number of codes, {@code qmax - qmin + 1}. */
    public int levels() {
        return qmax() - qmin() + 1;
    }

    /** True when {@link #axis()} selects a channel axis. */
    public boolean isPerChannel() {
        return axis != PER_TENSOR;
    }

    @Override
    public String toString() {
        return (signed ? "int" : "uint") + bits + (symmetric ? " symmetric" : " affine")
                + (narrowRange ? " narrow" : "") + " [" + qmin() + ", " + qmax() + "]"
                + (isPerChannel() ? " per-channel(axis " + axis + ")" : " per-tensor");
    }
}
