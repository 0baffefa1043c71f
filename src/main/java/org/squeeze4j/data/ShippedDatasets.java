package org.squeeze4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The datasets inside the squeeze4j jar ({@code org/squeeze4j/datasets/}, the repository's
 * {@code datasets/} folder), copied once into a cache directory so that a project that uses the
 * library finds them without a checkout of squeeze4j.
 *
 * <p>The cache is {@code <root>/datasets-<first 12 hex digits of the README's SHA-256>}, where the
 * root is the system property {@code squeeze4j.cache}, else {@code $XDG_CACHE_HOME/squeeze4j},
 * else {@code ~/.cache/squeeze4j}: a jar with other data gets another directory. Every file is
 * checked against the SHA-256 table of the shipped README while it is copied, into a temporary
 * directory that is moved into place only when all files are complete, so an interrupted copy or
 * two JVMs copying at once never leave a half-written dataset.
 */
final class ShippedDatasets {
    static final String RESOURCES = "org/squeeze4j/datasets/";
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9-]+/[A-Za-z0-9.-]+)` \\| `([0-9a-f]{64})` \\|", Pattern.MULTILINE);
    private static final String COMPLETE = ".complete";

    private ShippedDatasets() {
    }

    /** The cached copy of the datasets in the jar, made if needed; empty if the classpath has none. */
    static Optional<Path> cached() {
        return cached(ShippedDatasets.class.getClassLoader(), cacheRoot());
    }

    static Optional<Path> cached(ClassLoader loader, Path cacheRoot) {
        byte[] readme;
        try (InputStream in = loader.getResourceAsStream(RESOURCES + "README.md")) {
            if (in == null) {
                return Optional.empty();
            }
            readme = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> checksums = checksums(new String(readme, StandardCharsets.UTF_8));
        if (checksums.isEmpty()) {
            throw new DatasetException("the datasets README inside the squeeze4j jar lists no SHA-256 checksums;"
                    + " the jar is damaged: rebuild it (./mvnw -DskipTests package)");
        }
        Path dir = cacheRoot.resolve("datasets-" + sha256(readme).substring(0, 12));
        if (Files.isRegularFile(dir.resolve(COMPLETE))) {
            return Optional.of(dir);
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, ".datasets-");
            try {
                for (Map.Entry<String, String> file : checksums.entrySet()) {
                    copyChecked(loader, file.getKey(), file.getValue(), tmp);
                }
                Files.write(tmp.resolve("README.md"), readme);
                Files.createFile(tmp.resolve(COMPLETE));
                moveIntoPlace(tmp, dir);
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new DatasetException("cannot copy the datasets of the squeeze4j jar to " + dir + ": " + e
                    + ". Set -Dsqueeze4j.cache to a writable directory, or -Dsqueeze4j.datasets to a datasets folder.");
        }
        return Optional.of(dir);
    }

    /** The rows {@code | `mnist/x.gz` | `<sha-256>` |} of the README's checksum table. */
    static Map<String, String> checksums(String readme) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ROW.matcher(readme);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static void copyChecked(ClassLoader loader, String file, String expected, Path dir) throws IOException {
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        MessageDigest sha = digest();
        try (InputStream in = loader.getResourceAsStream(RESOURCES + file)) {
            if (in == null) {
                throw new DatasetException("the squeeze4j jar lacks " + RESOURCES + file
                        + ", which its datasets README lists; rebuild the jar (./mvnw -DskipTests package)");
            }
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha)) {
                in.transferTo(out);
            }
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expected)) {
            throw new DatasetException("the squeeze4j jar's " + file + " has SHA-256 " + actual + " but its datasets"
                    + " README lists " + expected + ": the jar is damaged; rebuild or download it again");
        }
    }

    private static void moveIntoPlace(Path tmp, Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isRegularFile(dir.resolve(COMPLETE))) {
            deleteTree(dir);                                    // a copy that was never completed
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(dir.resolve(COMPLETE))) {  // else another JVM finished first: use its copy
                throw e;
            }
        }
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("squeeze4j.cache");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("squeeze4j");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
