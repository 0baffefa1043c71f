package org.squeeze4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.lowrank.LowRank;
import org.squeeze4j.lowrank.RankRule;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.notebook.Show;
import org.squeeze4j.prune.GradualPruning;
import org.squeeze4j.prune.Importance;
import org.squeeze4j.prune.PrunableLayers;
import org.squeeze4j.prune.Pruner;
import org.squeeze4j.prune.PruningSchedule;
import org.squeeze4j.prune.Selection;
import org.squeeze4j.report.Provenance;
import org.squeeze4j.report.Results;
import org.squeeze4j.share.CentroidInit;
import org.squeeze4j.share.CodebookFineTuning;
import org.squeeze4j.share.CompressedModel;
import org.squeeze4j.share.CompressionSummary;
import org.squeeze4j.share.LayerBytes;
import org.squeeze4j.share.PaperTable;
import org.squeeze4j.share.SharedWeights;
import org.squeeze4j.share.WeightSharing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The batch job: runs a compression pipeline on a reference model and an IDX dataset, and writes
 * into {@code --out} the compressed model file, the (pruned) fp32 model, {@code results.json} and a
 * self-contained {@code report.html}. Everything is written to a temporary sibling directory that is
 * moved into place at the end, so a failed run leaves no partial output and an existing directory
 * is only replaced with {@code --overwrite}.
 */
