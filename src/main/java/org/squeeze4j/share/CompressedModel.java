package org.squeeze4j.share;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network's parameters after Deep Compression, and its file format: shared layers as
 * Huffman-coded weight symbols and relative-index gaps (see {@link EncodedLayer}), every other
 * parameter (biases) as float32. The architecture is not stored, only a model name: decode onto a
 * network of the same shape with {@link #applyTo}.
 *
 * <pre>
 * file    := magic "S4DC" | version u8 (=1) | model UTF | shared u16 | layer* | raw u16 | param* | CRC32 u32
 * layer   := name UTF | rank u8 | dims i32* | bits u8 | indexBits u8 | sparse u8 | entries i32
 *            | centroids f32 x (2^bits - 1) | weight code lengths | [gap code lengths]
 *            | weight stream bits i64 | [gap stream bits i64] | weight stream | [gap stream]
 * lengths := count u16 | 5 bits per symbol, zero-padded to a byte  (canonical Huffman, {@link Huffman})
 * param   := layer UTF | key UTF | rank u8 | dims i32* | f32*
 * </pre>
 * The CRC32 covers every byte before it; a mismatch, a truncation, trailing bytes or any
 * inconsistent field raise {@link CompressedFileException}.
 */
public final class CompressedModel {
    private static final int MAGIC = 0x53344443; // "S4DC"
    private static final int VERSION = 1;

    private final String model;
    private final List<EncodedLayer> layers;
    private final List<RawParam> raw;

    /** A parameter stored as float32. */
    public record RawParam(String layer, String key, long[] shape, float[] values) {
    }

    private CompressedModel(String model, List<EncodedLayer> layers, List<RawParam> raw) {
        this.model = model;
        this.layers = List.copyOf(layers);
        this.raw = List.copyOf(raw);
    }

    /** Compresses {@code net} whose shared layers are {@code shared}, with the paper's index bits: 8 for convolutions, 5 otherwise. */
    public static CompressedModel of(String model, Model net, SharedWeights shared) {
        return of(model, net, shared, name -> NetworkView.of(net).weightedNode(name).kind().convolutional() ? 8 : 5);
    }

    /** Compresses {@code net} with {@code indexBits.apply(layer)} bits per relative index. */
    public static CompressedModel of(String model, Model net, SharedWeights shared, Function<String, Integer> indexBits) {
        List<EncodedLayer> encoded = new ArrayList<>();
        List<RawParam> raw = new ArrayList<>();
        for (Layer layer : layers(net)) {
            String name = layer.conf().getLayer().getLayerName();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                SharedLayer s = "W".equals(p.getKey()) ? shared.layers().get(name) : null;
                if (s != null) {
                    if (!p.getValue().castTo(DataType.FLOAT).equals(s.weights().reshape(p.getValue().shape()))) {
                        throw new IllegalArgumentException("the weights of layer " + name + " differ from its shared values; "
                                + "apply the shared weights (SharedWeights.applyTo) before compressing");
                    }
                    int ib = indexBits.apply(name);
                    if (ib < 1 || ib > 16) {
                        throw new IllegalArgumentException("index bits of layer " + name + " must be 1-16, got " + ib);
                    }
                    encoded.add(EncodedLayer.of(s, ib));
                } else {
                    INDArray v = p.getValue();
                    raw.add(new RawParam(name, p.getKey(), v.shape(), v.castTo(DataType.FLOAT).dup('c').reshape(v.length()).toFloatVector()));
                }
            }
        }
        if (encoded.size() != shared.layers().size()) {
            throw new IllegalArgumentException("shared layers " + shared.layers().keySet() + " are not all in the network");
        }
        return new CompressedModel(model, encoded, raw);
    }

    public String model() {
        return model;
    }

    public List<EncodedLayer> layers() {
        return layers;
    }

    public List<RawParam> rawParams() {
        return raw;
    }

    /** Writes every parameter into {@code net}, which must have the same layer names and shapes. */
    public void applyTo(Model net) {
        Map<String, Layer> byName = new LinkedHashMap<>();
        for (Layer l : layers(net)) {
            byName.put(l.conf().getLayer().getLayerName(), l);
        }
        for (EncodedLayer e : layers) {
            target(byName, e.layer(), "W", e.shape()).assign(e.weights());
        }
        for (RawParam r : raw) {
            target(byName, r.layer(), r.key(), r.shape()).assign(Nd4j.create(r.values(), r.shape(), 'c'));
        }
    }

    /** The DL4J layers of {@code net} in topological order (vertices without parameters are skipped). */
    private static List<Layer> layers(Model net) {
        return NetworkView.of(net).nodes().stream().map(LayerNode::layer).filter(java.util.Objects::nonNull).toList();
    }

    private static INDArray target(Map<String, Layer> byName, String layer, String key, long[] shape) {
        Layer l = byName.get(layer);
        if (l == null || !l.paramTable().containsKey(key)) {
            throw new IllegalArgumentException("the network has no parameter " + layer + "." + key + "; its layers are " + byName.keySet());
        }
        INDArray p = l.getParam(key);
        if (!Arrays.equals(p.shape(), shape)) {
            throw new IllegalArgumentException("parameter " + layer + "." + key + " has shape " + Arrays.toString(p.shape())
                    + " in the network but " + Arrays.toString(shape) + " in the compressed model");
        }
        return p;
    }

    /** Exact bytes per stage for every shared layer, and the file size. */
    public CompressionSummary summary() {
        List<LayerBytes> rows = new ArrayList<>();
        for (EncodedLayer e : layers) {
            long n = e.weightCount();
            long nonZeros = e.sparse() ? e.entries() - e.zeroEntries() : Arrays.stream(e.weightSymbols()).filter(s -> s != 0).count();
            long codebookBits = 32L * e.codebook().size();
            long[] wc = e.weightCounts();
            long[] gc = e.gapCounts();
            Huffman hw = Huffman.of(wc);
            Huffman hg = Huffman.of(gc);
            long hwBits = hw.bits(wc);
            long hgBits = e.sparse() ? hg.bits(gc) : 0;
            double entropy = Huffman.entropyBits(wc) + (e.sparse() ? Huffman.entropyBits(gc) : 0);
            long prunedBytes = org.squeeze4j.sparse.RelativeIndexEncoding.encode(EncodedLayer.storedOrder(e.weights()), e.indexBits()).bytes(32);
            int indexBits = e.sparse() ? e.indexBits() : 0;
            long quantizedBits = (long) e.entries() * (e.bits() + indexBits) + codebookBits;
            long huffmanBits = hwBits + hgBits + codebookBits;
            rows.add(new LayerBytes(e.layer(), n, nonZeros, e.entries(), e.sparse(), e.bits(), indexBits, 4 * n, prunedBytes,
                    (quantizedBits + 7) / 8, (huffmanBits + 7) / 8, hwBits, hgBits, entropy));
        }
        long other = raw.stream().mapToLong(r -> 4L * r.values().length).sum();
        return new CompressionSummary(rows, other, toBytes().length);
    }

    // ---------------------------------------------------------------- file format

    /** Writes the file atomically (a failure leaves any previous file untouched). */
    public void write(Path file) {
        byte[] bytes = toBytes();
        try {
            org.squeeze4j.util.AtomicFiles.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads a file written by {@link #write}. */
    public static CompressedModel read(Path file) {
        try {
            return fromBytes(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new CompressedFileException("no compressed model file " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buffer);
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeUTF(model);
            out.writeShort(layers.size());
            for (EncodedLayer e : layers) {
                out.writeUTF(e.layer());
                writeShape(out, e.shape());
                out.writeByte(e.bits());
                out.writeByte(e.indexBits());
                out.writeByte(e.sparse() ? 1 : 0);
                out.writeInt(e.entries());
                for (float c : e.codebook().centroids()) {
                    out.writeFloat(c);
                }
                Huffman hw = Huffman.of(e.weightCounts());
                writeLengths(out, hw.lengths());
                Huffman hg = e.sparse() ? Huffman.of(e.gapCounts()) : null;
                if (hg != null) {
                    writeLengths(out, hg.lengths());
                }
                BitWriter ws = new BitWriter();
                hw.encode(e.weightSymbols(), ws);
                out.writeLong(ws.bits());
                BitWriter gs = new BitWriter();
                if (hg != null) {
                    hg.encode(e.gaps(), gs);
                    out.writeLong(gs.bits());
                }
                out.write(ws.toByteArray());
                if (hg != null) {
                    out.write(gs.toByteArray());
                }
            }
            out.writeShort(raw.size());
            for (RawParam r : raw) {
                out.writeUTF(r.layer());
                out.writeUTF(r.key());
                writeShape(out, r.shape());
                for (float v : r.values()) {
                    out.writeFloat(v);
                }
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(buffer.toByteArray());
            out.writeInt((int) crc.getValue());
            out.flush();
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the bytes of a compressed file; {@code what} names it in error messages. */
    public static CompressedModel fromBytes(byte[] bytes, String what) {
        if (bytes.length < 9) {
            throw new CompressedFileException(what + " is too short (" + bytes.length + " bytes) to be a compressed model");
        }
        int magic = ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (magic != MAGIC) {
            throw new CompressedFileException(what + " is not a squeeze4j compressed model (no S4DC magic)");
        }
        if (bytes[4] != VERSION) {
            throw new CompressedFileException(what + " has format version " + bytes[4] + "; this squeeze4j reads version " + VERSION);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ((bytes[bytes.length - 4] & 0xff) << 24) | ((bytes[bytes.length - 3] & 0xff) << 16)
                | ((bytes[bytes.length - 2] & 0xff) << 8) | (bytes[bytes.length - 1] & 0xff);
        if ((int) crc.getValue() != stored) {
            if (truncated(bytes, what)) {
                throw new CompressedFileException(what + " is truncated: its " + bytes.length + " bytes end before the last"
                        + " parameter and its checksum. Re-create it, or copy it again.");
            }
            throw new CompressedFileException(what + " is corrupted: checksum mismatch (CRC32 "
                    + Long.toHexString(crc.getValue()) + ", stored " + Integer.toHexString(stored) + "). Re-create it.");
        }
        ByteArrayInputStream body = new ByteArrayInputStream(bytes, 5, bytes.length - 9);
        CompressedModel m = parse(body, what);
        if (body.available() > 0) {
            throw new CompressedFileException(what + " has " + body.available() + " unexpected bytes after the last parameter");
        }
        return m;
    }

    /**
     * Whether a file whose checksum fails is short rather than altered: read as if its last four
     * bytes were data too, its structure still runs out of bytes, or leaves less than a checksum.
     */
    private static boolean truncated(byte[] bytes, String what) {
        ByteArrayInputStream rest = new ByteArrayInputStream(bytes, 5, bytes.length - 5);
        try {
            parse(rest, what);
            return rest.available() < 4;
        } catch (CompressedFileException e) {
            return e.getCause() instanceof EOFException;
        }
    }

    /** Reads model name, layers and raw parameters from {@code buffer}; every failure is a {@link CompressedFileException}. */
    private static CompressedModel parse(ByteArrayInputStream buffer, String what) {
        DataInputStream in = new DataInputStream(buffer);
        try {
            String model = in.readUTF();
            int n = in.readUnsignedShort();
            List<EncodedLayer> layers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                long[] shape = readShape(in);
                int bits = in.readUnsignedByte();
                int indexBits = in.readUnsignedByte();
                int sparse = in.readUnsignedByte();
                int entries = in.readInt();
                if (bits < 1 || bits > WeightSharing.MAX_BITS || indexBits < 1 || indexBits > 16 || sparse > 1 || entries < 0) {
                    throw new CompressedFileException(what + ": layer " + name + " has invalid fields (bits " + bits
                            + ", index bits " + indexBits + ", sparse " + sparse + ", entries " + entries + ")");
                }
                float[] centroids = new float[(1 << bits) - 1];
                for (int c = 0; c < centroids.length; c++) {
                    centroids[c] = in.readFloat();
                }
                Huffman hw = new Huffman(readLengths(in, 1 << bits));
                Huffman hg = sparse == 1 ? new Huffman(readLengths(in, 1 << indexBits)) : null;
                long wBits = in.readLong();
                long gBits = hg == null ? 0 : in.readLong();
                long size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
                // every Huffman code is at least one bit: a count beyond the stream's bits is a crafted header,
                // refused before int[entries] is allocated
                if (entries > wBits || (hg != null && entries > gBits) || (sparse == 0 ? entries != size : entries > size)) {
                    throw new CompressedFileException(what + ": layer " + name + " declares " + entries + " entries for "
                            + size + " weights in " + wBits + " + " + gBits + " bits of code");
                }
                int[] symbols = hw.decode(new BitReader(readBytes(in, wBits), wBits), entries);
                int[] gaps = hg == null ? new int[0] : hg.decode(new BitReader(readBytes(in, gBits), gBits), entries);
                layers.add(new EncodedLayer(name, shape, bits, indexBits, new Codebook(centroids), sparse == 1, symbols, gaps));
            }
            int r = in.readUnsignedShort();
            List<RawParam> raw = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                String layer = in.readUTF();
                String key = in.readUTF();
                long[] shape = readShape(in);
                long size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
                if (4 * size > buffer.available()) {
                    throw new EOFException("parameter " + layer + "." + key + " of " + size + " values");
                }
                float[] v = new float[(int) size];
                for (int j = 0; j < v.length; j++) {
                    v[j] = in.readFloat();
                }
                raw.add(new RawParam(layer, key, shape, v));
            }
            return new CompressedModel(model, layers, raw);
        } catch (EOFException e) {
            throw new CompressedFileException(what + " is truncated", e);
        } catch (UTFDataFormatException e) {
            throw new CompressedFileException(what + " is corrupted: a layer or model name is not valid modified UTF-8", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);           // unreachable: a byte array does not fail to read
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CompressedFileException(what + " is inconsistent: " + e.getMessage(), e);
        }
    }

    private static void writeShape(DataOutputStream out, long[] shape) throws IOException {
        out.writeByte(shape.length);
        for (long d : shape) {
            out.writeInt(Math.toIntExact(d));
        }
    }

    private static long[] readShape(DataInputStream in) throws IOException {
        int rank = in.readUnsignedByte();
        long[] shape = new long[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readInt();
            n *= shape[i];
            if (shape[i] <= 0 || n > Integer.MAX_VALUE) {
                throw new CompressedFileException("invalid shape " + Arrays.toString(shape));
            }
        }
        return shape;
    }

    private static void writeLengths(DataOutputStream out, int[] lengths) throws IOException {
        int count = lengths.length;
        while (count > 0 && lengths[count - 1] == 0) {
            count--;
        }
        out.writeShort(count);
        BitWriter w = new BitWriter();
        for (int i = 0; i < count; i++) {
            w.write(lengths[i], 5);
        }
        out.write(w.toByteArray());
    }

    private static int[] readLengths(DataInputStream in, int alphabet) throws IOException {
        int count = in.readUnsignedShort();
        if (count > alphabet) {
            throw new CompressedFileException("code-length table of " + count + " symbols for an alphabet of " + alphabet);
        }
        BitReader r = new BitReader(readBytes(in, 5L * count), 5L * count);
        int[] lengths = new int[alphabet];
        for (int i = 0; i < count; i++) {
            lengths[i] = r.read(5);
        }
        return lengths;
    }

    private static byte[] readBytes(DataInputStream in, long bits) throws IOException {
        if (bits < 0 || bits > 8L * Integer.MAX_VALUE) {
            throw new CompressedFileException("invalid stream length " + bits + " bits");
        }
        int n = (int) ((bits + 7) / 8);
        if (n > in.available()) {
            throw new EOFException();
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
