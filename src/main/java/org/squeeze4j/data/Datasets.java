package org.squeeze4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The datasets shipped in {@code datasets/} and any directory of MNIST-style IDX files.
 *
 * <p>The datasets directory is found, in order, from the system property
 * {@code squeeze4j.datasets}, the environment variable {@code SQUEEZE4J_DATASETS}, or by walking
 * up from the working directory until a {@code datasets/mnist} folder appears (so notebooks in
 * {@code notebooks/} and tests in the repository root both find it), or else the copy inside the
 * squeeze4j jar, unpacked once into a cache directory ({@link ShippedDatasets}), so a project that
 * depends on the library needs nothing else. Nothing is downloaded.
 */
public final class Datasets {
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private Datasets() {
    }

    /** MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28. */
    public static DatasetSplits mnist() {
        return fromDirectory(root().resolve("mnist"), "mnist");
    }

    /** Fashion-MNIST (Zalando): the same format as MNIST, ten kinds of clothing. */
    public static DatasetSplits fashionMnist() {
        DatasetSplits plain = fromDirectory(root().resolve("fashion-mnist"), "fashion-mnist");
        return new DatasetSplits(plain.name(), plain.train(), plain.test(), FASHION_MNIST_CLASSES);
    }

    /**
     * Reads a directory holding an MNIST-style quadruple: {@code train-images*}, {@code train-labels*},
     * and {@code t10k-images*} / {@code t10k-labels*} (or {@code test-images*} / {@code test-labels*}),
     * each plain IDX or gzip-compressed.
     *
     * @throws DatasetException naming the directory and the missing file if the quadruple is incomplete
     */
    public static DatasetSplits fromDirectory(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("Dataset directory not found: " + dir.toAbsolutePath()
                    + ". Pass a directory that holds train-images/train-labels and t10k-images/t10k-labels IDX files.");
        }
        Path trainImages = find(dir, "train-images");
        Path trainLabels = find(dir, "train-labels");
        Path testImages = findEither(dir, "t10k-images", "test-images");
        Path testLabels = findEither(dir, "t10k-labels", "test-labels");
        IdxDataset train = IdxDataset.load(name + "/train", trainImages, trainLabels);
        // the classes are the training set's: a test label beyond them is an error, a class the test set lacks is not
        IdxDataset test = IdxDataset.load(name + "/test", testImages, testLabels).withNumClasses(train.numClasses(), train.name());
        int classes = train.numClasses();
        List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).collect(Collectors.toList());
        return new DatasetSplits(name, train, test, names);
    }

    /** Reads a directory of IDX files, naming the dataset after the directory. */
    public static DatasetSplits fromDirectory(Path dir) {
        return fromDirectory(dir, dir.toAbsolutePath().normalize().getFileName().toString());
    }

    /** The directory holding the shipped datasets. */
    public static Path root() {
        String configured = Optional.ofNullable(System.getProperty("squeeze4j.datasets"))
                .orElse(System.getenv("SQUEEZE4J_DATASETS"));
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("datasets").resolve("mnist"))) {
                return dir.resolve("datasets");
            }
        }
        return ShippedDatasets.cached().orElseThrow(() -> new DatasetException(
                "Cannot find the datasets/ directory above " + Paths.get("").toAbsolutePath() + ", and the classpath"
                + " has no squeeze4j jar with its datasets. Run from inside the squeeze4j repository, or set"
                + " -Dsqueeze4j.datasets=/path/to/datasets (or the environment variable SQUEEZE4J_DATASETS)."));
    }

    private static Path findEither(Path dir, String prefix, String alternative) {
        List<Path> found = list(dir, prefix);
        return found.isEmpty() ? find(dir, alternative) : single(dir, prefix, found);
    }

    private static Path find(Path dir, String prefix) {
        List<Path> found = list(dir, prefix);
        if (found.isEmpty()) {
            throw new DatasetException("No IDX file starting with '" + prefix + "' in " + dir.toAbsolutePath()
                    + ". A dataset directory needs train-images, train-labels, t10k-images and t10k-labels files (.gz or plain).");
        }
        return single(dir, prefix, found);
    }

    private static Path single(Path dir, String prefix, List<Path> found) {
        if (found.size() > 1) {
            throw new DatasetException("More than one file starting with '" + prefix + "' in " + dir.toAbsolutePath()
                    + ": " + found.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "))
                    + ". Keep one of them.");
        }
        return found.get(0);
    }

    private static List<Path> list(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted()
                    .collect(Collectors.toCollection(ArrayList::new));
        } catch (IOException e) {
            throw new DatasetException("Cannot list dataset directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
