package org.squeeze4j.notebook;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
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

    /** Renders all charts into one image. */
    public BufferedImage toImage() {
        int w = charts.stream().mapToInt(Chart::getWidth).max().orElseThrow();
        int h = charts.stream().mapToInt(Chart::getHeight).max().orElseThrow();
        int cols = Math.min(columns, charts.size());
        int rows = (charts.size() + cols - 1) / cols;
        BufferedImage image = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * w, (i / cols) * h, null);
        }
        g.dispose();
        return image;
    }
}
