package org.squeeze4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void readsAnyMnistStyleDirectoryPlainOrGzip() throws IOException {
        IdxFiles.writeDataset(dir, "train", 30, 4, 5, 3, true);
        IdxFiles.writeDataset(dir, "t10k", 12, 4, 5, 3, false);
        DatasetSplits s = Datasets.fromDirectory(dir, "tiny");
        assertEquals(30, s.train().size());
        assertEquals(12, s.test().size());
        assertEquals(20, s.train().features());
        assertEquals(3, s.numClasses());
        assertEquals((7 * 2 + 5 + 3) % 256, s.train().pixel(2, 1, 3));
        assertEquals(2, s.test().label(5));
    }

    @Test
    void acceptsTestPrefixToo() throws IOException {
        IdxFiles.writeDataset(dir, "train", 10, 2, 2, 2, false);
        IdxFiles.writeDataset(dir, "test", 4, 2, 2, 2, false);
        assertEquals(4, Datasets.fromDirectory(dir).test().size());
    }

    @Test
    void directoryWithoutIdxFilesIsAClearError() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.fromDirectory(dir, "empty"));
        assertTrue(e.getMessage().contains("train-images") && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void missingDirectoryIsAClearError() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.fromDirectory(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void mismatchedImageAndLabelCountsAreNamed() throws IOException {
        IdxFiles.writeDataset(dir, "train", 10, 2, 2, 2, false);
        IdxFiles.writeDataset(dir, "t10k", 4, 2, 2, 2, false);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxFiles.ubyte(new int[] {5}, new byte[5]));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.fromDirectory(dir, "bad"));
        assertTrue(e.getMessage().contains("4 samples") && e.getMessage().contains("5 labels"), e.getMessage());
    }

    @Test
    void swappedImageAndLabelFilesAreDetected() throws IOException {
        IdxFiles.writeDataset(dir, "x", 6, 2, 2, 2, false);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxDataset.load("swapped",
                dir.resolve("x-labels-idx1-ubyte"), dir.resolve("x-images-idx3-ubyte")));
        assertTrue(e.getMessage().contains("swap"), e.getMessage());
    }

    @Test
    void differentImageSizesInTrainAndTestAreRejected() throws IOException {
        IdxFiles.writeDataset(dir, "train", 10, 2, 2, 2, false);
        IdxFiles.writeDataset(dir, "t10k", 4, 3, 3, 2, false);
        assertThrows(DatasetException.class, () -> Datasets.fromDirectory(dir, "mixed"));
    }

    @Test
    void shippedMnistHasTheKnownShapeAndClassCounts() {
        DatasetSplits mnist = Datasets.mnist();
        assertEquals(60000, mnist.train().size());
        assertEquals(10000, mnist.test().size());
        assertEquals(28, mnist.train().rows());
        assertEquals(28, mnist.train().cols());
        // the MNIST test set's class counts, published with the dataset
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, mnist.test().classCounts());
        assertEquals(7, mnist.test().label(0));
        assertEquals(5, mnist.train().label(0));
    }

    @Test
    void shippedFashionMnistIsBalancedAndNamed() {
        DatasetSplits fashion = Datasets.fashionMnist();
        assertEquals(60000, fashion.train().size());
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, fashion.test().classCounts());
        assertEquals("Ankle boot", fashion.classNames().get(9));
    }

    @Test
    void shippedFilesMatchTheChecksumsInTheDatasetsReadme() throws Exception {
        Path root = Datasets.root();
        String readme = Files.readString(root.resolve("README.md"));
        Map<String, String> expected = ShippedDatasets.checksums(readme);   // the table the jar's copy is checked against
        assertEquals(8, expected.size(), "datasets/README.md should list the SHA-256 of 8 files");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), sha256(root.resolve(e.getKey())), e.getKey());
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void theClassesAreTheTrainingSetsAndATestLabelBeyondThemIsNamed() throws IOException {
        // a test set without the last class used to get one-hot labels one column narrower (an ND4J shape error later)
        IdxFiles.writeDataset(dir, "train", 20, 2, 2, 5, false);
        IdxFiles.writeDataset(dir, "t10k", 8, 2, 2, 3, false);
        DatasetSplits splits = Datasets.fromDirectory(dir, "fewer");
        assertEquals(5, splits.numClasses());
        assertEquals(5, splits.test().numClasses());
        assertEquals(5, splits.test().iterator(4).next().getLabels().columns());
        // a test label the training set does not have
        byte[] labels = new byte[8];
        labels[6] = 7;
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxFiles.ubyte(new int[] {8}, labels));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.fromDirectory(dir, "beyond"));
        assertTrue(e.getMessage().contains("label 7 of sample 6") && e.getMessage().contains("labels 0-4"), e.getMessage());
    }
}
