package org.squeeze4j.share;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HuffmanTest {

    @Test
    void lengthsAndCanonicalCodesByHand() {
        // counts 5, 2, 1, 1: merge 1+1 -> 2, 2+2 -> 4, 4+5 -> 9: lengths 1, 2, 3, 3
        Huffman h = Huffman.of(new long[] {5, 2, 1, 1});
        assertArrayEquals(new int[] {1, 2, 3, 3}, h.lengths());
        assertArrayEquals(new int[] {0b0, 0b10, 0b110, 0b111}, h.codes());
        assertEquals(5 + 4 + 3 + 3, h.bits(new long[] {5, 2, 1, 1}));
        // dyadic counts: p = 1/2, 1/4, 1/8, 1/8 cost 1, 2, 3, 3 bits each, 8 + 8 + 6 + 6 = 28 in total,
        // and Huffman meets that entropy exactly
        long[] dyadic = {8, 4, 2, 2};
        assertEquals(28.0, Huffman.entropyBits(dyadic), 1e-9);
        assertEquals(28L, Huffman.of(dyadic).bits(dyadic));
    }

    @Test
    void unusedSymbolsAndSingleSymbol() {
        Huffman one = Huffman.of(new long[] {0, 7, 0});
        assertArrayEquals(new int[] {0, 1, 0}, one.lengths());
        BitWriter w = new BitWriter();
        one.encode(new int[] {1, 1, 1}, w);
        assertArrayEquals(new int[] {1, 1, 1}, one.decode(new BitReader(w.toByteArray(), w.bits()), 3));
        assertThrows(IllegalArgumentException.class, () -> one.encode(new int[] {0}, new BitWriter()));
    }

    @Test
    void roundTripOfRandomSkewedSymbols() {
        Random r = new Random(5);
        int[] symbols = new int[20_000];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = (int) Math.min(31, Math.floor(-Math.log(1 - r.nextDouble()) * 4));   // geometric-like gaps
        }
        long[] counts = Huffman.counts(symbols, 32);
        Huffman h = Huffman.of(counts);
        BitWriter w = new BitWriter();
        h.encode(symbols, w);
        assertEquals(h.bits(counts), w.bits());
        assertArrayEquals(symbols, h.decode(new BitReader(w.toByteArray(), w.bits()), symbols.length));
        double entropy = Huffman.entropyBits(counts);
        assertTrue(w.bits() >= entropy && w.bits() < entropy + symbols.length, w.bits() + " vs " + entropy);
        // canonical: the lengths alone rebuild the same code
        assertArrayEquals(h.codes(), new Huffman(h.lengths()).codes());
    }

    @Test
    void invalidInput() {
        assertThrows(IllegalArgumentException.class, () -> new Huffman(new int[] {1, 1, 1}));   // Kraft sum 1.5
        assertThrows(IllegalArgumentException.class, () -> Huffman.of(new long[] {-1, 2}));
        Huffman h = Huffman.of(new long[] {1, 1});
        assertThrows(CompressedFileException.class, () -> h.decode(new BitReader(new byte[] {0}, 1), 2));
    }
}
