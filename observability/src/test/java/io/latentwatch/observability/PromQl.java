package io.latentwatch.observability;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the metric names a PromQL expression reads (enough PromQL for dashboards: no subqueries or offsets). */
final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("sum", "avg", "min", "max", "count", "rate", "irate", "increase",
            "histogram_quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "clamp_min", "clamp_max", "abs", "topk", "bottomk", "delta", "deriv", "label_replace", "vector", "scalar",
            "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "time", "bool", "offset", "le");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private PromQl() {}

    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
                .replaceAll("\\{[^}]*}", " ")                          // label matchers
                .replaceAll("\\[[^]]*]", " ")                          // range selectors, $__rate_interval
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " "); // grouping labels
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            boolean variable = m.start() > 0 && s.charAt(m.start() - 1) == '$';
            if (!call && !number && !variable && !KEYWORDS.contains(id)) {
                names.add(id);
            }
        }
        return names;
    }
}
