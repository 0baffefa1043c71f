package org.squeeze4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.squeeze4j.measure.LayerStats;
import org.squeeze4j.measure.ModelStats;
import tech.tablesaw.api.Table;

class TablesTest {
    record Row(String name, int count, long big, double ratio, boolean ok) {
    }

    @Test
    void recordsBecomeTypedColumns() {
        Table t = Tables.of("rows", List.of(new Row("a", 1, 10L, 0.5, true), new Row("b", 2, 20L, 0.25, false)));
        assertEquals(List.of("name", "count", "big", "ratio", "ok"), t.columnNames());
        assertEquals(2, t.rowCount());
        assertEquals("b", t.stringColumn("name").get(1));
        assertEquals(2, t.intColumn("count").get(1));
        assertEquals(20L, t.longColumn("big").get(1));
        assertEquals(0.25, t.doubleColumn("ratio").get(1));
        assertEquals(false, t.booleanColumn("ok").get(1));
        assertThrows(IllegalArgumentException.class, () -> Tables.of("empty", List.<Row>of()));
    }

    @Test
    void headersAreWordsWithUnits() {
        String[][] cases = {{"medianMs", "median (ms)"}, {"qatMinusFp32Points", "QAT minus fp32 (points)"},
                {"nd4jFp32Micros", "ND4J fp32 (µs)"}, {"microsPerImage", "µs per image"}, {"upper8bit", "upper 8-bit"},
                {"mse4bit", "MSE 4-bit"}, {"accuracyOn2000", "accuracy on 2000"}, {"nonZeroParams", "non-zero params"},
                {"weightBitsPQH", "weight bits PQH"}, {"fileBytes", "file (bytes)"}, {"seconds", "seconds"},
                {"rankFc1", "rank fc1"}, {"perTensorMse", "per tensor MSE"}, {"p90Ms", "p90 (ms)"}};
        for (String[] c : cases) {
            assertEquals(c[1], Tables.header(c[0]), c[0]);
        }
    }

    record Measured(double accuracy, double dropPoints, double micros, double mse, double tiny, long bytes) {
    }

    @Test
    void numbersArePrintedForPeopleAndKeptExact() {
        Table t = Tables.of("m", List.of(new Measured(0.9826, 0.029999999999996696, 1211.1826, 0.00003195204376108457, 3e-9, 271_608),
                new Measured(0.981, 0.19000000000000128, 8.283000000000001, 0.009264660576548206, 1e-8, 1_066_440)));
        assertEquals(List.of("accuracy", "drop (points)", "µs", "MSE", "tiny", "bytes"), t.columnNames());
        // about four significant digits of each column's largest value, grouped
        assertEquals(List.of("0.9826", "0.0300", "1,211", "0.000032", "3.000E-9", "271,608"), row(t, 0));
        assertEquals(List.of("0.9810", "0.1900", "8", "0.009265", "1.000E-8", "1,066,440"), row(t, 1));
        assertEquals(0.029999999999996696, t.doubleColumn("drop (points)").get(0), 0, "the value itself is untouched");
        String html = org.squeeze4j.notebook.Renderings.html(t);
        assertTrue(html.contains(">0.0300<") && html.contains(">1,066,440<") && !html.contains("0.02999"), html);
        Table whole = Tables.of("w", List.of(new Row("a", 1, 10L, 2.0, true)));
        assertEquals("2", whole.doubleColumn("ratio").getString(0), "whole numbers need no decimals");
    }

    private static List<String> row(Table t, int r) {
        List<String> cells = new java.util.ArrayList<>();
        for (int c = 0; c < t.columnCount(); c++) {
            cells.add(t.column(c).getString(r));
        }
        return cells;
    }

    @Test
    void layerTableEndsWithTotals() {
        ModelStats s = new ModelStats("m", List.of(
                new LayerStats(0, "fc1", "Dense", "3", 12, 10, 9),
                new LayerStats(1, "fc2", "Output", "2", 8, 8, 6)), 100);
        Table t = Tables.layers(s);
        assertEquals(3, t.rowCount());
        assertEquals("total", t.stringColumn("layer").get(2));
        assertEquals(20L, t.longColumn("params").get(2));
        assertEquals(18L, t.longColumn("non-zeros").get(2));
        assertEquals(15L, t.longColumn("MACs").get(2));
        assertEquals(80L, t.longColumn("float32 bytes").get(2));
    }
}
