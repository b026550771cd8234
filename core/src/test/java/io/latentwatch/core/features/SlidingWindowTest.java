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
}
