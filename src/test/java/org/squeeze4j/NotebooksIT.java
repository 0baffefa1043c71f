package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Executes every {@code notebooks/*.ipynb} on the real JJava kernel (installed by
 * {@code src/main/scripts/setup-jupyter.sh} in pre-integration-test) through
 * {@code src/main/python/run_notebooks.py}, one dynamic test per notebook.
 *
 * <p>System properties: {@code s4j.notebookTimeoutMinutes} (default 15, per notebook),
 * {@code s4j.cellTimeoutSeconds} (default 600), {@code s4j.maxRssMb} (default 1536: the kernel
 * process tree must fit Binder's 2 GB next to Jupyter; 0 disables the check),
 * {@code s4j.python} (default {@code .venv/bin/python}), {@code s4j.notebooks} (comma-separated name
 * prefixes such as {@code 00,04} to run only those, for local work; default all).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksIT {

    private static final Path REPO =
            Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path NOTEBOOKS = REPO.resolve("notebooks");
    private static final Path RUNNER = REPO.resolve("src/main/python/run_notebooks.py");
    private static final Path REPORT = REPO.resolve("build/notebook-report.md");
    private static final Duration NOTEBOOK_TIMEOUT =
            Duration.ofMinutes(Long.getLong("s4j.notebookTimeoutMinutes", 15));
    private static final int TAIL_LINES = 60;

    @TestFactory
    @Order(1)
    Stream<DynamicTest> notebooksRunOnTheJJavaKernel() throws IOException {
        List<Path> notebooks = notebooks();
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, "| notebook | status | wall s | peak RSS MB |\n|---|---|---:|---:|\n",
                StandardCharsets.UTF_8);
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(
                nb.getFileName().toString(), nb.toUri(), () -> runNotebook(nb)));
    }

    /**
     * After the notebooks ran: every figure in README.md and tutorials/ that is marked with its
     * source ({@link FigureMarkers}) reads as the source says. When only some notebooks ran
     * ({@code s4j.notebooks}), figures of results files not written are skipped.
     */
    @Test
    @Order(2)
    void markedFiguresInTheTutorialsAndReadmeMatchTheirResults() throws IOException {
        List<Path> pages = FigureMarkers.pages(REPO);
        boolean subset = !System.getProperty("s4j.notebooks", "").isBlank();
        FigureMarkers.Sources sources = subset ? FigureMarkers.Sources.PRESENT : FigureMarkers.Sources.ALL;
        int checked = 0;
        List<FigureMarkers.Mismatch> bad = new ArrayList<>();
        for (Path page : pages) {
            FigureMarkers.Report r = FigureMarkers.check(page, REPO, sources);
            checked += r.checked();
            bad.addAll(r.mismatches());
        }
        System.out.printf(Locale.ROOT, "[figures] %d marked figures checked in %d pages%n", checked, pages.size());
        assertTrue(bad.isEmpty(), () -> bad.size() + " figures disagree with their source (update the page from"
                + " the results file):\n  " + bad.stream().map(Object::toString).collect(Collectors.joining("\n  ")));
        assertTrue(subset || checked > 0, "no marked figures at all: the markers' pattern no longer matches");
    }

    @Test
    void notebooksAreCommittedWithoutOutputs() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python(), RUNNER.toString(), "--check-clean"));
        notebooks().forEach(nb -> cmd.add(nb.toString()));
        Result r = run(cmd, Duration.ofMinutes(3), "check-clean");
        assertEquals(0, r.exitCode, () -> "notebooks must be committed without outputs "
                + "(jupyter nbconvert --clear-output --inplace notebooks/*.ipynb):\n" + r.tail);
    }

    @Test
    void binderRequirementsPinTheSameVersions() throws IOException {
        Map<String, String> main = pins(REPO.resolve("src/main/python/requirements.txt"));
        Map<String, String> binder = pins(REPO.resolve("binder/requirements.txt"));
        assertFalse(main.isEmpty(), "src/main/python/requirements.txt pins nothing");
        assertEquals(main, binder,
                "binder/requirements.txt must pin exactly what src/main/python/requirements.txt pins");
    }

    // ------------------------------------------------------------------------------------------

    private void runNotebook(Path nb) throws Exception {
        String name = nb.getFileName().toString();
        String stem = name.substring(0, name.length() - ".ipynb".length());
        Path summary = REPO.resolve("build/notebook-runs/" + stem + ".json");
        Files.createDirectories(summary.getParent());
        Files.deleteIfExists(summary);

        List<String> cmd = new ArrayList<>(List.of(
                python(), RUNNER.toString(),
                "--summary", summary.toString(),
                "--executed-dir", REPO.resolve("build/executed").toString(),
                "--timeout", System.getProperty("s4j.cellTimeoutSeconds", "600"),
                "--max-rss-mb", System.getProperty("s4j.maxRssMb", "1536"),
                nb.toString()));
        Result r = null;
        Map<String, Object> s = null;
        try {
            r = run(cmd, NOTEBOOK_TIMEOUT, stem);
            s = readSummary(summary);
            if (s != null) {
                System.out.printf(Locale.ROOT, "[%s] wall %.1f s, peak RSS %.0f MB (kernel JVM %.0f MB)%n",
                        name, number(s, "wall_seconds"), number(s, "peak_rss_mb"),
                        number(s, "peak_kernel_jvm_rss_mb"));
            }
            Result res = r;
            assertFalse(res.timedOut, () -> name + " did not finish within " + NOTEBOOK_TIMEOUT.toMinutes()
                    + " min; last output:\n" + res.tail);
            assertEquals(0, res.exitCode, () -> name + " failed (exit " + res.exitCode
                    + "); last output:\n" + res.tail);
            assertTrue(s != null && Boolean.TRUE.equals(s.get("ok")),
                    () -> name + ": no successful run in " + summary + "; last output:\n" + res.tail);
            assertResultsFileHasTheListedKeys(nb, stem);
            List<String> problems = NotebookOutputs.problems(REPO.resolve("build/executed").resolve(name), REPO);
            assertTrue(problems.isEmpty(), () -> name + " shows output not made for people (format numbers, print fields"
                    + " rather than objects, Tables.of for records):\n  " + String.join("\n  ", problems));
        } finally {
            String status = r == null ? "ERROR" : r.timedOut ? "TIMEOUT"
                    : (r.exitCode == 0 && s != null && Boolean.TRUE.equals(s.get("ok"))) ? "ok" : "FAILED";
            Files.writeString(REPORT, String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name, status,
                            s == null ? "–" : String.format(Locale.ROOT, "%.1f", number(s, "wall_seconds")),
                            s == null ? "–" : String.format(Locale.ROOT, "%.0f", number(s, "peak_rss_mb"))),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /**
     * The contract of DESIGN.md: a notebook lists its results keys in a markdown cell that mentions
     * "Results file keys", and writes each of them to build/results/&lt;notebook&gt;.json when it runs.
     */
    @SuppressWarnings("unchecked")
    private static void assertResultsFileHasTheListedKeys(Path nb, String stem) throws IOException {
        Map<String, Object> notebook = new ObjectMapper().readValue(nb.toFile(), Map.class);
        List<String> keys = new ArrayList<>();
        for (Map<String, Object> cell : (List<Map<String, Object>>) notebook.get("cells")) {
            Object src = cell.get("source");
            String text = src instanceof List ? String.join("", (List<String>) src) : String.valueOf(src);
            if ("markdown".equals(cell.get("cell_type")) && text.contains("Results file keys")) {
                String listing = text.substring(text.indexOf("Results file keys"));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([a-z][a-z0-9_]*)`").matcher(listing);
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        }
        assertFalse(keys.isEmpty(), nb.getFileName() + " lists no results keys (a markdown cell with 'Results file keys')");
        Path results = REPO.resolve("build/results/" + stem + ".json");
        assertTrue(Files.isRegularFile(results), nb.getFileName() + " did not write " + results);
        Map<String, Object> written = new ObjectMapper().readValue(results.toFile(), Map.class);
        for (String key : keys) {
            assertTrue(written.containsKey(key), results.getFileName() + " lacks the key '" + key + "' its notebook lists");
        }
    }

    private static List<Path> notebooks() throws IOException {
        assertTrue(Files.isDirectory(NOTEBOOKS), NOTEBOOKS + " does not exist");
        List<Path> notebooks;
        try (Stream<Path> s = Files.list(NOTEBOOKS)) {
            List<String> only = List.of(System.getProperty("s4j.notebooks", "").split(",")).stream().filter(x -> !x.isBlank()).toList();
            notebooks = s.filter(p -> p.getFileName().toString().endsWith(".ipynb"))
                    .filter(Files::isRegularFile)
                    .filter(p -> only.isEmpty() || only.stream().anyMatch(o -> p.getFileName().toString().startsWith(o.strip())))
                    .sorted()
                    .collect(Collectors.toList());
        }
        assertFalse(notebooks.isEmpty(), "no notebooks in " + NOTEBOOKS + " (that would be a silent pass)");
        return notebooks;
    }

    private static String python() {
        String p = System.getProperty("s4j.python");
        if (p != null && !p.isBlank()) {
            return p;
        }
        Path venv = REPO.resolve(".venv/bin/python");
        return Files.isExecutable(venv) ? venv.toString() : "python3";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readSummary(Path summary) {
        if (!Files.isRegularFile(summary)) {
            return null;
        }
        try {
            List<Map<String, Object>> runs = new ObjectMapper().readValue(summary.toFile(), List.class);
            return runs.isEmpty() ? null : runs.get(0);
        } catch (IOException e) {
            System.out.println("cannot read " + summary + ": " + e);
            return null;
        }
    }

    private static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }

    /** Pinned requirements ("name==version") of a requirements file, names normalized. */
    private static Map<String, String> pins(Path file) throws IOException {
        Map<String, String> pins = new TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.replaceAll("#.*", "").trim();
            if (l.isEmpty()) {
                continue;
            }
            String[] nv = l.split("==", 2);
            assertEquals(2, nv.length, file + ": not pinned with ==: " + line);
            pins.put(nv[0].trim().toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-"), nv[1].trim());
        }
        return pins;
    }

    // ------------------------------------------------------------------------------------------

    private static final class Result {
        int exitCode = -1;
        boolean timedOut;
        String tail = "";
    }

    /** Runs a command in the repository, echoing its output (prefixed) to the test log. */
    private static Result run(List<String> cmd, Duration timeout, String label) throws Exception {
        System.out.println("[" + label + "] $ " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "2");
        pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        pb.environment().put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("[" + label + "] " + line);
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "output-" + label);
        pump.setDaemon(true);
        pump.start();

        Result r = new Result();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            r.timedOut = true;
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        pump.join(10_000);
        r.exitCode = p.isAlive() ? -1 : p.exitValue();
        synchronized (tail) {
            r.tail = String.join("\n", tail);
        }
        return r;
    }
}
