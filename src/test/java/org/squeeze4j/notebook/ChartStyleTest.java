package org.squeeze4j.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

/** The chart style of issue 17: ticks for people, readable bars, titles that fit, grids that fit a notebook. */
class ChartStyleTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void ticksHaveTheDecimalsTheRangeNeedsAndNoMoreDigits() {
        Function<Double, String> weights = ChartStyle.ticks(-0.3679, 0.3583);   // 00's histogram printed -0.3679005205631260
        assertEquals("-0.20", weights.apply(-0.2));
        assertEquals("0.05", weights.apply(0.05));
        assertEquals("0.00", weights.apply(-0.0), "no minus zero");
        Function<Double, String> images = ChartStyle.ticks(0, 60_000);
        assertEquals("60,000", images.apply(60_000.0));
        assertEquals("2,500", images.apply(2_500.0));
        assertEquals("0.98", ChartStyle.ticks(0.5, 1.0).apply(0.98));
        assertEquals("1.50e-06", ChartStyle.ticks(1e-6, 2e-6).apply(1.5e-6));
        assertEquals("#,##0.###", ChartStyle.logPattern(0.002));
        assertEquals("#,##0", ChartStyle.logPattern(3));
        assertEquals("0.#E0", ChartStyle.logPattern(1e-9), "the fp16 error of notebook 03 printed as 0");
    }

    @Test
    void histogramTicksAreFormattedAndFallOnRoundValues() {
        XYChart h = Show.histogram("fc1", new double[] {-0.3679005205631260, 0.01, 0.3583}, 10);
        assertEquals("-0.30", h.getStyler().getxAxisTickLabelsFormattingFunction().apply(-0.3));
        assertEquals(-0.4, h.getStyler().getXAxisMin(), 1e-12);
        assertEquals(0.4, h.getStyler().getXAxisMax(), 1e-12);
        assertArrayEquals(ChartStyle.PALETTE, h.getStyler().getSeriesColors());
    }

    @Test
    void integerStepsAreLabelledAsIntegers() {
        XYChart epochs = Show.lines("loss", "epoch", "loss", new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                List.of(Show.series("training loss", new double[] {0.07, 0.06, 0.05, 0.045, 0.04, 0.035, 0.03, 0.029})));
        assertEquals("3", epochs.getStyler().getxAxisTickLabelsFormattingFunction().apply(3.0));
        assertEquals("0.045", epochs.getStyler().getyAxisTickLabelsFormattingFunction().apply(0.045));
    }

    @Test
    void barsSpanningDecadesGetALogAxisOthersStartAtZero() {
        Map<String, Double> time = new LinkedHashMap<>();
        time.put("batch 1", 690.0);
        time.put("batch 128", 8.0);
        CategoryChart wide = Show.bars("time per image", "microseconds", time);
        assertTrue(wide.getStyler().isYAxisLogarithmic());
        assertEquals(1.0, wide.getStyler().getYAxisMin(), 1e-12, "from the decade below the smallest bar");

        CategoryChart accuracy = Show.bars("accuracy", "accuracy (%)", Map.of("per-tensor", 97.1, "per-channel", 98.2));
        assertFalse(accuracy.getStyler().isYAxisLogarithmic());
        assertEquals(0.0, accuracy.getStyler().getYAxisMin(), 1e-12, "bars start at zero, not at 85 %");
        assertEquals(0, accuracy.getStyler().getXAxisLabelRotation());
    }

    @Test
    void categoryLabelsThatWouldOverlapAreRotated() {
        Map<String, Double> criteria = new LinkedHashMap<>();
        for (String name : List.of("L1 norm", "L2 norm", "mean activation", "1 - APoZ", "loss change", "random (control)")) {
            criteria.put(name, 50.0);
        }
        assertEquals(30, Show.bars("criteria", "accuracy (%)", criteria).getStyler().getXAxisLabelRotation());
    }

    @Test
    void groupedBarsNeedOneValuePerCategory() {
        CategoryChart grouped = Show.groupedBars("PTQ vs QAT", "accuracy (%)", List.of("W8A8", "W2A2"),
                List.of(Show.series("PTQ", new double[] {98.2, 87.9}), Show.series("QAT", new double[] {98.3, 96.5})));
        assertEquals(List.of("PTQ", "QAT"), List.copyOf(grouped.getSeriesMap().keySet()));
        assertThrows(IllegalArgumentException.class, () -> Show.groupedBars("t", "y", List.of("W8A8", "W2A2"),
                List.of(Show.series("PTQ", new double[] {98.2}))));
    }

    @Test
    void longTitlesShrinkToFitShortOnesKeepTheirSize() {
        XYChart narrow = Show.histogram("fc1: 23,520 surviving weights and 15 centroids per initialisation", new double[] {1, 2}, 2);
        assertTrue(narrow.getStyler().getChartTitleFont().getSize2D() < ChartStyle.TITLE_SIZE);
        assertTrue(ChartStyle.textWidth(narrow.getTitle(), narrow.getStyler().getChartTitleFont()) <= narrow.getWidth() - 140
                || narrow.getStyler().getChartTitleFont().getSize2D() == ChartStyle.MIN_TITLE_SIZE);
        assertEquals(ChartStyle.TITLE_SIZE, Show.histogram("fc1", new double[] {1, 2}, 2).getStyler().getChartTitleFont().getSize2D());
    }

    @Test
    void aGridFitsTheNotebookWidthInBalancedRows() {
        List<CategoryChart> four = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            four.add(Show.bars("T = " + t, "probability", Map.of("0", 0.1, "1", 0.9)));
        }
        BufferedImage image = ChartGrid.of(four, 4).toImage();
        assertEquals(ChartGrid.MAX_WIDTH, image.getWidth(), "two columns of 480, drawn at that size, not scaled down");
        List<Chart<?, ?>> two = List.of(Show.histogram("a", new double[] {1, 2}, 2), Show.histogram("b", new double[] {1, 2}, 2));
        BufferedImage pair = new ChartGrid(two, 2).toImage();
        assertEquals(2 * 480, pair.getWidth());
        assertEquals(300, pair.getHeight());
    }
}
