package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.measure.ModelStats;
import org.squeeze4j.models.PretrainedInfo;
import org.squeeze4j.models.Reference;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.prune.PrunedInfo;
import org.squeeze4j.prune.PrunedReference;

/** The figures in README.md are the ones the code produces, so the README cannot drift. */
class ReadmeTest {

    @Test
    void baselineTableMatchesTheShippedModelsAndTheirProvenance() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Pattern row = Pattern.compile("\\| `([a-z0-9-]+)` \\| ([0-9.]+) \\| ([0-9,]+) \\| ([0-9,]+) \\| (\\d+) \\| ([0-9]+) s \\|");
        Matcher m = row.matcher(readme);
        Set<Reference<?>> seen = new HashSet<>();
        while (m.find()) {
            Reference<?> model = Reference.byId(m.group(1));
            PretrainedInfo info = model.pretrainedInfo();
            ModelStats stats = ModelMeasure.of(model.id(), model.create());
            assertEquals(String.format(Locale.ROOT, "%.4f", info.testAccuracy()), m.group(2), model.id() + " accuracy");
            assertEquals(String.format(Locale.ROOT, "%,d", stats.params()), m.group(3), model.id() + " parameters");
            assertEquals(String.format(Locale.ROOT, "%,d", stats.macs()), m.group(4), model.id() + " MACs");
            assertEquals(Integer.toString(info.recipe().epochs()), m.group(5), model.id() + " epochs");
            assertEquals(Long.toString(Math.round(info.trainSeconds())), m.group(6), model.id() + " training time");
            seen.add(model);
        }
        assertEquals(Reference.all().collect(java.util.stream.Collectors.toSet()), seen,
                "README.md has a baseline row for every reference model");
    }

    @Test
    void prunedTableMatchesTheShippedPrunedModels() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Pattern row = Pattern.compile("\\| `([a-z0-9-]+)-pruned` \\| ([0-9.]+) \\| ([0-9.]+) \\| (\\d+) \\| ([0-9]+) s \\|");
        Matcher m = row.matcher(readme);
        Set<PrunedReference> seen = new HashSet<>();
        while (m.find()) {
            PrunedReference model = PrunedReference.of(ReferenceModel.byId(m.group(1)));
            PrunedInfo info = model.info();
            assertEquals(String.format(Locale.ROOT, "%.4f", info.testAccuracy()), m.group(2), model.id() + " accuracy");
            assertEquals(String.format(Locale.ROOT, "%.4f", info.sparsity()), m.group(3), model.id() + " sparsity");
            assertEquals(Integer.toString(info.recipe().totalEpochs()), m.group(4), model.id() + " epochs");
            assertEquals(Long.toString(Math.round(info.trainSeconds())), m.group(5), model.id() + " training time");
            seen.add(model);
        }
        assertEquals(Set.of(PrunedReference.values()), seen, "README.md has a row for every shipped pruned model");
    }

    /** Rows {@code | `resnet8-channels` | `resnet8` | accuracy | dense accuracy | MACs | epochs | time s | ...}. */
    @Test
    void graphDerivedTableMatchesTheShippedChannelPrunedAndQatModels() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Pattern row = Pattern.compile("\\| `([a-z0-9-]+)` \\| `([a-z0-9-]+)` \\| ([a-zA-Z0-9 ]+) \\| ([0-9.]+) \\| ([0-9.]+) \\| ([0-9,]+|-) \\| (\\d+) \\| ([0-9]+) s \\|");
        Matcher m = row.matcher(readme);
        Set<String> seen = new HashSet<>();
        while (m.find()) {
            String id = m.group(1);
            if (id.equals(org.squeeze4j.prune.structured.ChannelPrunedReference.RESNET8.id())) {
                var info = org.squeeze4j.prune.structured.ChannelPrunedReference.RESNET8.info();
                assertEquals(info.dense(), m.group(2));
                assertEquals(String.format(Locale.ROOT, "%.4f", info.testAccuracy()), m.group(4), id + " accuracy");
                assertEquals(String.format(Locale.ROOT, "%.4f", info.denseAccuracy()), m.group(5), id + " dense accuracy");
                assertEquals(String.format(Locale.ROOT, "%,d", info.macs()), m.group(6), id + " MACs");
                assertEquals(Integer.toString(info.recipe().fineTune().epochs()), m.group(7), id + " epochs");
                assertEquals(Long.toString(Math.round(info.trainSeconds())), m.group(8), id + " training time");
            } else if (id.equals(org.squeeze4j.quant.qat.QatReference.RESNET8_W4A4.id())) {
                var info = org.squeeze4j.quant.qat.QatReference.RESNET8_W4A4.info();
                assertEquals(info.dense(), m.group(2));
                assertEquals(String.format(Locale.ROOT, "%.4f", info.engineAccuracy()), m.group(4), id + " engine accuracy");
                assertEquals(String.format(Locale.ROOT, "%.4f", info.denseAccuracy()), m.group(5), id + " dense accuracy");
                assertEquals(Integer.toString(info.recipe().fineTune().epochs()), m.group(7), id + " epochs");
                assertEquals(Long.toString(Math.round(info.trainSeconds())), m.group(8), id + " training time");
            } else if (id.equals(org.squeeze4j.distill.DistilledReference.RESNET8_HALF.id())) {
                var info = org.squeeze4j.distill.DistilledReference.RESNET8_HALF.info();
                assertEquals(info.teacher(), m.group(2));
                assertEquals(String.format(Locale.ROOT, "%.4f", info.testAccuracy()), m.group(4), id + " accuracy");
                assertEquals(String.format(Locale.ROOT, "%.4f", info.teacherAccuracy()), m.group(5), id + " teacher accuracy");
                assertEquals(String.format(Locale.ROOT, "%,d", info.macs()), m.group(6), id + " MACs");
                assertEquals(Integer.toString(info.recipe().training().epochs()), m.group(7), id + " epochs");
                assertEquals(Long.toString(Math.round(info.trainSeconds())), m.group(8), id + " training time");
            } else {
                continue;
            }
            seen.add(id);
        }
        assertEquals(Set.of("resnet8-channels", "resnet8-w4a4", "resnet8-kd"), seen,
                "README.md has a row for the channel-pruned, the QAT and the distilled ResNet-8");
    }

    /** The sentence on the distilled student: its recipe and the hard-label control, as recorded in resnet8-kd.json. */
    @Test
    void distilledStudentSentenceMatchesItsProvenance() throws IOException {
        String readme = Files.readString(Path.of("README.md")).replaceAll("\\s+", " ");
        Matcher m = Pattern.compile("`resnet8-kd` is a ResNet-8 of width (\\d+) \\(the teacher's: (\\d+)\\) trained from scratch on"
                + " ([0-9,]+) training images with the teacher's soft targets \\(T = ([0-9.]+), alpha = ([0-9.]+)\\); the same"
                + " student trained on the same images with hard labels alone reaches ([0-9.]+)\\.").matcher(readme);
        assertTrue(m.find(), "README.md describes resnet8-kd");
        var ref = org.squeeze4j.distill.DistilledReference.RESNET8_HALF;
        var info = ref.info();
        assertEquals(Integer.toString(info.recipe().studentWidth()), m.group(1));
        assertEquals(Integer.toString(ref.dense().width()), m.group(2));
        assertEquals(String.format(Locale.ROOT, "%,d", info.recipe().transferSize()), m.group(3));
        assertEquals(info.recipe().temperature(), Double.parseDouble(m.group(4)));
        assertEquals(info.recipe().alpha(), Double.parseDouble(m.group(5)));
        assertEquals(String.format(Locale.ROOT, "%.4f", info.hardLabelAccuracy()), m.group(6));
    }
}
