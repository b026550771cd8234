package io.latentwatch.streaming;

/**
 * How anomalous records of one entity are grouped into alert episodes. All durations are event time (the
 * observations' own timestamps), so a replay of history yields the same episodes as the live run did.
 *
 * @param cooldownMillis an episode closes at the entity's first normal record at least this long after its last
 *     anomalous one; anomalous records within the cooldown continue the episode (0: the first normal record closes it)
 * @param minDurationMillis an episode is announced (OPEN) only once it has lasted this long, first to latest
 *     anomalous record; one that ends sooner emits nothing (0: OPEN at the first anomalous record)
 * @param updateIntervalMillis least time between two events of one episode: a severity change within it is
 *     reported by the next anomalous record after it, if the change still holds then
 * @param idleCloseMillis an episode whose entity sent nothing for this long, while the task saw records of other
 *     entities this much later, is closed without waiting for the entity's next record (0: it stays open until then)
 */
public record EpisodePolicy(long cooldownMillis, long minDurationMillis, long updateIntervalMillis, long idleCloseMillis) {
    /** Close at the first normal record, open at once, report every severity change. */
    public static final EpisodePolicy IMMEDIATE = new EpisodePolicy(0, 0, 0);

    public EpisodePolicy {
        if (cooldownMillis < 0 || minDurationMillis < 0 || updateIntervalMillis < 0 || idleCloseMillis < 0) {
            throw new IllegalArgumentException("episode durations must be >= 0: cooldown=" + cooldownMillis
                    + " minDuration=" + minDurationMillis + " updateInterval=" + updateIntervalMillis
                    + " idleClose=" + idleCloseMillis);
        }
    }

    /** A policy that never closes episodes of silent entities. */
    public EpisodePolicy(long cooldownMillis, long minDurationMillis, long updateIntervalMillis) {
        this(cooldownMillis, minDurationMillis, updateIntervalMillis, 0);
    }
}
