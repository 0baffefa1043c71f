package org.squeeze4j.notebook;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;

/**
 * Turns charts, images and tables into what Jupyter displays: base64 PNG and HTML.
 * Independent of the kernel, so it is unit-tested without one.
 */
public final class Renderings {
    private Renderings() {
    }

    /** PNG bytes of an XChart chart. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart as PNG", e);
        }
    }

    /** PNG bytes of an image. */
    public static byte[] png(RenderedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode image as PNG", e);
        }
        return out.toByteArray();
    }

    /** Base64 text, the form Jupyter expects for {@code image/png}. */
    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** An HTML table with the table's name as caption. */
    public static String html(Table table) {
        StringWriter out = new StringWriter();
        table.write().usingOptions(HtmlWriteOptions.builder(out).build());
        String html = out.toString();
        String caption = "<caption style=\"caption-side:top;text-align:left;font-weight:bold\">" + escape(table.name()) + "</caption>";
        return html.replaceFirst("<table>", "<table>" + caption);
    }

    static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
