package org.squeeze4j.util;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.options.ArrayOptionsHelper;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks bytes in ND4J's binary array format ({@code Nd4j.write}: the shape-information buffer,
 * then the data buffer) before {@code Nd4j.read} sees them. libnd4j trusts that header: a corrupt
 * or crafted shape, stride, length or data type (with valid checksums around it) can crash the
 * JVM in native code or make it allocate gigabytes. So every field is checked against what
 * ND4J itself writes for a dense array, and the data length against the bytes that are really
 * there, and only then is ND4J called.
 *
 * <p>The format (ND4J 1.0.0-M2.1), each buffer being {@code UTF allocation mode, long length,
 * UTF data type, length values}: the shape buffer is {@code LONG} with {@code 2 rank + 4} values
 * {@code [rank, shape..., strides..., extras, elementWiseStride, order]}, the data buffer holds
 * {@code prod(shape)} values of the type that {@code extras} encodes.
 */
public final class Nd4jArrayFiles {
    /** Most dimensions accepted. */
    public static final int MAX_RANK = 32;

    private static final Set<DataType> TYPES = Set.of(DataType.HALF, DataType.FLOAT, DataType.DOUBLE, DataType.INT, DataType.LONG);

    private Nd4jArrayFiles() {
    }

    /** What a checked header describes. */
    public record Header(long[] shape, DataType dataType, char order) {
        public long length() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /**
     * Checks {@code bytes} (one array, nothing after it) and returns its header.
     *
     * @param what names the source in messages, e.g. the file and entry
     * @throws IllegalArgumentException saying which field is wrong
     */
    public static Header check(byte[] bytes, String what) {
        return check(new ByteArrayInputStream(bytes), what);
    }

    /**
     * Checks the array that {@code stream} holds, reading at most one byte more than the header
     * promises (so a zip entry that inflates without end is stopped), and returns its header.
     */
    public static Header check(java.io.InputStream stream, String what) {
        try (DataInputStream in = new DataInputStream(stream)) {
            in.readUTF();                                            // allocation mode: not used by the reader
            long infoLength = in.readLong();
            String infoType = in.readUTF();
            if (!"LONG".equals(infoType) || infoLength < 4 || infoLength > 2L * MAX_RANK + 4 || infoLength % 2 != 0) {
                throw bad(what, "its shape buffer (" + infoLength + " values of " + infoType + ") is not a rank-0.."
                        + MAX_RANK + " shape");
            }
            long[] info = new long[(int) infoLength];
            for (int i = 0; i < info.length; i++) {
                info[i] = in.readLong();
            }
            int rank = (int) (infoLength - 4) / 2;
            if (info[0] != rank) {
                throw bad(what, "its shape buffer says rank " + info[0] + " but holds " + infoLength + " values (rank " + rank + ")");
            }
            long[] shape = Arrays.copyOfRange(info, 1, 1 + rank);
            long[] strides = Arrays.copyOfRange(info, 1 + rank, 1 + 2 * rank);
            long extras = info[1 + 2 * rank];
            long ews = info[2 + 2 * rank];
            long order = info[3 + 2 * rank];
            if (order != 'c' && order != 'f') {
                throw bad(what, "its order is " + order + ", neither 'c' nor 'f'");
            }
            long length = 1;
            for (long d : shape) {
                if (d <= 0) {
                    throw bad(what, "its shape " + Arrays.toString(shape) + " has a dimension below 1");
                }
                length = Math.multiplyExact(length, d);
            }
            long[] dense = contiguousStrides(shape, (char) order);
            for (int i = 0; i < rank; i++) {
                if (shape[i] == 1) {
                    dense[i] = strides[i];   // never used to address anything: ND4J writes 1 or the dense value
                }
            }
            if (!Arrays.equals(strides, dense) || ews != 1) {
                throw bad(what, "its strides " + Arrays.toString(strides) + " (element-wise stride " + ews + ") are not those of a"
                        + " dense '" + (char) order + "' array of shape " + Arrays.toString(shape));
            }
            in.readUTF();
            long dataLength = in.readLong();
            String dataType = in.readUTF();
            DataType type = TYPES.stream().filter(t -> t.name().equals(dataType)).findFirst()
                    .orElseThrow(() -> bad(what, "its data type '" + dataType + "' is not one of " + TYPES));
            if (extras != ArrayOptionsHelper.setOptionBit(0L, type)) {
                throw bad(what, "its shape flags 0x" + Long.toHexString(extras) + " do not describe a dense " + type + " array");
            }
            if (dataLength != length) {
                throw bad(what, "its data buffer holds " + dataLength + " values but the shape " + Arrays.toString(shape)
                        + " needs " + length);
            }
            long expectedBytes = Math.multiplyExact(length, type.width());
            long present = 0;
            byte[] buffer = new byte[1 << 16];
            for (int n; present <= expectedBytes && (n = in.read(buffer, 0, (int) Math.min(buffer.length, expectedBytes + 1 - present))) > 0; ) {
                present += n;
            }
            if (present != expectedBytes) {
                throw bad(what, "it should hold " + expectedBytes + " bytes of " + type + " data after its header, but "
                        + (present > expectedBytes ? "more" : Long.toString(present)) + " follow");
            }
            return new Header(shape, type, (char) order);
        } catch (EOFException e) {
            throw bad(what, "it ends inside its header");
        } catch (ArithmeticException e) {
            throw bad(what, "its shape overflows a 64-bit length");
        } catch (IOException e) {
            throw bad(what, "its header cannot be read (" + e.getMessage() + ")");
        }
    }

    /** {@link #check}, then {@code Nd4j.read}. */
    public static INDArray read(byte[] bytes, String what) {
        check(bytes, what);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        } catch (IOException | RuntimeException e) {
            throw bad(what, "ND4J cannot read it (" + e + ")");
        }
    }

    private static long[] contiguousStrides(long[] shape, char order) {
        long[] s = new long[shape.length];
        long step = 1;
        for (int k = 0; k < shape.length; k++) {
            int i = order == 'c' ? shape.length - 1 - k : k;
            s[i] = step;
            step *= shape[i];
        }
        return s;
    }

    private static IllegalArgumentException bad(String what, String why) {
        return new IllegalArgumentException(what + " is not a valid ND4J array: " + why);
    }
}