@Command(name = "compress", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compress a reference model (Deep Compression or low-rank + quantisation) and write a report.")
final class CompressCommand implements Callable<Integer> {

    enum Pipeline {
        PRUNE_SHARE_HUFFMAN("prune-share-huffman"), LOWRANK_QUANTIZE("lowrank-quantize");

        final String id;

        Pipeline(String id) {
            this.id = id;
        }

        static Pipeline of(String id) {
            for (Pipeline p : values()) {
                if (p.id.equalsIgnoreCase(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown pipeline '" + id + "'; use prune-share-huffman or lowrank-quantize");
        }
    }

    @Option(names = "--pipeline", defaultValue = "prune-share-huffman",
            description = "prune-share-huffman (Deep Compression) or lowrank-quantize (default: ${DEFAULT-VALUE})")
    String pipeline;

    @Option(names = "--model", defaultValue = "lenet-300-100", description = "lenet-300-100, lenet-5 or lenet-5-caffe (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--data", description = "directory with MNIST-style IDX files (default: datasets/mnist)")
    Path data;

    @Option(names = "--out", description = "output directory (default: build/compress/<model>-<pipeline>)")
    Path out;

    @Option(names = "--overwrite", description = "replace --out if it exists (otherwise the run refuses to start)")
    boolean overwrite;

    @Option(names = "--seed", defaultValue = "42", description = "seed for shuffling and k-means (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--pruned", description = "start from this already pruned model (.zip) instead of pruning (--finetune-epochs then fine-tunes it further, zeros kept)")
    Path pruned;

    @Option(names = "--sparsity", split = ",", description = "per-layer target sparsity, e.g. fc1=0.92,fc2=0.91,fc3=0.74 (default: the paper's; Caffe LeNet-5: fc1=0.95)")
    Map<String, Double> sparsity;

    @Option(names = "--keep-dead-inputs", description = "rank the first layer's weights by magnitude only (by default the "
            + "weights of inputs that are zero in every training image are pruned first)")
    boolean keepDeadInputs;

    @Option(names = "--prune-epochs", description = "epochs over which AGP raises the sparsity (default: 3, Caffe LeNet-5: 2)")
    Integer pruneEpochs;

    @Option(names = "--finetune-epochs", description = "further epochs with the masks fixed (default: 12, Caffe LeNet-5: 5)")
    Integer finetuneEpochs;

    @Option(names = "--lr", description = "learning rate for pruning / low-rank fine-tuning (default: 1e-3 when pruning, 1e-4 after low-rank factorisation)")
    Double lr;

    @Option(names = "--bits", split = ",", description = "per-layer bits, e.g. fc1=6 (default: 8 for conv; 4 for LeNet-300-100's layers, 5 for other fc layers)")
    Map<String, Integer> bits;

    @Option(names = "--init", defaultValue = "LINEAR", description = "k-means initialisation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    CentroidInit init;

    @Option(names = "--codebook-epochs", defaultValue = "1", description = "epochs of codebook fine-tuning (default: ${DEFAULT-VALUE})")
    int codebookEpochs;

    @Option(names = "--codebook-lr", defaultValue = "1e-5", description = "Adam learning rate of the centroids (default: ${DEFAULT-VALUE})")
    double codebookLr;

    @Option(names = "--energy", defaultValue = "0.9", description = "lowrank-quantize: retained energy per factorised layer (default: ${DEFAULT-VALUE})")
    double energy;

    @Option(names = "--train-subset", description = "train on a seeded random subset of this many images (quick runs)")
    Integer trainSubset;

    @Option(names = "--batch", defaultValue = "128", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batch;

    private final PrintStream log = System.out;
    private long start;

    @Override
    public Integer call() throws IOException {
        start = System.nanoTime();
        OptionChecks.atLeast("--prune-epochs", pruneEpochs, 1);
        OptionChecks.atLeast("--finetune-epochs", finetuneEpochs, 0);
        OptionChecks.atLeast("--codebook-epochs", codebookEpochs, 0);
        OptionChecks.atLeast("--batch", batch, 1);
        OptionChecks.atLeast("--train-subset", trainSubset, 1);
        Pipeline p = Pipeline.of(pipeline);
        ReferenceModel ref = ReferenceModel.byId(model);
        checkLayerOptions(p, ref);
        Path dataDir = data != null ? data : Datasets.root().resolve("mnist");
        Path target = (out != null ? out : Path.of("build", "compress", ref.id() + "-" + p.id)).toAbsolutePath().normalize();
        refuseOutputThatHolds(target, dataDir.toAbsolutePath().normalize(), "--data " + dataDir);
        refuseOutputThatHolds(target, Path.of("").toAbsolutePath().normalize(), "the working directory");
        if (pruned != null) {
            refuseOutputThatHolds(target, pruned.toAbsolutePath().normalize(), "--pruned " + pruned);
        }
        Files.createDirectories(target.getParent());
        Path lock = target.resolveSibling("." + target.getFileName() + ".lock");
        try {
            Files.createFile(lock);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IllegalArgumentException("another compress run is writing " + target + " (lock " + lock + "); wait for it,"
                    + " or choose another --out. If no run is active (one was killed), delete the lock file.");
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        Thread cleanup = new Thread(() -> {               // Ctrl-C or kill: no partial output either, and no stale lock
            try {
                deleteRecursively(tmp);
                Files.deleteIfExists(lock);
            } catch (IOException ignored) {
                // best effort at shutdown
            }
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            if (Files.exists(target) && !overwrite) {
                throw new IllegalArgumentException("output directory " + target + " exists; pass --overwrite to replace it or choose another --out");
            }
            if (Files.exists(target) && !Files.isRegularFile(target.resolve("results.json"))) {
                throw new IllegalArgumentException("--out " + target + " exists and is not the output of a compress run (it has no"
                        + " results.json); --overwrite replaces only such outputs. Choose another --out.");
            }
            DatasetSplits splits = Datasets.fromDirectory(dataDir);     // clear DatasetException if files are missing
            long outputs = org.squeeze4j.distill.Distillation.outputs(ref.create(seed, 1e-3));
            if (splits.numClasses() > outputs) {
                throw new IllegalArgumentException(dataDir + " has labels 0-" + (splits.numClasses() - 1) + " but " + ref.id()
                        + " predicts " + outputs + " classes; use data with at most " + outputs + " classes");
            }
            if (pruned != null && !Files.isRegularFile(pruned)) {
                throw new IllegalArgumentException("--pruned " + pruned + " is not a file");
            }
            deleteLeftovers(target);                                    // we hold the lock: no other run owns them
            Files.createDirectories(tmp);
            Run run = p == Pipeline.PRUNE_SHARE_HUFFMAN ? pruneShareHuffman(ref, splits, tmp) : lowrankQuantize(ref, splits, tmp);
            run.wallSeconds = seconds();
            writeOutputs(run, p, ref, dataDir, tmp);
            moveIntoPlace(tmp, target);
            log.printf(Locale.ROOT, "%s: dense error %.2f%% -> compressed %.2f%%, %,d -> %,d bytes (%.1fx), Huffman/entropy %.4f; %.0f s%n",
                    ref.id(), 100 * run.denseError, 100 * run.compressedError, run.denseBytes, run.summary.fileBytes(),
                    (double) run.denseBytes / run.summary.fileBytes(), run.summary.huffmanBitsVsEntropy(), run.wallSeconds);
            log.println("wrote " + target.resolve("report.html") + " and " + target.resolve("results.json"));
            return 0;
        } finally {
            deleteRecursively(tmp);
            Files.deleteIfExists(lock);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /** Refuses an output directory that is, or contains, {@code kept}: replacing it would delete what the user has. */
    private static void refuseOutputThatHolds(Path target, Path kept, String what) {
        if (kept.startsWith(target)) {
            throw new IllegalArgumentException("--out " + target + " contains " + what + "; replacing the output would delete it."
                    + " Choose an --out outside it.");
        }
    }

    /** Temporary and replaced outputs of {@code target} left by killed runs ({@code .<name>.tmp-*}, {@code .<name>.old-*}). */
    private static void deleteLeftovers(Path target) throws IOException {
        String prefix = "." + target.getFileName();
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            for (Path p : siblings.filter(x -> x.getFileName().toString().startsWith(prefix + ".tmp-")
                    || x.getFileName().toString().startsWith(prefix + ".old-")).toList()) {
                deleteRecursively(p);
            }
        }
    }

    /**
     * Refuses, before any work starts, what the pipeline would otherwise reject only after
     * training: unknown layers in {@code --sparsity} or {@code --bits}, targets out of range, bits
     * out of 1-8, a layer that would keep fewer weights than its bits have shared values, and
     * rates that are not positive.
     */
    private void checkLayerOptions(Pipeline p, ReferenceModel ref) {
        OptionChecks.positive("--codebook-lr", codebookLr);
        if (lr != null) {
            OptionChecks.positive("--lr", lr);
        }
        RankRule.energy(energy);
        MultiLayerNetwork net = ref.create(seed, 1e-3);
        List<String> layers = PrunableLayers.names(net);
        if (sparsity != null) {
            if (p != Pipeline.PRUNE_SHARE_HUFFMAN) {
                throw new IllegalArgumentException("--sparsity applies to the prune-share-huffman pipeline only; "
                        + p.id + " keeps every weight (use --energy to choose its ranks)");
            }
            sparsity.forEach((layer, t) -> {
                knownLayer("--sparsity", layer, layers);
                Selection.sparsity(t);
            });
            if (sparsity.values().stream().allMatch(t -> t == 0)) {
                throw new IllegalArgumentException("every --sparsity target is 0, so nothing would be pruned; give at least one"
                        + " layer a target above 0, e.g. " + layers.get(0) + "=0.9");
            }
        }
        List<String> shared = p == Pipeline.PRUNE_SHARE_HUFFMAN ? layers : factorisedNames(layers);
        if (bits != null) {
            bits.forEach((layer, b) -> {
                knownLayer("--bits", layer, shared);
                WeightSharing.builder().bits(layer, b);                  // 1-8
            });
        }
        if (p == Pipeline.PRUNE_SHARE_HUFFMAN && pruned == null) {
            Map<String, Double> targets = sparsity != null ? sparsity : defaultSparsity(ref);
            NetworkView view = NetworkView.of(net);
            for (String layer : layers) {
                int b = bits != null && bits.containsKey(layer) ? bits.get(layer)
                        : view.weightedNode(layer).kind().convolutional() ? CONV_BITS : defaultDenseBits(ref);
                double s = targets.getOrDefault(layer, 0.0);
                long weights = view.weightedNode(layer).weight().length();
                long kept = Selection.kept(s, weights);
                if (kept < (1L << b) - 1) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "layer %s would keep %,d of %,d weights at"
                            + " sparsity %s, fewer than the %d shared values of %d bits; give it --bits %s=%d or less, or a"
                            + " lower --sparsity", layer, kept, weights, s, (1 << b) - 1, b, layer,
                            31 - Integer.numberOfLeadingZeros((int) kept + 1)));
                }
            }
        }
    }

    /** Weight-sharing bits of convolutions, as in the paper. */
    private static final int CONV_BITS = 8;

    /** LeNet-300-100: 4 bits everywhere reaches 40x within 0.1 points (the paper used 6); fc layers of conv nets: the paper's 5. */
    private static int defaultDenseBits(ReferenceModel ref) {
        return ref == ReferenceModel.LENET_300_100 ? 4 : 5;
    }

    /** The layer names after low-rank factorisation: every layer but the output becomes {@code <name>_u, <name>_v}. */
    private static List<String> factorisedNames(List<String> layers) {
        List<String> names = new ArrayList<>();
        for (String layer : layers.subList(0, layers.size() - 1)) {
            names.add(layer + "_u");
            names.add(layer + "_v");
        }
        names.add(layers.get(layers.size() - 1));
        return names;
    }

    private static void knownLayer(String option, String layer, List<String> layers) {
        if (!layers.contains(layer)) {
            throw new IllegalArgumentException(option + " names layer '" + layer + "', which this pipeline does not have;"
                    + " its layers are " + layers);
        }
    }

    /** What a pipeline produced, for the report. */
    static final class Run {
        final List<String[]> stages = new ArrayList<>();   // name, error, bytes, note
        final Map<String, Object> extra = new LinkedHashMap<>();
        double denseError;
        long denseBytes;          // float32 bytes of the original (unfactorised) model
        double compressedError;
        CompressionSummary summary;
        XYChart codebookChart;
        List<TrainingHistory> histories = new ArrayList<>();
        double wallSeconds;
    }

    private Run pruneShareHuffman(ReferenceModel ref, DatasetSplits splits, Path dir) throws IOException {
        Run run = new Run();
        IdxDataset train = trainSet(splits);
        MultiLayerNetwork net = ref.pretrained();
        run.denseError = error(net, splits);
        run.denseBytes = 4L * net.numParams();
        stage(run, "dense (pretrained)", run.denseError, run.denseBytes, "");
        Map<String, Double> targets = sparsity != null ? sparsity : defaultSparsity(ref);
        if (pruned != null) {
            net = ModelFiles.load(pruned);
            progress("loaded pruned model " + pruned + String.format(Locale.ROOT, " (sparsity %.4f)", Pruner.sparsity(net)));
            if (finetuneEpochs != null && finetuneEpochs > 0) {       // more fine-tuning with its zeros kept
                org.squeeze4j.prune.Masks masks = org.squeeze4j.prune.Masks.none();
                for (String layer : PrunableLayers.names(net)) {
                    masks = masks.with(layer, PrunableLayers.weights(net, layer).neq(0).castTo(DataType.FLOAT));
                }
                progress("fine-tuning the pruned model for " + finetuneEpochs + " epoch(s) with its masks kept");
                Models.restartLearningRate(net, lr != null ? lr : 1e-3);
                net.addListeners(masks.keeper());
                run.histories.add(Trainer.builder().epochs(finetuneEpochs).progressEveryBatches(ref == ReferenceModel.LENET_5_CAFFE ? 100 : 0)
                        .build().fit(net, train.shuffledIterator(batch, seed + 2), null));
                net.setListeners(List.of());
            }
        } else {
            int pe = pruneEpochs != null ? pruneEpochs : ref == ReferenceModel.LENET_5_CAFFE ? 2 : 3;
            int fe = finetuneEpochs != null ? finetuneEpochs : ref == ReferenceModel.LENET_5_CAFFE ? 5 : 12;
            double max = targets.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            for (Map.Entry<String, Double> t : targets.entrySet()) {
                PrunableLayers.index(net, t.getKey());
            }
            int batches = train.shuffledIterator(batch, seed).batchesPerEpoch();
            progress(String.format(Locale.ROOT, "pruning %s with AGP to %s over %d epochs, then %d fine-tuning epochs", ref.id(), targets, pe, fe));
            Importance importance = magnitudeWithDeadInputs(net, train);
            GradualPruning agp = new GradualPruning(PruningSchedule.agp(0, max, 0, Math.max(1, pe * batches)), 20, s -> {
                Pruner.Builder b = Pruner.builder().importance(importance);
                targets.forEach((layer, t) -> b.selection(layer, Selection.sparsity(t * s / max)));
                return b.layers(targets.keySet().toArray(String[]::new)).build();
            });
            Models.restartLearningRate(net, lr != null ? lr : 1e-3);
            net.addListeners(agp);
            run.histories.add(Trainer.builder().epochs(pe + fe).progressEveryBatches(ref == ReferenceModel.LENET_5_CAFFE ? 100 : 0).build()
                    .fit(net, train.shuffledIterator(batch, seed), null));
            net.setListeners(List.of());
            agp.pruneTo(net, pe * batches);   // without fine-tuning epochs the last scheduled update never comes
            if (fe == 0) {
                progress(String.format(Locale.ROOT, "no fine-tuning epochs: pruned to the final targets after training (sparsity %.4f)",
                        Pruner.sparsity(net)));
            }
        }
        ModelFiles.save(net, dir.resolve("pruned.zip"));
        double prunedError = error(net, splits);
        Map<String, Object> prunedInfo = new LinkedHashMap<>();
        prunedInfo.put("model", ref.id() + " pruned");
        prunedInfo.put("command", "./s4j compress " + String.join(" ", commandLine()));
        prunedInfo.put("testAccuracy", 1 - prunedError);
        prunedInfo.put("sparsity", Pruner.sparsity(net));
        prunedInfo.put("targets", targets);
        prunedInfo.put("seconds", Math.round(seconds() * 10) / 10.0);
        prunedInfo.put("machine", Provenance.current().machine());
        prunedInfo.put("versions", Provenance.current().versions());
        new com.fasterxml.jackson.databind.ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("pruned.json").toFile(), prunedInfo);
        stage(run, "pruned (P)", prunedError, -1, String.format(Locale.ROOT, "sparsity %.4f", Pruner.sparsity(net)));
        run.extra.put("pruned_error", prunedError);
        run.extra.put("sparsity", Pruner.sparsity(net));

        String biggest = biggestLayer(net);
        double[] before = nonZeros(PrunableLayers.weights(net, biggest).castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector());
        WeightSharing.Builder wb = WeightSharing.builder().init(init).seed(seed).convBits(CONV_BITS).denseBits(defaultDenseBits(ref));
        if (bits != null) {
            bits.forEach(wb::bits);
        }
        progress("weight sharing (k-means, " + init + " init)");
        SharedWeights shared = wb.build().apply(net);
        double sharedError = error(net, splits);
        stage(run, "shared, before codebook fine-tuning", sharedError, -1, "");
        run.extra.put("shared_error_before_finetune", sharedError);
        if (codebookEpochs > 0) {
            progress(String.format(Locale.ROOT, "codebook fine-tuning: %d epoch(s), Adam %.0e on the centroids", codebookEpochs, codebookLr));
            Models.restartLearningRate(net, codebookLr);
            CodebookFineTuning tuning = new CodebookFineTuning(shared, new Adam(codebookLr));
            net.addListeners(tuning);
            run.histories.add(Trainer.builder().epochs(codebookEpochs).progressEveryBatches(ref == ReferenceModel.LENET_5_CAFFE ? 100 : 0).build()
                    .fit(net, train.shuffledIterator(batch, seed + 1), null));
            net.setListeners(List.of());
            shared = tuning.shared();
        }
        run.codebookChart = codebookChart(biggest, before, shared.layer(biggest).codebook().centroids());
        finish(run, ref.id(), net, shared, splits, dir, ref);
        return run;
    }

    private Run lowrankQuantize(ReferenceModel ref, DatasetSplits splits, Path dir) throws IOException {
        Run run = new Run();
        IdxDataset train = trainSet(splits);
        MultiLayerNetwork dense = ref.pretrained();
        run.denseError = error(dense, splits);
        run.denseBytes = 4L * dense.numParams();
        stage(run, "dense (pretrained)", run.denseError, run.denseBytes, "");
        List<String> layers = PrunableLayers.names(dense);
        String[] factorised = layers.subList(0, layers.size() - 1).toArray(String[]::new);   // not the small output layer
        Map<String, Integer> ranks = LowRank.ranks(dense, RankRule.energy(energy), factorised);
        progress("low-rank factorisation, ranks " + ranks + " (retained energy " + energy + ")");
        MultiLayerNetwork net = LowRank.factorize(dense, ranks);
        double lrError = error(net, splits);
        stage(run, "low-rank, before fine-tuning", lrError, 4L * net.numParams(), "ranks " + ranks);
        int fe = finetuneEpochs != null ? finetuneEpochs : ref == ReferenceModel.LENET_5_CAFFE ? 1 : 3;
        Models.restartLearningRate(net, lr != null ? lr : 1e-4);
        run.histories.add(Trainer.builder().epochs(fe).build().fit(net, train.shuffledIterator(batch, seed), null));
        net.setListeners(List.of());
        double tunedError = error(net, splits);
        stage(run, "low-rank, fine-tuned", tunedError, 4L * net.numParams(), fe + " epochs");
        ModelFiles.save(net, dir.resolve("lowrank.zip"));
        run.extra.put("ranks", ranks);
        run.extra.put("lowrank_error", tunedError);
        String biggest = biggestLayer(net);
        double[] before = PrunableLayers.weights(net, biggest).castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        WeightSharing.Builder wb = WeightSharing.builder().init(init).seed(seed).convBits(8).denseBits(8);
        if (bits != null) {
            bits.forEach(wb::bits);
        }
        progress("8-bit weight sharing of every layer");
        SharedWeights shared = wb.build().apply(net);
        stage(run, "low-rank + shared", error(net, splits), -1, "");
        if (codebookEpochs > 0) {
            Models.restartLearningRate(net, codebookLr);
            CodebookFineTuning tuning = new CodebookFineTuning(shared, new Adam(codebookLr));
            net.addListeners(tuning);
            run.histories.add(Trainer.builder().epochs(codebookEpochs).build().fit(net, train.shuffledIterator(batch, seed + 1), null));
            net.setListeners(List.of());
            shared = tuning.shared();
        }
        run.codebookChart = codebookChart(biggest, before, shared.layer(biggest).codebook().centroids());
        MultiLayerNetwork skeleton = LowRank.factorize(dense, ranks);
        finish(run, ref.id() + " low-rank " + ranks, net, shared, splits, dir, null);
        // decode check against a freshly built factorised skeleton
        CompressedModel.read(dir.resolve("model.s4dc")).applyTo(skeleton);
        if (!skeleton.params().equals(net.params())) {
            throw new IllegalStateException("decoded low-rank model differs from the compressed one");
        }
        return run;
    }

    /** Encodes, writes, decodes into a fresh network, checks it is identical and measures its error. */
    private void finish(Run run, String name, MultiLayerNetwork net, SharedWeights shared, DatasetSplits splits, Path dir,
                        ReferenceModel ref) {
        progress("Huffman coding and writing model.s4dc");
        CompressedModel compressed = CompressedModel.of(name, net, shared);
        Path file = dir.resolve("model.s4dc");
        compressed.write(file);
        run.summary = compressed.summary();
        if (ref != null) {
            MultiLayerNetwork decoded = ref.create(seed + 7, 1e-3);
            CompressedModel.read(file).applyTo(decoded);
            if (!decoded.params().equals(net.params())) {
                throw new IllegalStateException("the decoded model differs from the compressed one (a bug: please report it)");
            }
            run.compressedError = error(decoded, splits);
        } else {
            run.compressedError = error(net, splits);
        }
        CompressionSummary s = run.summary;
        if (ref != null) {                                    // not for low rank: its layers are dense
            stage(run, "pruned sparse, fp32 (P)", Double.NaN, s.prunedBytes(), "relative index");
        }
        stage(run, "+ shared weights (P+Q)", Double.NaN, s.quantizedBytes(), "fixed-width codes");
        stage(run, "+ Huffman (P+Q+H)", Double.NaN, s.huffmanBytes(), "without file overhead");
        stage(run, "compressed file, decoded", run.compressedError, s.fileBytes(), "model.s4dc");
    }

    private void writeOutputs(Run run, Pipeline p, ReferenceModel ref, Path dataDir, Path dir) throws IOException {
        CompressionSummary s = run.summary;
        Results results = Results.of("results")
                .put("pipeline", p.id).put("model", ref.id()).put("data", dataDir.toAbsolutePath().normalize().toString())
                .put("seed", seed)
                .put("dense_error", run.denseError).put("compressed_error", run.compressedError)
                .put("dense_bytes", run.denseBytes).put("compressed_bytes", s.fileBytes())
                .put("compression_ratio", (double) run.denseBytes / s.fileBytes())
                .put("weights_compression_ratio", s.weightsCompressionRatio()).put("huffman_bits_vs_entropy", s.huffmanBitsVsEntropy())
                .put("pruned_sparse_bytes", s.prunedBytes()).put("quantized_bytes", s.quantizedBytes()).put("huffman_bytes", s.huffmanBytes())
                .put("wall_seconds", Math.round(run.wallSeconds * 10) / 10.0)
                .put("layers", s.layers());
        run.extra.forEach(results::put);
        results.writeTo(dir);

        Provenance prov = Provenance.current();
        HtmlReport html = new HtmlReport(ref.id() + " — " + p.id);
        html.paragraph(String.format(Locale.ROOT, "Error %.2f %% (dense) → %.2f %% (compressed, decoded from the file); %,d → %,d bytes: %.1fx smaller "
                + "(weights alone, as the paper counts them: %.1fx).",
                100 * run.denseError, 100 * run.compressedError, run.denseBytes, s.fileBytes(), (double) run.denseBytes / s.fileBytes(),
                s.weightsCompressionRatio()));
        html.heading("Stages");
        html.table(List.of("stage", "test error", "bytes", "ratio", "note"), run.stages.stream().map(st -> List.of(st[0], st[1], st[2],
                st[2].isEmpty() ? "" : String.format(Locale.ROOT, "%.1fx", (double) run.denseBytes / Long.parseLong(st[2].replace(",", ""))), st[3])).toList());
        html.chart(stagesChart(s));
        html.heading("Per layer (the columns of Deep Compression's Tables 1-3)");
        html.table(List.of("layer", "weights", "kept (P)", "weight bits (P+Q)", "weight bits (P+Q+H)", "index bits (P+Q)",
                "index bits (P+Q+H)", "rate (P+Q)", "rate (P+Q+H)", "Huffman / entropy"), s.layers().stream().map(l -> List.of(
                l.layer(), String.format(Locale.ROOT, "%,d", l.weights()), pct(l.keptFraction()), String.valueOf(l.bits()),
                f2(l.weightBitsHuffman()), l.sparse() ? String.valueOf(l.indexBits()) : "dense", l.sparse() ? f2(l.indexBitsHuffman()) : "",
                pct(l.rateQuantized()), pct(l.rateHuffman()),
                String.format(Locale.ROOT, "%.4f", (l.huffmanWeightBits() + l.huffmanIndexBits()) / l.entropyBits()))).toList());
        html.note(String.format(Locale.ROOT, "Codebooks (32 bits per shared value) are included per layer; biases (%,d bytes fp32), "
                + "headers, Huffman code-length tables and the CRC32 are in the file size only. Huffman-coded streams: %.4f x their entropy bound.",
                s.otherParamBytes(), s.huffmanBitsVsEntropy()));
        List<PaperTable> paper = ref == ReferenceModel.LENET_300_100 ? PaperTable.lenet300100()
                : ref == ReferenceModel.LENET_5_CAFFE ? PaperTable.lenet5() : List.of();
        if (!paper.isEmpty() && p == Pipeline.PRUNE_SHARE_HUFFMAN) {
            html.heading("The paper (Han, Mao & Dally 2016) beside ours");
            html.table(List.of("layer", "weights", "kept (P)", "weight bits (P+Q+H)", "index bits (P+Q+H)", "rate (P+Q)", "rate (P+Q+H)"),
                    paper.stream().map(r -> List.of(r.layer(), String.format(Locale.ROOT, "%,d", r.weights()), pct(r.kept()),
                            f2(r.weightBitsHuffman()), f2(r.indexBitsHuffman()), pct(r.rateQuantized()), pct(r.rateHuffman()))).toList());
        }
        if (run.codebookChart != null) {
            html.heading("Codebook over the weight histogram");
            html.chart(run.codebookChart);
        }
        for (TrainingHistory h : run.histories) {
            html.chart(Show.trainingCurves("Training loss per epoch", h));
        }
        html.heading("Provenance");
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("command", "./s4j compress " + String.join(" ", commandLine()));
        kv.put("pipeline", p.id);
        kv.put("model", ref.id() + " (pretrained " + ref.pretrainedInfo().testAccuracy() + ", " + ref.pretrainedInfo().command() + ")");
        kv.put("data", dataDir.toAbsolutePath().normalize().toString());
        kv.put("seed", String.valueOf(seed));
        kv.put("versions", prov.versions());
        kv.put("machine", prov.machine());
        kv.put("wall time", String.format(Locale.ROOT, "%.1f s", run.wallSeconds));
        html.keyValues(kv);
        Files.writeString(dir.resolve("report.html"), html.html(), StandardCharsets.UTF_8);
    }

    private List<String> commandLine() {
        List<String> a = new ArrayList<>(List.of("--pipeline", pipeline, "--model", model, "--seed", String.valueOf(seed)));
        if (data != null) {
            a.addAll(List.of("--data", data.toString()));
        }
        if (pruned != null) {
            a.addAll(List.of("--pruned", pruned.toString()));
        }
        if (sparsity != null) {
            a.addAll(List.of("--sparsity", sparsity.toString().replaceAll("[{} ]", "")));
        }
        if (bits != null) {
            a.addAll(List.of("--bits", bits.toString().replaceAll("[{} ]", "")));
        }
        if (pruneEpochs != null) {
            a.addAll(List.of("--prune-epochs", pruneEpochs.toString()));
        }
        if (finetuneEpochs != null) {
            a.addAll(List.of("--finetune-epochs", finetuneEpochs.toString()));
        }
        if (trainSubset != null) {
            a.addAll(List.of("--train-subset", trainSubset.toString()));
        }
        if (keepDeadInputs) {
            a.add("--keep-dead-inputs");
        }
        if (lr != null) {
            a.addAll(List.of("--lr", String.valueOf(lr)));
        }
        a.addAll(List.of("--codebook-epochs", String.valueOf(codebookEpochs), "--codebook-lr", String.valueOf(codebookLr), "--init", init.name()));
        return a;
    }

    /**
     * Magnitude {@code |w|}, except that the weights of the first layer that read an input which is
     * zero in every training image (MNIST's border pixels) score 0, so pruning removes them first:
     * they never change an output on the training data. The paper's pruned LeNet-300-100 shows the
     * same structure (its Fig. 4 of Han et al. 2015: the pixels at the border lose their weights).
     */
    private Importance magnitudeWithDeadInputs(MultiLayerNetwork net, IdxDataset train) {
        if (keepDeadInputs || !(net.getLayer(0).conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.DenseLayer)) {
            return Importance.magnitude();
        }
        String first = PrunableLayers.names(net).get(0);
        float[] active = new float[train.features()];
        for (int i = 0; i < train.size(); i++) {
            for (int r = 0; r < train.rows(); r++) {
                for (int c = 0; c < train.cols(); c++) {
                    if (train.pixel(i, r, c) != 0) {
                        active[r * train.cols() + c] = 1f;
                    }
                }
            }
        }
        int dead = 0;
        for (float a : active) {
            dead += a == 0 ? 1 : 0;
        }
        progress(dead + " of " + active.length + " inputs are zero in every training image; their weights in " + first + " are pruned first");
        org.nd4j.linalg.api.ndarray.INDArray mask = org.nd4j.linalg.factory.Nd4j.createFromArray(active).reshape(active.length, 1);
        return (n, layer) -> {
            org.nd4j.linalg.api.ndarray.INDArray scores = Importance.magnitude().scores(n, layer);
            return layer.equals(first) ? scores.mulColumnVector(mask.castTo(scores.dataType())) : scores;
        };
    }

    static Map<String, Double> defaultSparsity(ReferenceModel ref) {
        Map<String, Double> m = new LinkedHashMap<>();
        switch (ref) {
            case LENET_300_100 -> {          // Han et al. 2015 / Deep Compression Table 1: keep 8 %, 9 %, 26 %
                m.put("fc1", 0.92);
                m.put("fc2", 0.91);
                m.put("fc3", 0.74);
            }
            case LENET_5_CAFFE -> {          // Table 2 keeps 66 %, 12 %, 8 %, 19 %; fc1 keeps 5 % here: our relative
                m.put("conv1", 0.34);       // indices cost ~4.4 bits against the paper's ~3.7, and at 8 % the file
                m.put("conv2", 0.88);       // is only ~36x; at 5 % it beats the paper's 39x (tutorials/results/07-lenet-5-caffe.json)
                m.put("fc1", 0.95);
                m.put("fc2", 0.81);
            }
            case LENET_5 -> {
                m.put("conv1", 0.3);
                m.put("conv2", 0.8);
                m.put("fc1", 0.9);
                m.put("fc2", 0.85);
                m.put("fc3", 0.7);
            }
        }
        return m;
    }

    private IdxDataset trainSet(DatasetSplits splits) {
        return trainSubset == null ? splits.train() : splits.train().subset(trainSubset, seed);
    }

    private double error(MultiLayerNetwork net, DatasetSplits splits) {
        return 1 - Accuracy.of(net, splits.test().iterator(1000));
    }

    private void stage(Run run, String name, double error, long bytes, String note) {
        run.stages.add(new String[] {name, Double.isNaN(error) ? "" : String.format(Locale.ROOT, "%.2f %%", 100 * error),
                bytes < 0 ? "" : String.format(Locale.ROOT, "%,d", bytes), note});
        progress(String.format(Locale.ROOT, "%-38s %s %s", name, Double.isNaN(error) ? "" : String.format(Locale.ROOT, "error %.2f%%", 100 * error),
                bytes < 0 ? "" : String.format(Locale.ROOT, "%,d bytes", bytes)));
    }

    private void progress(String line) {
        log.printf(Locale.ROOT, "[%6.1f s] %s%n", seconds(), line);
        log.flush();
    }

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private static CategoryChart stagesChart(CompressionSummary s) {
        CategoryChart chart = new CategoryChartBuilder().width(720).height(360).title("Bytes at each stage")
                .yAxisTitle("kilobytes").build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("kilobytes", List.of("dense fp32", "pruned sparse (P)", "shared (P+Q)", "Huffman (P+Q+H)", "file"),
                List.of(s.denseBytes() / 1e3, s.prunedBytes() / 1e3, s.quantizedBytes() / 1e3, s.huffmanBytes() / 1e3, s.fileBytes() / 1e3));
        return chart;
    }

    /** The weight histogram of one layer (non-zero weights) with the shared values marked below it. */
    static XYChart codebookChart(String layer, double[] weights, float[] centroids) {
        XYChart chart = Show.histogram("Codebook of " + layer + ": " + centroids.length + " shared values over its weights", weights, 120);
        chart.getStyler().setLegendVisible(true);
        double[] x = new double[centroids.length];
        double[] y = new double[centroids.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = centroids[i];
        }
        XYSeries c = chart.addSeries("centroids", x, y);
        c.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return chart;
    }

    static String biggestLayer(MultiLayerNetwork net) {
        return PrunableLayers.names(net).stream().max(Comparator.comparingLong(n -> PrunableLayers.weights(net, n).length())).orElseThrow();
    }

    static double[] nonZeros(double[] v) {
        return java.util.Arrays.stream(v).filter(x -> x != 0).toArray();
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * f);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
            Files.move(target, old);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
