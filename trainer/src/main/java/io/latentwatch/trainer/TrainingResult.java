package io.latentwatch.trainer;

import io.latentwatch.core.bundle.ModelBundle;
import java.util.List;

/**
 * What a training run produced.
 *
 * @param bundle the verified bundle written to disk
 * @param trainLoss mean training loss per epoch
 * @param validationLoss mean validation loss per epoch
 * @param epochSeconds wall time of each epoch's training pass (without validation)
 */
public record TrainingResult(ModelBundle bundle, List<Double> trainLoss, List<Double> validationLoss,
                             List<Double> epochSeconds) {
    public TrainingResult {
        trainLoss = List.copyOf(trainLoss);
        validationLoss = List.copyOf(validationLoss);
        epochSeconds = List.copyOf(epochSeconds);
    }
}
