package org.softmax4j.data;

import java.nio.charset.StandardCharsets;

// Numbers read from the bytes of a CSV field, without making a String for the usual plain decimal: an optional sign,
// digits with an optional point, an optional exponent.
final class CsvNumbers {
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15};

    private CsvNumbers() {
    }

    // The value of a decimal field, as Double.parseDouble gives it (infinite when out of double range), or NaN when the
    // field is not a decimal number (NaN and infinity spelled out are not).
    static double parse(byte[] b, int start, int end) {
        // Fast path for plain decimals of at most 15 digits, the usual CSV value: m / 10^k with m < 10^15 and 10^k
        // both exact doubles is one correctly rounded division, so the result equals Double.parseDouble's.
        int i = start;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean point = false;
        for (; i < end; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '9') {
                mantissa = 10 * mantissa + (c - '0');
                digits++;
                fractionDigits += point ? 1 : 0;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (i == end && digits > 0 && digits <= 15) {
            double value = fractionDigits == 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
            return negative ? -value : value;
        }
        if (!isDecimal(b, start, end)) {
            return Double.NaN;
        }
        return Double.parseDouble(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
    }

    static boolean looksLikeNumber(byte[] b, int start, int end) {
        return isDecimal(b, start, end) || isNanOrInfinity(b, start, end);
    }

    static boolean isDecimal(byte[] b, int start, int end) {
        int i = start;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            i++;
        }
        int digits = 0;
        while (i < end && isDigit(b[i])) {
            i++;
            digits++;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && isDigit(b[i])) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < end && isDigit(b[i])) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == end;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static boolean isNanOrInfinity(byte[] b, int start, int end) {
        if (start < end && (b[start] == '+' || b[start] == '-')) {
            start++;
        }
        String word = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
        return word.equalsIgnoreCase("nan") || word.equalsIgnoreCase("inf") || word.equalsIgnoreCase("infinity");
    }
}
