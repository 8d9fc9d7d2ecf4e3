package org.astropt.stream.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.trainer.TrainerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code astropt models list|promote VERSION|rollback --bootstrap HOST:PORT}: the versions on the models
 * topic, and the two hand moves: serve a version, or bring the previous weights back (docs/TRAINER.md).
 * Both go through {@link ModelRegistry}, under the same promote rule as the model server's HTTP API; a
 * refusal prints its one line and exits non-zero.
 */
@Command(name = "models", description = "List, promote or roll back model versions on the models topic.",
        subcommands = {ModelsCommand.List.class, ModelsCommand.Promote.class, ModelsCommand.Rollback.class})
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new IllegalArgumentException("say what to do: astropt models list | promote VERSION | rollback");
    }

    /** Options every models subcommand takes. */
    static final class Connection {
        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
        String bootstrap;

        @Mixin
        TrainerOptions trainer;

        TrainerSettings settings() throws IOException { return trainer.settings(bootstrap, Map.of()); }

        Topics topics() throws IOException { return trainer.topics(); }

        /** Runs one move on the model's versions and says which version serves now. */
        int release(CommandSpec spec, java.util.function.BiFunction<ModelRegistry, String, ModelVersion> move) throws IOException {
            TrainerSettings s = settings();
            try (ModelRegistry registry = ModelRegistry.reading(s.kafka(), topics().name(Topics.MODELS),
                    s.transactionalId() + "-cli")) {
                ModelVersion v = move.apply(registry, s.modelName());
                spec.commandLine().getOut().printf("version %d now serves (%s)%n", v.getVersion(), v.getNote());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "One row per version: version, status, held-out loss, sha256 prefix, created.")
    static final class List implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            TrainerSettings s = connection.settings();
            ModelVersions versions = ModelRegistry.read(s.kafka(), connection.topics().name(Topics.MODELS));
            PrintWriter out = spec.commandLine().getOut();
            out.print(table(versions, s.modelName()));
            out.flush();
            return 0;
        }
    }

    @Command(name = "promote", description = "Serve VERSION, a CANDIDATE above the serving version: re-published as PROMOTED.")
    static final class Promote implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION", description = "Version number, as `astropt models list` shows it.")
        long version;

        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            return connection.release(spec, (r, name) -> r.promote(name, version, "promoted by hand"));
        }
    }

    @Command(name = "rollback", description = "Bring the previous PROMOTED weights back under a new, higher version.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            return connection.release(spec, (r, name) -> r.rollback(name, "rolled back by hand").get(1));
        }
    }

    /** The list's table: a header, then a row per version, oldest first. */
    static String table(ModelVersions versions, String name) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-8s %-12s %-13s %-12s %s%n",
                "version", "status", ModelFolder.HELD_OUT_LOSS, "sha256", "created"));
        for (ModelVersion v : versions.versions(name)) {
            Double loss = v.getMetrics().get(ModelFolder.HELD_OUT_LOSS);
            s.append(String.format(Locale.ROOT, "%-8d %-12s %-13s %-12s %s%n", v.getVersion(), v.getStatus(),
                    loss == null || loss.isNaN() ? "-" : String.format(Locale.ROOT, "%.5f", loss),
                    v.getSha256().substring(0, Math.min(12, v.getSha256().length())), v.getCreatedTime()));
        }
        if (versions.versions(name).isEmpty()) s.append("(no versions of ").append(name).append(" yet)\n");
        return s.toString();
    }
}
