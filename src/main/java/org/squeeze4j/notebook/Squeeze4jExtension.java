package org.squeeze4j.notebook;

import java.awt.image.RenderedImage;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import org.squeeze4j.measure.ModelStats;
import org.squeeze4j.report.Results;
import org.squeeze4j.report.Tables;
import tech.tablesaw.api.Table;

/**
 * The JJava extension (registered in {@code META-INF/services/org.dflib.jjava.jupyter.Extension})
 * that makes a cell's last expression render inline: XChart charts, {@link ChartGrid}s and images
 * as PNG, Tablesaw tables, {@link ModelStats} and written {@link Results} as HTML tables (with a
 * plain-text fallback).
 */
public final class Squeeze4jExtension implements Extension {

    @Override
    public void install(BaseKernel kernel) {
        register(kernel.getRenderer());
    }

    /** Registers squeeze4j's renderers; public so tests can use a kernel-less {@link Renderer}. */
    public static void register(Renderer renderer) {
        renderer.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((chart, ctx) -> ctx.renderIfRequested(MIMEType.IMAGE_PNG,
                        () -> Renderings.base64(Renderings.png(chart))));
        renderer.createRegistration(ChartGrid.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((grid, ctx) -> ctx.renderIfRequested(MIMEType.IMAGE_PNG,
                        () -> Renderings.base64(Renderings.png(grid.toImage()))));
        renderer.createRegistration(RenderedImage.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((image, ctx) -> ctx.renderIfRequested(MIMEType.IMAGE_PNG,
                        () -> Renderings.base64(Renderings.png(image))));
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((table, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> Renderings.html(table));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, table::printAll);
                });
        renderer.createRegistration(Results.Written.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((written, ctx) -> {
                    Table t = Tables.results(written);
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> Renderings.html(t));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, written::toString);
                });
        renderer.createRegistration(ModelStats.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((stats, ctx) -> {
                    Table t = Tables.layers(stats);
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> Renderings.html(t));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, t::printAll);
                });
    }
}
