package io.latentwatch.streaming;

import java.util.Locale;

/** How records on the input topic are encoded. */
public enum InputFormat {
    /** UTF-8 JSON objects: {@code {"entity":..,"timestamp":..,"values":[..]}} or with {@code "fields":{..}}. */
    JSON,
    /** Avro single-object encoding of {@code io.latentwatch.schemas.Observation}. */
    AVRO;

    /** The lower-case name used in config. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static InputFormat fromConfigName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
