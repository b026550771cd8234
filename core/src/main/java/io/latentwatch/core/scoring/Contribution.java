package io.latentwatch.core.scoring;

/**
 * One input element's part in a record's reconstruction error.
 *
 * @param name element name (feature, or feature[t-k] in a window)
 * @param share fraction of the record's total squared error, in [0, 1]
 * @param observed observed value, input units
 * @param reconstructed reconstructed value, input units
 */
public record Contribution(String name, double share, double observed, double reconstructed) {}
