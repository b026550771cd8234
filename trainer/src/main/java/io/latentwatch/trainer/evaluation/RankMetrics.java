package io.latentwatch.trainer.evaluation;

import java.util.Arrays;
import java.util.Comparator;

/** Threshold-free detection metrics of anomaly scores against labels (label != 0 means anomaly). */
public final class RankMetrics {
    private RankMetrics() {}

    /** Area under the ROC curve (Mann-Whitney U with average ranks for ties). */
    public static double auroc(double[] scores, int[] labels) {
        check(scores, labels);
        Integer[] idx = order(scores);
        double[] ranks = new double[scores.length];
        for (int i = 0; i < idx.length; ) {
            int j = i;
            while (j + 1 < idx.length && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[idx[k]] = avg;
            }
            i = j + 1;
        }
        long pos = 0;
        double rankSum = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0) {
                pos++;
                rankSum += ranks[i];
            }
        }
        long neg = labels.length - pos;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Area under the precision-recall curve as average precision (scikit-learn's definition). */
    public static double auprc(double[] scores, int[] labels) {
        check(scores, labels);
        Integer[] idx = order(scores);
        long pos = Arrays.stream(labels).filter(l -> l != 0).count();
        double ap = 0;
        long tp = 0;
        long seen = 0;
        for (int i = idx.length - 1; i >= 0; ) { // descending score; ties form one threshold
            int j = i;
            long tpGroup = 0;
            while (j >= 0 && scores[idx[j]] == scores[idx[i]]) {
                tpGroup += labels[idx[j]] != 0 ? 1 : 0;
                j--;
            }
            seen += i - j;
            tp += tpGroup;
            ap += (double) tpGroup / pos * ((double) tp / seen);
            i = j;
        }
        return ap;
    }

    private static Integer[] order(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> scores[i]));
        return idx;
    }

    private static void check(double[] scores, int[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
        long pos = Arrays.stream(labels).filter(l -> l != 0).count();
        if (pos == 0 || pos == labels.length) {
            throw new IllegalArgumentException("need both normal (0) and anomalous (non-zero) labels, got " + pos
                    + " anomalies in " + labels.length + " rows");
        }
    }
}
