package org.squeeze4j.report;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.squeeze4j.measure.LayerStats;
import org.squeeze4j.measure.ModelStats;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Tablesaw tables from squeeze4j's result records, made for people: a component such as
 * {@code qatMinusFp32Points} is headed "QAT minus fp32 (points)", and each floating-point column
 * is printed with grouping and about four significant digits of its largest value
 * ({@code 0.029999999999996696} as {@code 0.0300} beside {@code 0.2100}, {@code 1211.18} as
 * {@code 1,211}); the values themselves stay exact.
 */
public final class Tables {
    private Tables() {
    }

    /**
     * A table with one column per record component and one row per record: any list of result
     * records (epochs, layers, latencies) becomes a table without hand-written glue. Columns are
     * headed by {@link #header(String)}.
     */
    public static <R extends Record> Table of(String title, List<R> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("cannot build table '" + title + "' from an empty list");
        }
        RecordComponent[] components = rows.get(0).getClass().getRecordComponents();
        List<Column<?>> columns = new ArrayList<>();
        for (RecordComponent c : components) {
            columns.add(column(c, rows));
        }
        return Table.create(title, columns.toArray(new Column<?>[0]));
    }

    /**
     * The figures of a written results file, one row each, numbers formatted like
     * {@link #of}'s columns; captioned with the file's path.
     */
    public static Table results(Results.Written written) {
        StringColumn key = StringColumn.create("result");
        StringColumn value = StringColumn.create("value");
        written.values().forEach((k, v) -> {
            key.append(k);
            value.append(formatted(v));
        });
        return Table.create(written.shownPath().toString(), key, value);
    }

    private static String formatted(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return numberFormat(new double[] {d}).format(d);
        }
        if (v instanceof Number n) {
            return NumberFormat.getIntegerInstance(Locale.ROOT).format(n.longValue());
        }
        if (v instanceof List<?> list && list.stream().allMatch(x -> x instanceof Double || x instanceof Float)) {
            double[] d = list.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
            NumberFormat f = numberFormat(d);
            return java.util.Arrays.stream(d).mapToObj(f::format).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.size() + (c.size() == 1 ? " entry" : " entries") + " (in the file)";
        }
        if (v instanceof Map<?, ?> m) {
            return m.size() + " fields (in the file)";
        }
        return String.valueOf(v);
    }

    /** The per-layer table of a model with a total row: name, type, output, params, non-zeros, MACs, float32 bytes. */
    public static Table layers(ModelStats stats) {
        StringColumn name = StringColumn.create("layer");
        StringColumn type = StringColumn.create("type");
        StringColumn out = StringColumn.create("output");
        LongColumn params = LongColumn.create("params");
        LongColumn nonZero = LongColumn.create("non-zeros");
        LongColumn macs = LongColumn.create("MACs");
        LongColumn bytes = LongColumn.create("float32 bytes");
        for (LayerStats l : stats.layers()) {
            name.append(l.name());
            type.append(l.type());
            out.append(l.outputShape());
            params.append(l.params());
            nonZero.append(l.nonZeroParams());
            macs.append(l.macs());
            bytes.append(l.float32Bytes());
        }
        name.append("total");
        type.append("");
        out.append("");
        params.append(stats.params());
        nonZero.append(stats.nonZeroParams());
        macs.append(stats.macs());
        bytes.append(stats.float32Bytes());
        for (LongColumn c : List.of(params, nonZero, macs, bytes)) {
            c.setPrintFormatter(NumberColumnFormatter.intsWithGrouping());
        }
        return Table.create(stats.model(), name, type, out, params, nonZero, macs, bytes);
    }

    private static final Map<String, String> ACRONYMS = Map.ofEntries(Map.entry("mse", "MSE"), Map.entry("kl", "KL"),
            Map.entry("qat", "QAT"), Map.entry("ptq", "PTQ"), Map.entry("nd4j", "ND4J"), Map.entry("macs", "MACs"),
            Map.entry("kd", "KD"), Map.entry("ort", "ORT"), Map.entry("rss", "RSS"), Map.entry("cle", "CLE"),
            Map.entry("agp", "AGP"), Map.entry("micros", "µs"));
    private static final Map<String, String> UNITS = Map.of("ms", "ms", "millis", "ms", "micros", "µs", "seconds", "s",
            "bytes", "bytes", "points", "points", "percent", "%", "pct", "%", "kb", "KB", "mb", "MB");

    /**
     * The header of a record component: camel case split into lower-case words ({@code perLayer}
     * "per layer"), known acronyms restored ("MSE", "QAT", "ND4J", "MACs"), bit widths and numbers
     * of three or more digits set apart ({@code upper8bit} "upper 8-bit", {@code accuracyOn2000}
     * "accuracy on 2000"), and a trailing unit put in parentheses ({@code medianMs} "median (ms)",
     * {@code nd4jFp32Micros} "ND4J fp32 (µs)").
     */
    public static String header(String component) {
        String spaced = component.replaceAll("(?<=[a-z0-9])(?=[A-Z])", " ").replaceAll("(?<=[a-z])(?=\\d+bit)", " ")
                .replaceAll("(?<=[a-z])(?=\\d{3,})", " ");
        List<String> words = new ArrayList<>();
        for (String w : spaced.split(" ")) {
            boolean acronym = w.length() > 1 && w.chars().allMatch(ch -> Character.isUpperCase(ch) || Character.isDigit(ch));
            String lower = acronym ? w : w.toLowerCase(Locale.ROOT);
            words.add(ACRONYMS.getOrDefault(lower, lower.replaceAll("^(\\d+)bit$", "$1-bit")));
        }
        String last = spaced.substring(spaced.lastIndexOf(' ') + 1).toLowerCase(Locale.ROOT);
        if (words.size() > 1 && UNITS.containsKey(last)) {
            words.set(words.size() - 1, "(" + UNITS.get(last) + ")");
        }
        return String.join(" ", words).replace("non zero", "non-zero");
    }

    /**
     * Grouped digits, with {@code 3 - floor(log10 max|v|)} decimals (0 to 6) for about four
     * significant digits of the largest value, none if every value is whole; scientific notation
     * if the largest is below 1e-6.
     */
    static NumberFormat numberFormat(double[] values) {
        double max = 0;
        boolean whole = true;
        for (double v : values) {
            if (Double.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
                whole &= v == Math.rint(v) && Math.abs(v) < 1e15;
            }
        }
        DecimalFormatSymbols symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
        if (max > 0 && max < 1e-6) {
            return new DecimalFormat("0.000E0", symbols);
        }
        int decimals = whole ? 0 : Math.max(0, Math.min(6, 3 - (int) Math.floor(Math.log10(Math.max(max, 1e-6)))));
        return new DecimalFormat("#,##0" + (decimals > 0 ? "." + "0".repeat(decimals) : ""), symbols);
    }

    private static <R extends Record> Column<?> column(RecordComponent c, List<R> rows) {
        Class<?> t = c.getType();
        String n = header(c.getName());
        if (t == int.class || t == Integer.class) {
            IntColumn col = IntColumn.create(n);
            rows.forEach(r -> col.append((Integer) value(c, r)));
            col.setPrintFormatter(NumberColumnFormatter.intsWithGrouping());
            return col;
        }
        if (t == long.class || t == Long.class) {
            LongColumn col = LongColumn.create(n);
            rows.forEach(r -> col.append((Long) value(c, r)));
            col.setPrintFormatter(NumberColumnFormatter.intsWithGrouping());
            return col;
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            DoubleColumn col = DoubleColumn.create(n);
            rows.forEach(r -> col.append(((Number) value(c, r)).doubleValue()));
            col.setPrintFormatter(numberFormat(col.asDoubleArray()), "");
            return col;
        }
        if (t == boolean.class || t == Boolean.class) {
            BooleanColumn col = BooleanColumn.create(n);
            rows.forEach(r -> col.append((Boolean) value(c, r)));
            return col;
        }
        StringColumn col = StringColumn.create(n);
        rows.forEach(r -> col.append(String.valueOf(value(c, r))));
        return col;
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r, e);
        }
    }
}
