package io.latentwatch.core.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The four graph outputs for a batch of rows, kept as flat row-major arrays to avoid one object per row.
 */
public final class ScoreBatch {
    private final int rows;
    private final int inputWidth;
    private final int latentDim;
    private final float[] latent;
    private final float[] reconstruction;
    private final float[] featureError;
    private final float[] score;

    ScoreBatch(int rows, int inputWidth, int latentDim, float[] latent, float[] reconstruction,
               float[] featureError, float[] score) {
        this.rows = rows;
        this.inputWidth = inputWidth;
        this.latentDim = latentDim;
        this.latent = latent;
        this.reconstruction = reconstruction;
        this.featureError = featureError;
        this.score = score;
    }

    public int rows() {
        return rows;
    }

    public float score(int row) {
        return score[row];
    }

    public float[] latent(int row) {
        return Arrays.copyOfRange(latent, row * latentDim, (row + 1) * latentDim);
    }

    public float[] reconstruction(int row) {
        return Arrays.copyOfRange(reconstruction, row * inputWidth, (row + 1) * inputWidth);
    }

    public float[] featureError(int row) {
        return Arrays.copyOfRange(featureError, row * inputWidth, (row + 1) * inputWidth);
    }

    /**
     * The {@code k} elements with the largest share of this row's error, largest first.
     *
     * @param input the row as it was given to the scorer (raw units)
     * @param elementNames names of the input elements (the manifest's element names)
     */
    public List<Contribution> topContributions(int row, float[] input, List<String> elementNames, int k) {
        int base = row * inputWidth;
        double total = 0;
        for (int j = 0; j < inputWidth; j++) {
            total += featureError[base + j];
        }
        final double sum = total > 0 ? total : 1;
        int[] order = IntStream.range(0, inputWidth).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> featureError[base + j]).reversed())
                .limit(k).mapToInt(Integer::intValue).toArray();
        List<Contribution> out = new ArrayList<>(order.length);
        for (int j : order) {
            out.add(new Contribution(elementNames.get(j), featureError[base + j] / sum, input[j],
                    reconstruction[base + j]));
        }
        return out;
    }
}
