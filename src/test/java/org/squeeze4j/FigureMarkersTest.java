package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
                "gone 1.0 <!-- figure build/results/missing.json acc -->"));
        int[] checked = {0};
        List<FigureMarkers.Mismatch> bad = FigureMarkers.check(repo.resolve("page.md"), repo, false, checked);
        assertEquals(7, checked[0]);
        assertEquals(List.of("0.9829 -> 0.9825", "53 -> 31", "1.0 -> nothing (no such file)"),
                bad.stream().map(b -> b.figure() + " -> " + b.expected()).toList());
        checked[0] = 0;
        assertEquals(2, FigureMarkers.check(repo.resolve("page.md"), repo, true, checked).size(), "a missing file may be skipped");
    }

    @Test
    void formatsLikeTheFigure() {
        assertEquals("0.0300", FigureMarkers.format(new BigDecimal("0.029999999999996696"), "0.0000"));
        assertEquals("271,608", FigureMarkers.format(new BigDecimal("271608"), "1,000"));
        assertEquals("+0.62", FigureMarkers.format(new BigDecimal("0.6199999"), "+0.00"));
        assertEquals("2.5", FigureMarkers.format(new BigDecimal("2.45"), "0.0"), "half up");
    }
}
