package org.squeeze4j.report;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.squeeze4j.measure.LayerStats;
import org.squeeze4j.measure.ModelStats;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Tablesaw tables from squeeze4j's result records. */
public final class Tables {
    private Tables() {
    }

    /**
     * A table with one column per record component and one row per record: any list of result
     * records (epochs, layers, latencies) becomes a table without hand-written glue.
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
        return Table.create(stats.model(), name, type, out, params, nonZero, macs, bytes);
    }

    private static <R extends Record> Column<?> column(RecordComponent c, List<R> rows) {
        Class<?> t = c.getType();
        String n = c.getName();
        if (t == int.class || t == Integer.class) {
            IntColumn col = IntColumn.create(n);
            rows.forEach(r -> col.append((Integer) value(c, r)));
            return col;
        }
        if (t == long.class || t == Long.class) {
            LongColumn col = LongColumn.create(n);
            rows.forEach(r -> col.append((Long) value(c, r)));
            return col;
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            DoubleColumn col = DoubleColumn.create(n);
            rows.forEach(r -> col.append(((Number) value(c, r)).doubleValue()));
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
