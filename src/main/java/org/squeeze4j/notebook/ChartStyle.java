package org.squeeze4j.notebook;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Collection;
import java.util.Locale;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The look every {@link Show} chart shares, applied once its series are in: the Okabe-Ito
 * colour-blind-safe palette (Okabe and Ito 2008; distinct in every common colour-vision deficiency
 * and in greyscale), tick labels formatted from the data range (never a raw double), a title that
 * fits the width, rotated category labels when they would overlap, a logarithmic axis for bars
 * that span more than two decades, and bars that start at zero.
 */
final class ChartStyle {
    /** Okabe-Ito, most distinct first (yellow, faint on white, last). */
    static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)};

    /** Largest and smallest title font; a title shrinks between them until it fits. */
    static final float TITLE_SIZE = 15f;
    static final float MIN_TITLE_SIZE = 10f;

    /** Values spanning more than this ratio get a logarithmic bar axis. */
    static final double LOG_RATIO = 20;

    private static final Graphics2D MEASURE = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();

    private ChartStyle() {
    }

    /** Palette, fonts and grid common to all charts. */
    static void base(Chart<?, ?> chart) {
        Styler s = chart.getStyler();
        s.setSeriesColors(PALETTE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(new Color(0xDDDDDD));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) TITLE_SIZE));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAntiAlias(true);
        if (s instanceof AxesChartStyler a) {
            a.setPlotGridLinesColor(new Color(0xE5E5E5));
            a.setPlotGridLinesStroke(new BasicStroke(1f));
            a.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        }
        fitTitle(chart, chart.getWidth());
    }

    /** An XY chart: base style and both axes' ticks formatted from the data. */
    static XYChart xy(XYChart chart) {
        base(chart);
        double xlo = Double.POSITIVE_INFINITY;
        double xhi = Double.NEGATIVE_INFINITY;
        double ylo = Double.POSITIVE_INFINITY;
        double yhi = Double.NEGATIVE_INFINITY;
        boolean integerX = true;
        for (XYSeries series : chart.getSeriesMap().values()) {
            for (double x : series.getXData()) {
                xlo = Math.min(xlo, x);
                xhi = Math.max(xhi, x);
                integerX &= x == Math.rint(x);
            }
            for (double y : series.getYData()) {
                if (Double.isFinite(y)) {
                    ylo = Math.min(ylo, y);
                    yhi = Math.max(yhi, y);
                }
            }
        }
        AxesChartStyler s = chart.getStyler();
        if (!s.isXAxisLogarithmic() && xhi > xlo) {
            // the axis from a multiple of a round step to another, so the ticks fall on round values
            double step = niceStep((xhi - xlo) / 10);
            s.setXAxisMin(Math.floor(xlo / step + 1e-9) * step);
            s.setXAxisMax(Math.ceil(xhi / step - 1e-9) * step);
        }
        // a formatting function makes XChart place ticks linearly: a log axis gets a pattern instead
        if (s.isXAxisLogarithmic()) {
            s.setxAxisTickLabelsFormattingFunction(null);
            s.setXAxisDecimalPattern(logPattern(xlo));
        } else {
            s.setxAxisTickLabelsFormattingFunction(integerX && xhi - xlo >= 2 ? ticks(0) : ticks(xlo, xhi));
        }
        if (s.isYAxisLogarithmic()) {
            s.setyAxisTickLabelsFormattingFunction(null);
            s.setYAxisDecimalPattern(logPattern(ylo));
        } else {
            s.setyAxisTickLabelsFormattingFunction(ticks(ylo, yhi));
        }
        return chart;
    }

    /**
     * A bar chart: base style, a log axis for values over more than {@value #LOG_RATIO}x (all
     * positive), else an axis from zero; labels rotated when they would overlap.
     */
    static CategoryChart bars(CategoryChart chart) {
        base(chart);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int categories = 0;
        int longest = 0;
        for (CategorySeries series : chart.getSeriesMap().values()) {
            for (Number v : series.getYData()) {
                lo = Math.min(lo, v.doubleValue());
                hi = Math.max(hi, v.doubleValue());
            }
            Collection<?> labels = series.getXData();
            categories = Math.max(categories, labels.size());
            for (Object label : labels) {
                longest = Math.max(longest, textWidth(String.valueOf(label), chart.getStyler().getAxisTickLabelsFont()));
            }
        }
        var s = chart.getStyler();
        boolean log = lo > 0 && hi / lo > LOG_RATIO;
        s.setYAxisLogarithmic(log);
        if (log) {
            s.setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));   // bars grow from the decade below the smallest
            s.setYAxisDecimalPattern(logPattern(lo));
        } else {
            s.setYAxisMin(Math.min(0, lo));
            if (hi <= 0) {
                s.setYAxisMax(0.0);
            }
            s.setyAxisTickLabelsFormattingFunction(ticks(Math.min(0, lo), Math.max(0, hi)));
        }
        double perCategory = (chart.getWidth() - 110.0) / Math.max(1, categories);
        s.setXAxisLabelRotation(longest > 0.9 * perCategory ? 30 : 0);
        return chart;
    }

    /** 1, 2 or 5 times a power of ten, the nearest at or above {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    /** Shrinks the title's font until it fits a chart {@code width} pixels wide (or reaches the smallest size). */
    static void fitTitle(Chart<?, ?> chart, int width) {
        String title = chart.getTitle();
        // XChart centres the title over the plot, not the chart: the y axis on the left takes the
        // same room from both of the title's halves
        int room = width - (chart.getStyler() instanceof AxesChartStyler ? 140 : 24);
        Font font = chart.getStyler().getChartTitleFont().deriveFont(TITLE_SIZE);
        while (title != null && font.getSize2D() > MIN_TITLE_SIZE && textWidth(title, font) > room) {
            font = font.deriveFont(font.getSize2D() - 1);
        }
        chart.getStyler().setChartTitleFont(font);
    }

    static int textWidth(String text, Font font) {
        synchronized (MEASURE) {
            FontMetrics metrics = MEASURE.getFontMetrics(font);
            return metrics.stringWidth(text);
        }
    }

    /**
     * Tick labels for an axis over {@code [lo, hi]}: enough decimals to tell ticks a twentieth of
     * the range apart, thousands grouped, no "-0"; scientific for ranges below 1e-4.
     */
    static Function<Double, String> ticks(double lo, double hi) {
        int decimals = decimals(lo, hi);
        if (decimals > 5) {
            return v -> v == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);   // 1.50e-06
        }
        return ticks(decimals);
    }

    /** The decimal pattern of {@link #ticks(double, double)}, for axes that take a pattern. */
    static String pattern(double lo, double hi) {
        return pattern(Math.min(8, decimals(lo, hi)));
    }

    static Function<Double, String> ticks(int decimals) {
        DecimalFormat f = new DecimalFormat(pattern(decimals), DecimalFormatSymbols.getInstance(Locale.ROOT));
        return v -> {
            String s = f.format(v);
            return s.startsWith("-") && s.matches("-0(\\.0*)?") ? s.substring(1) : s;
        };
    }

    /** Decimals that tell values a twentieth of {@code [lo, hi]} apart. */
    private static int decimals(double lo, double hi) {
        double range = hi - lo;
        if (!(range > 0) || !Double.isFinite(range)) {
            range = Double.isFinite(hi) && hi != 0 ? Math.abs(hi) : 1;
        }
        return (int) Math.max(0, Math.ceil(-Math.log10(range / 20)));
    }

    private static String pattern(int decimals) {
        return "#,##0" + (decimals > 0 ? "." + "0".repeat(decimals) : "");
    }

    /** Decade ticks of a log axis down to {@code smallest}: plain numbers (0.001, 1, 1,000), or 1E-9 below 1e-4. */
    static String logPattern(double smallest) {
        if (smallest > 0 && smallest < 1e-4) {
            return "0.#E0";   // 1E-9 rather than 0.000000001 or 0
        }
        int decimals = smallest > 0 ? (int) Math.max(0, Math.min(8, Math.ceil(-Math.log10(smallest)))) : 3;
        return "#,##0" + (decimals > 0 ? "." + "#".repeat(decimals) : "");
    }
}
