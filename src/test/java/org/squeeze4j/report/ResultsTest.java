package org.squeeze4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTest {
    @TempDir
    Path dir;

    @Test
    void aWrittenFileShowsItsFiguresAsATable() {
        Results.Written w = Results.of("00-test").put("z_accuracy", 0.98765432).put("a_params", 266610L)
                .put("ratios", List.of(0.0812345, 0.09)).put("model", "lenet").put("sweep", List.of(Map.of("x", 0.123456789)))
                .writeTo(dir);
        assertEquals(List.of("a_params", "model", "ratios", "sweep", "z_accuracy"), List.copyOf(w.values().keySet()));
        assertEquals("wrote 5 results to " + w.file(), w.toString(), "outside the checkout the path stays absolute");
        tech.tablesaw.api.Table t = Tables.results(w);
        assertEquals(List.of("result", "value"), t.columnNames());
        assertEquals(List.of("266,610", "lenet", "[0.08123, 0.09000]", "1 entry (in the file)", "0.9877"),
                t.stringColumn("value").asList());
    }

    @Test
    void writesSortedKeysWithProvenanceAndReadsThemBack() throws IOException {
        Path file = Results.of("00-test").put("z_accuracy", 0.9876).put("a_params", 266610L)
                .put("ratios", List.of(0.08, 0.09)).writeTo(dir).file();
        assertEquals(dir.resolve("00-test.json"), file);
        Map<String, Object> back = Results.read(file);
        assertEquals(0.9876, (Double) back.get("z_accuracy"), 0);
        assertEquals(266610, ((Number) back.get("a_params")).longValue());
        assertEquals(List.of(0.08, 0.09), back.get("ratios"));
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = (Map<String, Object>) back.get("provenance");
        assertEquals(System.getProperty("java.version"), provenance.get("javaVersion"));
        String text = Files.readString(file);
        assertTrue(text.indexOf("a_params") < text.indexOf("z_accuracy"), text);
    }

    @Test
    void sameFiguresGiveAByteIdenticalFile() throws IOException {
        byte[] first = Files.readAllBytes(Results.of("r").put("x", 1.5).put("y", 2).writeTo(dir.resolve("a")).file());
        byte[] second = Files.readAllBytes(Results.of("r").put("y", 2).put("x", 1.5).writeTo(dir.resolve("b")).file());
        assertArrayEquals(first, second);
    }

    @Test
    void rejectsNaNAndBadNames() {
        assertThrows(IllegalArgumentException.class, () -> Results.of("r").put("acc", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Results.of("../escape"));
        assertThrows(NullPointerException.class, () -> Results.of("r").put("acc", null));
    }

    @Test
    void defaultDirectoryIsBuildResultsOfTheRepository() {
        Path d = Results.directory();
        assertTrue(d.endsWith(Path.of("build", "results")), d.toString());
        assertTrue(Files.isRegularFile(d.getParent().getParent().resolve("pom.xml")), d.toString());
    }
}
