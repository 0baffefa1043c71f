package org.squeeze4j.data;

import java.util.List;

/**
 * A dataset's training and test splits with human-readable class names.
 *
 * @param name short name, e.g. "mnist"
 * @param train the training split
 * @param test the test split
 * @param classNames one name per class, index = label
 */
public record DatasetSplits(String name, IdxDataset train, IdxDataset test, List<String> classNames) {
    public DatasetSplits {
        if (train.features() != test.features()) {
            throw new DatasetException("The " + name + " training images are " + train.rows() + "x" + train.cols()
                    + " but the test images are " + test.rows() + "x" + test.cols() + ": the files are from different datasets.");
        }
        classNames = List.copyOf(classNames);
    }

    public int numClasses() {
        return classNames.size();
    }

    @Override
    public String toString() {
        return name + " (train " + train.size() + ", test " + test.size() + ", " + train.rows() + "x" + train.cols()
                + ", " + numClasses() + " classes)";
    }
}
