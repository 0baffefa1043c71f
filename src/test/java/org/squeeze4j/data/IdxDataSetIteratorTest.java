package org.squeeze4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class IdxDataSetIteratorTest {
    @TempDir
    Path dir;
    IdxDataset data;

    @BeforeEach
    void setUp() throws IOException {
        IdxFiles.writeDataset(dir, "train", 50, 3, 3, 5, true);
        IdxFiles.writeDataset(dir, "t10k", 10, 3, 3, 5, true);
        data = Datasets.fromDirectory(dir, "tiny").train();
    }

    /** Identifies each sample in a batch by its first pixel, (i * 7) % 256 = 7i for i < 37. */
    private static List<Integer> sampleIds(DataSet batch) {
        List<Integer> ids = new ArrayList<>();
        INDArray f = batch.getFeatures();
        for (int r = 0; r < f.rows(); r++) {
            ids.add(Math.round(f.getFloat(r, 0) * 255f));
        }
        return ids;
    }

    private static List<Integer> epoch(IdxDataSetIterator it) {
        List<Integer> ids = new ArrayList<>();
        while (it.hasNext()) {
            ids.addAll(sampleIds(it.next()));
        }
        return ids;
    }

    @Test
    void featuresAreScaledPixelsAndLabelsOneHot() {
        DataSet batch = data.iterator(8).next();
        assertArrayEquals(new long[] {8, 9}, batch.getFeatures().shape());
        assertArrayEquals(new long[] {8, 5}, batch.getLabels().shape());
        assertEquals(data.pixel(3, 1, 2) / 255f, batch.getFeatures().getFloat(3, 5), 1e-7);
        assertEquals(1f, batch.getLabels().getFloat(3, 3));
        assertEquals(1f, batch.getLabels().sumNumber().floatValue() / 8, 1e-7);
    }

    @Test
    void lastBatchIsPartialAndEveryEpochCoversAllSamplesOnce() {
        IdxDataSetIterator it = data.shuffledIterator(16, 7);
        assertEquals(4, it.batchesPerEpoch());
        List<Integer> ids = new ArrayList<>();
        int batches = 0;
        while (it.hasNext()) {
            DataSet b = it.next();
            batches++;
            ids.addAll(sampleIds(b));
        }
        assertEquals(4, batches);
        assertEquals(50, ids.size());
        assertEquals(50, ids.stream().distinct().count());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void sameSeedSameOrderAndEachEpochReshuffles() {
        IdxDataSetIterator a = data.shuffledIterator(10, 123);
        IdxDataSetIterator b = data.shuffledIterator(10, 123);
        List<Integer> a0 = epoch(a);
        assertEquals(a0, epoch(b));
        a.reset();
        b.reset();
        List<Integer> a1 = epoch(a);
        assertEquals(a1, epoch(b));
        assertNotEquals(a0, a1, "epoch 1 should be a new permutation");
        assertNotEquals(a0, epoch(data.shuffledIterator(10, 124)));
    }

    @Test
    void unshuffledIteratorKeepsFileOrder() {
        List<Integer> ids = epoch(data.iterator(7));
        for (int i = 0; i < 36; i++) {
            assertEquals(7 * i % 256, ids.get(i));
        }
        assertFalse(data.iterator(7).asyncSupported());
    }

    @Test
    void subsetsAreDeterministicAndWithoutReplacement() {
        IdxDataset s1 = data.subset(20, 5);
        IdxDataset s2 = data.subset(20, 5);
        assertEquals(20, s1.size());
        assertEquals(epoch(s1.iterator(20)), epoch(s2.iterator(20)));
        assertEquals(20, epoch(s1.iterator(20)).stream().distinct().count());
        assertEquals(5, s1.numClasses(), "a subset keeps the class count of its parent");
        assertThrows(IllegalArgumentException.class, () -> data.subset(51, 1));
        assertEquals(List.of(0, 7, 14), epoch(data.head(3).iterator(3)));
        assertEquals(List.of(14, 21), epoch(data.range(2, 4).iterator(5)));
    }

    @Test
    void badBatchSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> data.iterator(0));
    }
}
