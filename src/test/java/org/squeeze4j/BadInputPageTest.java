package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxReader;
import org.squeeze4j.distill.TeacherLogits;
import org.squeeze4j.engine.IntDense;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.Models;
import org.squeeze4j.prune.UnitMasks;
import org.squeeze4j.quant.observe.Histogram;
import org.squeeze4j.share.CompressedModel;
import org.squeeze4j.share.WeightSharing;
import picocli.CommandLine;

/**
 * {@code tutorials/bad-input.md} is true: every case in its table is reproduced here, the error
 * contains the quoted words, and the table lists exactly the cases reproduced.
 */
class BadInputPageTest {
    @TempDir
    Path dir;

    /** The case's error message (the test fails if the input is accepted). */
    interface Case {
        void run() throws Exception;
    }

    private Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("idx-truncated", () -> IdxReader.read(idx("t-idx1-ubyte", new int[] {10}, new byte[3])));
        c.put("idx-huge", () -> IdxReader.read(idx("h-idx1-ubyte", new int[] {0x7FFFFFF0}, new byte[3])));
        c.put("test-label", () -> {
            Path d = Files.createDirectories(dir.resolve("labels"));
            for (String split : new String[] {"train", "t10k"}) {
                idxIn(d, split + "-images-idx3-ubyte", new int[] {2, 2, 2}, new byte[8]);
                idxIn(d, split + "-labels-idx1-ubyte", new int[] {2}, split.equals("train") ? new byte[] {0, 1} : new byte[] {0, 5});
            }
            Datasets.fromDirectory(d);
        });
        c.put("model-header", () -> {
            Path good = dir.resolve("good.zip");
            ModelFiles.save(Models.mlp(1, 1e-3, 4), good);
            Path crafted = dir.resolve("crafted.zip");
            try (var in = new ZipInputStream(Files.newInputStream(good)); var out = new ZipOutputStream(Files.newOutputStream(crafted))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    byte[] b = in.readAllBytes();
                    if (e.getName().equals("coefficients.bin")) {
                        ByteBuffer.wrap(b).putLong(2 + 16 + 8 + 2 + 4 + 16, 1L << 40);
                    }
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(b);
                    out.closeEntry();
                }
            }
            ModelFiles.load(crafted);
        });
        c.put("logits-flip", () -> {
            Path f = dir.resolve("t.logits.gz");
            TeacherLogits.write(Nd4j.rand(DataType.FLOAT, 50, 10), f);
            byte[] b = Files.readAllBytes(f);
            b[b.length / 2] ^= 0x10;
            Files.write(f, b);
            TeacherLogits.read(f);
        });
        c.put("s4dc-crc", () -> {
            var net = Models.mlp(1, 1e-3, 8);
            byte[] b = CompressedModel.of("mlp", net, WeightSharing.builder().denseBits(3).build().apply(net)).toBytes();
            b[b.length / 2] ^= 0x01;
            CompressedModel.fromBytes(b, "m.s4dc");
        });
        c.put("s4dc-truncated", () -> {
            var net = Models.mlp(1, 1e-3, 8);
            byte[] b = CompressedModel.of("mlp", net, WeightSharing.builder().denseBits(3).build().apply(net)).toBytes();
            CompressedModel.fromBytes(java.util.Arrays.copyOf(b, b.length - 2), "m.s4dc");
        });
        c.put("histogram-range", () -> new Histogram(Histogram.Kind.SIGNED, 16).add(new double[] {1, 1e300}));
        c.put("unit-outside", () -> UnitMasks.zeroUnit(Models.mlp(1, 1e-3, 8), "fc1", 99));
        c.put("runner-batch", () -> {
            double[] scales = new double[10];
            java.util.Arrays.fill(scales, 0.5);
            new IntModel(new int[] {1000}, 1.0, 0, List.of(new IntDense(1000, 10, new byte[10_000], new int[10], 1.0, 0, scales, 1.0, 0,
                    false))).runner(3_000_000);
        });
        c.put("compress-data-in-out", () -> cli("compress", "--data", dir.resolve("out/mnist").toString(), "--out",
                dir.resolve("out").toString(), "--overwrite"));
        c.put("compress-foreign-out", () -> {
            Files.createDirectories(dir.resolve("documents"));
            Files.writeString(dir.resolve("documents/letter.txt"), "the user's file");
            cli("compress", "--out", dir.resolve("documents").toString(), "--overwrite");
        });
        c.put("compress-epochs", () -> cli("compress", "--finetune-epochs", "-1", "--out", dir.resolve("o2").toString()));
        c.put("prune-epochs", () -> cli("prune", "lenet-300-100", "--epochs", "0", "--out", dir.resolve("p1").toString()));
        c.put("prune-target", () -> cli("prune", "lenet-300-100", "--target", "95", "--out", dir.resolve("p2").toString()));
        c.put("pretrain-progress", () -> cli("pretrain", "lenet-300-100", "--progress-every", "-1", "--out", dir.resolve("p3").toString()));
        c.put("qat-epochs", () -> cli("qat", "lenet-300-100", "--epochs", "0", "--out", dir.resolve("p4").toString()));
        c.put("compress-bits", () -> cli("compress", "--bits", "fc1=9", "--out", dir.resolve("o4").toString()));
        c.put("compress-sparsity", () -> cli("compress", "--sparsity", "fc1=0", "--out", dir.resolve("o5").toString()));
        c.put("compress-too-few-weights", () -> cli("compress", "--sparsity", "fc3=0.995", "--out", dir.resolve("o6").toString()));
        c.put("compress-classes", () -> {
            Path d = Files.createDirectories(dir.resolve("twelve"));
            byte[] labels = new byte[12];
            for (int i = 0; i < 12; i++) {
                labels[i] = (byte) i;
            }
            for (String split : new String[] {"train", "t10k"}) {
                idxIn(d, split + "-images-idx3-ubyte", new int[] {12, 28, 28}, new byte[12 * 784]);
                idxIn(d, split + "-labels-idx1-ubyte", new int[] {12}, labels);
            }
            cli("compress", "--data", d.toString(), "--out", dir.resolve("o3").toString());
        });
        return c;
    }

    @Test
    void everyCaseOfThePageGivesItsErrorAndThePageListsEveryCase() throws IOException {
        String page = Files.readString(Path.of("tutorials/bad-input.md"));
        Matcher row = Pattern.compile("\\| `([a-z0-9-]+)` \\| [^|]+ \\| \"([^\"]+)\" \\|").matcher(page);
        Map<String, String> quoted = new LinkedHashMap<>();
        while (row.find()) {
            quoted.put(row.group(1), row.group(2));
        }
        Map<String, Case> cases = cases();
        assertEquals(cases.keySet(), quoted.keySet(), "tutorials/bad-input.md lists exactly the reproduced cases");
        for (Map.Entry<String, Case> c : cases.entrySet()) {
            String message = null;
            try {
                c.getValue().run();
            } catch (Exception e) {
                message = e.getMessage();
            }
            if (message == null) {
                fail(c.getKey() + ": the bad input was accepted");
            }
            assertTrue(message.contains(quoted.get(c.getKey())), c.getKey() + ": " + message);
        }
        assertTrue(Files.exists(dir.resolve("out/mnist/keep.txt")), "the data inside --out is kept");
        assertTrue(Files.exists(dir.resolve("documents/letter.txt")), "a directory no compress run wrote is kept");
    }

    /** Runs the command line as Main does; a refused run throws its error message. */
    private void cli(String... args) throws IOException {
        Files.createDirectories(dir.resolve("out/mnist"));
        Files.writeString(dir.resolve("out/mnist/keep.txt"), "the user's data");
        StringWriter err = new StringWriter();
        int code = new CommandLine(new org.squeeze4j.cli.Main()).setErr(new PrintWriter(err))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println(e.getMessage());
                    return 2;
                }).execute(args);
        if (code != 0) {
            throw new IllegalArgumentException(err.toString());
        }
    }

    private Path idx(String name, int[] shape, byte[] values) throws IOException {
        return idxIn(dir, name, shape, values);
    }

    private static Path idxIn(Path d, String name, int[] shape, byte[] values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeInt(0x0800 | shape.length);
            for (int s : shape) {
                out.writeInt(s);
            }
            out.write(values);
        }
        Path f = d.resolve(name);
        Files.write(f, b.toByteArray());
        return f;
    }
}
