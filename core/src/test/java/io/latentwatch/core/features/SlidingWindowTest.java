package io.latentwatch.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    @Test
    void holdsTheLastRowsOldestFirst() {
        SlidingWindow w = new SlidingWindow(3, 2);
        w.append(new float[] {1, 10}, 100);
        w.append(new float[] {2, 20}, 200);
        assertThat(w.isFull()).isFalse();
        assertThatThrownBy(w::flatten).isInstanceOf(IllegalStateException.class).hasMessageContaining("2 of 3");
        w.append(new float[] {3, 30}, 300);
        assertThat(w.flatten()).containsExactly(1, 10, 2, 20, 3, 30);
        w.append(new float[] {4, 40}, 400);
        assertThat(w.flatten()).containsExactly(2, 20, 3, 30, 4, 40);
        assertThat(w.lastTimestamp()).isEqualTo(400);
    }

    @Test
    void survivesAStateStoreRoundTripAtEveryPosition() {
        SlidingWindow w = new SlidingWindow(4, 1);
        for (int i = 0; i < 11; i++) {
            SlidingWindow copy = SlidingWindow.fromBytes(w.toBytes());
            assertThat(copy.size()).isEqualTo(w.size());
            assertThat(copy.lastTimestamp()).isEqualTo(w.lastTimestamp());
            if (w.isFull()) {
                assertThat(copy.flatten()).containsExactly(w.flatten());
            }
            w = copy;
            w.append(new float[] {i}, i);
        }
        assertThat(w.flatten()).containsExactly(7, 8, 9, 10);
    }

    @Test
    void seriesWindowsMatchStreamingWindows() {
        float[][] rows = {{1}, {2}, {3}, {4}, {5}};
        List<float[]> windows = SlidingWindow.windows(rows, 3);
        assertThat(windows).hasSize(3);
        assertThat(windows.get(0)).containsExactly(1, 2, 3);
        assertThat(windows.get(2)).containsExactly(3, 4, 5);
    }

    @Test
    void rejectsCorruptState() {
        assertThatThrownBy(() -> SlidingWindow.fromBytes(new byte[5])).isInstanceOf(IllegalArgumentException.class);
        byte[] ok = new SlidingWindow(2, 2).toBytes();
        assertThatThrownBy(() -> SlidingWindow.fromBytes(java.util.Arrays.copyOf(ok, ok.length - 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    }

    private static final WindowPolicy GRACE_10 = new WindowPolicy(10, Long.MAX_VALUE, GapPolicy.RESET);

    private static SlidingWindow filled(int length, long... times) {
        SlidingWindow w = new SlidingWindow(length, 1);
        for (long t : times) {
            w.append(new float[] {t}, t);
        }
        return w;
    }

    @Test
    void aRecordLateWithinTheGracePeriodIsPlacedByEventTime() {
        SlidingWindow w = filled(4, 10, 20, 30, 40);
        assertThat(w.offer(new float[] {35}, 35, GRACE_10)).isEqualTo(SlidingWindow.Placement.INSERTED);
        assertThat(w.flatten()).containsExactly(20, 30, 35, 40); // the oldest row dropped out
        assertThat(w.timestamps()).containsExactly(20, 30, 35, 40);
        assertThat(w.lastTimestamp()).isEqualTo(40);
        assertThat(w.offer(new float[] {50}, 50, GRACE_10)).isEqualTo(SlidingWindow.Placement.APPENDED);
        assertThat(w.flatten()).containsExactly(30, 35, 40, 50);
        // Equal timestamps keep arrival order, even with no grace at all.
        assertThat(w.offer(new float[] {51}, 50, WindowPolicy.IN_ORDER)).isEqualTo(SlidingWindow.Placement.APPENDED);
        assertThat(w.flatten()).containsExactly(35, 40, 50, 51);
    }

    @Test
    void aRecordLaterThanTheGracePeriodOrOlderThanTheWholeWindowChangesNothing() {
        SlidingWindow w = filled(3, 10, 20, 30);
        byte[] before = w.toBytes();
        assertThat(w.offer(new float[] {19}, 19, GRACE_10)).isEqualTo(SlidingWindow.Placement.TOO_LATE);
        assertThat(w.offer(new float[] {29}, 29, WindowPolicy.IN_ORDER)).isEqualTo(SlidingWindow.Placement.TOO_LATE);
        SlidingWindow wide = SlidingWindow.fromBytes(before);
        assertThat(wide.offer(new float[] {5}, 5, new WindowPolicy(100, Long.MAX_VALUE, GapPolicy.RESET)))
                .isEqualTo(SlidingWindow.Placement.TOO_LATE);
        assertThat(w.toBytes()).isEqualTo(before);
        assertThat(wide.toBytes()).isEqualTo(before);
        // Not yet full: a late row within the grace period goes in front of newer ones.
        SlidingWindow partial = filled(3, 20);
        assertThat(partial.offer(new float[] {15}, 15, GRACE_10)).isEqualTo(SlidingWindow.Placement.INSERTED);
        assertThat(partial.timestamps()).containsExactly(15, 20);
    }

    @Test
    void aGapLongerThanTheLimitResetsTheWindow() {
        SlidingWindow w = filled(3, 10, 20, 30);
        WindowPolicy policy = new WindowPolicy(0, 25, GapPolicy.RESET);
        assertThat(w.offer(new float[] {55}, 55, policy)).isEqualTo(SlidingWindow.Placement.APPENDED); // gap 25: allowed
        assertThat(w.offer(new float[] {81}, 81, policy)).isEqualTo(SlidingWindow.Placement.RESET);
        assertThat(w.size()).isEqualTo(1);
        assertThat(w.timestamps()).containsExactly(81);
    }

    @Test
    void imputeLastFillsTheMissingStepsWithTheLastRow() {
        WindowPolicy policy = new WindowPolicy(0, 15, GapPolicy.IMPUTE_LAST);
        SlidingWindow w = filled(5, 10, 20, 30, 40);
        // Spacing 10, gap 30: two steps (50, 60) are missing.
        assertThat(w.offer(new float[] {-1}, 70, policy)).isEqualTo(SlidingWindow.Placement.IMPUTED);
        assertThat(w.flatten()).containsExactly(30, 40, 40, 40, -1);
        assertThat(w.timestamps()).containsExactly(30, 40, 50, 60, 70);
        // A gap of many windows imputes at most W - 1 rows.
        assertThat(w.offer(new float[] {-2}, 100_000, policy)).isEqualTo(SlidingWindow.Placement.IMPUTED);
        assertThat(w.flatten()).containsExactly(-1, -1, -1, -1, -2);
        // With a single row there is no spacing to go by: it resets.
        SlidingWindow one = filled(5, 10);
        assertThat(one.offer(new float[] {1}, 100, policy)).isEqualTo(SlidingWindow.Placement.RESET);
        assertThat(one.size()).isEqualTo(1);
    }

    @Test
    void readsStateWrittenInTheFirstFormat() {
        // The first form: length, features, count * length + next, last timestamp, then the ring.
        java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(3 * 4 + 8 + 3 * 4);
        v1.putInt(3).putInt(1).putInt(3 * 3 + 1).putLong(40L).putFloat(4).putFloat(2).putFloat(3); // rows 2, 3, 4
        SlidingWindow w = SlidingWindow.fromBytes(v1.array());
        assertThat(w.flatten()).containsExactly(2, 3, 4);
        assertThat(w.lastTimestamp()).isEqualTo(40L);
        w.append(new float[] {5}, 50);
        assertThat(w.flatten()).containsExactly(3, 4, 5);
    }
}
