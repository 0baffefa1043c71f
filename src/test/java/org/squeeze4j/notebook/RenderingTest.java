package org.squeeze4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.Models;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The JJava renderers, exercised through JJava's own {@link Renderer} without a running kernel. */
class RenderingTest {
    static Renderer renderer;

    @BeforeAll
    static void register() {
        System.setProperty("java.awt.headless", "true");
        renderer = new Renderer();
        Squeeze4jExtension.register(renderer);
    }

    private static BufferedImage decodePng(DisplayData data) throws IOException {
        Object png = data.getData(MIMEType.IMAGE_PNG);
        assertNotNull(png, "no image/png rendered");
        byte[] bytes = Base64.getDecoder().decode((String) png);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals('P', bytes[1]);
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void chartRendersAsPngOfItsSize() throws IOException {
        XYChart chart = Show.histogram("h", new double[] {1, 2, 2, 3}, 3);
        BufferedImage image = decodePng(renderer.render(chart));
        assertEquals(chart.getWidth(), image.getWidth());
        assertEquals(chart.getHeight(), image.getHeight());
    }

    @Test
    void chartGridRendersAllChartsInOneImage() throws IOException {
        ChartGrid grid = Show.weightHistograms(Models.lenet300100(1, 1e-3));
        assertEquals(3, grid.charts().size());
        BufferedImage image = decodePng(renderer.render(grid));
        assertEquals(ChartGrid.MAX_WIDTH, image.getWidth(), "three cells of 320 pixels");
    }

    @Test
    void sampleGridShowsDigitsWithTheirInk() throws IOException {
        IdxDataset test = Datasets.mnist().test();
        BufferedImage grid = Show.samples(test, 20);
        assertEquals(10 * (28 * 3 + 8), grid.getWidth());
        assertEquals(2 * (28 * 3 + 22), grid.getHeight());
        BufferedImage rendered = decodePng(renderer.render(grid));
        assertEquals(grid.getWidth(), rendered.getWidth());
        // the darkest pixel of the first digit cell is black ink (pixel 255 drawn as 0)
        int darkest = 255;
        for (int y = 4; y < 4 + 84; y++) {
            for (int x = 4; x < 4 + 84; x++) {
                darkest = Math.min(darkest, grid.getRGB(x, y) & 0xFF);
            }
        }
        assertTrue(darkest < 10, "darkest " + darkest);
    }

    @Test
    void tableRendersAsHtmlWithPlainTextFallback() {
        Table t = Table.create("Sizes <fp32>", StringColumn.create("model", "lenet"), DoubleColumn.create("acc", 0.98));
        DisplayData data = renderer.render(t);
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<table") && html.contains("lenet") && html.contains("0.98"), html);
        assertTrue(html.contains("Sizes &lt;fp32&gt;"), "caption is escaped: " + html);
        assertTrue(((String) data.getData(MIMEType.TEXT_PLAIN)).contains("lenet"));
    }

    @Test
    void modelStatsRenderAsLayerTable() {
        DisplayData data = renderer.render(ModelMeasure.of("LeNet-300-100", Models.lenet300100(1, 1e-3)));
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("fc1") && html.contains(">266,610<") && html.contains("total"), html);
    }

