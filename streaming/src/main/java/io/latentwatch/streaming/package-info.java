/**
 * The latentwatch streaming application: scores a topic of observations with an autoencoder model bundle and
 * writes latent codes, alerts and dead letters.
 *
 * <p>Entry points: {@link io.latentwatch.streaming.LatentwatchStreamsConfig} (configuration),
 * {@link io.latentwatch.streaming.LatentwatchStreamsApp} (running it), {@link io.latentwatch.streaming.ScoringTopology}
 * (the topology, for tests), {@link io.latentwatch.streaming.LatentwatchSerdes} (reading its output).
 * Everything in {@code io.latentwatch.streaming.internals} may change without notice.
 */
package io.latentwatch.streaming;
