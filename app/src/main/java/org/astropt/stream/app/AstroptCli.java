package org.astropt.stream.app;

/** Placeholder entry point; the picocli command tree replaces it. */
public final class AstroptCli {
    public static void main(String[] args) {
        System.out.println("astropt");
    }
}
