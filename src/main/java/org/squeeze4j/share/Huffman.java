package org.squeeze4j.share;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * A canonical Huffman code (Huffman 1952; canonical form as in DEFLATE, RFC 1951 §3.2.2): the
 * code is fully described by one length per symbol, codes of equal length are consecutive
 * integers in symbol order, so a file stores only the lengths.
 *
 * <p>Hand-written because it is tiny, must match our own bit layout, and we need its exact bit
 * count beside the entropy bound {@code H = -sum_s n_s log2(n_s / N)}: Huffman spends at most
 * one bit per symbol more than {@code H}, usually far less.
 *
 * @param lengths code length per symbol, 0 for symbols that never occur
 */
public record Huffman(int[] lengths) {
    /** Longest code we accept; Huffman codes over our alphabets and counts stay well below it. */
    public static final int MAX_LENGTH = 30;

    public Huffman {
        lengths = lengths.clone();
        double kraft = 0;
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] < 0 || lengths[s] > MAX_LENGTH) {
                throw new IllegalArgumentException("code length of symbol " + s + " is " + lengths[s] + "; must be 0-" + MAX_LENGTH);
            }
            kraft += lengths[s] == 0 ? 0 : Math.pow(2, -lengths[s]);
        }
        if (kraft > 1 + 1e-12) {
            throw new IllegalArgumentException("code lengths " + Arrays.toString(lengths) + " violate Kraft's inequality (sum 2^-l = " + kraft + ")");
        }
    }

    /** The optimal code for these symbol counts (a single used symbol gets a 1-bit code). */
    public static Huffman of(long[] counts) {
        int n = counts.length;
        int[] lengths = new int[n];
        int used = 0;
        int only = -1;
        for (int s = 0; s < n; s++) {
            if (counts[s] < 0) {
                throw new IllegalArgumentException("count of symbol " + s + " is negative: " + counts[s]);
            }
            if (counts[s] > 0) {
                used++;
                only = s;
            }
        }
        if (used == 1) {
            lengths[only] = 1;
        } else if (used > 1) {
            // nodes 0..n-1 are leaves, n.. are internal; ties broken by node id so the code is deterministic
            long[] weight = new long[2 * n];
            int[] parent = new int[2 * n];
            PriorityQueue<Integer> heap = new PriorityQueue<>((a, b) -> weight[a] != weight[b] ? Long.compare(weight[a], weight[b]) : Integer.compare(a, b));
            for (int s = 0; s < n; s++) {
                if (counts[s] > 0) {
                    weight[s] = counts[s];
                    heap.add(s);
                }
            }
            int next = n;
            while (heap.size() > 1) {
                int a = heap.poll();
                int b = heap.poll();
                weight[next] = weight[a] + weight[b];
                parent[a] = next;
                parent[b] = next;
                heap.add(next++);
            }
            int root = next - 1;
            for (int s = 0; s < n; s++) {
                if (counts[s] > 0) {
                    int depth = 0;
                    for (int node = s; node != root; node = parent[node]) {
                        depth++;
                    }
                    if (depth > MAX_LENGTH) {
                        throw new IllegalStateException("Huffman code length " + depth + " exceeds " + MAX_LENGTH);
                    }
                    lengths[s] = depth;
                }
            }
        }
        return new Huffman(lengths);
    }

    /** Code lengths per symbol (a copy). */
    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /** Canonical codes: shorter codes first, equal lengths in symbol order. */
    public int[] codes() {
        int[] codes = new int[lengths.length];
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] == len) {
                    codes[s] = code++;
                }
            }
            code <<= 1;
        }
        return codes;
    }

    /** Total bits to code symbols with these counts. */
    public long bits(long[] counts) {
        long bits = 0;
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] > 0 && lengths[s] == 0) {
                throw new IllegalArgumentException("symbol " + s + " occurs but has no code");
            }
            bits += counts[s] * lengths[s];
        }
        return bits;
    }

    /** Writes the codes of {@code symbols}. */
    public void encode(int[] symbols, BitWriter out) {
        int[] codes = codes();
        for (int s : symbols) {
            if (s < 0 || s >= lengths.length || lengths[s] == 0) {
                throw new IllegalArgumentException("symbol " + s + " has no code");
            }
            out.write(codes[s], lengths[s]);
        }
    }

    /** Reads {@code count} symbols (canonical decoding: one comparison per code length). */
    public int[] decode(BitReader in, int count) {
        int[] perLength = new int[MAX_LENGTH + 1];
        for (int l : lengths) {
            perLength[l]++;
        }
        perLength[0] = 0;
        int[] sortedSymbols = new int[lengths.length];
        int k = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] == len) {
                    sortedSymbols[k++] = s;
                }
            }
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int code = 0;
            int first = 0;
            int index = 0;
            int len = 1;
            while (true) {
                if (len > MAX_LENGTH) {
                    throw new CompressedFileException("invalid Huffman code in the bit stream (corrupted file?)");
                }
                code |= in.read(1);
                int n = perLength[len];
                if (code - first < n) {
                    out[i] = sortedSymbols[index + code - first];
                    break;
                }
                index += n;
                first = (first + n) << 1;
                code <<= 1;
                len++;
            }
        }
        return out;
    }

    /** The entropy bound {@code -sum_s n_s log2(n_s / N)} in bits. */
    public static double entropyBits(long[] counts) {
        long total = Arrays.stream(counts).sum();
        double bits = 0;
        for (long c : counts) {
            if (c > 0) {
                bits -= c * (Math.log((double) c / total) / Math.log(2));
            }
        }
        return bits;
    }

    /** Occurrences of each symbol {@code 0..alphabet-1}. */
    public static long[] counts(int[] symbols, int alphabet) {
        long[] counts = new long[alphabet];
        for (int s : symbols) {
            if (s < 0 || s >= alphabet) {
                throw new IllegalArgumentException("symbol " + s + " outside the alphabet 0.." + (alphabet - 1));
            }
            counts[s]++;
        }
        return counts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Huffman h && Arrays.equals(lengths, h.lengths);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "Huffman" + Arrays.toString(lengths);
    }
}
