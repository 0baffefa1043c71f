package org.squeeze4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
