package org.squeeze4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShippedDatasetsTest {

    @Test
    void theJarsDatasetsAreCopiedOnceAndRead(@TempDir Path cache) throws Exception {
        Path dir = ShippedDatasets.cached(getClass().getClassLoader(), cache).orElseThrow(
                () -> new AssertionError("the build puts datasets/ on the classpath (pom resources)"));
        DatasetSplits mnist = Datasets.fromDirectory(dir.resolve("mnist"), "mnist");
        assertEquals(60_000, mnist.train().size());
        assertEquals(10_000, mnist.test().size());
        DatasetSplits fashion = Datasets.fromDirectory(dir.resolve("fashion-mnist"), "fashion-mnist");
        assertEquals(60_000, fashion.train().size());
        Path checkout = Path.of(System.getProperty("user.dir"), "datasets", "mnist", "t10k-labels-idx1-ubyte.gz");
        assertArrayEquals(Files.readAllBytes(checkout), Files.readAllBytes(dir.resolve("mnist/t10k-labels-idx1-ubyte.gz")));
        assertEquals(dir, ShippedDatasets.cached(getClass().getClassLoader(), cache).orElseThrow(), "the same copy is reused");
        assertEquals(List.of(dir), children(cache), "no temporary directory left behind");
    }

    @Test
    void aCompleteCopyIsNotMadeAgain(@TempDir Path jar, @TempDir Path cache) throws Exception {
        byte[] data = "some bytes".getBytes(StandardCharsets.UTF_8);
        writeJar(jar, data, ShippedDatasets.sha256(data));
        Path dir = ShippedDatasets.cached(loader(jar), cache).orElseThrow();
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("toy/train-images.gz")));
        Files.delete(jar.resolve(ShippedDatasets.RESOURCES + "toy/train-images.gz"));
        assertEquals(dir, ShippedDatasets.cached(loader(jar), cache).orElseThrow(), "read from the cache, not the jar");
    }

    @Test
    void aDamagedFileInTheJarIsRefusedAndNothingIsLeft(@TempDir Path jar, @TempDir Path cache) throws Exception {
        byte[] data = "some bytes".getBytes(StandardCharsets.UTF_8);
        writeJar(jar, data, ShippedDatasets.sha256("other bytes".getBytes(StandardCharsets.UTF_8)));
        DatasetException e = assertThrows(DatasetException.class, () -> ShippedDatasets.cached(loader(jar), cache));
        assertTrue(e.getMessage().contains("toy/train-images.gz has SHA-256") && e.getMessage().contains("damaged"),
                e.getMessage());
        assertEquals(List.of(), children(cache), "no partial copy, no temporary directory");
    }

    @Test
    void aCopyWithoutItsMarkerIsReplaced(@TempDir Path jar, @TempDir Path cache) throws Exception {
        byte[] data = "some bytes".getBytes(StandardCharsets.UTF_8);
        writeJar(jar, data, ShippedDatasets.sha256(data));
        Path dir = ShippedDatasets.cached(loader(jar), cache).orElseThrow();
        Files.delete(dir.resolve(".complete"));
        Files.writeString(dir.resolve("toy/train-images.gz"), "half");
        assertEquals(dir, ShippedDatasets.cached(loader(jar), cache).orElseThrow());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("toy/train-images.gz")));
    }

    @Test
    void noDatasetsOnTheClasspathIsEmpty(@TempDir Path empty, @TempDir Path cache) throws Exception {
        assertTrue(ShippedDatasets.cached(loader(empty), cache).isEmpty());
    }

    @Test
    void readsTheChecksumTableOfTheDatasetsReadme() throws Exception {
        Map<String, String> sums = ShippedDatasets.checksums(Files.readString(Path.of("datasets", "README.md")));
        assertEquals(8, sums.size(), sums.toString());
        assertEquals("b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b", sums.get("mnist/t10k-labels-idx1-ubyte.gz"));
    }

    private static void writeJar(Path jar, byte[] data, String sha) throws Exception {
        Path base = jar.resolve(ShippedDatasets.RESOURCES);
        Files.createDirectories(base.resolve("toy"));
        Files.write(base.resolve("toy/train-images.gz"), data);
        Files.writeString(base.resolve("README.md"), "| file | SHA-256 |\n|---|---|\n| `toy/train-images.gz` | `" + sha + "` |\n");
    }

    private static ClassLoader loader(Path dir) throws Exception {
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    }

    private static List<Path> children(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
