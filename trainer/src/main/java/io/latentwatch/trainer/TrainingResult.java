package io.latentwatch.trainer;

import io.latentwatch.core.bundle.ModelBundle;
import java.util.List;

/**
 * What a training run produced.
 *
 * @param bundle the verified bundle written to disk
 * @param trainLoss mean training loss per epoch
 * @param validationLoss mean validation loss per epoch
 */
public record TrainingResult(ModelBundle bundle, List<Double> trainLoss, List<Double> validationLoss) {
    public TrainingResult {
        trainLoss = List.copyOf(trainLoss);
        validationLoss = List.copyOf(validationLoss);
    }
}
