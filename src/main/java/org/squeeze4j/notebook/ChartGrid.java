package org.squeeze4j.notebook;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Several charts drawn side by side as one image, e.g. one weight histogram per layer.
 * A notebook cell can only display its last expression, so related charts travel together.
 *
 * @param charts the charts, filled row by row
 * @param columns charts per row
 */
public record ChartGrid(List<Chart<?, ?>> charts, int columns) {
    public ChartGrid {
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("a chart grid needs at least one chart");
        }
        if (columns <= 0) {
            throw new IllegalArgumentException("columns must be positive, got " + columns);
        }
        charts = List.copyOf(charts);
    }

    /** A grid of charts of one kind, e.g. a {@code List<CategoryChart>} built in a loop. */
    public static ChartGrid of(List<? extends Chart<?, ?>> charts, int columns) {
        return new ChartGrid(List.copyOf(charts), columns);
    }

    /** Widest image a grid draws: about the width of a JupyterLab output area, so it is never scaled down. */
    static final int MAX_WIDTH = 960;

    /** Narrowest chart in a grid; fewer columns, more rows below it. */
    static final int MIN_CELL_WIDTH = 320;

    /**
     * Renders all charts into one image at most {@value #MAX_WIDTH} pixels wide: each chart is
     * drawn at its cell's size (its fonts stay readable) rather than drawn large and scaled down,
     * with at most as many columns as fit cells of {@value #MIN_CELL_WIDTH} pixels, balanced over
     * the rows (four charts in three columns become two rows of two).
     */
    public BufferedImage toImage() {
        int w = charts.stream().mapToInt(Chart::getWidth).max().orElseThrow();
        int h = charts.stream().mapToInt(Chart::getHeight).max().orElseThrow();
        int cols = Math.min(Math.min(columns, charts.size()), Math.max(1, MAX_WIDTH / MIN_CELL_WIDTH));
        int rows = (charts.size() + cols - 1) / cols;
        cols = (charts.size() + rows - 1) / rows;
        int cellW = Math.min(w, MAX_WIDTH / cols);
        int cellH = (int) Math.round(h * Math.max((double) cellW / w, 0.75));
        BufferedImage image = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int i = 0; i < charts.size(); i++) {
            Chart<?, ?> chart = charts.get(i);
            ChartStyle.fitTitle(chart, cellW);
            Graphics2D cell = (Graphics2D) g.create((i % cols) * cellW, (i / cols) * cellH, cellW, cellH);
            chart.paint(cell, cellW, cellH);
            cell.dispose();
        }
        g.dispose();
        return image;
    }
}
