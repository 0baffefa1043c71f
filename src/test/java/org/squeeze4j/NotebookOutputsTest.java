package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotebookOutputsTest {

    private static Map<String, Object> cell(String id, Map<String, Object> output) {
        return Map.of("id", id, "cell_type", "code", "outputs", List.of(output));
    }

    private static Map<String, Object> html(String html) {
        return Map.of("output_type", "execute_result", "data", Map.of("text/html", List.of(html), "text/plain", List.of("t")));
    }

    private static Map<String, Object> text(String text) {
        return Map.of("output_type", "stream", "name", "stdout", "text", List.of(text));
    }

    private static Map<String, Object> code(String id, String source) {
        return Map.of("id", id, "cell_type", "code", "source", List.of(source), "outputs", List.of());
    }

    @Test
    void findsWhatIsNotMadeForPeople(@TempDir Path dir) throws Exception {
        Path repo = Path.of("/work/checkout");
        List<Map<String, Object>> cells = List.of(
                cell("ok1", html("<table><tr><th>median (ms)</th></tr><tr><td>0.0300</td></tr></table>")),
                cell("ok2", text("check passed: W8A8 0.9825 (-0.04 points), max |difference| 2.4e-07\n")),
                cell("ok3", Map.of("output_type", "display_data",
                        "data", Map.of("image/png", "iVBOR", "text/plain", List.of("org.knowm.xchart.XYChart@4a8d6fee")))),
                cell("c1", html("<table><tr><th>medianMs</th><th>ok</th></tr><tr><td>0.029999999999996696</td></tr></table>")),
                cell("c2", text("check passed: QParams[scale=0.002823377006194171, zeroPoint=130]")),
                cell("c3", text("org.squeeze4j.Foo@1a2b3c4d")),
                cell("c4", text("wrote /work/checkout/build/results/x.json")),
                code("ok4", "Show.histogramWithLevels(\"grid\", wv, 120, \"levels\", levels)"),
                code("c5", "var chart = Show.histogram(\"h\", wv, 120);\nchart.getStyler().setLegendVisible(false);"),
                code("c6", "XYChart c = new XYChartBuilder().width(600).build();"),
                Map.of("id", "ok5", "cell_type", "markdown", "source", List.of("`chart.addSeries(...)` is what Show does")));
        Path nb = dir.resolve("n.ipynb");
        new ObjectMapper().writeValue(nb.toFile(), Map.of("cells", cells));
        List<String> problems = NotebookOutputs.problems(nb, repo);
        assertEquals(List.of("cell c1: table header 'medianMs'", "cell c1: table cell '0.029999999999996696'",
                "cell c2: object dump 'check passed: QParams[scale=0.002823377006194171, zeroPoint=130]'",
                "cell c2: unformatted number 0.002823377006194171 in 'check passed: QParams[scale=0.002823377006194171, zeroPoint=130]'",
                "cell c3: object dump 'org.squeeze4j.Foo@1a2b3c4d'",
                "cell c4: absolute path in 'wrote /work/checkout/build/results/x.json'",
                "cell c5: chart built by hand ('.getStyler()'): use Show",
                "cell c6: chart built by hand ('new XYChartBuilder('): use Show"), problems);
    }
}
