package org.squeeze4j.prune;

import java.util.Comparator;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Chooses the least important units of a layer and removes them with {@link UnitSurgery}. */
public final class StructuredPruning {
    private StructuredPruning() {
    }

    /** The {@code round((1 - fraction) · units)} most important units, ascending (ties go to the lower index). */
    public static int[] unitsToKeep(MultiLayerNetwork net, String layer, UnitImportance importance, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction of units to remove must be in [0, 1), got " + fraction);
        }
        double[] scores = importance.scores(net, layer);
        int keep = Math.max(1, (int) Math.round((1 - fraction) * scores.length));
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -scores[u]).thenComparingInt(u -> u))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** A new network without the least important {@code fraction} of the units of {@code layer}. */
    public static MultiLayerNetwork removeUnits(MultiLayerNetwork net, String layer, UnitImportance importance, double fraction) {
        return UnitSurgery.keepUnits(net, layer, unitsToKeep(net, layer, importance, fraction));
    }

    /** Number of units of {@code layer}. */
    public static int units(MultiLayerNetwork net, String layer) {
        return UnitMasks.units(UnitMasks.unitLayer(net, layer));
    }
}
