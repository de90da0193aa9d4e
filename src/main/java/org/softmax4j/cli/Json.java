package org.softmax4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;

/** The one-line JSON results of {@code --json}. Numbers that are not finite are written as null. */
final class Json {
    // Nulls are written, so that a key a script looks for is always there (null: not known, not finite).
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private Json() {
    }

    static JsonElement number(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
    }

    static String line(JsonElement element) {
        return GSON.toJson(element);
    }
}
