package org.squeeze4j.engine;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.squeeze4j.util.AtomicFiles;

/**
 * The compact file format of an {@link IntModel} (".s4ji"): everything the integer engine needs
 * and nothing else, little-endian, followed by a CRC32 ({@link java.util.zip.CRC32}) of all
 * preceding bytes.
 * <pre>
 *   header   magic "S4JI" (4) | version u16 (= 2) | flags u16 (= 0) | total file length i32
 *            | input rank u8 | input shape i32 x rank | input scale f32 | input zero point u8 | layer count i32
 *   layer    kind u8: 1 dense, 2 conv, 3 max pool, 4 depthwise conv, 5 add, 6 global average pool
 *            | (version 3 only) input count u8 | input tensors i32 x count
 *     dense  nIn i32 | nOut i32 | relu u8 | out scale f32 | out zero point u8 | out max code u8
 *            | weight scales f32 x nOut | M0 i32 x nOut | shift u8 x nOut | bias i32 x nOut | weights i8 x nOut*nIn
 *     conv   inC inH inW outC kH kW strideH strideW padTop padLeft outH outW (i32 each) | relu u8 | out scale f32
 *            | out zero point u8 | out max code u8 | weight scales, M0, shift, bias as dense | weights i8 x outC*inC*kH*kW
 *     pool   channels inH inW kH kW strideH strideW (i32 each)
 *     dwconv channels inH inW kH kW strideH strideW padTop padLeft outH outW (i32 each) | then as conv,
 *            weights i8 x channels*kH*kW
 *     add    length i32 | relu u8 | out scale f32 | out zero point u8
 *     gap    channels height width (i32 each) | out scale f32 | out zero point u8
 *   trailer  CRC32 of every byte above, u32
 * </pre>
 * Scales are float32 (the model keeps float32-valued scales, so this is lossless). Tensor 0 is the
 * network input and tensor {@code k + 1} the output of layer {@code k}; a layer's input scales and
 * zero points are those of the tensors it reads (in version 1 and 2, the previous layer's). The out max code is the
 * layer's upper clamp {@link WeightedLayer#hi()} (255 for uint8 activations, {@code 2^b - 1} for a
 * b-bit grid). The multipliers {@code (M0, n)} are stored for readers in other languages and
 * checked against the ones derived from the scales on load. Per weighted layer the cost is
 * {@code 1 + 4 + 1 + 1} bytes, {@code nOut (4 + 4 + 1 + 4)} bytes and one byte per weight, so
 * LeNet-300-100 takes 271,608 bytes against 1,066,440 for float32 (3.93x).
 *
 * <p><b>Versions.</b> Version 1 had no out max code byte (the engine then clamped every layer at
 * 255); version 2 added it; version 3 added input lists and the depthwise, add and global-pool
 * kinds (residual and depthwise networks). Older files are still read, version-1 weighted layers
 * getting {@code hi = 255}, so they load into exactly the model they described. A model is written
 * in the oldest version that holds it: version 2 for a chain of dense, conv and max-pool layers
 * (so their files and sizes stay what they were), version 3 otherwise.
 *
 * <p>Reading checks, in this order, and names the problem: too short for a header (truncated),
 * wrong magic (not this format), unknown or future version, length different from the header's
 * (truncated / trailing bytes), CRC mismatch (corrupted), then the structure. Writing is atomic
 * ({@link AtomicFiles}).
 */
public final class IntModelFile {
    /** The 4 magic bytes, "S4JI". */
    public static final byte[] MAGIC = "S4JI".getBytes(StandardCharsets.US_ASCII);
    /** The newest version this code reads and writes (it also reads 1 and 2, see the class comment). */
    public static final int VERSION = 3;
    private static final int FIXED_HEADER = 4 + 2 + 2 + 4;
    private static final int DENSE = 1;
    private static final int CONV = 2;
    private static final int POOL = 3;
    private static final int DEPTHWISE = 4;
    private static final int ADD = 5;
    private static final int GLOBAL_AVG_POOL = 6;

    private IntModelFile() {
    }

