package org.squeeze4j.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.squeeze4j.util.AtomicFiles;

/**
 * The headline figures of a notebook or batch run, written to
 * {@code build/results/<name>.json} so that reports and checks can read them without parsing
 * notebook outputs. Keys are sorted; accuracies are fractions in [0, 1]; a {@code provenance}
 * object records versions and machine (no timestamp, so the same seed gives the same file).
 *
 * <pre>{@code
 * Results.of("00-getting-started").put("lenet300_accuracy", acc).write();
 * }</pre>
 */
public final class Results {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final String name;
    private final Map<String, Object> values = new TreeMap<>();

    private Results(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("results name must be a plain file name such as '00-getting-started', got '" + name + "'");
        }
        this.name = name;
    }

    /** Results for the notebook or run called {@code name} (the notebook file name without .ipynb). */
    public static Results of(String name) {
        return new Results(name);
    }

    /** Adds a figure; numbers must be finite (a NaN accuracy is a bug to report, not to store). */
    public Results put(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, () -> "value of " + key);
        if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            throw new IllegalArgumentException("result " + key + " is " + value + "; only finite numbers can be stored");
        }
        values.put(key, value);
        return this;
    }

    /** The figures so far, read-only. */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    /** A written results file: where it is and what it holds (a notebook shows it as a table). */
    public record Written(Path file, Map<String, Object> values) {
        public Written {
            values = Collections.unmodifiableMap(new TreeMap<>(values));
        }

        /** The file relative to the repository root when it lies inside it, for display. */
        public Path shownPath() {
            Path root = repositoryRoot();
            Path f = file.toAbsolutePath().normalize();
            return root != null && f.startsWith(root) ? root.relativize(f) : f;
        }

        @Override
        public String toString() {
            return "wrote " + values.size() + " results to " + shownPath();
        }
    }

    /** Writes {@code <dir>/<name>.json} atomically. */
    public Written writeTo(Path dir) {
        Map<String, Object> doc = new LinkedHashMap<>(values);
        doc.put("provenance", Provenance.current());
        Path file = dir.resolve(name + ".json");
        try {
            AtomicFiles.write(file, out -> JSON.writeValue(out, doc));
            return new Written(file, values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results " + name + " to " + dir, e);
        }
    }

    /** Writes to the default results directory, see {@link #directory()}. */
    public Written write() {
        return writeTo(directory());
    }

    /** Reads a results file back as a map (for checks and reports). */
    public static Map<String, Object> read(Path file) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.readValue(file.toFile(), Map.class);
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results file " + file, e);
        }
    }

    /**
     * {@code build/results} of the repository: from the system property {@code squeeze4j.results}, the
     * environment variable {@code SQUEEZE4J_RESULTS}, or next to the {@code pom.xml} found by walking up
     * from the working directory.
     */
    public static Path directory() {
        String configured = System.getProperty("squeeze4j.results", System.getenv("SQUEEZE4J_RESULTS"));
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        Path root = repositoryRoot();
        return (root != null ? root.resolve("build") : Paths.get("build").toAbsolutePath()).resolve("results");
    }

    /** The squeeze4j checkout around the working directory (a pom.xml beside notebooks/), or null. */
    static Path repositoryRoot() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("notebooks"))) {
                return dir;
            }
        }
        return null;
    }
}
