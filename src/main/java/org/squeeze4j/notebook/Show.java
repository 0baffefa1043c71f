package org.squeeze4j.notebook;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.EpochResult;
import org.squeeze4j.models.TrainingHistory;

/**
 * One-liners for the charts every notebook needs. Each returns a chart or image that the
 * {@link Squeeze4jExtension} renders inline when it is a cell's last expression; outside a
 * notebook, save it with XChart's {@code BitmapEncoder}.
 */
public final class Show {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;

    private Show() {
    }

    /** The first {@code count} images of {@code data} in a grid, each with its label. */
    public static BufferedImage samples(IdxDataset data, int count) {
        return samples(data, count, List.of());
    }

    /** Like {@link #samples(IdxDataset, int)}, with class names for the captions. */
    public static BufferedImage samples(IdxDataset data, int count, List<String> classNames) {
        int n = Math.min(count, data.size());
        if (n <= 0) {
            throw new IllegalArgumentException("count must be positive, got " + count);
        }
        int scale = 3;
        int cols = Math.min(n, 10);
        int rows = (n + cols - 1) / cols;
        int cellW = data.cols() * scale + 8;
        int cellH = data.rows() * scale + 22;
        BufferedImage image = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < n; i++) {
            int x0 = (i % cols) * cellW + 4;
            int y0 = (i / cols) * cellH + 4;
            for (int r = 0; r < data.rows(); r++) {
                for (int c = 0; c < data.cols(); c++) {
                    int v = 255 - data.pixel(i, r, c);
                    g.setColor(new Color(v, v, v));
                    g.fillRect(x0 + c * scale, y0 + r * scale, scale, scale);
                }
            }
            int label = data.label(i);
            String caption = label < classNames.size() ? classNames.get(label) : Integer.toString(label);
            g.setColor(Color.DARK_GRAY);
            g.drawString(caption, x0, y0 + data.rows() * scale + 14);
        }
        g.dispose();
        return image;
    }

    /** The confusion matrix of an evaluation as a heat map: rows are true classes, columns predictions. */
    public static HeatMapChart confusionMatrix(String title, Evaluation eval) {
        ConfusionMatrix<Integer> cm = eval.getConfusionMatrix();
        List<Integer> classes = cm.getClasses();
        int k = classes.size();
        int[][] counts = new int[k][k];
        for (int actual = 0; actual < k; actual++) {
            for (int predicted = 0; predicted < k; predicted++) {
                counts[actual][predicted] = cm.getCount(classes.get(actual), classes.get(predicted));
            }
        }
        return confusionMatrix(title, counts);
    }

    /** A confusion matrix given as counts[actual][predicted]. */
    public static HeatMapChart confusionMatrix(String title, int[][] counts) {
        int k = counts.length;
        HeatMapChart chart = new HeatMapChartBuilder().width(520).height(480).title(title)
                .xAxisTitle("predicted").yAxisTitle("actual").build();
        List<Integer> axis = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            axis.add(i);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int actual = 0; actual < k; actual++) {
            for (int predicted = 0; predicted < k; predicted++) {
                // log scale keeps the few mistakes visible next to the large diagonal
                cells.add(new Number[] {predicted, actual, Math.log1p(counts[actual][predicted])});
            }
        }
        chart.addSeries("log(1 + count)", axis, axis, cells);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0x9ecae1), new Color(0x08306b)});
        ChartStyle.fitTitle(chart, chart.getWidth());
        return chart;
    }

    /** A histogram of the values of {@code array}. */
    public static XYChart histogram(String title, INDArray array, int bins) {
        // dup('c') first: a layer's W is a view into the network's flat parameter buffer
        double[] values = array.castTo(DataType.DOUBLE).dup('c').reshape(array.length()).toDoubleVector();
        return histogram(title, values, bins);
    }

    /** A histogram of {@code values} with {@code bins} equal-width bins between min and max. */
    public static XYChart histogram(String title, double[] values, int bins) {
        if (values.length == 0) {
            throw new IllegalArgumentException("cannot draw a histogram of no values");
        }
        if (bins <= 0) {
            throw new IllegalArgumentException("bins must be positive, got " + bins);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double width = max > min ? (max - min) / bins : 1.0;
        double[] counts = new double[bins];
        for (double v : values) {
            int b = (int) Math.min(bins - 1, Math.floor((v - min) / width));
            counts[b]++;
        }
        // step outline: two points per bin edge so the area looks like bars
        double[] xs = new double[2 * bins + 2];
        double[] ys = new double[2 * bins + 2];
        xs[0] = min;
        for (int b = 0; b < bins; b++) {
            xs[2 * b + 1] = min + b * width;
            ys[2 * b + 1] = counts[b];
            xs[2 * b + 2] = min + (b + 1) * width;
            ys[2 * b + 2] = counts[b];
        }
        xs[2 * bins + 1] = min + bins * width;
        XYChart chart = new XYChartBuilder().width(WIDTH * 3 / 4).height(HEIGHT * 3 / 4).title(title)
                .xAxisTitle("value").yAxisTitle("count").build();
        XYSeries s = chart.addSeries("count", xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        return ChartStyle.xy(chart);
    }

    /**
     * A histogram of {@code values} with a vertical line at each of {@code levels}, e.g. the values
     * a quantization grid can represent.
     */
    public static XYChart histogramWithLevels(String title, double[] values, int bins, String levelsName, double[] levels) {
        XYChart chart = backdrop(title, values, bins, new Color(0x9ecae1), new Color(0x6baed6));
        double top = tallest(chart);
        // one series for all lines: up and down at each level, along the baseline in between
        double[] xs = new double[3 * levels.length];
        double[] ys = new double[3 * levels.length];
        double[] sorted = levels.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            xs[3 * i] = sorted[i];
            xs[3 * i + 1] = sorted[i];
            xs[3 * i + 2] = sorted[i];
            ys[3 * i + 1] = top;
        }
        XYSeries lines = chart.addSeries(levelsName, xs, ys);
        lines.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        lines.setLineColor(ChartStyle.PALETTE[3]);
        chart.getStyler().setLegendVisible(true);
        legendOutside(chart, chart.getSeriesMap().keySet());
        return ChartStyle.xy(chart);
    }

    /**
     * A histogram of {@code values} with each named set of points drawn as a row of markers at its
     * own height, e.g. the centroids that three initialisations of k-means reach.
     */
    public static XYChart histogramWithPoints(String title, double[] values, int bins, Map<String, double[]> points) {
        XYChart chart = backdrop(title, values, bins, new Color(0xd9d9d9), new Color(0xbdbdbd));
        double top = tallest(chart);
        int row = 1;
        for (Map.Entry<String, double[]> set : points.entrySet()) {
            double y = top * row++ / (points.size() + 1.0);
            XYSeries s = chart.addSeries(set.getKey(), set.getValue(), java.util.Arrays.stream(set.getValue()).map(x -> y).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        chart.getStyler().setLegendVisible(true);
        legendOutside(chart, chart.getSeriesMap().keySet());
        return ChartStyle.xy(chart);
    }

    /** A histogram in muted colours and out of the legend, behind what is drawn over it. */
    private static XYChart backdrop(String title, double[] values, int bins, Color fill, Color line) {
        XYChart chart = histogram(title, values, bins);
        XYSeries counts = chart.getSeriesMap().get("count");
        counts.setFillColor(fill);
        counts.setLineColor(line);
        counts.setShowInLegend(false);
        return chart;
    }

    private static double tallest(XYChart histogram) {
        return java.util.Arrays.stream(histogram.getSeriesMap().get("count").getYData()).max().orElse(1);
    }

    /** One histogram of the weights {@code W} of every layer that has them. */
    public static ChartGrid weightHistograms(MultiLayerNetwork net) {
        List<Chart<?, ?>> charts = new ArrayList<>();
        for (Layer layer : net.getLayers()) {
            INDArray w = layer.getParam("W");
            if (w != null) {
                String name = layer.conf().getLayer().getLayerName();
                charts.add(histogram(name + " weights (" + w.length() + ")", w, 80));
            }
        }
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("the network has no layer with weights W");
        }
        return new ChartGrid(charts, 3);
    }

    /** Training loss (left axis) and validation accuracy in percent (right axis) per epoch. */
    public static XYChart trainingCurves(String title, TrainingHistory history) {
        List<EpochResult> epochs = history.epochs();
        double[] x = epochs.stream().mapToDouble(EpochResult::epoch).toArray();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").build();
        chart.addSeries("training loss", x, epochs.stream().mapToDouble(EpochResult::trainLoss).toArray());
        if (epochs.stream().noneMatch(e -> Double.isNaN(e.validationAccuracy()))) {
            XYSeries acc = chart.addSeries("validation accuracy (%)", x,
                    epochs.stream().mapToDouble(e -> 100 * e.validationAccuracy()).toArray());
            acc.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "accuracy (%)");
        }
        chart.setYAxisGroupTitle(0, "loss");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        legendOutside(chart, chart.getSeriesMap().keySet());
        ChartStyle.xy(chart);
        // two y axes: XChart draws no ticks on either under one formatting function, so each gets a pattern
        chart.getStyler().setyAxisTickLabelsFormattingFunction(null);
        double[] loss = epochs.stream().mapToDouble(EpochResult::trainLoss).toArray();
        chart.getStyler().putYAxisGroupDecimalPatternMap(0, ChartStyle.pattern(
                java.util.Arrays.stream(loss).min().orElse(0), java.util.Arrays.stream(loss).max().orElse(1)));
        chart.getStyler().putYAxisGroupDecimalPatternMap(1, "0.00");
        return chart;
    }

    /** A bar chart of named values, e.g. latency per model, in the map's iteration order. */
    public static CategoryChart bars(String title, String yAxis, Map<String, ? extends Number> values) {
        return bars(title, yAxis, new ArrayList<>(values.keySet()), new ArrayList<Number>(values.values()));
    }

    /** A bar chart of {@code values} labelled {@code labels}, in that order. */
    public static CategoryChart bars(String title, String yAxis, List<String> labels, List<? extends Number> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("cannot draw a bar chart of no values");
        }
        if (labels.size() != values.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + values.size() + " values");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yAxis).build();
        chart.addSeries(yAxis, new ArrayList<>(labels), new ArrayList<Number>(values));
        chart.getStyler().setLegendVisible(false);
        return ChartStyle.bars(chart);
    }

    /**
     * Bars in groups: one group per category, one bar per series in each, in the list's order, e.g.
     * PTQ and QAT accuracy at each bit width: {@code groupedBars(t, "accuracy (%)", configs,
     * List.of(series("PTQ", rows, Row::ptq), series("QAT", rows, Row::qat)))}.
     */
    public static CategoryChart groupedBars(String title, String yAxis, List<String> categories, List<Series> series) {
        if (series.isEmpty() || categories.isEmpty()) {
            throw new IllegalArgumentException("grouped bars need at least one category and one series");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yAxis).build();
        for (Series s : series) {
            if (s.y().length != categories.size()) {
                throw new IllegalArgumentException("series '" + s.name() + "' has " + s.y().length
                        + " values for " + categories.size() + " categories");
            }
            chart.addSeries(s.name(), new ArrayList<>(categories), java.util.Arrays.stream(s.y()).boxed().toList());
        }
        legendOutside(chart, chart.getSeriesMap().keySet());
        return ChartStyle.bars(chart);
    }

    /** Most points of a line drawn with a marker at each; denser curves are plain lines. */
    static final int MAX_MARKED_POINTS = 50;

    /**
     * One line of a {@link #lines} chart: its legend name, its x values (null: the chart's shared
     * x values) and a y value per x.
     */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (name == null || y == null) {
                throw new IllegalArgumentException("a series needs a name and values");
            }
            if (x != null && x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values and " + y.length + " y values");
            }
        }
    }

    /** A series over the chart's shared x values. */
    public static Series series(String name, double[] y) {
        return new Series(name, null, y);
    }

    /** A series over the chart's shared x values from any list of results, e.g. {@code series("global", points, Point::accuracy)}. */
    public static <T> Series series(String name, List<T> items, java.util.function.ToDoubleFunction<T> y) {
        return new Series(name, null, items.stream().mapToDouble(y).toArray());
    }

    /** A series with its own x values. */
    public static Series series(String name, double[] x, double[] y) {
        return new Series(name, x, y);
    }

    /** A single marked point, e.g. one model among a sweep. */
    public static Series point(String name, double x, double y) {
        return new Series(name, new double[] {x}, new double[] {y});
    }

    /** {@link #lines(String, String, String, double[], List, Map)} without reference lines. */
    public static XYChart lines(String title, String xAxis, String yAxis, double[] x, List<Series> series) {
        return lines(title, xAxis, yAxis, x, series, Map.of());
    }

    /** {@link #lines(String, String, String, double[], List, Map)} for series that all carry their own x values. */
    public static XYChart lines(String title, String xAxis, String yAxis, List<Series> series) {
        return lines(title, xAxis, yAxis, null, series, Map.of());
    }

    /**
     * A line chart: each series over its own x values or the shared {@code x}, with a marker at
     * each point of sparse series (at most {@value #MAX_MARKED_POINTS} points), the legend outside
     * the plot (so it never covers the data), ticks formatted from the data, and for each reference a dashed horizontal line
     * across the x range (a baseline such as fp32), in the map's iteration order.
     */
    public static XYChart lines(String title, String xAxis, String yAxis, double[] x, List<Series> series,
                                Map<String, Double> references) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("a line chart needs at least one series");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] sx = s.x() != null ? s.x() : x;
            if (sx == null || sx.length != s.y().length) {
                throw new IllegalArgumentException("series '" + s.name() + "' has " + s.y().length + " values for "
                        + (sx == null ? "no" : Integer.toString(sx.length)) + " x values");
            }
            XYSeries line = chart.addSeries(s.name(), sx, s.y());
            if (sx.length > MAX_MARKED_POINTS) {
                line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            }
            if (sx.length == 1) {
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
            for (double v : sx) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        for (Map.Entry<String, Double> r : references.entrySet()) {
            XYSeries line = chart.addSeries(r.getKey(), new double[] {lo, hi}, new double[] {r.getValue(), r.getValue()});
            line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            line.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        }
        legendOutside(chart, chart.getSeriesMap().keySet());
        return ChartStyle.xy(chart);
    }

    /**
     * The legend outside the plot, where it never covers data: one row under it when the names fit
     * the width, else a column to its right (a column underneath would squash the plot).
     */
    private static void legendOutside(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, java.util.Collection<String> names) {
        boolean oneRow = names.stream().mapToInt(n -> n.length() + 6).sum() <= 80;
        chart.getStyler().setLegendPosition(oneRow ? Styler.LegendPosition.OutsideS : Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(oneRow ? Styler.LegendLayout.Horizontal : Styler.LegendLayout.Vertical);
    }

    /** The same chart with a logarithmic y axis (for errors or sizes that span decades). */
    public static XYChart logY(XYChart chart) {
        chart.getStyler().setYAxisLogarithmic(true);
        return ChartStyle.xy(chart);
    }

    /** The same chart with a linear y axis fixed to {@code [min, max]} (e.g. probabilities in [0, 1]). */
    public static CategoryChart yRange(CategoryChart chart, double min, double max) {
        chart.getStyler().setYAxisLogarithmic(false);
        chart.getStyler().setyAxisTickLabelsFormattingFunction(ChartStyle.ticks(min, max));
        chart.getStyler().setYAxisMin(min);
        chart.getStyler().setYAxisMax(max);
        return chart;
    }

    /**
     * A histogram of {@code values} on a logarithmic count axis (empty bins drawn at 0.5, as a log
     * axis has no 0) with a vertical line at each named threshold: what calibration methods clip.
     */
    public static XYChart thresholds(String title, String xAxis, double[] values, int bins, Map<String, Double> thresholds) {
        if (values.length == 0 || bins <= 0) {
            throw new IllegalArgumentException("need values and a positive bin count, got " + values.length + " values, " + bins + " bins");
        }
        double min = Math.min(0, java.util.Arrays.stream(values).min().orElseThrow());
        double max = java.util.Arrays.stream(values).max().orElseThrow();
        double width = max > min ? (max - min) / bins : 1.0;
        double[] x = new double[bins];
        double[] count = new double[bins];
        for (int b = 0; b < bins; b++) {
            x[b] = min + (b + 0.5) * width;
        }
        for (double v : values) {
            count[(int) Math.min(bins - 1, Math.floor((v - min) / width))]++;
        }
        for (int b = 0; b < bins; b++) {
            count[b] = Math.max(count[b], 0.5);
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle("count").build();
        XYSeries h = chart.addSeries("histogram", x, count);
        h.setShowInLegend(false);
        h.setFillColor(new Color(0x9ecae1));
        h.setLineColor(new Color(0x6baed6));
        h.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        h.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        for (Map.Entry<String, Double> t : thresholds.entrySet()) {
            XYSeries line = chart.addSeries(t.getKey(), new double[] {t.getValue(), t.getValue()}, new double[] {0.5, values.length});
            line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        chart.getStyler().setYAxisLogarithmic(true);
        legendOutside(chart, chart.getSeriesMap().keySet());
        return ChartStyle.xy(chart);
    }
}