    /** Writes {@code model} to {@code file} atomically (old content or new, never half). */
    public static void write(IntModel model, Path file) {
        byte[] bytes = toBytes(model);
        try {
            AtomicFiles.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw new IntModelFileException("cannot write integer model to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a model written by {@link #write}; every failure is an {@link IntModelFileException} naming the file and problem. */
    public static IntModel read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IntModelFileException("integer model file " + file + " does not exist");
        } catch (IOException e) {
            throw new IntModelFileException("cannot read integer model file " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromBytes(bytes);
        } catch (IntModelFileException e) {
            throw new IntModelFileException(file + ": " + e.getMessage(), e);
        }
    }

    /** Exact size of {@link #toBytes}{@code (model)} without writing it. */
    public static long sizeOf(IntModel model) {
        long size = FIXED_HEADER + 1 + 4L * model.inputShape().length + 4 + 1 + 4;
        boolean lists = versionFor(model) >= 3;
        for (int i = 0; i < model.layers().size(); i++) {
            IntLayer l = model.layers().get(i);
            size += 1 + (lists ? 1 + 4L * l.arity() : 0);
            if (l instanceof IntDense d) {
                size += 4 + 4 + weightedSize(d);
            } else if (l instanceof IntConv2d c) {
                size += 12 * 4 + weightedSize(c);
            } else if (l instanceof IntDepthwiseConv2d c) {
                size += 11 * 4 + weightedSize(c);
            } else if (l instanceof IntAdd) {
                size += 4 + 1 + 4 + 1;
            } else if (l instanceof IntGlobalAvgPool) {
                size += 3 * 4 + 4 + 1;
            } else {
                size += 7 * 4;
            }
        }
        return size + 4;
    }

    /** The oldest version that holds {@code model}: 2 for a chain of dense, conv and max-pool layers, else 3. */
    public static int versionFor(IntModel model) {
        boolean old = model.isChain() && model.layers().stream()
                .allMatch(l -> l instanceof IntDense || l instanceof IntConv2d || l instanceof IntMaxPool2d);
        return old ? 2 : 3;
    }

    private static long weightedSize(WeightedLayer w) {
        return 1 + 4 + 1 + 1 + (long) w.outChannels * (4 + 4 + 1 + 4) + w.weights.length;
    }

    /** The file content. */
    public static byte[] toBytes(IntModel model) {
        long size = sizeOf(model);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model needs " + size + " bytes, more than this format's 2 GB limit");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        int version = versionFor(model);
        b.put(MAGIC).putShort((short) version).putShort((short) 0).putInt((int) size);
        int[] shape = model.inputShape();
        b.put((byte) shape.length);
        for (int d : shape) {
            b.putInt(d);
        }
        b.putFloat((float) model.inScale()).put((byte) model.inZeroPoint()).putInt(model.layers().size());
        for (int i = 0; i < model.layers().size(); i++) {
            IntLayer l = model.layers().get(i);
            b.put((byte) kindOf(l));
            if (version >= 3) {
                int[] in = model.inputsOf(i);
                b.put((byte) in.length);
                for (int t : in) {
                    b.putInt(t);
                }
            }
            if (l instanceof IntDense d) {
                b.putInt(d.depth).putInt(d.outChannels);
                putWeighted(b, d);
            } else if (l instanceof IntConv2d c) {
                for (int v : new int[] {c.inC, c.inH, c.inW, c.outChannels, c.kH, c.kW, c.strideH, c.strideW, c.padTop,
                        c.padLeft, c.outH, c.outW}) {
                    b.putInt(v);
                }
                putWeighted(b, c);
            } else if (l instanceof IntMaxPool2d p) {
                for (int v : new int[] {p.channels, p.inH, p.inW, p.kH, p.kW, p.strideH, p.strideW}) {
                    b.putInt(v);
                }
            } else if (l instanceof IntDepthwiseConv2d c) {
                for (int v : new int[] {c.channels, c.inH, c.inW, c.kH, c.kW, c.strideH, c.strideW, c.padTop, c.padLeft,
                        c.outH, c.outW}) {
                    b.putInt(v);
                }
                putWeighted(b, c);
            } else if (l instanceof IntAdd a) {
                b.putInt(a.length).put((byte) (a.relu ? 1 : 0)).putFloat((float) a.outScale).put((byte) a.outZeroPoint);
            } else if (l instanceof IntGlobalAvgPool g) {
                b.putInt(g.channels).putInt(g.height).putInt(g.width).putFloat((float) g.outScale).put((byte) g.outZeroPoint);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        if (b.hasRemaining()) {
            throw new IllegalStateException("size computation is off by " + b.remaining() + " bytes");
        }
        return b.array();
    }

    private static int kindOf(IntLayer l) {
        if (l instanceof IntDense) {
            return DENSE;
        }
        if (l instanceof IntConv2d) {
            return CONV;
        }
        if (l instanceof IntMaxPool2d) {
            return POOL;
        }
        if (l instanceof IntDepthwiseConv2d) {
            return DEPTHWISE;
        }
        if (l instanceof IntAdd) {
            return ADD;
        }
        return GLOBAL_AVG_POOL;
    }

    private static void putWeighted(ByteBuffer b, WeightedLayer w) {
        b.put((byte) (w.relu ? 1 : 0)).putFloat((float) w.outScale).put((byte) w.outZeroPoint).put((byte) w.hi);
        for (double s : w.weightScales) {
            b.putFloat((float) s);
        }
        for (int v : w.m0) {
            b.putInt(v);
        }
        for (int v : w.shift) {
            b.put((byte) v);
        }
        for (int v : w.bias) {
            b.putInt(v);
        }
        b.put(w.weights);
    }

    /** Parses file content; see the class comment for the checks. */
    public static IntModel fromBytes(byte[] bytes) {
        if (bytes.length < FIXED_HEADER + 4) {
            throw new IntModelFileException("file is truncated: " + bytes.length + " bytes, shorter than the "
                    + (FIXED_HEADER + 4) + "-byte header and checksum");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IntModelFileException("not a squeeze4j integer model: magic is "
                    + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("\\p{Cntrl}", "?") + " (hex "
                    + String.format("%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]) + "), expected S4JI;"
                    + " write the file with IntModelFile.write");
        }
        int version = Short.toUnsignedInt(b.getShort());
        if (version > VERSION) {
            throw new IntModelFileException("file has format version " + version + ", newer than the newest this squeeze4j reads ("
                    + VERSION + "); upgrade squeeze4j or re-export the model with this version");
        }
        if (version < 1) {
            throw new IntModelFileException("file has unknown format version " + version + " (valid: 1.." + VERSION + ")");
        }
        int flags = Short.toUnsignedInt(b.getShort());
        long total = Integer.toUnsignedLong(b.getInt());
        if (bytes.length < total) {
            throw new IntModelFileException("file is truncated: the header says " + total + " bytes, found only " + bytes.length
                    + "; the copy was interrupted, copy the file again");
        }
        if (bytes.length > total) {
            throw new IntModelFileException("file has " + (bytes.length - total) + " trailing bytes after the " + total
                    + " the header announces; it was probably appended to or concatenated");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        long stored = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (stored != crc.getValue()) {
            throw new IntModelFileException(String.format("file is corrupted: CRC32 is %08x but the file says %08x;"
                    + " some bytes changed after writing, restore it from a good copy", crc.getValue(), stored));
        }
        if (flags != 0) {
            throw new IntModelFileException("file uses flags " + flags + " that version " + version + " does not define");
        }
        try {
            return parse(b, version);
        } catch (BufferUnderflowException e) {
            throw new IntModelFileException("file is malformed: its layers need more bytes than the header announces");
        } catch (IllegalArgumentException e) {
            throw new IntModelFileException("file is malformed: " + e.getMessage(), e);
        }
    }

    private static IntModel parse(ByteBuffer b, int version) {
        int rank = Byte.toUnsignedInt(b.get());
        if (rank != 1 && rank != 3) {
            throw new IllegalArgumentException("input rank " + rank + " (expected 1 or 3)");
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = b.getInt();
        }
        double inScale = b.getFloat();
        int inZero = Byte.toUnsignedInt(b.get());
        int count = b.getInt();
        if (count <= 0 || count > 10_000) {
            throw new IllegalArgumentException("layer count " + count);
        }
        // the grid of every tensor so far: tensor 0 the input, k + 1 the output of layer k
        double[] scale = new double[count + 1];
        int[] zero = new int[count + 1];
        scale[0] = inScale;
        zero[0] = inZero;
        List<IntLayer> layers = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int kind = Byte.toUnsignedInt(b.get());
            int[] in;
            if (version >= 3) {
                int arity = Byte.toUnsignedInt(b.get());
                if (arity != (kind == ADD ? 2 : 1)) {
                    throw new IllegalArgumentException("layer " + i + " of kind " + kind + " reads " + arity + " tensors");
                }
                in = new int[arity];
                for (int j = 0; j < arity; j++) {
                    in[j] = b.getInt();
                    if (in[j] < 0 || in[j] > i) {
                        throw new IllegalArgumentException("layer " + i + " reads tensor " + in[j] + ", not produced before it");
                    }
                }
            } else {
                if (kind > POOL) {
                    throw new IllegalArgumentException("layer " + i + " has kind " + kind + ", which version " + version
                            + " does not define");
                }
                in = new int[] {i};
            }
            double s = scale[in[0]];
            int z = zero[in[0]];
            IntLayer l;
            if (kind == DENSE) {
                int nIn = b.getInt();
                int nOut = b.getInt();
                Weighted w = readWeighted(b, nOut, (long) nOut * nIn, i, version);
                l = new IntDense(nIn, nOut, w.weights, w.bias, s, z, w.scales, w.outScale, w.outZero, w.relu, w.hi);
                w.checkMultipliers((WeightedLayer) l, i);
            } else if (kind == CONV) {
                int[] v = ints(b, 12);
                Weighted w = readWeighted(b, v[3], (long) v[3] * v[0] * v[4] * v[5], i, version);
                l = new IntConv2d(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], w.weights, w.bias,
                        s, z, w.scales, w.outScale, w.outZero, w.relu, w.hi);
                w.checkMultipliers((WeightedLayer) l, i);
            } else if (kind == POOL) {
                int[] v = ints(b, 7);
                l = new IntMaxPool2d(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
            } else if (kind == DEPTHWISE) {
                int[] v = ints(b, 11);
                Weighted w = readWeighted(b, v[0], (long) v[0] * v[3] * v[4], i, version);
                l = new IntDepthwiseConv2d(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], w.weights, w.bias,
                        s, z, w.scales, w.outScale, w.outZero, w.relu, w.hi);
                w.checkMultipliers((WeightedLayer) l, i);
            } else if (kind == ADD) {
                int length = b.getInt();
                boolean relu = b.get() != 0;
                double os = b.getFloat();
                int oz = Byte.toUnsignedInt(b.get());
                l = new IntAdd(length, s, z, scale[in[1]], zero[in[1]], os, oz, relu);
            } else if (kind == GLOBAL_AVG_POOL) {
                int[] v = ints(b, 3);
                double os = b.getFloat();
                int oz = Byte.toUnsignedInt(b.get());
                l = new IntGlobalAvgPool(v[0], v[1], v[2], s, z, os, oz);
            } else {
                throw new IllegalArgumentException("layer " + i + " has unknown kind " + kind
                        + " (1 dense, 2 conv, 3 max pool, 4 depthwise, 5 add, 6 global average pool)");
            }
            double[] grid = IntModel.outputGrid(l);
            scale[i + 1] = grid == null ? s : grid[0];
            zero[i + 1] = grid == null ? z : (int) grid[1];
            layers.add(l);
            inputs.add(in);
        }
        if (b.remaining() != 4) {
            throw new IllegalArgumentException((b.remaining() - 4) + " unread bytes before the checksum");
        }
        return new IntModel(shape, inScale, inZero, layers, inputs);
    }

    private static int[] ints(ByteBuffer b, int count) {
        int[] v = new int[count];
        for (int j = 0; j < count; j++) {
            v[j] = b.getInt();
        }
        return v;
    }

    private record Weighted(boolean relu, double outScale, int outZero, int hi, double[] scales, int[] m0, int[] shift, int[] bias,
                            byte[] weights) {
        void checkMultipliers(WeightedLayer l, int index) {
            for (int o = 0; o < m0.length; o++) {
                if (l.m0[o] != m0[o] || l.shift[o] != shift[o]) {
                    throw new IllegalArgumentException("layer " + index + " channel " + o + " stores multiplier (" + m0[o] + ", "
                            + shift[o] + ") but its scales give (" + l.m0[o] + ", " + l.shift[o] + ")");
                }
            }
        }
    }

    private static Weighted readWeighted(ByteBuffer b, int nOut, long nWeights, int index, int version) {
        if (nOut <= 0 || nWeights <= 0 || nWeights > b.remaining()) {
            throw new IllegalArgumentException("layer " + index + " declares " + nOut + " outputs and " + nWeights
                    + " weights, more than the file holds");
        }
        boolean relu = b.get() != 0;
        double outScale = b.getFloat();
        int outZero = Byte.toUnsignedInt(b.get());
        int hi = version >= 2 ? Byte.toUnsignedInt(b.get()) : 255;
        double[] scales = new double[nOut];
        for (int o = 0; o < nOut; o++) {
            scales[o] = b.getFloat();
        }
        int[] m0 = new int[nOut];
        for (int o = 0; o < nOut; o++) {
            m0[o] = b.getInt();
        }
        int[] shift = new int[nOut];
        for (int o = 0; o < nOut; o++) {
            shift[o] = Byte.toUnsignedInt(b.get());
        }
        int[] bias = new int[nOut];
        for (int o = 0; o < nOut; o++) {
            bias[o] = b.getInt();
        }
        byte[] w = new byte[(int) nWeights];
        b.get(w);
        return new Weighted(relu, outScale, outZero, hi, scales, m0, shift, bias, w);
    }
}