    @Test
    void writtenResultsRenderAsAKeyValueTable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        DisplayData data = renderer.render(org.squeeze4j.report.Results.of("r").put("acc", 0.98765).writeTo(dir));
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains(">acc<") && html.contains(">0.9877<") && html.contains("r.json"), html);
        assertTrue(((String) data.getData(MIMEType.TEXT_PLAIN)).startsWith("wrote 1 results to "));
    }

    @Test
    void histogramCountsEveryValueOnce() {
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.sin(i);
        }
        XYChart chart = Show.histogram("sin", values, 20);
        XYSeries s = chart.getSeriesMap().get("count");
        double[] ys = s.getYData();
        double total = 0;
        for (int i = 1; i < ys.length - 1; i += 2) {
            total += ys[i];
        }
        assertEquals(1000, total, 0);
        assertThrows(IllegalArgumentException.class, () -> Show.histogram("none", new double[0], 5));
    }

    @Test
    void histogramOfALayerViewCountsOnlyThatLayer() {
        // W is a view into the network's flat parameter buffer; the histogram must not see the rest
        var net = Models.lenet300100(1, 1e-3);
        XYChart chart = Show.histogram("fc2", net.getLayer(1).getParam("W"), 10);
        double[] ys = chart.getSeriesMap().get("count").getYData();
        double total = 0;
        for (int i = 1; i < ys.length - 1; i += 2) {
            total += ys[i];
        }
        assertEquals(300 * 100, total, 0);
    }

    @Test
    void confusionMatrixAndBarsBuild() throws IOException {
        int[][] counts = {{5, 1}, {0, 4}};
        decodePng(renderer.render(Show.confusionMatrix("cm", counts)));
        var bars = Show.bars("latency", "ms", Map.of("a", 1.0, "b", 2.0));
        assertEquals(2, bars.getSeriesMap().get("ms").getYData().size());
        decodePng(renderer.render(bars));
    }

    @Test
    void lineChartsKeepSeriesOrderMarkSparseSeriesAndDrawReferencesAcrossTheRange() throws IOException {
        double[] x = {2, 4, 8};
        var refs = new java.util.LinkedHashMap<String, Double>();
        refs.put("fp16", 0.5);
        refs.put("bf16", 0.25);
        XYChart chart = Show.logY(Show.lines("err", "bits", "mse", x, java.util.List.of(
                Show.series("per-tensor", new double[] {3, 2, 1}), Show.series("per-channel", new double[] {2, 1, 0.5})), refs));
        assertEquals(java.util.List.of("per-tensor", "per-channel", "fp16", "bf16"), java.util.List.copyOf(chart.getSeriesMap().keySet()));
        XYSeries fp16 = chart.getSeriesMap().get("fp16");
        assertEquals(2.0, fp16.getXMin(), 0);
        assertEquals(8.0, fp16.getXMax(), 0);
        assertEquals(0.5, fp16.getYMax(), 0);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertTrue(chart.getSeriesMap().get("per-tensor").getMarker() != org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        double[] dense = new double[Show.MAX_MARKED_POINTS + 1];
        XYChart curve = Show.lines("c", "x", "y", dense, java.util.List.of(Show.series("many", dense)));
        assertEquals(org.knowm.xchart.style.markers.SeriesMarkers.NONE, curve.getSeriesMap().get("many").getMarker());
        decodePng(renderer.render(chart));
        // own x values, single points, and mismatched lengths named
        XYChart mixed = Show.lines("m", "w", "acc", java.util.List.of(Show.series("sweep", x, new double[] {1, 2, 3}),
                Show.point("dense", 9, 4)));
        assertEquals(9.0, mixed.getSeriesMap().get("dense").getXMax(), 0);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Show.lines("bad", "x", "y", x, java.util.List.of(Show.series("short", new double[] {1})))).getMessage();
        assertTrue(msg.contains("short") && msg.contains("1 values for 3"), msg);
    }

    @Test
    void thresholdHistogramCountsEveryValueAndDrawsEachThreshold() {
        double[] v = {0, 0, 0.1, 0.2, 0.9, 5};
        var t = new java.util.LinkedHashMap<String, Double>();
        t.put("max", 5.0);
        t.put("percentile", 0.9);
        XYChart chart = Show.thresholds("acts", "activation", v, 10, t);
        double[] counts = chart.getSeriesMap().get("histogram").getYData();
        assertEquals(6, java.util.Arrays.stream(counts).filter(c -> c >= 1).sum(), 0);   // empty bins are drawn at 0.5
        assertEquals(0.5, java.util.Arrays.stream(counts).min().orElseThrow(), 0);
        assertEquals(0.9, chart.getSeriesMap().get("percentile").getXMax(), 0);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
    }
}
