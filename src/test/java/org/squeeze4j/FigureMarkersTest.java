package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FigureMarkersTest {

    @Test
    void markedFiguresAreHeldToTheirSource(@TempDir Path repo) throws Exception {
        Files.createDirectories(repo.resolve("build/results"));
        Files.writeString(repo.resolve("build/results/r.json"),
                "{\"acc\": 0.98254, \"bytes\": 1066440, \"ratio\": 31.39, \"nested\": {\"gain\": -0.0089}}");
        Files.writeString(repo.resolve("page.md"), String.join("\n",
                "| W8A8 | 0.9825 <!-- figure build/results/r.json acc --> |",
                "as a percentage 98.25 % <!-- figure build/results/r.json acc *100 -->,",
                "1,066,440 bytes <!-- figure build/results/r.json bytes -->, 31.4x <!-- figure build/results/r.json ratio -->",
                "gain -0.89 points <!-- figure build/results/r.json nested.gain *100 -->",
                "stale 0.9829 <!-- figure build/results/r.json acc -->, 53x <!-- figure build/results/r.json ratio -->",
                "gone 1.0 <!-- figure build/results/missing.json acc -->",
                "trained 0.9830 <!-- figure build/results/r.json acc ±0.001 --> 98.16 % <!-- figure build/results/r.json acc *100 ±0.1 -->",
                "too far 0.9837 <!-- figure build/results/r.json acc ±0.001 -->"));
        FigureMarkers.Report all = FigureMarkers.check(repo.resolve("page.md"), repo, FigureMarkers.Sources.ALL);
        assertEquals(10, all.checked());
        assertEquals(List.of("0.9829 -> 0.9825", "53 -> 31", "1.0 -> nothing (no such file)", "0.9837 -> 0.9825 (more than ±0.001 away)"),
                all.mismatches().stream().map(b -> b.figure() + " -> " + b.expected()).toList());
        assertEquals(3, FigureMarkers.check(repo.resolve("page.md"), repo, FigureMarkers.Sources.PRESENT).mismatches().size(),
                "a missing file may be skipped");
    }

    @Test
    void shippedSourcesAreCheckedWithoutARun(@TempDir Path repo) throws Exception {
        Files.createDirectories(repo.resolve("tutorials/results"));
        Files.writeString(repo.resolve("tutorials/results/r.json"), "{\"ratio\": 44.742}");
        Files.writeString(repo.resolve("page.md"), "44.7x <!-- figure tutorials/results/r.json ratio -->, "
                + "44.8x <!-- figure tutorials/results/r.json ratio -->, 0.98 <!-- figure build/results/r.json acc -->");
        FigureMarkers.Report shipped = FigureMarkers.check(repo.resolve("page.md"), repo, FigureMarkers.Sources.SHIPPED);
        assertEquals(2, shipped.checked(), "figures from build/ wait for the notebooks");
        assertEquals(List.of("44.8"), shipped.mismatches().stream().map(FigureMarkers.Mismatch::figure).toList());
    }

    /** The figures of README.md and tutorials/ whose source is shipped in the tree match it (those from runs: NotebooksIT). */
    @Test
    void shippedFiguresOfTheTutorialsAndReadmeMatchTheirFiles() throws Exception {
        Path repo = Path.of(System.getProperty("user.dir"));
        int checked = 0;
        List<FigureMarkers.Mismatch> bad = new java.util.ArrayList<>();
        for (Path page : FigureMarkers.pages(repo)) {
            FigureMarkers.Report r = FigureMarkers.check(page, repo, FigureMarkers.Sources.SHIPPED);
            checked += r.checked();
            bad.addAll(r.mismatches());
        }
        assertEquals(List.of(), bad);
        assertTrue(checked >= 8, "the Caffe LeNet-5 figures of tutorial 07 are marked: " + checked);
    }

    @Test
    void formatsLikeTheFigure() {
        assertEquals("0.0300", FigureMarkers.format(new BigDecimal("0.029999999999996696"), "0.0000"));
        assertEquals("271,608", FigureMarkers.format(new BigDecimal("271608"), "1,000"));
        assertEquals("+0.62", FigureMarkers.format(new BigDecimal("0.6199999"), "+0.00"));
        assertEquals("2.5", FigureMarkers.format(new BigDecimal("2.45"), "0.0"), "half up");
    }
}
