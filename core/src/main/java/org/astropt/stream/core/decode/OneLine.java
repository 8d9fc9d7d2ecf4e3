package org.astropt.stream.core.decode;

/**
 * Text from outside (library exception messages, bytes of a hostile file) made fit for a one-line
 * error: whitespace runs become one space, control and non-ASCII characters become '?', and the
 * result is cut at {@link #MAX_CHARS}.
 */
final class OneLine {

    /** Long enough for any library message worth reading, short enough for a dead-letter reason. */
    static final int MAX_CHARS = 200;

    private OneLine() {}

    /** The exception's message, or its class name when it has none. */
    static String of(Throwable e) {
        return text(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    static String text(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_CHARS + 3));
        boolean space = false;
        for (int i = 0; i < s.length() && out.length() < MAX_CHARS; i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                space = out.length() > 0;
                continue;
            }
            if (space) out.append(' ');
            space = false;
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (out.length() >= MAX_CHARS) out.append("...");
        return out.toString();
    }
}
