package org.squeeze4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Figures in markdown that name where they come from, so a test can hold them to it. A figure is
 * followed by an HTML comment, invisible when the page is rendered, naming a JSON file of the
 * repository and a key in it, optionally scaled:
 * <pre>
 *   W8A8 keeps 0.9825 &lt;!-- figure build/results/04-ptq-calibration.json w8a8_accuracy --&gt;
 *   98.25 % &lt;!-- figure build/results/04-ptq-calibration.json w8a8_accuracy *100 --&gt;
 *   1,066,440 bytes &lt;!-- figure build/results/04-ptq-calibration.json model_bytes_fp32 --&gt;
 *   0.9814 &lt;!-- figure build/results/05-qat.json qat_w4a4_accuracy ±0.001 --&gt;
 * </pre>
 * The value, times the scale, rounded half-up to the figure's decimals (and grouped with commas if
 * the figure is), must read exactly as the figure. Keys may be dotted paths into nested objects.
 * A figure that a notebook trains for may carry a tolerance ({@code ±t}, in the figure's units):
 * float sums run in another order on another CPU's BLAS kernels, so a network trained there ends a
 * few test images away; the value, times the scale, must then lie within {@code t} of the figure.
 */
final class FigureMarkers {
    private static final Pattern MARKED = Pattern.compile(
            "([-+]?[0-9][0-9,]*(?:\\.[0-9]+)?)[^0-9<]{0,12}?<!-- figure (\\S+) (\\S+)(?: \\*([0-9.e+-]+))?(?: ±([0-9.]+))? -->");

    private FigureMarkers() {
    }

    /** A figure and what its source says it should read. */
    record Mismatch(String page, String figure, String source, String expected) {
        @Override
        public String toString() {
            return page + ": '" + figure + "' but " + source + " gives " + expected;
        }
    }

    /** Which marked figures to check. */
    enum Sources {
        /** Every one; a source file that is missing is a mismatch. */
        ALL,
        /** Every one whose source file exists (after only some notebooks ran). */
        PRESENT,
        /** Those whose source is a file of the tree, not under {@code build/}: they need no run. */
        SHIPPED
    }

    /** How many figures of a page were checked, and the ones that disagree with their source. */
    record Report(int checked, List<Mismatch> mismatches) {
    }

    /** The pages that carry marked figures: README.md and every page of tutorials/. */
    static List<Path> pages(Path repo) throws IOException {
        List<Path> pages = new ArrayList<>(List.of(repo.resolve("README.md")));
        try (Stream<Path> s = Files.list(repo.resolve("tutorials"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    static Report check(Path page, Path repo, Sources sources) throws IOException {
        String text = Files.readString(page);
        Map<Path, Map<String, Object>> files = new HashMap<>();
        List<Mismatch> out = new ArrayList<>();
        int checked = 0;
        Matcher m = MARKED.matcher(text);
        while (m.find()) {
            String figure = m.group(1);
            if (sources == Sources.SHIPPED && m.group(2).startsWith("build/")) {
                continue;
            }
            Path file = repo.resolve(m.group(2)).normalize();
            String source = m.group(2) + " " + m.group(3);
            if (!Files.isRegularFile(file)) {
                if (sources != Sources.PRESENT) {
                    out.add(new Mismatch(page.getFileName().toString(), figure, source, "nothing (no such file)"));
                }
                continue;
            }
            Object value = lookup(files.computeIfAbsent(file, FigureMarkers::read), m.group(3));
            String expected = value instanceof Number n
                    ? format(new BigDecimal(n.toString()).multiply(new BigDecimal(m.group(4) == null ? "1" : m.group(4))), figure)
                    : "a non-number " + value;
            checked++;
            if (m.group(5) != null && value instanceof Number n) {
                BigDecimal scaled = new BigDecimal(n.toString()).multiply(new BigDecimal(m.group(4) == null ? "1" : m.group(4)));
                BigDecimal off = scaled.subtract(new BigDecimal(figure.replace(",", ""))).abs();
                if (off.compareTo(new BigDecimal(m.group(5))) > 0) {
                    out.add(new Mismatch(page.getFileName().toString(), figure, source, expected + " (more than ±" + m.group(5) + " away)"));
                }
            } else if (!expected.equals(figure)) {
                out.add(new Mismatch(page.getFileName().toString(), figure, source, expected));
            }
        }
        return new Report(checked, out);
    }

    /** {@code value} written like {@code figure}: its decimals, its grouping. */
    static String format(BigDecimal value, String figure) {
        int dot = figure.indexOf('.');
        int decimals = dot < 0 ? 0 : figure.length() - dot - 1;
        BigDecimal rounded = value.setScale(decimals, RoundingMode.HALF_UP);
        if (!figure.contains(",")) {
            return (figure.startsWith("+") && rounded.signum() >= 0 ? "+" : "") + rounded.toPlainString();
        }
        DecimalFormat f = new DecimalFormat("#,##0" + (decimals > 0 ? "." + "0".repeat(decimals) : ""),
                DecimalFormatSymbols.getInstance(Locale.ROOT));
        return f.format(rounded);
    }

    @SuppressWarnings("unchecked")
    private static Object lookup(Map<String, Object> json, String key) {
        Object v = json;
        for (String part : key.split("\\.")) {
            v = v instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(part) : null;
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path file) {
        try {
            return new ObjectMapper().readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
