package io.latentwatch.core.bundle;

import java.util.Map;

/**
 * Where a model came from: data, settings and software, saved with every bundle so that a model can be
 * explained and rebuilt.
 *
 * @param dataSource path or topic the training data came from
 * @param dataSha256 SHA-256 of the training data as read
 * @param rows rows (or windows) used for training and validation together
 * @param epochs epochs actually run (early stopping may end sooner than asked)
 * @param seed random seed
 * @param finalTrainLoss training loss of the last epoch
 * @param finalValidationLoss validation loss of the best epoch
 * @param settings trainer settings as given
 * @param libraryVersions versions of the libraries that trained and exported the model
 */
public record Provenance(
        String dataSource,
        String dataSha256,
        long rows,
        int epochs,
        long seed,
        double finalTrainLoss,
        double finalValidationLoss,
        Map<String, String> settings,
        Map<String, String> libraryVersions) {

    public Provenance {
        settings = Map.copyOf(settings);
        libraryVersions = Map.copyOf(libraryVersions);
    }
}
